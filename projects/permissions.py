"""Who may do what to a project. Services enforce these; views and templates only ask them."""

from councils.models import Membership, MembershipRole, MembershipStatus
from councils.selectors import user_may_act_for_council

from .models import Pledge, Project, State


def _verified_membership(user, council_id: int):
    return Membership.objects.filter(
        user=user, council_id=council_id, status=MembershipStatus.VERIFIED
    )


def user_can_manage_project(user, project: Project) -> bool:
    """Edit, change phase/state, accept, decline, fulfil: owner, lead-council admins, organisers."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_organiser:
        return True
    if project.owner_id == user.pk:
        return _verified_membership(user, project.lead_council_id).exists()
    return (
        _verified_membership(user, project.lead_council_id)
        .filter(role=MembershipRole.ADMIN)
        .exists()
    )


def user_can_view_project(user, project: Project) -> bool:
    if project.state != State.DRAFT and not project.is_hidden:
        return True
    if user is None or not user.is_authenticated:
        return False
    if user.is_organiser:
        return True
    return user_may_act_for_council(user=user, council=project.lead_council)


def user_can_withdraw_pledge(user, pledge: Pledge) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return user.is_organiser or user_may_act_for_council(user=user, council=pledge.council)
