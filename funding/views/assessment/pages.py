"""Thin web views for assessment and moderation. The services and selectors decide who may;
these turn their refusals into pages (403 with the reason; a missing second factor sends the
person to set one up, through ``accounts.middleware``)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.mfa import SecondFactorRequired
from core.errors import NotAllowed
from core.formatting import format_pence
from core.forms import form_data
from core.security import limit_shown_in_form
from delivery.models import Milestone
from projects.views.writes import form_status, perform

from ...models import Application, AwardTranche, Call, CallStatus, Decision
from ...selectors import assessment as selectors
from ...services import assessment as services
from ...services.awards import award_tranche_release
from .forms import (
    SCORE_WORDS,
    AssessmentForm,
    ConflictForm,
    DecisionForm,
    TrancheReleaseForm,
    pounds_text,
    tranche_initial,
)


def _refused(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    if isinstance(exc, SecondFactorRequired):
        raise exc  # to the set-up page, with the reason (accounts.middleware)
    return render(request, "403.html", {"reason": exc.message}, status=403)


def _call_or_404(slug: str) -> Call:
    return get_object_or_404(
        Call.objects.select_related("funder").exclude(status=CallStatus.DRAFT), slug=slug
    )


def _application_or_404(pk: int) -> Application:
    application = selectors.application_for_assessment(pk=pk)
    if application is None:
        raise Http404
    return application


def _base(call: Call) -> dict:
    return {
        "call": call,
        "call_url": selectors.call_url(call),
        "stage": selectors.assessment_stage(call),
    }


# --- assessors --------------------------------------------------------------------------------


@login_required
def assessment_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The call's submitted applications with this assessor's progress on each."""
    call = _call_or_404(slug)
    try:
        selectors.require_assessor(user=request.user, call=call)
    except NotAllowed as exc:
        return _refused(request, exc)
    rows = selectors.assessment_queue(call=call, user=request.user)
    return render(
        request,
        "funding/assessment/queue.html",
        {
            **_base(call),
            "rows": rows,
            "progress": selectors.queue_progress(rows),
            "may_moderate": selectors.funder_role(user=request.user, call=call)
            in selectors.MODERATING_ROLES,
        },
    )


@login_required
@limit_shown_in_form
def assess(request: HttpRequest, pk: int) -> HttpResponse:
    """The application, and the form to score it against each criterion."""
    application = _application_or_404(pk)
    call = application.call
    try:
        selectors.require_assessor(user=request.user, call=call)
    except NotAllowed as exc:
        return _refused(request, exc)
    assessment = selectors.assessment_of(application=application, user=request.user)
    conflicts = selectors.conflict_reasons(
        application=application,
        council_ids=selectors.assessor_council_ids(user=request.user),
        assessment=assessment,
    )
    if conflicts:
        return render(
            request,
            "403.html",
            {
                "reason": _("You cannot assess this application: %(reason)s")
                % {"reason": " ".join(conflicts)}
            },
            status=403,
        )
    criteria = list(call.criteria.all())
    saved = {s.criterion_id: s for s in assessment.scores.all()} if assessment else {}
    initial = {}
    for pk_, score in saved.items():
        initial[f"score_{pk_}"] = str(score.score)
        initial[f"comment_{pk_}"] = score.comment
    form = AssessmentForm(form_data(request), criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        submitting = form.submitting

        def write() -> str:
            services.assessment_save(
                actor=request.user,
                application=application,
                scores=form.scores(),
                submit=submitting,
            )
            if submitting:
                return reverse("funding:assessment", kwargs={"slug": call.slug})
            return reverse("funding:assess", kwargs={"pk": application.pk})

        done = perform(
            request,
            write,
            form=form,
            done=_("Your assessment is submitted. Thank you.")
            if submitting
            else _("Your scores are saved. Submit the assessment once every criterion is scored."),
        )
        if done:
            return done
    submitted = assessment is not None and assessment.submitted_at is not None
    return render(
        request,
        "funding/assessment/assess.html",
        {
            **_base(call),
            "application": application,
            "application_url": selectors.application_url(application),
            "assessment": assessment,
            "submitted": submitted,
            "saved": saved,
            "form": form,
            "given": [
                (c, saved.get(c.pk), SCORE_WORDS[saved[c.pk].score][0] if c.pk in saved else "")
                for c in criteria
            ],
            "live": application.state in selectors.LIVE_STATES,
            "editable": selectors.assessment_stage(call) == "open"
            and not submitted
            and application.state in selectors.LIVE_STATES,
        },
        status=form_status(form),
    )


@login_required
@limit_shown_in_form
def assess_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessor declares a conflict of interest with one application."""
    application = _application_or_404(pk)
    call = application.call
    try:
        selectors.require_assessor(user=request.user, call=call)
    except NotAllowed as exc:
        return _refused(request, exc)
    form = ConflictForm(form_data(request))
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            services.assessment_declare_conflict(
                actor=request.user, application=application, **form.cleaned_data
            )
            return reverse("funding:assessment", kwargs={"slug": call.slug})

        done = perform(
            request,
            write,
            form=form,
            done=_(
                "You declared a conflict of interest: the application is no longer offered "
                "to you, and any scores you gave it do not count."
            ),  # fmt: skip
        )
        if done:
            return done
    return render(
        request,
        "funding/assessment/conflict.html",
        {**_base(call), "application": application, "form": form},
        status=form_status(form),
    )


# --- moderators -------------------------------------------------------------------------------


@login_required
def moderation(request: HttpRequest, slug: str) -> HttpResponse:
    """Every assessor's scores side by side, the money, and the decisions."""
    call = _call_or_404(slug)
    try:
        may_act = selectors.moderation_access(user=request.user, call=call)
    except NotAllowed as exc:
        return _refused(request, exc)
    board = selectors.moderation_board(call=call)
    stage = selectors.assessment_stage(call)
    return render(
        request,
        "funding/assessment/moderation.html",
        {
            **_base(call),
            "board": board,
            "rows": selectors.ranked(board.rows),
            "may_act": may_act and stage == "open",
            "read_only": not may_act,
        },
    )


def _moderation_url(call: Call) -> str:
    return reverse("funding:moderation", kwargs={"slug": call.slug})


@login_required
@require_POST
def shortlist(request: HttpRequest, pk: int) -> HttpResponse:
    """Put an application on the shortlist (``shortlisted=1``) or take it off (``0``)."""
    application = _application_or_404(pk)
    call = application.call
    try:
        selectors.require_moderator(user=request.user, call=call)
    except NotAllowed as exc:
        return _refused(request, exc)
    on = request.POST.get("shortlisted") != "0"

    def write() -> str:
        services.application_shortlist(actor=request.user, application=application, shortlisted=on)
        return f"{_moderation_url(call)}#application-{application.pk}"

    title = application.project.title
    return perform(
        request,
        write,
        done=(_("%(title)s is on the shortlist.") if on else _("%(title)s is off the shortlist."))
        % {"title": title},
        error_url=_moderation_url(call),
    )


@login_required
@limit_shown_in_form
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Fund or do not fund one application, with feedback. Private until published."""
    application = _application_or_404(pk)
    call = application.call
    try:
        selectors.require_moderator(user=request.user, call=call)
    except NotAllowed as exc:
        return _refused(request, exc)
    decision = Decision.objects.filter(application=application).first()
    initial = {}
    if decision is not None:
        initial = {
            "outcome": decision.outcome,
            "award_amount": pounds_text(decision.award_amount) if decision.award_amount else "",
            "feedback": decision.feedback,
            **tranche_initial(
                list(AwardTranche.objects.filter(application=application).order_by("position"))
            ),
        }
    form = DecisionForm(
        form_data(request),
        application=application,
        call=call,
        milestones=list(
            Milestone.objects.filter(project=application.project_id).order_by("planned_on", "pk")
        ),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            services.application_decide(
                actor=request.user, application=application, **form.service_arguments()
            )
            return f"{_moderation_url(call)}#application-{application.pk}"

        done = perform(
            request,
            write,
            form=form,
            done=_(
                "The decision on %(title)s is recorded. Applicants see it only when you "
                "publish the decisions."
            )
            % {"title": application.project.title},  # fmt: skip
        )
        if done:
            return done
    return render(
        request,
        "funding/assessment/decide.html",
        {
            **_base(call),
            "application": application,
            "application_url": selectors.application_url(application),
            "decision": decision,
            "form": form,
        },
        status=form_status(form),
    )


@login_required
@limit_shown_in_form
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    """Check, then publish every decision on the call and tell the applicants."""
    call = _call_or_404(slug)
    try:
        selectors.require_moderator(user=request.user, call=call)
    except NotAllowed as exc:
        return _refused(request, exc)
    if request.method == "POST":

        def write() -> str:
            services.call_publish_decisions(actor=request.user, call=call)
            return _moderation_url(call)

        return perform(
            request,
            write,
            done=_("The decisions are published. The applicants are being told by email."),
            error_url=reverse("funding:publish", kwargs={"slug": call.slug}),
        )
    board = selectors.moderation_board(call=call)
    return render(
        request,
        "funding/assessment/publish.html",
        {**_base(call), "board": board, "rows": selectors.ranked(board.rows)},
    )


@login_required
@limit_shown_in_form
def tranche_release(request: HttpRequest, pk: int, position: int) -> HttpResponse:
    """Release one tranche of a published award to the project by hand, with a note."""
    application = _application_or_404(pk)
    call = application.call
    try:
        # Who may comes first: a tranche's existence tells of a decision.
        selectors.require_moderator(user=request.user, call=call)
    except NotAllowed as exc:
        return _refused(request, exc)
    tranche = get_object_or_404(
        AwardTranche.objects.select_related("milestone", "pledge"),
        application=application,
        position=position,
    )
    form = TrancheReleaseForm(form_data(request))
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            award_tranche_release(
                actor=request.user, tranche=tranche, note=form.cleaned_data["note"]
            )
            return selectors.application_url(application)

        done = perform(
            request,
            write,
            form=form,
            done=_("The tranche of %(amount)s is released to %(title)s.")
            % {"amount": format_pence(tranche.amount), "title": application.project.title},
        )
        if done:
            return done
    return render(
        request,
        "funding/assessment/tranche_release.html",
        {
            **_base(call),
            "application": application,
            "application_url": selectors.application_url(application),
            "tranche": tranche,
            "form": form,
        },
        status=form_status(form),
    )
