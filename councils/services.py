"""Writes for councils and memberships. Every way in calls these."""

import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mfa import MANAGE_COUNCIL, require_second_factor
from activity.models import ActivityAction
from activity.services import activity_changes, activity_record, activity_record_membership
from core.errors import Conflict, InvalidInput, NotAllowed
from core.security import security_event
from core.validators import check_web_address
from projects import notifications

from .models import (
    ACTIVE_MEMBERSHIP_STATUSES,
    Commitment,
    Council,
    CouncilCommitment,
    CouncilDomain,
    Membership,
    MembershipRole,
    MembershipStatus,
)
from .selectors import user_confirmed_domains, user_is_council_admin

User = get_user_model()


def _domain_matches(*, user: User, council: Council) -> bool:
    domains = set(council.domains.values_list("domain", flat=True))
    return bool(domains & user_confirmed_domains(user=user))


@transaction.atomic
def membership_request(*, user: User, council: Council, message: str = "") -> Membership:
    """Ask to join a council; verified at once when a confirmed email domain is the council's."""
    if not council.is_current:
        raise Conflict(
            _("%(council)s has ended, so it cannot take new members.")
            % {"council": council.display_name},
            field="council",
        )
    if Membership.objects.active().filter(user=user, council=council).exists():
        raise Conflict(
            _("You are already a member of %(council)s, or your request is waiting.")
            % {"council": council.display_name},
            field="council",
        )
    membership = Membership(user=user, council=council, message=message.strip())
    if _domain_matches(user=user, council=council):
        membership.status = MembershipStatus.VERIFIED
        membership.verified_by_domain = True
        membership.decided_at = timezone.now()
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:
        raise Conflict(
            _("You are already a member of %(council)s, or your request is waiting.")
            % {"council": council.display_name},
            field="council",
        ) from exc
    return membership


def _lock_pending(membership: Membership) -> Membership:
    locked = Membership.objects.select_for_update().select_related("council").get(pk=membership.pk)
    if locked.status != MembershipStatus.PENDING:
        raise Conflict(
            _("This request has already been decided (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _require_council_admin(*, actor: User, council: Council) -> None:
    if not user_is_council_admin(user=actor, council=council):
        raise NotAllowed(
            _("Only an admin of %(council)s or an organiser may do this.")
            % {"council": council.display_name}
        )
    # The role holds; its powers also need a second factor (accounts.mfa).
    require_second_factor(user=actor, power=MANAGE_COUNCIL)


@transaction.atomic
def membership_approve(*, actor: User, membership: Membership) -> Membership:
    _require_council_admin(actor=actor, council=membership.council)
    membership = _lock_pending(membership)
    membership.status = MembershipStatus.VERIFIED
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.save(update_fields=["status", "decided_by", "decided_at"])
    _log_decision("membership_approved", actor=actor, membership=membership)
    return membership


def _log_decision(event: str, *, actor: User, membership: Membership) -> None:
    """Record a decision, and tell the person: the email is queued in the decision's own
    transaction, so it is sent only if the decision is saved, and then surely."""
    notifications.membership_decided(membership.pk, membership.status)
    activity_record_membership(
        actor=actor, action=event, membership=membership, reason=membership.reason
    )
    security_event(
        event,
        actor_id=actor.pk,
        membership_id=membership.pk,
        member_id=membership.user_id,
        council=membership.council.code,
    )


@transaction.atomic
def membership_refuse(*, actor: User, membership: Membership, reason: str) -> Membership:
    _require_council_admin(actor=actor, council=membership.council)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Give a reason; the person will see it."), field="reason")
    membership = _lock_pending(membership)
    membership.status = MembershipStatus.REFUSED
    membership.reason = reason
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    _log_decision("membership_refused", actor=actor, membership=membership)
    return membership


@transaction.atomic
def membership_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    _require_council_admin(actor=actor, council=membership.council)
    if role not in MembershipRole.values:
        raise InvalidInput(_("Choose a role."), field="role")
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != MembershipStatus.VERIFIED:
        raise Conflict(_("Only a verified member can be given a role."))
    if membership.user_id == actor.pk and role != MembershipRole.ADMIN:
        raise Conflict(_("You cannot remove your own admin role; ask another admin."))
    changes = activity_changes(before={"role": membership.role}, after={"role": role})
    membership.role = role
    membership.save(update_fields=["role"])
    if changes:
        activity_record_membership(
            actor=actor,
            action=ActivityAction.MEMBERSHIP_ROLE_CHANGED,
            membership=membership,
            details=changes,
        )
    return membership


@transaction.atomic
def membership_leave(*, actor: User, membership: Membership) -> Membership:
    """The person leaves, or a council admin removes them."""
    if membership.user_id != actor.pk:
        _require_council_admin(actor=actor, council=membership.council)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status not in (MembershipStatus.PENDING, MembershipStatus.VERIFIED):
        raise Conflict(_("This membership has already ended."))
    membership.status = MembershipStatus.LEFT
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.save(update_fields=["status", "decided_by", "decided_at"])
    activity_record_membership(
        actor=actor,
        action=ActivityAction.MEMBERSHIP_LEFT
        if membership.user_id == actor.pk
        else ActivityAction.MEMBERSHIP_REMOVED,
        membership=membership,
    )
    return membership


@transaction.atomic
def council_domain_add(*, actor: User, council: Council, domain: str) -> CouncilDomain:
    _require_council_admin(actor=actor, council=council)
    domain = domain.strip().lower().lstrip("@")
    if "." not in domain or " " in domain:
        raise InvalidInput(_("Enter a domain such as example.gov.uk."), field="domain")
    if CouncilDomain.objects.filter(domain=domain).exists():
        raise Conflict(_("That domain already belongs to a council."), field="domain")
    added = CouncilDomain.objects.create(council=council, domain=domain)
    activity_record(
        actor=actor,
        action=ActivityAction.COUNCIL_DOMAINS_CHANGED,
        council=council,
        details={"added": [domain]},
    )
    return added


@transaction.atomic
def council_set_limits(
    *, actor: User, council: Council, money_limit: int | None, half_days_limit: int | None
) -> Council:
    """A council admin sets its delegated limits (pence, half-days; None for no limit).

    Pledges already made keep the sign-off they had; the limits apply to new ones.
    """
    from projects.models import MAX_HALF_DAYS, MAX_MONEY_PENCE

    _require_council_admin(actor=actor, council=council)
    for value, field, top in (
        (money_limit, "money_limit", MAX_MONEY_PENCE),
        (half_days_limit, "half_days_limit", MAX_HALF_DAYS),
    ):
        if value is not None and not (0 <= value <= top):
            raise InvalidInput(
                _("Enter a limit between nothing and the largest pledge Pipeline takes."),
                field=field,
            )
    council = Council.objects.select_for_update().get(pk=council.pk)
    changes = activity_changes(
        before={"money_limit": council.money_limit, "half_days_limit": council.half_days_limit},
        after={"money_limit": money_limit, "half_days_limit": half_days_limit},
    )
    council.money_limit = money_limit
    council.half_days_limit = half_days_limit
    council.save(update_fields=["money_limit", "half_days_limit", "updated_at"])
    security_event(
        "council_limits_set",
        actor_id=actor.pk,
        council=council.code,
        money_limit=money_limit,
        half_days_limit=half_days_limit,
    )
    if changes:
        activity_record(
            actor=actor,
            action=ActivityAction.COUNCIL_LIMITS_CHANGED,
            council=council,
            details=changes,
        )
    return council


# The earliest date a commitment can have been signed (the Local Digital Declaration dates from
# 2018; nothing Pipeline records is older than this century).
EARLIEST_SIGNED_ON = datetime.date(2000, 1, 1)


@transaction.atomic
def council_commitment_record(
    *,
    actor: User,
    council: Council,
    commitment: Commitment,
    signed_on: datetime.date,
    evidence_url: str = "",
) -> CouncilCommitment:
    """A council admin records that the council signed a commitment (such as the Local Digital
    Declaration), so calls that require it can count the council. One record per commitment: a
    wrong one is removed and recorded again, and both show in the activity log."""
    _require_council_admin(actor=actor, council=council)
    if signed_on > timezone.localdate():
        raise InvalidInput(_("The date signed must be today or in the past"), field="signed_on")
    if signed_on < EARLIEST_SIGNED_ON:
        raise InvalidInput(_("The date signed must be in 2000 or later"), field="signed_on")
    evidence_url = (evidence_url or "").strip()
    if evidence_url:
        check_web_address(evidence_url, field="evidence_url")
    duplicate = Conflict(
        _(
            "%(council)s has already recorded signing “%(commitment)s”. To correct the record, "
            "remove it and record it again."
        )
        % {"council": council.display_name, "commitment": commitment.display_name},
        field="commitment",
    )
    if CouncilCommitment.objects.filter(council=council, commitment=commitment).exists():
        raise duplicate
    try:
        with transaction.atomic():
            record = CouncilCommitment.objects.create(
                council=council,
                commitment=commitment,
                signed_on=signed_on,
                evidence_url=evidence_url,
                recorded_by=actor,
            )
    except IntegrityError as exc:  # recorded by someone else a moment ago
        raise duplicate from exc
    activity_record(
        actor=actor,
        action=ActivityAction.COUNCIL_COMMITMENT_RECORDED,
        council=council,
        target=commitment.name,
        details={
            "commitment": commitment.name,
            "signed_on": signed_on.isoformat(),
            "evidence_url": evidence_url,
        },
    )
    return record


@transaction.atomic
def council_commitment_remove(*, actor: User, record: CouncilCommitment) -> None:
    """A council admin removes a record (made in error, or the council withdrew). Bids that
    counted on it are checked again by the calls' own eligibility checks."""
    council = record.council
    _require_council_admin(actor=actor, council=council)
    locked = (
        CouncilCommitment.objects.select_for_update()
        .select_related("commitment")
        .filter(pk=record.pk, council=council)
        .first()
    )
    if locked is None:
        raise Conflict(_("This record has already been removed."))
    details = {
        "commitment": locked.commitment.name,
        "signed_on": locked.signed_on.isoformat(),
        "evidence_url": locked.evidence_url,
    }
    locked.delete()
    activity_record(
        actor=actor,
        action=ActivityAction.COUNCIL_COMMITMENT_REMOVED,
        council=council,
        target=locked.commitment.name,
        details=details,
    )


@transaction.atomic
def membership_vouch(*, user: User, council: Council) -> Membership:
    """A provider the council trusts vouched for the person (single sign-on): verify their
    membership at once, creating it or deciding a waiting request; a verified one is kept."""
    membership = (
        Membership.objects.select_for_update().active().filter(user=user, council=council).first()
    )
    if membership is not None and membership.is_verified:
        return membership
    if membership is None:
        membership = Membership(user=user, council=council)
    membership.status = MembershipStatus.VERIFIED
    membership.verified_by_domain = True
    membership.decided_at = timezone.now()
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        # Two first sign-ins at once: the other made the membership; verify that one.
        return membership_vouch(user=user, council=council)
    security_event(
        "membership_vouched", member_id=user.pk, membership_id=membership.pk, council=council.code
    )
    return membership


@transaction.atomic
def membership_lapse(*, membership: Membership, reason: str) -> Membership | None:
    """The council's sign-in service no longer vouches for the person: the membership ends,
    with the reason they are shown. Nothing happens to one that has already ended."""
    membership = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if membership is None or membership.status not in ACTIVE_MEMBERSHIP_STATUSES:
        return None
    membership.status = MembershipStatus.LEFT
    membership.reason = reason
    membership.decided_by = None
    membership.decided_at = timezone.now()
    membership.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    security_event(
        "membership_lapsed",
        member_id=membership.user_id,
        membership_id=membership.pk,
        council=membership.council.code,
    )
    return membership
