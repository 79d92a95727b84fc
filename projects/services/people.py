"""Maker teams, follows, updates, tag follows, adoptions and 'we need this too'."""

import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.mfa import acts_as_organiser
from core.errors import Conflict, InvalidInput, NotAllowed
from councils.models import Council
from councils.selectors import user_may_act_for_council

from .. import notifications
from ..models import (
    ACTIVE_TEAM_STATUSES,
    Adoption,
    DemandSignal,
    Follow,
    Phase,
    Project,
    Role,
    ServiceArea,
    State,
    TagFollow,
    TeamMembership,
    TeamStatus,
    Update,
)
from ..permissions import demand_open, team_join_refusal, user_can_manage_project
from .projects import _lock_project, _require_manager, change_phase, public_name, timeline_record
from .totals import recalculate_totals

User = get_user_model()


def _require_published(project: Project) -> None:
    if project.state == State.DRAFT or project.is_hidden:
        raise Conflict(_("This project is not published."))


# --- maker teams --------------------------------------------------------------------------


def _timeline_team(
    *, actor: User, project: Project, membership: TeamMembership, title, body, values: dict
) -> None:
    """A change to who is on the team, on the project's timeline (not sent to followers: the
    person and the team hear of it already). A person is named as on the team list, never by
    their email address."""
    timeline_record(
        project=project,
        actor=actor,
        title=title,
        body=body,
        values=values,
        names={"person": lambda: public_name(membership.user)},
        notify=False,
    )


@transaction.atomic
def team_request_join(
    *, actor: User, project: Project, role: str, message: str = "", council: Council | None = None
) -> TeamMembership:
    project = _lock_project(project)
    refusal = team_join_refusal(actor, project)
    if refusal:
        raise Conflict(refusal)
    if role not in Role.values:
        raise InvalidInput(_("Choose the role you would take."), field="role")
    if council is not None and not user_may_act_for_council(user=actor, council=council):
        raise NotAllowed(
            _("You can only join for a council you are a verified member of."), field="council"
        )
    message = message.strip()
    if len(message) > 2000:
        raise InvalidInput(_("The message must be 2,000 characters or fewer."), field="message")
    if TeamMembership.objects.filter(
        project=project, user=actor, status__in=ACTIVE_TEAM_STATUSES
    ).exists():
        raise Conflict(_("You are already on this team, or your request is waiting."))
    try:
        with transaction.atomic():
            membership = TeamMembership.objects.create(
                project=project, user=actor, role=role, message=message, council=council
            )
    except IntegrityError as exc:
        raise Conflict(_("You are already on this team, or your request is waiting.")) from exc
    notifications.team_changed(membership, TeamStatus.REQUESTED)
    return membership


def _lock_membership(membership: TeamMembership) -> tuple[Project, TeamMembership]:
    project = _lock_project(membership.project)
    locked = TeamMembership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    return project, locked


def _decide(*, actor: User, membership: TeamMembership, status: str, note: str) -> TeamMembership:
    project, membership = _lock_membership(membership)
    _require_manager(actor, project)
    if membership.status != TeamStatus.REQUESTED:
        raise Conflict(
            _("This request has already been decided (%(status)s).")
            % {"status": membership.get_status_display().lower()}
        )
    membership.status = status
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.decision_note = note.strip()[:2000]
    membership.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    recalculate_totals(project)
    notifications.team_changed(membership, status)
    if status == TeamStatus.ACTIVE:
        _timeline_team(
            actor=actor,
            project=project,
            membership=membership,
            title=gettext_lazy("New team member"),
            body=gettext_lazy("%(name)s welcomed %(person)s to the team as %(role)s."),
            values={"role": Role(membership.role).label},
        )
    return membership


@transaction.atomic
def team_approve(*, actor: User, membership: TeamMembership, note: str = "") -> TeamMembership:
    return _decide(actor=actor, membership=membership, status=TeamStatus.ACTIVE, note=note)


@transaction.atomic
def team_decline(*, actor: User, membership: TeamMembership, note: str = "") -> TeamMembership:
    return _decide(actor=actor, membership=membership, status=TeamStatus.DECLINED, note=note)


@transaction.atomic
def team_leave(*, actor: User, membership: TeamMembership) -> TeamMembership:
    """The person leaves (or withdraws their request); the owner removes someone."""
    project, membership = _lock_membership(membership)
    if membership.user_id == actor.pk:
        status = TeamStatus.LEFT
    else:
        _require_manager(actor, project)
        status = TeamStatus.REMOVED
    if membership.status not in ACTIVE_TEAM_STATUSES:
        raise Conflict(_("This person is no longer on the team."))
    was_member = membership.status == TeamStatus.ACTIVE  # not a request withdrawn
    membership.status = status
    membership.ended_at = timezone.now()
    membership.save(update_fields=["status", "ended_at"])
    recalculate_totals(project)
    if was_member:
        _timeline_team(
            actor=actor,
            project=project,
            membership=membership,
            title=gettext_lazy("Team member left"),
            body=gettext_lazy("%(name)s left the team.")
            if status == TeamStatus.LEFT
            else gettext_lazy("%(name)s took %(person)s off the team."),
            values={},
        )
    return membership


@transaction.atomic
def team_set_role(*, actor: User, membership: TeamMembership, role: str) -> TeamMembership:
    project, membership = _lock_membership(membership)
    _require_manager(actor, project)
    if role not in Role.values:
        raise InvalidInput(_("Choose a role."), field="role")
    if membership.status != TeamStatus.ACTIVE:
        raise Conflict(_("Only a current team member's role can change."))
    previous = Role(membership.role).label
    if role == membership.role:
        return membership
    membership.role = role
    membership.save(update_fields=["role"])
    _timeline_team(
        actor=actor,
        project=project,
        membership=membership,
        title=gettext_lazy("Team role changed"),
        body=gettext_lazy("%(name)s changed the role of %(person)s from %(from)s to %(to)s."),
        values={"from": previous, "to": Role(role).label},
    )
    return membership


# --- following ----------------------------------------------------------------------------


@transaction.atomic
def follow_set(*, actor: User, project: Project, following: bool) -> bool:
    """Follow or stop following; idempotent (a second click finds it done). True if it changed."""
    if not following:
        return bool(Follow.objects.filter(user=actor, project=project).delete()[0])
    _require_published(project)
    try:
        with transaction.atomic():
            Follow.objects.create(user=actor, project=project)
    except IntegrityError:  # followed already, perhaps by the same click a moment ago
        return False
    return True


@transaction.atomic
def follow_project(*, actor: User, project: Project) -> Follow:
    """Follow, refusing a second follow (the API's POST creates one or says it exists)."""
    if not follow_set(actor=actor, project=project, following=True):
        raise Conflict(_("You already follow this project."))
    return Follow.objects.get(user=actor, project=project)


@transaction.atomic
def unfollow_project(*, actor: User, project: Project) -> None:
    if not follow_set(actor=actor, project=project, following=False):
        raise Conflict(_("You do not follow this project."))


@transaction.atomic
def tag_follow(*, actor: User, area: ServiceArea, council: Council | None = None) -> TagFollow:
    """Follow a service area yourself, or for your council (verified members only)."""
    if council is not None and not user_may_act_for_council(user=actor, council=council):
        raise NotAllowed(
            _("Only verified members can follow areas for their council."), field="council"
        )
    try:
        with transaction.atomic():
            if council is not None:
                return TagFollow.objects.create(area=area, council=council)
            return TagFollow.objects.create(area=area, user=actor)
    except IntegrityError as exc:
        raise Conflict(_("%(area)s is already followed.") % {"area": area.display_name}) from exc


@transaction.atomic
def tag_unfollow(*, actor: User, area: ServiceArea, council: Council | None = None) -> None:
    if council is not None:
        if not user_may_act_for_council(user=actor, council=council):
            raise NotAllowed(_("Only verified members can change their council's areas."))
        follows = TagFollow.objects.filter(area=area, council=council)
    else:
        follows = TagFollow.objects.filter(area=area, user=actor)
    if not follows.delete()[0]:
        raise Conflict(_("%(area)s is not followed.") % {"area": area.display_name})


# --- updates ------------------------------------------------------------------------------


_UNREAD = object()


def user_can_post_update(
    user, project: Project, *, can_manage: bool | None = None, team_membership=_UNREAD
) -> bool:
    """Those who manage the project and active maker-team members. A page that has already
    asked ``user_can_manage_project``, or read the person's membership of the team
    (``team_membership``: theirs, active or requested, or None), gives the answers rather
    than asking again."""
    if user is None or not user.is_authenticated:
        return False
    if can_manage is None:
        can_manage = user_can_manage_project(user, project)
    if can_manage:
        return True
    if team_membership is _UNREAD:
        return TeamMembership.objects.filter(
            project=project, user=user, status=TeamStatus.ACTIVE
        ).exists()
    return team_membership is not None and team_membership.status == TeamStatus.ACTIVE


@transaction.atomic
def update_post(
    *, actor: User, project: Project, title: str, body: str, to_phase: str = ""
) -> Update:
    """A team member posts to the timeline; followers and partner councils hear of it."""
    project = _lock_project(project)
    if not user_can_post_update(actor, project):
        raise NotAllowed(_("Only the project's team can post updates."))
    _require_published(project)
    title, body = title.strip(), body.strip()
    if not title:
        raise InvalidInput(_("Give the update a title."), field="title")
    if not body:
        raise InvalidInput(_("Write the update."), field="body")
    if len(title) > 150:
        raise InvalidInput(_("The title must be 150 characters or fewer."), field="title")
    if len(body) > 20_000:
        raise InvalidInput(_("The update must be 20,000 characters or fewer."), field="body")
    from_phase = ""
    if to_phase:
        # Team members may record a phase change with their update.
        from_phase = project.phase
        project = change_phase(project, to_phase, actor=actor, field="to_phase")
    now = timezone.now()
    update = Update.objects.create(
        project=project,
        author=actor,
        title=title,
        body=body,
        from_phase=from_phase,
        to_phase=to_phase,
        created_at=now,
    )
    Project.objects.filter(pk=project.pk).update(last_activity_at=now, dormancy_nudged_at=None)
    notifications.update_posted(update)
    return update


# --- adoption and demand ------------------------------------------------------------------


def _require_member_of_other_council(actor: User, project: Project, council: Council) -> None:
    if not (user_may_act_for_council(user=actor, council=council) or acts_as_organiser(actor)):
        raise NotAllowed(
            _("Only verified members of %(council)s can record this.")
            % {"council": council.display_name},
            field="council",
        )
    if council.pk == project.lead_council_id:
        raise InvalidInput(
            _("%(council)s leads this project.") % {"council": council.display_name},
            field="council",
        )


@transaction.atomic
def adoption_record(
    *, actor: User, project: Project, council: Council, adopted_on: datetime.date, note: str = ""
) -> Adoption:
    _require_published(project)
    _require_member_of_other_council(actor, project, council)
    if project.phase not in (Phase.LIVE, Phase.RETIRED):
        raise Conflict(_("Only a live project can be adopted."))
    if adopted_on > timezone.localdate():
        raise InvalidInput(_("The date must be today or in the past."), field="adopted_on")
    try:
        with transaction.atomic():
            return Adoption.objects.create(
                project=project,
                council=council,
                adopted_on=adopted_on,
                note=note.strip()[:2000],
                recorded_by=actor,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("%(council)s has already recorded adopting this.")
            % {"council": council.display_name},
            field="council",
        ) from exc


@transaction.atomic
def demand_signal_record(*, actor: User, project: Project, council: Council) -> DemandSignal:
    project = _lock_project(project)
    _require_published(project)
    _require_member_of_other_council(actor, project, council)
    if not demand_open(project):
        raise Conflict(_("Councils say they need a project while it is an idea or in discovery."))
    try:
        with transaction.atomic():
            signal = DemandSignal.objects.create(
                project=project, council=council, recorded_by=actor
            )
    except IntegrityError as exc:
        raise Conflict(
            _("%(council)s has already said it needs this.") % {"council": council.display_name},
            field="council",
        ) from exc
    Project.objects.filter(pk=project.pk).update(demand_count=project.demand_signals.count())
    return signal


@transaction.atomic
def demand_signal_withdraw(*, actor: User, project: Project, council: Council) -> bool:
    """Take back 'we need this too'. Idempotent: True if there was one to take back."""
    project = _lock_project(project)
    if not (user_may_act_for_council(user=actor, council=council) or acts_as_organiser(actor)):
        raise NotAllowed(
            _("Only verified members of %(council)s can change this.")
            % {"council": council.display_name},
            field="council",
        )
    deleted = DemandSignal.objects.filter(project=project, council=council).delete()[0]
    if deleted:
        Project.objects.filter(pk=project.pk).update(demand_count=project.demand_signals.count())
    return bool(deleted)
