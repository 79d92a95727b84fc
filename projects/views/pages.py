"""Thin views: forms check shape, services decide and write, selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.api.pagination import cursor_page
from core.errors import ServiceError
from core.forms import add_service_error, form_data
from core.security import note_refusal
from councils.models import Council
from councils.selectors import user_verified_councils

from .. import exports, selectors, services
from ..filters import ProjectFilterSet
from ..forms import (
    AboutForm,
    DetailsForm,
    NeedForm,
    NoteForm,
    PhaseForm,
    PledgeForm,
    ProblemForm,
    StateForm,
    WithdrawForm,
)
from ..models import Need, Pledge, PledgeState, Project, State
from ..permissions import user_can_manage_project, user_can_withdraw_pledge

LIST_PAGE_SIZE = 20


def project_list(request: HttpRequest) -> HttpResponse:
    filterset = ProjectFilterSet(request.GET, queryset=selectors.project_list())
    projects = filterset.qs if filterset.is_valid() else Project.objects.none()
    page = cursor_page(request, projects, ordering=filterset.ordering, page_size=LIST_PAGE_SIZE)
    return render(request, "projects/list.html", {"filterset": filterset, "page": page})


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


def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    from ..services.people import user_can_post_update

    project = _project_or_404(request, slug)
    # Every pledge's ledger events in one query: the chart, the partner councils and the latest
    # pledges with their histories all come from these rows.
    events = selectors.project_pledge_events(project=project)
    needs = list(selectors.project_needs(project=project))
    team = list(selectors.project_team(project=project))
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "needs": needs,
            "pledges": selectors.project_pledges_latest(
                project=project, events=events, needs=needs
            ),
            "pledge_count": len({row[0] for row in events}),
            "pledge_chart": selectors.project_pledge_chart(project=project, events=events),
            "partners": selectors.project_partners(project=project, events=events, team=team),
            "team": team,
            "updates": selectors.project_updates(project=project),
            "adoptions": selectors.project_adoptions(project=project),
            "demand": selectors.project_demand(project=project),
            "can_manage": user_can_manage_project(request.user, project),
            "can_pledge": project.is_open_for_pledges,
            "can_post_update": user_can_post_update(request.user, project),
            **selectors.user_project_relations(user=request.user, project=project),
        },
    )


# --- proposing and editing ----------------------------------------------------------------

SECTIONS = {
    "about": (AboutForm, gettext_lazy("About the project")),
    "problem": (ProblemForm, gettext_lazy("The problem and its users")),
    "details": (DetailsForm, gettext_lazy("Deadline, partners, links and licence")),
}
NEXT_SECTION = {"about": "problem", "problem": "needs", "details": "check"}


def _initial(project: Project, section: str) -> dict:
    if section == "about":
        return {
            "lead_council": project.lead_council_id,
            "language": project.language,
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
        return render(request, "projects/need_membership.html", status=403)
    form = AboutForm(form_data(request), councils=councils)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_create(
                actor=request.user,
                lead_council=data["lead_council"],
                title=data["title"],
                summary=data["summary"],
                description=data["description"],
                language=data["language"],
                service_areas=data["service_areas"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Your draft has been saved. Only members of your council can see it.")
            )
            return redirect("projects:edit", slug=project.slug, section="problem")
    return render(
        request,
        "projects/form.html",
        {"form": form, "heading": SECTIONS["about"][1], "step": 1, "similar": None},
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
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("lead_council", None)
        areas = data.pop("service_areas", None)
        try:
            services.project_update(
                actor=request.user, project=project, service_areas=areas, **data
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            if project.state == State.DRAFT:
                return redirect(_next_step_url(project, section))
            messages.success(request, _("Your changes have been saved."))
            return redirect(project.get_absolute_url())
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
        },
    )


def _next_step_url(project: Project, section: str) -> str:
    following = NEXT_SECTION[section]
    if following == "needs":
        return reverse("projects:needs", kwargs={"slug": project.slug})
    if following == "check":
        return reverse("projects:check", kwargs={"slug": project.slug})
    return reverse("projects:edit", kwargs={"slug": project.slug, "section": following})


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


@login_required
def project_needs(request: HttpRequest, slug: str) -> HttpResponse:
    project = _managed_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    form = NeedForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.need_add(
                actor=request.user,
                project=project,
                kind=data["kind"],
                amount=data["amount_value"],
                role=data["role"],
                description=data["description"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Need added."))
            return redirect("projects:needs", slug=slug)
    return render(
        request,
        "projects/needs.html",
        {"project": project, "needs": selectors.project_needs(project=project), "form": form},
    )


@login_required
@require_POST
def need_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _managed_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    need = get_object_or_404(Need, pk=pk, project=project)
    try:
        services.need_remove(actor=request.user, need=need)
    except ServiceError as exc:
        note_refusal(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Need removed."))
    return redirect("projects:needs", slug=slug)


@login_required
def project_check(request: HttpRequest, slug: str) -> HttpResponse:
    project = _managed_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    errors = []
    if request.method == "POST":
        try:
            services.project_set_state(
                actor=request.user, project=project, state=State.SEEKING_SUPPORT
            )
        except ServiceError as exc:
            errors.append(exc.message)
        else:
            messages.success(
                request, _("Your project is published. Other councils can now pledge support.")
            )
            return redirect(project.get_absolute_url())
    return render(
        request,
        "projects/check.html",
        {"project": project, "needs": selectors.project_needs(project=project), "errors": errors},
    )


@login_required
def project_manage(request: HttpRequest, slug: str) -> HttpResponse:
    project = _managed_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    phase_form = PhaseForm(initial={"phase": project.phase})
    state_form = StateForm(initial={"state": project.state})
    if request.method == "POST":
        action = request.POST.get("action")
        form = PhaseForm(request.POST) if action == "phase" else StateForm(request.POST)
        if form.is_valid():
            try:
                if action == "phase":
                    services.project_set_phase(
                        actor=request.user, project=project, phase=form.cleaned_data["phase"]
                    )
                else:
                    services.project_set_state(
                        actor=request.user, project=project, state=form.cleaned_data["state"]
                    )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("The project has been updated."))
                return redirect("projects:manage", slug=slug)
        if action == "phase":
            phase_form = form
        else:
            state_form = form
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
        },
    )


# --- pledging -------------------------------------------------------------------------------


@login_required
def pledge_new(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project_or_404(request, slug)
    councils = user_verified_councils(user=request.user).exclude(pk=project.lead_council_id)
    if not project.is_open_for_pledges:
        return render(request, "projects/pledge_closed.html", {"project": project}, status=409)
    if not councils.exists():
        return render(request, "projects/need_membership.html", {"project": project}, status=403)
    form = PledgeForm(form_data(request), project=project, councils=councils)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pledge = services.pledge_offer(
                actor=request.user,
                project=project,
                council=data["council"],
                kind=data["kind"],
                amount=data["amount_value"],
                need=data["need"],
                role=data["role"],
                note=data["note"],
            )
        except ServiceError as exc:
            add_service_error(form, exc, default_field="amount" if exc.field == "amount" else None)
        else:
            return redirect("projects:pledge_confirmation", pk=pledge.pk)
    return render(request, "projects/pledge_form.html", {"project": project, "form": form})


def _pledge_or_404(request: HttpRequest, pk: int) -> Pledge:
    pledge = selectors.pledge_with_history(pk=pk)
    if (
        pledge is None
        or selectors.project_for_page(slug=pledge.project.slug, user=request.user) is None
    ):
        raise Http404
    return pledge


@login_required
def pledge_confirmation(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _pledge_or_404(request, pk)
    return render(
        request, "projects/pledge_confirmation.html", {"pledge": pledge, "project": pledge.project}
    )


def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = _pledge_or_404(request, pk)
    return render(
        request,
        "projects/pledge_detail.html",
        {
            "pledge": pledge,
            "project": pledge.project,
            "can_manage": user_can_manage_project(request.user, pledge.project),
            "can_withdraw": user_can_withdraw_pledge(request.user, pledge),
        },
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
}


@login_required
def pledge_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in PLEDGE_ACTIONS:
        raise Http404
    pledge = _pledge_or_404(request, pk)
    service, form_class, heading, done = PLEDGE_ACTIONS[action]
    allowed = (
        user_can_withdraw_pledge(request.user, pledge)
        if action == "withdraw"
        else user_can_manage_project(request.user, pledge.project)
    )
    if not allowed:
        return render(request, "403.html", status=403)
    form = form_class(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            if action == "withdraw":
                service(actor=request.user, pledge=pledge, reason=form.cleaned_data["reason"])
            else:
                service(actor=request.user, pledge=pledge, note=form.cleaned_data["note"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("projects:pledge_detail", pk=pk)
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
    )


def council_pledges_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    """Every pledge the council has made, for its finance team. Amounts are exact."""
    council = get_object_or_404(Council, slug=slug)
    pledges = (
        selectors.council_pledges(council=council)
        .select_related("council")
        .iterator(chunk_size=2000)
    )
    return exports.csv_response(
        request,
        f"pipeline-pledges-{council.code}.csv",
        exports.PLEDGE_COLUMNS,
        exports.pledge_rows(pledges, exports.base_url(request)),
    )
