"""Reads for councils and memberships."""

from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from .models import (
    Commitment,
    Council,
    CouncilCommitment,
    Membership,
    MembershipRole,
    MembershipStatus,
)

User = get_user_model()


def user_confirmed_domains(*, user: User) -> set[str]:
    """Domains of the person's email addresses that allauth has confirmed."""
    from allauth.account.models import EmailAddress

    emails = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return {email.rsplit("@", 1)[-1].lower() for email in emails}


def council_at_user_domain(*, user: User) -> Council | None:
    """The current council whose email domain one of the person's confirmed addresses is at
    (and that they have not joined or asked to join): joining it verifies them at once."""
    domains = user_confirmed_domains(user=user)
    if not domains:
        return None
    return (
        Council.objects.current()
        .filter(domains__domain__in=domains)
        .exclude(memberships__in=Membership.objects.active().filter(user=user))
        .order_by("short_name", "pk")
        .first()
    )


class Standing(NamedTuple):
    """What a person is to a council."""

    membership: Membership | None  # verified, or waiting for a decision
    may_act: bool  # may act for it: a verified member
    is_admin: bool  # runs its members and domains: a verified admin, or an organiser


def council_standing(*, user: User | None, council: Council) -> Standing:
    """The one answer to "what is this person to this council?", in one query (a council's page
    asks all three)."""
    if user is None or not user.is_authenticated:
        return Standing(None, False, False)
    membership = Membership.objects.filter(user=user, council=council).active().first()
    verified = membership is not None and membership.is_verified
    return Standing(
        membership,
        verified,
        user.is_organiser or (verified and membership.role == MembershipRole.ADMIN),
    )


def user_may_act_for_council(*, user: User | None, council: Council) -> bool:
    return council_standing(user=user, council=council).may_act


def user_is_council_admin(*, user: User | None, council: Council) -> bool:
    if user is not None and user.is_authenticated and user.is_organiser:
        return True  # without asking for a membership
    return council_standing(user=user, council=council).is_admin


def user_is_council_approver(*, user: User | None, council: Council) -> bool:
    """May this person sign off the council's pledges over its delegated limits? Its verified
    approvers only: not its admins (who run the membership list) nor organisers (who run the
    site), unless the council names them approvers."""
    if user is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user,
        council=council,
        status=MembershipStatus.VERIFIED,
        role=MembershipRole.APPROVER,
    ).exists()


def council_approver_ids(*, council: Council) -> list[int]:
    """The people who sign off the council's pledges, for the emails that ask them to."""
    return list(
        Membership.objects.filter(
            council=council, status=MembershipStatus.VERIFIED, role=MembershipRole.APPROVER
        ).values_list("user_id", flat=True)
    )


def user_verified_councils(*, user: User | None) -> QuerySet[Council]:
    if user is None or not user.is_authenticated:
        return Council.objects.none()
    return Council.objects.filter(
        memberships__user=user, memberships__status=MembershipStatus.VERIFIED
    ).distinct()


def user_waiting_councils(*, user: User | None) -> QuerySet[Council]:
    """The councils this person has asked to join and that have not decided yet."""
    if user is None or not user.is_authenticated:
        return Council.objects.none()
    return Council.objects.filter(
        memberships__user=user, memberships__status=MembershipStatus.PENDING
    ).distinct()


def user_memberships(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("council", "decided_by")
        .order_by("-created_at")
    )


def council_sitemap_rows() -> QuerySet[Council]:
    """Every council's page, as little of each as an address needs."""
    return Council.objects.only("slug", "updated_at").order_by("pk")


def council_list() -> QuerySet[Council]:
    """Base queryset for the directory; ``CouncilFilterSet`` narrows it for page and API."""
    return Council.objects.annotate(
        verified_members=Count(
            "memberships", filter=Q(memberships__status=MembershipStatus.VERIFIED)
        )
    ).order_by("short_name", "pk")


def council_members(*, council: Council) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(council=council)
        .active()
        .select_related("user")
        .order_by("status", "user__first_name", "user__last_name")
    )


def memberships_awaiting_decision(*, user: User) -> QuerySet[Membership]:
    """Pending requests this person may decide: as council admin, or all of them as organiser."""
    qs = Membership.objects.pending().select_related("user", "council")
    if user.is_organiser:
        return qs
    admin_of = Membership.objects.filter(
        user=user, status=MembershipStatus.VERIFIED, role=MembershipRole.ADMIN
    ).values("council_id")
    return qs.filter(council_id__in=admin_of)


def council_commitments(*, council: Council) -> QuerySet[CouncilCommitment]:
    """What the council has recorded signing, with each commitment, by name."""
    return council_commitments_prefetch().filter(council=council)


def commitments_not_recorded(*, council: Council) -> QuerySet[Commitment]:
    """The commitments the council could still record signing."""
    return Commitment.objects.exclude(signatories__council=council).order_by("name")


def council_commitments_prefetch() -> QuerySet[CouncilCommitment]:
    """For ``Prefetch("commitments", …)`` on a council: each record with its commitment."""
    return CouncilCommitment.objects.select_related("commitment").order_by("commitment__name", "pk")
