"""Teams, following, updates, adoption, 'we need this too', areas and My Pipeline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import form_data
from core.security import limit_shown_in_form
from councils.models import Council
from councils.selectors import user_verified_councils

from .. import selectors
from ..forms import (
    AdoptionForm,
    DecisionNoteForm,
    DemandForm,
    TeamJoinForm,
    TeamRoleForm,
    UpdateForm,
)
from ..models import Project, ServiceArea, State, TagFollow, TeamMembership
from ..permissions import team_join_refusal
from ..services import people
from .pages import _managed_project_or_403, _project_or_404
from .writes import form_status, perform


@login_required
@limit_shown_in_form
def team_join(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project_or_404(request, slug)
    refusal = team_join_refusal(request.user, project)
    if refusal:  # a fact about the project, not a permission someone could ask for
        context = {"project": project, "reason": refusal}
        return render(request, "projects/need_membership.html", context, status=403)
    form = TeamJoinForm(form_data(request), councils=user_verified_councils(user=request.user))
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            people.team_request_join(actor=request.user, project=project, **form.cleaned_data)
            return project.get_absolute_url()

        done = perform(
            request, write, form=form, done=_("Your request has been sent to the project owner.")
        )
        if done:
            return done
    return render(
        request,
        "projects/team_join.html",
        {"project": project, "form": form},
        status=form_status(form),
    )


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
    team_url = reverse("projects:team", kwargs={"slug": project.slug})
    own = membership.user_id == request.user.pk
    if action in TEAM_ACTIONS:
        service, done = TEAM_ACTIONS[action]
        form = DecisionNoteForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""

        def write() -> str:
            service(actor=request.user, membership=membership, note=note)
            return team_url

    elif action == "role":
        form = TeamRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a role."))
            return redirect(team_url)
        done = _("%(person)s’s role was changed.")

        def write() -> str:
            people.team_set_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
            return team_url

    elif action == "leave":
        done = _("You have left the team.") if own else _("%(person)s was removed from the team.")

        def write() -> str:
            people.team_leave(actor=request.user, membership=membership)
            return project.get_absolute_url() if own else team_url

    else:
        return render(request, "404.html", status=404)
    return perform(
        request,
        write,
        done=done % {"person": membership.user.get_full_name()},
        error_url=project.get_absolute_url(),
    )


@login_required
@require_POST
def follow(request: HttpRequest, slug: str) -> HttpResponse:
    """Follow or stop following. The button says which, so a second click (or a form sent
    twice) finds it done and shows the same state rather than an error."""
    project = _project_or_404(request, slug)
    following = request.POST.get("action") != "unfollow"

    def write() -> str:
        people.follow_set(actor=request.user, project=project, following=following)
        return project.get_absolute_url()

    return perform(
        request,
        write,
        done=(
            _("You follow this project. You will hear of its updates.")
            if following
            else _("You no longer follow this project.")
        ),
        error_url=project.get_absolute_url(),
    )


@login_required
@limit_shown_in_form
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

        def write() -> str:
            update = people.update_post(actor=request.user, project=project, **form.cleaned_data)
            return update.get_absolute_url()

        done = perform(
            request,
            write,
            form=form,
            done=_("Your update is posted. Followers and partner councils will hear of it."),
        )
        if done:
            return done
    return render(
        request,
        "projects/update_form.html",
        {"project": project, "form": form},
        status=form_status(form),
    )


def _council_action(request, slug: str, offer: str, form_class, service, template: str, done):
    """A form for one of the person's councils other than the lead: shown only when they may
    (``offer``, a verdict of ``selectors.user_project_offers``), else the reason why not."""
    project = _project_or_404(request, slug)
    demand = list(selectors.project_demand(project=project))
    verdict = selectors.user_project_offers(user=request.user, project=project, demand=demand)[
        offer
    ]
    if not verdict:
        context = {"project": project, "reason": "" if verdict.needs_membership else verdict.reason}
        return render(request, "projects/need_membership.html", context, status=403)
    councils = Council.objects.filter(pk__in=[c.pk for c in verdict.councils])
    form = form_class(form_data(request), councils=councils)
    if request.method == "POST" and form.is_valid():

        def write() -> str:
            service(actor=request.user, project=project, **form.cleaned_data)
            return project.get_absolute_url()

        response = perform(
            request, write, form=form, done=done(project, form.cleaned_data["council"])
        )
        if response:
            return response
    return render(
        request,
        template,
        {"project": project, "form": form, "councils": councils},
        status=form_status(form),
    )


@login_required
def adoption_new(request: HttpRequest, slug: str) -> HttpResponse:
    return _council_action(
        request,
        slug,
        "adopt_offer",
        AdoptionForm,
        people.adoption_record,
        "projects/adoption_form.html",
        lambda project, council: _("Thank you. The project now shows your council as an adopter."),
    )


def demand_recorded(project: Project, council: Council) -> str:
    """The confirmation, in words for where the project is now."""
    values = {"council": council.display_name}
    if project.state == State.SEEKING_SUPPORT:
        return (
            _(
                "Recorded: %(council)s needs this too. The project is seeking support now, so you "
                "can also pledge money or staff time."
            )
            % values
        )
    if project.state == State.IN_DELIVERY:
        return (
            _(
                "Recorded: %(council)s needs this too. The project team can see it, and your "
                "council’s members will hear if it seeks support again."
            )
            % values
        )
    return _("Recorded: %(council)s needs this too. The project team can see it.") % values


@login_required
def demand_new(request: HttpRequest, slug: str) -> HttpResponse:
    return _council_action(
        request,
        slug,
        "demand_offer",
        DemandForm,
        people.demand_signal_record,
        "projects/demand_form.html",
        demand_recorded,
    )


@login_required
@require_POST
def demand_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    """Take back 'we need this too' (a second click finds it taken back already)."""
    project = _project_or_404(request, slug)
    council = Council.objects.filter(pk=request.POST.get("council") or None).first()
    if council is None:
        messages.error(request, _("Choose one of your councils."))
        return redirect(project.get_absolute_url())

    def write() -> str:
        people.demand_signal_withdraw(actor=request.user, project=project, council=council)
        return f"{project.get_absolute_url()}#demand"

    return perform(
        request,
        write,
        done=_("Taken back: %(council)s no longer says it needs this.")
        % {"council": council.display_name},
        error_url=project.get_absolute_url(),
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
    unfollow = request.POST.get("action") == "unfollow"

    def write() -> str:
        if unfollow:
            people.tag_unfollow(actor=request.user, area=area, council=council)
        else:
            people.tag_follow(actor=request.user, area=area, council=council)
        return reverse("projects:areas")

    return perform(
        request,
        write,
        done=(
            _("You no longer follow %(area)s.")
            if unfollow
            else _("New projects in %(area)s will be sent to you.")
        )
        % {"area": area.display_name},
        error_url=reverse("projects:areas"),
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = selectors.dashboard_for(user=request.user)
    context["council_pledges_shown"] = selectors.DASHBOARD_COUNCIL_PLEDGES
    return render(request, "projects/dashboard.html", context)
