"""Who may do what to a project. Services enforce these; views and templates only ask them.

The ``may_*`` functions answer for a person and a project with a ``Verdict``: whether they may,
and if not, why in words for them ("Your council leads this project"), so a page offers only
what a person may do and says why when it does not.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.mfa import user_has_second_factor
from councils.models import Council, Membership, MembershipRole, MembershipStatus
from councils.selectors import (
    user_may_act_for_council,
    user_verified_councils,
    user_waiting_councils,
)

from .models import PLEDGEABLE_STATES, Phase, Pledge, PledgeState, Project, State


@dataclass(frozen=True)
class Verdict:
    """May they? ``reason`` says why not; ``councils`` are the ones they may act for."""

    allowed: bool
    reason: str = ""
    councils: tuple[Council, ...] = ()
    signed_out: bool = False
    needs_membership: bool = False  # they could once a council verifies them

    def __bool__(self) -> bool:
        return self.allowed


SIGNED_OUT = Verdict(False, signed_out=True)


def _verified_membership(user, council_id: int):
    return Membership.objects.filter(
        user=user, council_id=council_id, status=MembershipStatus.VERIFIED
    )


def user_can_manage_project(user, project: Project) -> bool:
    """Edit, change phase/state, accept, decline, fulfil: owner, lead-council admins, organisers."""
    if user is None or not user.is_authenticated:
        return False
    # An organiser's or an admin's power needs a second factor (accounts.mfa); an owner's not.
    if user.is_organiser and user_has_second_factor(user=user):
        return True
    if project.owner_id == user.pk:
        return _verified_membership(user, project.lead_council_id).exists()
    return (
        _verified_membership(user, project.lead_council_id)
        .filter(role=MembershipRole.ADMIN)
        .exists()
    ) and user_has_second_factor(user=user)


def user_can_view_project(user, project: Project) -> bool:
    if project.state != State.DRAFT and not project.is_hidden:
        return True
    if user is None or not user.is_authenticated:
        return False
    if user.is_organiser:
        return True
    return user_may_act_for_council(user=user, council=project.lead_council)


def user_can_withdraw_pledge(user, pledge: Pledge) -> bool:
    """A council's pledge, by its members or an organiser; never a funder's award, which only
    its funder releases (README, "Awards in the ledger")."""
    if user is None or not user.is_authenticated or pledge.is_award:
        return False
    return user.is_organiser or user_may_act_for_council(user=user, council=pledge.council)


def user_can_amend_pledge(user, pledge: Pledge) -> bool:
    """Propose a changed amount: whoever may pledge for the pledging council."""
    return user_can_withdraw_pledge(user, pledge)


def user_sees_internal_pledges(user, pledge: Pledge) -> bool:
    """A pledge's internal states (awaiting sign-off, refused): the pledging council's verified
    members and organisers only, never the lead council or the public."""
    if user is None or not user.is_authenticated:
        return False
    if pledge.is_award:  # an award has no internal states
        return user.is_organiser
    return user.is_organiser or _verified_membership(user, pledge.council_id).exists()


def user_can_see_pledge(user, pledge: Pledge) -> bool:
    """A pledge is public from its offer; before that, and if it never was, it is internal."""
    return pledge.is_public or user_sees_internal_pledges(user, pledge)


def user_can_view_pledge(user, pledge: Pledge) -> bool:
    """Its project may be seen, and so may the pledge: what its page and the API's ``GET``
    check (``pledge.project`` read with the pledge, its lead council joined)."""
    return user_can_view_project(user, pledge.project) and user_can_see_pledge(user, pledge)


def user_can_approve_pledge(user, pledge: Pledge) -> bool:
    from councils.selectors import user_is_council_approver

    if pledge.is_award:
        return False
    return user_is_council_approver(user=user, council=pledge.council)


# A decision record is attached while the pledge is live on the council's side.
DECISION_RECORD_STATES = (
    PledgeState.PENDING,
    PledgeState.CONDITIONAL,
    PledgeState.PROPOSED,
    PledgeState.OFFERED,
    PledgeState.ACCEPTED,
)


def user_can_record_decision(user, pledge: Pledge) -> bool:
    """Who may attach the council's decision to a pledge: an approver of the pledging council,
    or the verified member who pledged it when it is within the council's delegated limit."""
    from councils.selectors import user_is_council_approver

    if user is None or not user.is_authenticated or pledge.is_award:
        return False
    if user_is_council_approver(user=user, council=pledge.council) and user_has_second_factor(
        user=user
    ):
        return True
    return (
        pledge.pledged_by_id == user.pk
        and user_may_act_for_council(user=user, council=pledge.council)
        and not pledge_needs_sign_off(user, pledge.council, pledge.kind, pledge.amount)
    )


def pledge_needs_sign_off(user, council: Council, kind: str, amount: int) -> bool:
    """Over the council's delegated limit, only an approver's word commits the council."""
    from councils.selectors import user_is_council_approver

    limit = council.limit_for(kind)
    return (
        limit is not None
        and amount > limit
        and not (
            user_is_council_approver(user=user, council=council)
            and user_has_second_factor(user=user)
        )
    )


def user_sees_private_notes(user, pledge: Pledge) -> bool:
    """A pledge's private notes: verified members of the pledging and of the lead council only.
    An award has none (a funder is not a council)."""
    if user is None or not user.is_authenticated or pledge.is_award:
        return False
    return Membership.objects.filter(
        user=user,
        status=MembershipStatus.VERIFIED,
        council_id__in=(pledge.council_id, pledge.project.lead_council_id),
    ).exists()


def private_note_council_ids(user) -> set[int]:
    """The councils whose pledges' private notes ``user`` may read (as pledger or as lead)."""
    if user is None or not user.is_authenticated:
        return set()
    return set(user_verified_councils(user=user).values_list("pk", flat=True))


# --- acting for a council toward another council's project ----------------------------------


def other_council_verdict(user, project: Project, *, councils=None) -> Verdict:
    """Acting for a council other than the lead one (pledging, 'we need this too', adoption).

    ``councils``: the person's verified councils, when the caller has them already.
    """
    if user is None or not user.is_authenticated:
        return SIGNED_OUT
    mine = list(councils if councils is not None else user_verified_councils(user=user))
    others = tuple(c for c in mine if c.pk != project.lead_council_id)
    if others:
        return Verdict(True, councils=others)
    if mine:
        return Verdict(
            False,
            _("Your council, %(council)s, leads this project. Support comes from other councils.")
            % {"council": project.lead_council.display_name},
        )
    waiting = [
        c.display_name for c in user_waiting_councils(user=user).exclude(pk=project.lead_council_id)
    ]
    if waiting:  # asked already: offering "Join your council" again would only confuse
        return Verdict(
            False,
            _(
                "Your request to join %(councils)s is waiting for a council admin or an "
                "organiser. You can do this once you are a verified member."
            )
            % {"councils": " / ".join(waiting)},
        )
    return Verdict(
        False,
        _("Only verified members of a council other than the lead one can do this."),
        needs_membership=True,
    )


def pledge_closed_reason(project: Project) -> str:
    """Why a project takes no pledges now ("" when it does)."""
    if project.is_hidden or project.state == State.DRAFT:
        return _("This project is not published, so it cannot take pledges.")
    if project.combined_into_id is not None:
        return _(
            "This project was combined into another: pledge to that one instead. Its pledges "
            "moved there."
        )
    if project.state not in PLEDGEABLE_STATES:
        return _("This project is %(state)s and no longer takes pledges.") % {
            "state": project.get_state_display().lower()
        }
    if project.deadline_passed:
        from django.utils.formats import date_format

        return _("The pledging deadline for this project passed on %(date)s.") % {
            "date": date_format(project.pledging_deadline, "j F Y")
        }
    return ""


def may_pledge(user, project: Project, *, councils=None) -> Verdict:
    closed = pledge_closed_reason(project)
    if closed:
        return Verdict(False, closed)
    return other_council_verdict(user, project, councils=councils)


def demand_open(project: Project) -> bool:
    """'We need this too' is for published ideas and discoveries."""
    return (
        project.state != State.DRAFT
        and not project.is_hidden
        and project.phase in (Phase.IDEA, Phase.DISCOVERY)
    )


def may_adopt(user, project: Project, *, councils=None) -> Verdict:
    if project.phase not in (Phase.LIVE, Phase.RETIRED):
        return Verdict(False, _("Only a live project can be adopted."))
    return other_council_verdict(user, project, councils=councils)


TEAM_CLOSED_STATES = (State.COMPLETED, State.CLOSED)


def team_join_refusal(user, project: Project) -> str:
    """Why ``user`` may not ask to join the maker team ("" when they may)."""
    if project.state == State.DRAFT or project.is_hidden:
        return _("This project is not published.")
    if project.state in TEAM_CLOSED_STATES:
        return _("This project is %(state)s, so its team is not taking new members.") % {
            "state": project.get_state_display().lower()
        }
    if user is not None and user.is_authenticated and project.owner_id == user.pk:
        return _("You own this project, so you lead its team already.")
    return ""
