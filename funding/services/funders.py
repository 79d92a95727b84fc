"""Writes for funders and their members. Every way in (the pages, the Wagtail admin) calls these.

A funder is verified like a council: a person whose confirmed email address is at one of the
funder's domains is a verified member as soon as they join; anyone else waits for a funder admin
(or an organiser) to approve or refuse, and is emailed the decision through the outbox, in the
decision's own transaction. A funder always keeps at least one admin once it has one.
"""

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.mfa import MANAGE_FUNDER, ORGANISE, require_second_factor
from activity.models import ActivityAction
from activity.services import activity_changes, activity_record
from core.errors import Conflict, InvalidInput, NotAllowed
from core.security import security_event
from core.validators import check_web_address
from councils.models import MembershipStatus
from mail.messages import MessageKind, register
from mail.services import delivery_add

from ..models import Funder, FunderDomain, FunderKind, FunderMembership, FunderRole
from ..selectors.funders import funder_domain_matches, user_is_funder_admin

User = get_user_model()

ACTIVE = (MembershipStatus.PENDING, MembershipStatus.VERIFIED)
# A domain as people type it: letters, digits and hyphens between dots, at least one dot.
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


# --- organisers: the funder itself --------------------------------------------------------


def _require_organiser(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.is_organiser):
        raise NotAllowed(_("Only an organiser may add or change a funder."))
    require_second_factor(user=actor, power=ORGANISE)


def _clean_domains(domains: list[str], *, funder: Funder | None) -> list[str]:
    names = []
    for raw in domains:
        name = raw.strip().lower().lstrip("@")
        if not name:
            continue
        if not _DOMAIN.match(name):
            raise InvalidInput(
                _("“%(domain)s” is not an email domain. Enter domains such as dluhc.gov.uk.")
                % {"domain": name[:80]},
                field="domains",
            )
        if name not in names:
            names.append(name)
    taken = FunderDomain.objects.filter(domain__in=names)
    if funder is not None:
        taken = taken.exclude(funder=funder)
    clash = taken.select_related("funder").first()
    if clash is not None:
        raise Conflict(
            _("%(domain)s already belongs to %(funder)s.")
            % {"domain": clash.domain, "funder": clash.funder.name},
            field="domains",
        )
    return names


def _unique_slug(text: str, *, model, exclude_pk: int | None = None, max_length: int = 140) -> str:
    base = slugify(text)[: max_length - 4].strip("-") or "funder"
    slug, n = base, 1
    others = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while others.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _funder_facts(funder: Funder) -> dict:
    return {
        "name": funder.name,
        "name_cy": funder.name_cy,
        "slug": funder.slug,
        "kind": funder.kind,
        "website": funder.website,
        "description": funder.description,
    }


@transaction.atomic
def funder_save(
    *,
    actor: User,
    name: str,
    kind: str,
    name_cy: str = "",
    slug: str = "",
    website: str = "",
    description: str = "",
    domains: list[str] | None = None,
    funder: Funder | None = None,
) -> Funder:
    """An organiser adds a funder, or changes one (``funder``), with its email domains.

    ``domains`` is the whole list: domains left out are removed (people already verified stay
    verified). A change of slug changes the funder's web address; old links then fail, so the
    admin form keeps it unless the organiser changes it on purpose."""
    _require_organiser(actor)
    name, name_cy = name.strip(), name_cy.strip()
    if not name:
        raise InvalidInput(_("Enter the funder’s name."), field="name")
    if len(name) > 200 or len(name_cy) > 200:
        raise InvalidInput(_("A name can be 200 characters at most."), field="name")
    if kind not in FunderKind.values:
        raise InvalidInput(_("Choose what kind of body the funder is."), field="kind")
    website = (website or "").strip()
    if website:
        check_web_address(website, field="website")
    description = (description or "").strip()
    if len(description) > 5000:
        raise InvalidInput(
            _("The description can be 5,000 characters at most."), field="description"
        )
    names = _clean_domains(domains or [], funder=funder)
    same_name = Funder.objects.filter(name__iexact=name)
    if funder is not None:
        same_name = same_name.exclude(pk=funder.pk)
    if same_name.exists():
        raise Conflict(_("There is already a funder with this name."), field="name")
    slug = slugify(slug or "")
    before: dict = {}
    if funder is None:
        funder = Funder()
        slug = slug or _unique_slug(name, model=Funder)
    else:
        funder = Funder.objects.select_for_update().get(pk=funder.pk)
        before = _funder_facts(funder)
        before["domains"] = sorted(funder.domains.values_list("domain", flat=True))
        slug = slug or funder.slug
    if Funder.objects.filter(slug=slug).exclude(pk=funder.pk).exists():
        raise Conflict(_("Another funder has this web address name."), field="slug")
    funder.name, funder.name_cy, funder.slug = name, name_cy, slug
    funder.kind, funder.website, funder.description = kind, website, description
    try:
        with transaction.atomic():
            funder.save()
            FunderDomain.objects.filter(funder=funder).exclude(domain__in=names).delete()
            for domain in names:
                FunderDomain.objects.get_or_create(funder=funder, domain=domain)
    except IntegrityError as exc:  # the same name, slug or domain saved a moment ago
        raise Conflict(
            _("Another funder was saved with this name, web address or domain meanwhile."),
            field="name",
        ) from exc
    after = {**_funder_facts(funder), "domains": sorted(names)}
    if before:
        changes = activity_changes(before=before, after=after)
        if "domains" in changes:
            old, new = set(before["domains"]), set(names)
            del changes["domains"]
            if new - old:
                changes["added"] = sorted(new - old)
            if old - new:
                changes["removed"] = sorted(old - new)
        if changes:
            activity_record(
                actor=actor, action=ActivityAction.FUNDER_CHANGED, target=name, details=changes
            )
    else:
        activity_record(
            actor=actor,
            action=ActivityAction.FUNDER_ADDED,
            target=name,
            details={"kind": kind, "added": sorted(names)} if names else {"kind": kind},
        )
    return funder


# --- people: joining, and the admins' decisions -------------------------------------------


@transaction.atomic
def funder_join(*, user: User, funder: Funder) -> FunderMembership:
    """Ask to join a funder: verified at once when a confirmed email address is at one of its
    domains, else waiting for a funder admin or an organiser."""
    already = Conflict(
        _("You are already a member of %(funder)s, or your request is waiting.")
        % {"funder": funder.display_name},
        field="funder",
    )
    if FunderMembership.objects.filter(user=user, funder=funder, status__in=ACTIVE).exists():
        raise already
    membership = FunderMembership(user=user, funder=funder)
    if funder_domain_matches(user=user, funder=funder):
        membership.status = MembershipStatus.VERIFIED
        membership.verified_by_domain = True
        membership.decided_at = timezone.now()
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:  # a second click, a moment later
        raise already from exc
    security_event(
        "funder_membership_requested",
        member_id=user.pk,
        membership_id=membership.pk,
        funder=funder.slug,
        verified=membership.status == MembershipStatus.VERIFIED,
    )
    return membership


def require_funder_admin(*, actor: User, funder: Funder) -> None:
    """A verified admin of the funder, or an organiser; either with a second factor."""
    if not user_is_funder_admin(user=actor, funder=funder):
        raise NotAllowed(
            _("Only an admin of %(funder)s or an organiser may do this.")
            % {"funder": funder.display_name}
        )
    require_second_factor(user=actor, power=ORGANISE if actor.is_organiser else MANAGE_FUNDER)


def _locked(membership: FunderMembership) -> FunderMembership:
    return (
        FunderMembership.objects.select_for_update()
        .select_related("funder", "user")
        .get(pk=membership.pk)
    )


def _target(membership: FunderMembership) -> str:
    person = membership.user
    return f"{person.get_full_name()} <{person.email}> – {membership.funder.name}"


def _decided(actor: User, membership: FunderMembership, action: ActivityAction) -> None:
    """Log the decision and queue the email telling the person, in this transaction: it is
    sent only if the decision is saved, and then surely."""
    delivery_add(
        key=f"funder_membership:{membership.pk}:{membership.status}",
        user_id=membership.user_id,
        kind="funder_membership",
        params={"membership": membership.pk, "status": str(membership.status)},
    )
    activity_record(
        actor=actor, action=action, target=_target(membership), reason=membership.reason
    )
    security_event(
        str(action),
        actor_id=actor.pk,
        membership_id=membership.pk,
        member_id=membership.user_id,
        funder=membership.funder.slug,
    )


def _pending(membership: FunderMembership) -> FunderMembership:
    locked = _locked(membership)
    if locked.status != MembershipStatus.PENDING:
        raise Conflict(
            _("This request has already been decided (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def funder_membership_approve(*, actor: User, membership: FunderMembership) -> FunderMembership:
    require_funder_admin(actor=actor, funder=membership.funder)
    membership = _pending(membership)
    membership.status = MembershipStatus.VERIFIED
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.save(update_fields=["status", "decided_by", "decided_at"])
    _decided(actor, membership, ActivityAction.FUNDER_MEMBERSHIP_APPROVED)
    return membership


@transaction.atomic
def funder_membership_refuse(
    *, actor: User, membership: FunderMembership, reason: str
) -> FunderMembership:
    require_funder_admin(actor=actor, funder=membership.funder)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give a reason; the person will see it."), field="reason")
    if len(reason) > 2000:
        raise InvalidInput(_("The reason can be 2,000 characters at most."), field="reason")
    membership = _pending(membership)
    membership.status = MembershipStatus.REFUSED
    membership.reason = reason
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    _decided(actor, membership, ActivityAction.FUNDER_MEMBERSHIP_REFUSED)
    return membership


def _admins_left_without(funder: Funder, membership: FunderMembership) -> int:
    """Verified admins other than ``membership``, with the funder's row locked, so that two
    admins demoting each other at once cannot leave it with none."""
    Funder.objects.select_for_update().filter(pk=funder.pk).first()
    return (
        FunderMembership.objects.filter(
            funder=funder, status=MembershipStatus.VERIFIED, role=FunderRole.ADMIN
        )
        .exclude(pk=membership.pk)
        .count()
    )


def _keeps_an_admin(membership: FunderMembership) -> None:
    if membership.role != FunderRole.ADMIN or membership.status != MembershipStatus.VERIFIED:
        return
    if _admins_left_without(membership.funder, membership) == 0:
        raise Conflict(
            _("%(funder)s would have no admin left. Make someone else an admin first.")
            % {"funder": membership.funder.display_name}
        )


@transaction.atomic
def funder_membership_set_role(
    *, actor: User, membership: FunderMembership, role: str
) -> FunderMembership:
    """Member, assessor, moderator or admin. The last admin keeps the role until there is
    another."""
    require_funder_admin(actor=actor, funder=membership.funder)
    if role not in FunderRole.values:
        raise InvalidInput(_("Choose a role."), field="role")
    membership = _locked(membership)
    if membership.status != MembershipStatus.VERIFIED:
        raise Conflict(_("Only a verified member can be given a role."))
    if role == membership.role:
        return membership
    if role != FunderRole.ADMIN:
        _keeps_an_admin(membership)
    with translation.override(settings.LANGUAGE_CODE):  # the log is written in one language
        changes = {
            "funder_role": {
                "before": str(FunderRole(membership.role).label),
                "after": str(FunderRole(role).label),
            }
        }
    membership.role = role
    membership.save(update_fields=["role"])
    activity_record(
        actor=actor,
        action=ActivityAction.FUNDER_MEMBERSHIP_ROLE_CHANGED,
        target=_target(membership),
        details=changes,
    )
    return membership


@transaction.atomic
def funder_membership_remove(*, actor: User, membership: FunderMembership) -> FunderMembership:
    """A funder admin removes someone, or the person leaves. The last admin cannot go."""
    if membership.user_id != actor.pk:
        require_funder_admin(actor=actor, funder=membership.funder)
    membership = _locked(membership)
    if membership.status not in ACTIVE:
        raise Conflict(_("This membership has already ended."))
    _keeps_an_admin(membership)
    membership.status = MembershipStatus.LEFT
    membership.decided_by = actor
    membership.decided_at = timezone.now()
    membership.save(update_fields=["status", "decided_by", "decided_at"])
    activity_record(
        actor=actor,
        action=ActivityAction.FUNDER_MEMBERSHIP_LEFT
        if membership.user_id == actor.pk
        else ActivityAction.FUNDER_MEMBERSHIP_REMOVED,
        target=_target(membership),
    )
    return membership


# --- the emails (built on a worker, in the person's language) -------------------------------


def _build_funder_membership(delivery) -> tuple[str, str]:
    from django.template import Context
    from django.template.loader import get_template

    membership = FunderMembership.objects.select_related("user", "funder").get(
        pk=delivery.params["membership"]
    )
    status = delivery.params["status"]
    user = delivery.user
    context = {"membership": membership, "user": user, "base_url": settings.PIPELINE_BASE_URL}
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = get_template(f"emails/funder_membership_{status}_subject.txt").template.render(
            Context(context, autoescape=False)
        )
        body = get_template(f"emails/funder_membership_{status}.txt").template.render(
            Context(context, autoescape=False)
        )
    subject = " ".join(subject.split())
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body


register(
    "funder_membership",
    MessageKind(gettext_lazy("Funder membership"), _build_funder_membership),
)
