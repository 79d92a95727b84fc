"""Reads for funders and their members."""

from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from councils.models import MembershipStatus
from councils.selectors import user_confirmed_domains

from ..models import CallStatus, Funder, FunderMembership, FunderRole

User = get_user_model()


def funder_list() -> QuerySet[Funder]:
    """Every funder, by name, with how many calls it has made public (one query)."""
    return Funder.objects.annotate(
        public_calls=Count("calls", filter=~Q(calls__status=CallStatus.DRAFT))
    ).order_by("name", "pk")


class FunderStanding(NamedTuple):
    """What a person is to a funder."""

    membership: FunderMembership | None  # verified, or waiting for a decision
    is_member: bool  # a verified member (any role): sees the funder's draft calls
    is_admin: bool  # runs its calls and members: a verified admin, or an organiser
    sees_drafts: bool  # its verified members and organisers


def funder_standing(*, user: User | None, funder: Funder) -> FunderStanding:
    """The one answer to "what is this person to this funder?", in at most one query."""
    if user is None or not user.is_authenticated:
        return FunderStanding(None, False, False, False)
    membership = (
        FunderMembership.objects.filter(
            user=user,
            funder=funder,
            status__in=(MembershipStatus.PENDING, MembershipStatus.VERIFIED),
        )
        .order_by("-created_at")
        .first()
    )
    verified = membership is not None and membership.status == MembershipStatus.VERIFIED
    is_admin = verified and membership.role == FunderRole.ADMIN
    return FunderStanding(
        membership, verified, user.is_organiser or is_admin, user.is_organiser or verified
    )


def user_is_funder_admin(*, user: User | None, funder: Funder) -> bool:
    """A verified admin of the funder, or an organiser (their powers also need a second factor,
    which the services ask for)."""
    if user is not None and user.is_authenticated and user.is_organiser:
        return True
    return funder_standing(user=user, funder=funder).is_admin


def user_sees_funder_drafts(*, user: User | None, funder_id: int) -> bool:
    """The funder's verified members (any role) and organisers see its draft calls."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_organiser:
        return True
    return FunderMembership.objects.filter(
        user=user, funder_id=funder_id, status=MembershipStatus.VERIFIED
    ).exists()


def user_funder_ids(*, user: User | None) -> set[int]:
    """The funders this person is a verified member of (any role)."""
    if user is None or not user.is_authenticated:
        return set()
    return set(
        FunderMembership.objects.filter(user=user, status=MembershipStatus.VERIFIED).values_list(
            "funder_id", flat=True
        )
    )


def funder_domain_matches(*, user: User, funder: Funder) -> bool:
    """Is one of the person's confirmed email addresses at one of the funder's domains?"""
    domains = set(funder.domains.values_list("domain", flat=True))
    return bool(domains & user_confirmed_domains(user=user))


def funder_members(*, funder: Funder) -> QuerySet[FunderMembership]:
    """Its members and the requests waiting, waiting first, then by name."""
    return (
        FunderMembership.objects.filter(
            funder=funder, status__in=(MembershipStatus.PENDING, MembershipStatus.VERIFIED)
        )
        .select_related("user")
        .order_by("status", "user__first_name", "user__last_name", "pk")
    )


def funder_admin_count(*, funder: Funder) -> int:
    return FunderMembership.objects.filter(
        funder=funder, status=MembershipStatus.VERIFIED, role=FunderRole.ADMIN
    ).count()
