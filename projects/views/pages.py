"""Thin views: forms check shape, services decide and write, selectors read."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import pagecache
from core.api.pagination import cursor_page
from core.forms import form_data
from core.security import limit_shown_in_form
from councils.models import Council
from councils.selectors import user_verified_councils, user_waiting_councils

from .. import exports, scopes, selectors, services
from ..filters import ProjectFilterSet
from ..forms import (
    AboutForm,
    AmendForm,
    ApproveForm,
    DecisionRecordForm,
    DetailsForm,
    NeedForm,
    NoteForm,
    PhaseForm,
    PledgeForm,
    ProblemForm,
    RefuseForm,
    StateForm,
    WithdrawForm,
)
from ..models import (
    AMENDABLE_STATES,
    OPEN_AMENDMENT_STATES,
    STATE_TRANSITIONS,
    Need,
    Pledge,
    PledgeState,
    Project,
    State,
    format_amount,
)
from ..permissions import (
    DECISION_RECORD_STATES,
    may_pledge,
    pledge_closed_reason,
    pledge_needs_sign_off,
    private_note_council_ids,
    user_can_amend_pledge,
    user_can_approve_pledge,
    user_can_manage_project,
    user_can_record_decision,
    user_can_see_pledge,
    user_can_view_pledge,
    user_can_withdraw_pledge,
    user_sees_private_notes,
)
from ..services.projects import phase_moves
from .writes import already_done, form_status, perform

LIST_PAGE_SIZE = 20


def project_list(request: HttpRequest) -> HttpResponse:
    mark = pagecache.change_mark()  # before the rows are read (their cards are kept)
    filterset = ProjectFilterSet(request.GET, queryset=selectors.project_listing_keys())
    projects = filterset.qs if filterset.is_valid() else Project.objects.none()
    page = cursor_page(request, projects, ordering=filterset.ordering, page_size=LIST_PAGE_SIZE)
    active = sum(
        1 for name, values in request.GET.lists() if name not in ("sort", "cursor") and any(values)
    )
    pagecache.depends_on(*scopes.listing_tags(page, support=scopes.reads_support(request.GET)))
    scopes.with_part_versions(page.object_list, since=mark)
    # The filter panel shows the reader's own choices and the service areas: kept per query.
    query = sorted((k, v) for k, vs in request.GET.lists() if k != "cursor" for v in vs)
    return render(
        request,
        "projects/list.html",
        {
            "filterset": filterset,
            "page": page,
            "active_filters": active,
            "filters_version": f"{pagecache.part_version()}?{urlencode(query)}",
        },
    )


def _project_or_404(request: HttpRequest, slug: str) -> Project:
    project = selectors.project_for_page(slug=slug, user=request.user)
    if project is None:
        raise Http404
    return project


def _managed_project_or_403(request: HttpRequest, slug: str) -> Project | HttpResponse:
    project = _project_or_404(request, slug)
    if not user_can_manage_project(request.user, project):
        return render(
            request,
            "403.html",
            {
                "reason": _(
                    "Only the project's owner, a lead-council admin or an organiser can do this."
                )
            },
            status=403,
        )
    return project


class ProjectPageParts:
    """What the shared parts of a project's page show, read only when a part is not in the
    cache (``templates/projects/detail.html``): on a busy project, reading and drawing them is
    most of the page's cost, and they are the same for every reader."""

    def __init__(self, project: Project):
        self.project = project

    @cached_property
    def events(self) -> list:
        # Every pledge's ledger events in one query: the chart, the partner councils and the
        # latest pledges with their histories all come from these rows.
        return selectors.project_pledge_events(project=self.project)

    @cached_property
    def combined_from(self) -> list[Project]:
        return selectors.project_combined_from(project=self.project)

    @cached_property
    def needs(self) -> list[Need]:
        return list(selectors.project_needs(project=self.project))

    @cached_property
    def team(self) -> list:
        return list(selectors.project_team(project=self.project))

    @cached_property
    def pledges(self) -> list[Pledge]:
        return selectors.project_pledges_latest(
            project=self.project, events=self.events, needs=self.needs
        )

    @cached_property
    def pledge_count(self) -> int:
        return len({row[0] for row in self.events})

    @cached_property
    def pledge_charts(self) -> list:
        return selectors.project_pledge_charts(project=self.project, events=self.events)

    @cached_property
    def partners(self) -> list[Council]:
        return selectors.project_partners(project=self.project, events=self.events, team=self.team)

    @cached_property
    def updates(self) -> list:
        return list(selectors.project_updates(project=self.project))


def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    from ..services.people import user_can_post_update

    project = _project_or_404(request, slug)
    pagecache.depends_on(scopes.project_tag(project.pk))
    demand = list(selectors.project_demand(project=project))
    offers = selectors.user_project_offers(user=request.user, project=project, demand=demand)
    can_manage = user_can_manage_project(request.user, project)
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "parts": ProjectPageParts(project),
            "parts_versions": scopes.project_part_versions(project.pk),
            "adoptions": selectors.project_adoptions(project=project),
            "demand": demand,
            "can_manage": can_manage,
            # From what the page has already read: no query of its own.
            "can_post_update": user_can_post_update(
                request.user,
                project,
                can_manage=can_manage,
                team_membership=offers["team_membership"],
            ),
            # The one thing about the reader a shared part varies on (a yes or no).
            "may_pledge": bool(offers["pledge_offer"]),
            **offers,
        },
    )


# --- proposing and editing ----------------------------------------------------------------

SECTIONS = {
    "about": (AboutForm, gettext_lazy("About the project")),
    "problem": (ProblemForm, gettext_lazy("The problem and its users")),
    "details": (DetailsForm, gettext_lazy("Deadline, partners, links and licence")),
}
# The steps of proposing, in order; a draft's pages say "Step N of 5".
STEPS = ("about", "problem", "needs", "details", "check")


def draft_step(project: Project | None, step: str) -> dict:
    """``step`` and ``steps`` for the template while a project is proposed, else nothing."""
    if project is not None and project.state != State.DRAFT:
        return {}
    return {"step": STEPS.index(step) + 1, "steps": len(STEPS)}


def _step_url(project: Project, step: str) -> str:
    if step in SECTIONS:
        return reverse("projects:edit", kwargs={"slug": project.slug, "section": step})
    return reverse(f"projects:{step}", kwargs={"slug": project.slug})


def _next_step_url(project: Project, step: str) -> str:
    """Where saving a step leads: the next step of a draft, or the published project."""
    if project.state != State.DRAFT:
        return project.get_absolute_url()
    return _step_url(project, STEPS[STEPS.index(step) + 1])


def _initial(project: Project, section: str) -> dict:
    if section == "about":
        return {
            "lead_council": project.lead_council_id,
            "language": project.language,
            "phase": project.phase,
            "title": project.title,
            "summary": project.summary,
            "description": project.description,
            "service_areas": list(project.service_areas.all()),
        }
    form_class = SECTIONS[section][0]
    return {name: getattr(project, name) for name in form_class.base_fields}


@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    councils = user_verified_councils(user=request.user)
    if not councils.exists():
        waiting = user_waiting_councils(user=request.user)
        return render(request, "projects/need_membership.html", {"waiting": waiting}, status=403)
    form = AboutForm(form_data(request), councils=councils)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write() -> str:
            project = services.project_create(
                actor=request.user,
                lead_council=data["lead_council"],
                title=data["title"],
                summary=data["summary"],
                description=data["description"],
                language=data["language"],
                phase=data["phase"],
                service_areas=data["service_areas"],
            )
            return _next_step_url(project, "about")

        done = perform(
            request,
            write,
            form=form,
            done=_("Your draft has been saved. Only members of your council can see it."),
        )
        if done:
            return done
    return render(
        request,
        "projects/form.html",
        {
            "form": form,
            "heading": SECTIONS["about"][1],
            "similar": None,
            **draft_step(None, "about"),
        },
        status=form_status(form),
    )


@login_required
def project_edit(request: HttpRequest, slug: str, section: str) -> HttpResponse:
    if section not in SECTIONS:
        raise Http404
    project = _managed_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    form_class, heading = SECTIONS[section]
    kwargs = {"initial": _initial(project, section)}
    if section == "about":
        kwargs["councils"] = type(project.lead_council).objects.filter(pk=project.lead_council_id)
    form = form_class(form_data(request), **kwargs)
    if section == "about" and project.state != State.DRAFT:
        del form.fields["phase"]  # a published project changes phase on its Manage page
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("lead_council", None)
        areas = data.pop("service_areas", None)
        phase = data.pop("phase", None)

        def write() -> str:
            services.project_update(
                actor=request.user, project=project, service_areas=areas, **data
            )
            if phase and phase != project.phase:
                services.project_set_phase(actor=request.user, project=project, phase=phase)
            return _next_step_url(project, section)

        done = perform(
            request,
            write,
            form=form,
            done="" if project.state == State.DRAFT else _("Your changes have been saved."),
        )
        if done:
            return done
    similar = None
    if project.state == State.DRAFT and section == "problem":
        similar = selectors.similar_projects(
            title=project.title,
            summary=project.summary,
            area_ids=list(project.service_areas.values_list("pk", flat=True)),
            exclude_pk=project.pk,
        )
    return render(
        request,
        "projects/form.html",
        {
            "form": form,
            "heading": heading,
            "project": project,
            "section": section,
            "similar": similar,
            **draft_step(project, section),
        },
        status=form_status(form),
    )


@login_required
def project_tasks(request: HttpRequest, slug: str) -> HttpResponse:
    project = _managed_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    needs = list(selectors.project_needs(project=project))
    tasks = [
        (
            _("About the project"),
            reverse("projects:edit", args=[slug, "about"]),
            bool(project.summary),
        ),
        (
            _("The problem and its users"),
            reverse("projects:edit", args=[slug, "problem"]),
            bool(project.problem and project.users),
        ),
        (_("What the project needs"), reverse("projects:needs", args=[slug]), bool(needs)),
        (
            _("Deadline, partners, links and licence"),
            reverse("projects:edit", args=[slug, "details"]),
            None,
        ),
    ]
    return render(request, "projects/tasks.html", {"project": project, "tasks": tasks})


def _need_started(request: HttpRequest) -> bool:
    """Has anything been typed or chosen in the 'Add a need' fields?"""
    return any(request.POST.get(name, "").strip() for name in NeedForm.base_fields)


@login_required
def project_needs(request: HttpRequest, slug: str) -> HttpResponse:
    """Add needs one at a time. Continue adds a need that was typed but not yet added (or says
    what is wrong with it) rather than dropping it."""
    project = _managed_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    form = NeedForm(form_data(request))
    moving_on = "continue" in request.POST
    if request.method == "POST" and moving_on and not _need_started(request):
        return redirect(_next_step_url(project, "needs"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write() -> str:
            services.need_add(
                actor=request.user,
                project=project,
                kind=data["kind"],
                amount=data["amount_value"],
                role=data["role"],
                description=data["description"],
                phase=data.get("phase", ""),
            )
            if moving_on:
                return _next_step_url(project, "needs")
            return reverse("projects:needs", kwargs={"slug": slug})

        done = perform(request, write, form=form, done=_("Need added."))
        if done:
            return done
    if moving_on and form.errors:
        form.add_error(
            None,
            _(
                "The need you started has not been added. Finish it and continue, or clear "
                "its answers to continue without it."
            ),
        )
    return render(
        request,
        "projects/needs.html",
        {
            "project": project,
            "needs": selectors.project_needs(project=project),
            "form": form,
            **draft_step(project, "needs"),
        },
        status=form_status(form),
    )


def _managed_need(request: HttpRequest, slug: str, pk: int):
    """(the need, its needs page) for a manager's button on one need, or the answer instead:
    a refusal, or the result of a form already submitted."""
    project = _managed_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    repeat = already_done(request)
    if repeat is not None:
        return repeat
    need = get_object_or_404(Need, pk=pk, project=project)
    return need, reverse("projects:needs", kwargs={"slug": slug})


@login_required
@require_POST
def need_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found = _managed_need(request, slug, pk)
    if isinstance(found, HttpResponse):
        return found
    need, needs_url = found

    def write() -> str:
        services.need_remove(actor=request.user, need=need)
        return needs_url

    return perform(request, write, done=_("Need removed."), error_url=needs_url)


@login_required
@require_POST
def need_met(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Mark a need met (``met=1``: it takes no new offers) or reopen it (``met=0``)."""
    found = _managed_need(request, slug, pk)
    if isinstance(found, HttpResponse):
        return found
    need, needs_url = found
    met = request.POST.get("met") != "0"

    def write() -> str:
        if met:
            services.need_mark_met(actor=request.user, need=need)
        else:
            services.need_reopen(actor=request.user, need=need)
        return needs_url

    done = _("Need marked as met: it takes no new offers.") if met else _("Need reopened.")
    return perform(request, write, done=done, error_url=needs_url)


@login_required
def project_check(request: HttpRequest, slug: str) -> HttpResponse:
    project = _managed_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    form = forms.Form(form_data(request))  # carries the service's refusal, if any
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            services.project_set_state(
                actor=request.user, project=project, state=State.SEEKING_SUPPORT
            )
            return project.get_absolute_url()

        done = perform(
            request,
            write,
            form=form,
            done=_("Your project is published. Other councils can now pledge support."),
        )
        if done:
            return done
    return render(
        request,
        "projects/check.html",
        {
            "project": project,
            "needs": selectors.project_needs(project=project),
            "errors": form.non_field_errors() if form.is_bound else [],
            **draft_step(project, "check"),
        },
        status=form_status(form),
    )


@login_required
def project_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Offers to decide, and the phase and state changes the project may make now."""
    project = _managed_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    moves = {"phase": phase_moves(project), "state": list(STATE_TRANSITIONS[project.state])}
    action = request.POST.get("action") if request.method == "POST" else None
    phase_form = PhaseForm(request.POST if action == "phase" else None, moves=moves["phase"])
    state_form = StateForm(request.POST if action == "state" else None, moves=moves["state"])
    form = phase_form if action == "phase" else state_form if action == "state" else None
    if form is not None and form.is_valid():

        def write() -> str:
            if action == "phase":
                services.project_set_phase(
                    actor=request.user, project=project, phase=form.cleaned_data["phase"]
                )
            else:
                services.project_set_state(
                    actor=request.user, project=project, state=form.cleaned_data["state"]
                )
            return reverse("projects:manage", kwargs={"slug": slug})

        done = perform(
            request,
            write,
            form=form,
            done=_("The project has been updated. The change is on its timeline."),
        )
        if done:
            return done
    return render(
        request,
        "projects/manage.html",
        {
            "project": project,
            "phase_form": phase_form,
            "state_form": state_form,
            "waiting": selectors.pledges_waiting_for(project=project),
            "accepted": selectors.project_pledges(project=project).filter(
                state=PledgeState.ACCEPTED
            ),
            "sees_private_notes": user_sees_private_notes(
                request.user, Pledge(council_id=project.lead_council_id, project=project)
            ),
        },
        status=form_status(form),
    )


# --- pledging -------------------------------------------------------------------------------


def _pledge_draft_key(project: Project) -> str:
    return f"pledge-draft:{project.pk}"


def _pledge_councils_or_refusal(request: HttpRequest, project: Project):
    """The councils this person may pledge for, or the page saying why they may not (the same
    rules ``services.pledge_offer`` applies)."""
    verdict = may_pledge(request.user, project)
    if not project.is_open_for_pledges:
        return render(request, "projects/pledge_closed.html", {"project": project}, status=409)
    if not verdict:
        return render(
            request,
            "projects/need_membership.html",
            {"project": project, "reason": "" if verdict.needs_membership else verdict.reason},
            status=403,
        )
    return Council.objects.filter(pk__in=[c.pk for c in verdict.councils])


@login_required
def pledge_new(request: HttpRequest, slug: str) -> HttpResponse:
    """The pledge's questions; its answers wait in the session for Check your answers."""
    project = _project_or_404(request, slug)
    councils = _pledge_councils_or_refusal(request, project)
    if isinstance(councils, HttpResponse):
        return councils
    draft = request.session.get(_pledge_draft_key(project))
    form = PledgeForm(form_data(request), project=project, councils=councils, initial=draft)
    if request.method == "POST" and form.is_valid():
        request.session[_pledge_draft_key(project)] = {
            name: request.POST.get(name, "") for name in form.fields
        }
        return redirect("projects:pledge_check", slug=slug)
    return render(request, "projects/pledge_form.html", {"project": project, "form": form})


@login_required
@limit_shown_in_form
def pledge_check(request: HttpRequest, slug: str) -> HttpResponse:
    """Check your answers, with a warning if the offer is more than is still needed, before a
    council's money or staff time is committed."""
    project = _project_or_404(request, slug)
    councils = _pledge_councils_or_refusal(request, project)
    if isinstance(councils, HttpResponse):
        return councils
    if request.method == "POST":
        repeat = already_done(request)  # sent twice: the first made it and cleared the answers
        if repeat is not None:
            return repeat
    draft = request.session.get(_pledge_draft_key(project))
    if not draft:
        return redirect("projects:pledge", slug=slug)
    form = PledgeForm(draft, project=project, councils=councils)
    if not form.is_valid():  # the project changed since (a need removed): answer again
        return render(request, "projects/pledge_form.html", {"project": project, "form": form})
    if request.method == "POST":
        data = form.cleaned_data

        def write() -> str:
            pledge = services.pledge_offer(
                actor=request.user,
                project=project,
                council=data["council"],
                kind=data["kind"],
                amount=data["amount_value"],
                need=data["need"],
                role=data["role"],
                note=data["note"],
                private_note=data["private_note"],
                min_other_councils=data["min_other_councils_value"],
                match_percent=data["match_percent_value"],
            )
            return reverse("projects:pledge_confirmation", kwargs={"pk": pledge.pk})

        done = perform(request, write, form=form)
        if done:
            request.session.pop(_pledge_draft_key(project), None)
            return done
    return render(
        request,
        "projects/pledge_check.html",
        {
            "project": project,
            "form": form,
            "over_by": form.over_by(),
            "needs_sign_off": pledge_needs_sign_off(
                request.user,
                form.cleaned_data["council"],
                form.cleaned_data["kind"],
                form.cleaned_data["amount_value"],
            ),
        },
        status=form_status(form),
    )


def _pledge_or_404(request: HttpRequest, pk: int) -> Pledge:
    """The pledge with the events this person may see (``shown_events``); a pledge that never
    left its council is not found by anyone outside it."""
    pledge = selectors.pledge_with_history(pk=pk)
    if pledge is None or not user_can_view_pledge(request.user, pledge):
        raise Http404
    pledge.shown_events = selectors.pledge_shown_events(pledge=pledge, user=request.user)
    return pledge


@login_required
def pledge_confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _pledge_or_404(request, pk)
    return render(
        request, "projects/pledge_confirmation.html", {"pledge": pledge, "project": pledge.project}
    )


def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _pledge_or_404(request, pk)
    record = _decision_record(pledge)
    can_withdraw = user_can_withdraw_pledge(request.user, pledge)
    # The change waiting on this pledge, as this person may see it (one waiting for its
    # council's approver only inside that council).
    open_change = selectors.pledge_open_amendment(pledge=pledge)
    if open_change and not user_can_see_pledge(request.user, open_change):
        open_change = None
    return render(
        request,
        "projects/pledge_detail.html",
        {
            "pledge": pledge,
            "project": pledge.project,
            "open_change": open_change,
            "replaced_by": next(
                (
                    e.linked_pledge
                    for e in pledge.shown_events
                    if e.to_state == PledgeState.SUPERSEDED
                ),
                None,
            ),
            "can_amend": can_withdraw
            and open_change is None
            and pledge.state in AMENDABLE_STATES
            and not pledge_closed_reason(pledge.project),
            "can_manage": user_can_manage_project(request.user, pledge.project),
            "can_withdraw": can_withdraw,
            "can_approve": pledge.state == PledgeState.PENDING
            and user_can_approve_pledge(request.user, pledge),
            "sees_private_notes": user_sees_private_notes(request.user, pledge),
            "decision_record": record,
            # The record's line in the history, among the events by time.
            "decision_position": record
            and sum(e.created_at <= record.recorded_at for e in pledge.shown_events),
            "can_record_decision": record is None
            and pledge.state in DECISION_RECORD_STATES
            and user_can_record_decision(request.user, pledge),
        },
    )


def _amend_draft_key(pledge: Pledge) -> str:
    return f"amend-draft:{pledge.pk}"


def _amendable_or_refusal(request: HttpRequest, pk: int) -> Pledge | HttpResponse:
    """The pledge a change is proposed to, or the page saying why it cannot be (the rules
    ``services.pledge_amend`` applies; the service checks them again when it writes)."""
    pledge = _pledge_or_404(request, pk)
    if not user_can_amend_pledge(request.user, pledge):
        return render(request, "403.html", status=403)
    reason = ""
    if pledge.state not in AMENDABLE_STATES:
        reason = _("This pledge is %(state)s, so its amount cannot be changed.") % {
            "state": pledge.get_state_display().lower()
        }
    elif pledge.amendments.filter(state__in=OPEN_AMENDMENT_STATES).exists():
        reason = _("A change to this pledge is already waiting for a decision.")
    else:
        reason = pledge_closed_reason(pledge.project)
    if reason:
        return render(
            request,
            "projects/pledge_amend_closed.html",
            {"pledge": pledge, "project": pledge.project, "reason": reason},
            status=409,
        )
    return pledge


@login_required
def pledge_amend(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose a changed amount: the new amount and why. The answers wait in the session for
    Check your answers, as a new pledge's do."""
    pledge = _amendable_or_refusal(request, pk)
    if isinstance(pledge, HttpResponse):
        return pledge
    draft = request.session.get(_amend_draft_key(pledge))
    form = AmendForm(form_data(request), pledge=pledge, initial=draft)
    if request.method == "POST" and form.is_valid():
        request.session[_amend_draft_key(pledge)] = {
            name: request.POST.get(name, "") for name in form.fields
        }
        return redirect("projects:pledge_amend_check", pk=pledge.pk)
    return render(
        request,
        "projects/pledge_amend.html",
        {"pledge": pledge, "project": pledge.project, "form": form},
        status=form_status(form),
    )


@login_required
@limit_shown_in_form
def pledge_amend_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the change before it is proposed, with a warning if it adds more than is still
    needed and a word on sign-off if it is over the council's delegated limit."""
    if request.method == "POST":
        repeat = already_done(request)  # sent twice: the first proposed it and cleared the draft
        if repeat is not None:
            return repeat
    pledge = _amendable_or_refusal(request, pk)
    if isinstance(pledge, HttpResponse):
        return pledge
    draft = request.session.get(_amend_draft_key(pledge))
    if not draft:
        return redirect("projects:pledge_amend", pk=pledge.pk)
    form = AmendForm(draft, pledge=pledge)
    context = {"pledge": pledge, "project": pledge.project, "form": form}
    if not form.is_valid():  # the pledge changed since: answer again
        return render(request, "projects/pledge_amend.html", context)
    data = form.cleaned_data
    if request.method == "POST":

        def write() -> str:
            amendment = services.pledge_amend(
                actor=request.user,
                pledge=pledge,
                amount=data["amount_value"],
                note=data["note"],
                private_note=data["private_note"],
            )
            return reverse("projects:pledge_detail", kwargs={"pk": amendment.pk})

        if pledge_needs_sign_off(request.user, pledge.council, pledge.kind, data["amount_value"]):
            said = _(
                "Your change waits for an approver of %(council)s to sign it off. The project "
                "team sees it once it is approved."
            ) % {"council": pledge.council.display_name}
        else:
            said = _("Your change is proposed to the project team.")
        done = perform(request, write, form=form, done=said)
        if done:
            request.session.pop(_amend_draft_key(pledge), None)
            return done
    context.update(
        new_amount=format_amount(pledge.kind, data["amount_value"]),
        over_by=form.over_by(),
        needs_sign_off=pledge_needs_sign_off(
            request.user, pledge.council, pledge.kind, data["amount_value"]
        ),
    )
    return render(request, "projects/pledge_amend_check.html", context, status=form_status(form))


def _decision_record(pledge):
    try:
        return pledge.decision_record
    except ObjectDoesNotExist:
        return None


def _record_decision(*, actor, pledge, title, date, url):
    return services.pledge_record_decision(
        actor=actor, pledge=pledge, title=title, decided_on=date, url=url
    )


PLEDGE_ACTIONS = {
    "accept": (
        services.pledge_accept,
        NoteForm,
        gettext_lazy("Accept this pledge"),
        gettext_lazy("The pledge was accepted."),
    ),
    "decline": (
        services.pledge_decline,
        NoteForm,
        gettext_lazy("Decline this pledge"),
        gettext_lazy("The pledge was declined."),
    ),
    "fulfil": (
        services.pledge_fulfil,
        NoteForm,
        gettext_lazy("Mark this pledge as fulfilled"),
        gettext_lazy("The pledge is marked as fulfilled."),
    ),
    "withdraw": (
        services.pledge_withdraw,
        WithdrawForm,
        gettext_lazy("Withdraw this pledge"),
        gettext_lazy("The pledge was withdrawn."),
    ),
    "approve": (
        services.pledge_approve,
        ApproveForm,
        gettext_lazy("Approve this pledge"),
        gettext_lazy("The pledge was approved and is now offered to the project team."),
    ),
    "refuse": (
        services.pledge_refuse,
        RefuseForm,
        gettext_lazy("Refuse this pledge"),
        gettext_lazy("The pledge was refused. We have told the person who made it."),
    ),
    "decision": (
        _record_decision,
        DecisionRecordForm,
        gettext_lazy("Record the council’s decision"),
        gettext_lazy("The council’s decision is recorded with the pledge."),
    ),
}


INTERNAL_REASON_HINT = gettext_lazy(
    "Only members of %(council)s and Pipeline’s organisers see this. The project team never "
    "saw this pledge."
)


CHANGE_HEADINGS = {
    "accept": gettext_lazy("Accept this change"),
    "decline": gettext_lazy("Decline this change"),
    "withdraw": gettext_lazy("Withdraw this proposed change"),
    "approve": gettext_lazy("Approve this change"),
    "refuse": gettext_lazy("Refuse this change"),
}


CHANGE_DONE = {
    "accept": gettext_lazy("The change was accepted: the pledge is now the new amount."),
    "decline": gettext_lazy("The change was declined; the pledge stays as it was."),
    "withdraw": gettext_lazy("The proposed change was withdrawn."),
    "approve": gettext_lazy("The change was approved and is now proposed to the project team."),
    "refuse": gettext_lazy("The change was refused. We have told the person who proposed it."),
}


@login_required
def pledge_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in PLEDGE_ACTIONS:
        raise Http404
    pledge = _pledge_or_404(request, pk)
    service, form_class, heading, done = PLEDGE_ACTIONS[action]
    is_open_change = pledge.state == PledgeState.PROPOSED or (
        pledge.state == PledgeState.PENDING and pledge.amends_id is not None
    )
    if is_open_change and action in CHANGE_HEADINGS:
        # A proposed change (or one waiting for sign-off): its answer, not an offer's.
        heading, done = CHANGE_HEADINGS[action], CHANGE_DONE[action]
    if action == "withdraw":
        allowed = user_can_withdraw_pledge(request.user, pledge)
    elif action in ("approve", "refuse"):
        allowed = user_can_approve_pledge(request.user, pledge)
    elif action == "decision":
        allowed = user_can_record_decision(request.user, pledge)
    else:
        allowed = user_can_manage_project(request.user, pledge.project)
    if not allowed:
        return render(request, "403.html", status=403)
    if action == "decision" and request.method != "POST" and _decision_record(pledge):
        # Recorded once and never changed: no form to fill in only to be told so.
        messages.info(
            request, _("A decision is already recorded for this pledge; it cannot be changed.")
        )
        return redirect("projects:pledge_detail", pk=pk)
    form = form_class(form_data(request))
    if action == "withdraw" and pledge.state == PledgeState.PENDING:
        # Never offered, so its reason is never public and the lead council never sees it.
        form.fields["reason"].help_text = INTERNAL_REASON_HINT % {
            "council": pledge.council.display_name
        }
        del form.fields["private_note"]
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)

        def write() -> str:
            service(actor=request.user, pledge=pledge, **data)
            return reverse("projects:pledge_detail", kwargs={"pk": pk})

        response = perform(request, write, form=form, done=str(done))
        if response:
            return response
    return render(
        request,
        "projects/pledge_action.html",
        {
            "pledge": pledge,
            "project": pledge.project,
            "form": form,
            "heading": heading,
            "action": action,
        },
        status=form_status(form),
    )


def council_pledges_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """Every pledge the council has made, for its finance team. Amounts are exact.

    Its last column, ``private_note``, is filled only for a verified member of the pledging
    council or of the project's lead council; for anyone else it is empty.
    """
    council = get_object_or_404(Council, slug=slug)
    pledges = (
        selectors.council_pledges(council=council)
        .select_related("council")
        .iterator(chunk_size=2000)
    )
    private_for = private_note_council_ids(request.user)
    response = exports.csv_response(
        request,
        f"pipeline-pledges-{council.code}.csv",
        exports.COUNCIL_PLEDGE_COLUMNS,
        exports.pledge_rows(pledges, exports.base_url(request), private_for=private_for),
    )
    if private_for:
        patch_cache_control(response, private=True, no_store=True)
    return response
