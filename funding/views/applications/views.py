"""Thin views over the applications' services and selectors.

They reuse the project pages' plumbing (``projects.views.writes``): the one-time submission key
and the handling of refusals of ``perform``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import form_data
from core.security import limit_shown_in_form
from projects.views.writes import form_status, perform

from ...eligibility import application_shortfalls, closed_message, word_count
from ...models import DECIDED_STATES, Application, ApplicationState, Call, CallStatus
from ...selectors import applications as selectors
from ...selectors.assessment import MODERATING_ROLES, funder_role
from ...services import applications as services
from .forms import ApplicationForm, ApplyForm, WithdrawForm, answer_field_name, pounds


def _application_or_404(request: HttpRequest, pk: int) -> Application:
    application = selectors.application_for_page(pk=pk, user=request.user)
    if application is None:
        raise Http404
    return application


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "403.html", {"reason": reason}, status=403)


# --- applying -----------------------------------------------------------------------------------


@login_required
@limit_shown_in_form
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a draft bid to an open call with one of the person's council's projects."""
    call = get_object_or_404(
        Call.objects.select_related("funder"),
        slug=slug,
        status__in=(CallStatus.PUBLISHED, CallStatus.DECIDED),
    )
    context = {
        "call": call,
        "live": list(selectors.live_applications_by(user=request.user, call=call)),
    }
    if not call.is_open():
        now = timezone.now()
        context["closed"] = (
            closed_message(call)
            if now >= call.closes_at or call.status == CallStatus.DECIDED
            else _("This call is not open for applications yet.")
        )
        return render(request, "funding/applications/apply.html", context)
    projects = selectors.projects_to_apply_with(user=request.user, call=call)
    choices = list(projects)
    if not choices and not context["live"]:
        return _refused(
            request,
            _(
                "You can apply with a project that your council leads and that you own or work "
                "on in its maker team, once it is published. You need to be a verified member "
                "of that council."
            ),
        )
    form = ApplyForm(form_data(request), projects=projects)
    if len(choices) == 1 and not form.is_bound:
        form.initial["project"] = choices[0].pk
    if request.method == "POST" and choices and form.is_valid():
        project = form.cleaned_data["project"]

        def write() -> str:
            application = services.application_start(actor=request.user, call=call, project=project)
            return reverse("funding:application", args=[application.pk])

        done = perform(
            request,
            write,
            form=form,
            done=_(
                "Your draft application is saved. Only your council, the project team and "
                "Pipeline’s organisers can see it until it is submitted."
            ),
        )
        if done:
            return done
    context.update({"form": form, "choices": choices})
    return render(request, "funding/applications/apply.html", context, status=form_status(form))


# --- the bid ----------------------------------------------------------------------------------


def _page_context(request: HttpRequest, application: Application) -> dict:
    user = request.user
    full = selectors.user_sees_answers(user, application)
    draft_viewer = selectors.user_sees_draft(user, application)
    is_draft = application.state == ApplicationState.DRAFT
    partners = selectors.application_partners(application=application)
    if not full:
        partners = [p for p in partners if p.state == "confirmed"]
    answers = []
    if full:
        answers = [
            (question, text, word_count(text))
            for question, text in selectors.application_answers(application=application)
        ]
    authority = selectors.user_has_authority(user, application)
    call_open = application.call.is_open()
    state = selectors.state_shown(user, application)
    context = {
        "application": application,
        "state": state,
        "state_label": ApplicationState(state).label,
        "call": application.call,
        "project": application.project,
        "full": full,
        "partners": partners,
        "answers": answers,
        "can_edit": is_draft
        and call_open
        and selectors.user_can_edit_application(user, application),
        "can_manage_partners": draft_viewer
        and selectors.user_can_edit_application(user, application),
        "can_submit": is_draft and authority,
        "submit_refusal": services.submit_refusal(user, application) if is_draft else "",
        "can_withdraw": authority
        and application.state not in (*DECIDED_STATES, ApplicationState.WITHDRAWN),
        "shortfalls": application_shortfalls(application) if is_draft and draft_viewer else [],
        "show_checklist": is_draft and draft_viewer,
        # A funded bid's award, in the tranches the funder pays it in (public once published).
        "tranches": selectors.published_tranches(application)
        if application.state == ApplicationState.FUNDED
        else [],
        "release_links": funder_role(user=user, call=application.call) in MODERATING_ROLES,
    }
    return context


def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The bid: its state, what is still missing (to those working on it), its public record,
    its partners and, to those who may read them, its answers. A draft does not exist for
    anyone else."""
    application = _application_or_404(request, pk)
    return render(request, "funding/applications/detail.html", _page_context(request, application))


@login_required
@limit_shown_in_form
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the draft, complete or not."""
    application = _application_or_404(request, pk)
    if not selectors.user_can_edit_application(request.user, application):
        return _refused(
            request,
            _(
                "Only verified members of %(council)s on the project’s team can work on this "
                "application."
            )
            % {"council": application.lead_council.display_name},
        )
    page = reverse("funding:application", args=[application.pk])
    if application.state != ApplicationState.DRAFT:
        messages.info(
            request,
            _("This application is %(state)s, so it can no longer be changed.")
            % {"state": str(application.get_public_state_display()).lower()},
        )
        return redirect(page)
    if not application.call.is_open():
        messages.info(request, closed_message(application.call))
        return redirect(page)
    answers = dict(application.answers.values_list("question_id", "text"))
    initial = {
        "summary": application.summary,
        "amount": pounds(application.amount_requested),
        "phase": application.phase,
        **{f"answer_{question_id}": text for question_id, text in answers.items()},
    }
    form = ApplicationForm(
        form_data(request), initial=initial, application=application, answers=answers
    )
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()

        def write() -> str:
            services.application_update(actor=request.user, application=application, **arguments)
            return page

        done = perform(request, write, form=form, done=_("Your draft is saved."))
        if done:
            return done
    return render(
        request,
        "funding/applications/edit.html",
        {
            "application": application,
            "call": application.call,
            "project": application.project,
            "form": form,
            "answer_fields": [form[answer_field_name(q)] for q in form.questions],
        },
        status=form_status(form),
    )


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit the bid for the lead council; refused with what is missing."""
    application = _application_or_404(request, pk)
    if not selectors.user_has_authority(request.user, application):
        return _refused(
            request,
            _("Only an approver or a council admin of %(council)s can submit this application.")
            % {"council": application.lead_council.display_name},
        )
    services.require_authority_second_factor(request.user)  # else: sent to set it up
    page = reverse("funding:application", args=[application.pk])
    if application.state == ApplicationState.DRAFT:
        shortfalls = application_shortfalls(application)
        if shortfalls:
            context = _page_context(request, application)
            context["submit_errors"] = shortfalls
            return render(request, "funding/applications/detail.html", context)

    def write() -> str:
        services.application_submit(actor=request.user, application=application)
        return page

    return perform(
        request,
        write,
        done=_(
            "The application is submitted. The project team and the partner councils have been "
            "told, and its summary is now published with the call."
        ),
        error_url=page,
    )


@login_required
@limit_shown_in_form
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw the bid for the lead council, with a reason, until it is decided."""
    application = _application_or_404(request, pk)
    if not selectors.user_has_authority(request.user, application):
        return _refused(
            request,
            _("Only an approver or a council admin of %(council)s can withdraw this application.")
            % {"council": application.lead_council.display_name},
        )
    services.require_authority_second_factor(request.user)  # else: sent to set it up
    page = reverse("funding:application", args=[application.pk])
    if application.state in (*DECIDED_STATES, ApplicationState.WITHDRAWN):
        messages.info(
            request,
            _("This application is %(state)s, so it can no longer be withdrawn.")
            % {"state": str(application.get_public_state_display()).lower()},
        )
        return redirect(page)
    form = WithdrawForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]

        def write() -> str:
            services.application_withdraw(
                actor=request.user, application=application, reason=reason
            )
            return page

        done = perform(
            request,
            write,
            form=form,
            done=_(
                "The application is withdrawn. The project team and the partner councils have "
                "been told, and the project may apply to this call again."
            ),
        )
        if done:
            return done
    return render(
        request,
        "funding/applications/withdraw.html",
        {
            "application": application,
            "call": application.call,
            "project": application.project,
            "form": form,
        },
        status=form_status(form),
    )
