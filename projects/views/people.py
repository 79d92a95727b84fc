"""Teams, following, updates, adoption, 'we need this too', areas and My Pipeline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from councils.models import Council
from councils.selectors import user_verified_councils
from pipeline.errors import ServiceError
from pipeline.forms import add_service_error, form_data
from pipeline.security import note_refusal

from .. import selectors
from ..forms import (
    AdoptionForm,
    DecisionNoteForm,
    DemandForm,
    TeamJoinForm,
    TeamRoleForm,
    UpdateForm,
)
from ..models import ServiceArea, TagFollow, TeamMembership
from ..services import people
from .pages import _managed_project_or_403, _project_or_404


@login_required
def team_join(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project_or_404(request, slug)
    form = TeamJoinForm(form_data(request), councils=user_verified_councils(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            people.team_request_join(
                actor=request.user,
                project=project,
                role=form.cleaned_data["role"],
                council=form.cleaned_data["council"],
                message=form.cleaned_data["message"],
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Your request has been sent to the project owner."))
            return redirect(project.get_absolute_url())
    return render(request, "projects/team_join.html", {"project": project, "form": form})


@login_required
def team_manage(request: HttpRequest, slug: str) -> HttpResponse:
    project = _managed_project_or_403(request, slug)
    if isinstance(project, HttpResponse):
        return project
    return render(
        request,
        "projects/team_manage.html",
        {
            "project": project,
            "requests": selectors.project_team_requests(project=project),
            "team": selectors.project_team(project=project),
            "role_form": TeamRoleForm(),
            "note_form": DecisionNoteForm(),
        },
    )


TEAM_ACTIONS = {
    "approve": (people.team_approve, gettext_lazy("%(person)s is now on the team.")),
    "decline": (people.team_decline, gettext_lazy("The request from %(person)s was declined.")),
}


@login_required
@require_POST
def team_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    membership = get_object_or_404(TeamMembership.objects.select_related("project", "user"), pk=pk)
    project = membership.project
    try:
        if action in TEAM_ACTIONS:
            service, done = TEAM_ACTIONS[action]
            form = DecisionNoteForm(request.POST)
            note = form.cleaned_data["note"] if form.is_valid() else ""
            service(actor=request.user, membership=membership, note=note)
        elif action == "role":
            form = TeamRoleForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Choose a role."))
                return redirect("projects:team", slug=project.slug)
            people.team_set_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
            done = _("%(person)s’s role was changed.")
        elif action == "leave":
            people.team_leave(actor=request.user, membership=membership)
            done = (
                _("You have left the team.")
                if membership.user_id == request.user.pk
                else _("%(person)s was removed from the team.")
            )
        else:
            return render(request, "404.html", status=404)
    except ServiceError as exc:
        note_refusal(exc)
        messages.error(request, exc.message)
        return redirect(project.get_absolute_url())
    messages.success(request, done % {"person": membership.user.get_full_name()})
    if membership.user_id == request.user.pk and action == "leave":
        return redirect(project.get_absolute_url())
    return redirect("projects:team", slug=project.slug)


@login_required
@require_POST
def follow(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project_or_404(request, slug)
    try:
        if request.POST.get("action") == "unfollow":
            people.unfollow_project(actor=request.user, project=project)
            messages.success(request, _("You no longer follow this project."))
        else:
            people.follow_project(actor=request.user, project=project)
            messages.success(request, _("You follow this project. You will hear of its updates."))
    except ServiceError as exc:
        note_refusal(exc)
        messages.error(request, exc.message)
    return redirect(project.get_absolute_url())


@login_required
def update_new(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project_or_404(request, slug)
    if not people.user_can_post_update(request.user, project):
        return render(
            request,
            "403.html",
            {"reason": _("Only the project's team can post updates.")},
            status=403,
        )
    form = UpdateForm(form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            update = people.update_post(actor=request.user, project=project, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("Your update is posted. Followers and partner councils will hear of it.")
            )
            return redirect(update.get_absolute_url())
    return render(request, "projects/update_form.html", {"project": project, "form": form})


def _council_action(request, slug: str, form_class, service, template: str, done: str):
    project = _project_or_404(request, slug)
    councils = user_verified_councils(user=request.user).exclude(pk=project.lead_council_id)
    form = form_class(form_data(request), councils=councils)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, project=project, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(project.get_absolute_url())
    return render(request, template, {"project": project, "form": form, "councils": councils})


@login_required
def adoption_new(request: HttpRequest, slug: str) -> HttpResponse:
    return _council_action(
        request,
        slug,
        AdoptionForm,
        people.adoption_record,
        "projects/adoption_form.html",
        _("Thank you. The project now shows your council as an adopter."),
    )


@login_required
def demand_new(request: HttpRequest, slug: str) -> HttpResponse:
    return _council_action(
        request,
        slug,
        DemandForm,
        people.demand_signal_record,
        "projects/demand_form.html",
        _("Recorded. Your council's members will hear when this project seeks support."),
    )


def areas(request: HttpRequest) -> HttpResponse:
    """Service areas, with follow buttons for the person and for each of their councils."""
    councils = list(user_verified_councils(user=request.user))
    mine, council_follows = set(), set()
    if request.user.is_authenticated:
        mine = set(TagFollow.objects.filter(user=request.user).values_list("area_id", flat=True))
        council_follows = set(
            TagFollow.objects.filter(council__in=councils).values_list("council_id", "area_id")
        )
    rows = [
        {
            "area": area,
            "followed": area.pk in mine,
            "councils": [(c, (c.pk, area.pk) in council_follows) for c in councils],
        }
        for area in ServiceArea.objects.order_by("name")
    ]
    return render(request, "projects/areas.html", {"rows": rows})


@login_required
@require_POST
def area_follow(request: HttpRequest, slug: str) -> HttpResponse:
    area = get_object_or_404(ServiceArea, slug=slug)
    council = None
    if request.POST.get("council"):
        council = Council.objects.filter(pk=request.POST["council"]).first()
        if council is None:
            messages.error(request, _("Choose one of your councils."))
            return redirect("projects:areas")
    try:
        if request.POST.get("action") == "unfollow":
            people.tag_unfollow(actor=request.user, area=area, council=council)
            messages.success(
                request, _("You no longer follow %(area)s.") % {"area": area.display_name}
            )
        else:
            people.tag_follow(actor=request.user, area=area, council=council)
            messages.success(
                request,
                _("New projects in %(area)s will be sent to you.") % {"area": area.display_name},
            )
    except ServiceError as exc:
        note_refusal(exc)
        messages.error(request, exc.message)
    return redirect("projects:areas")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "projects/dashboard.html", selectors.dashboard_for(user=request.user))
