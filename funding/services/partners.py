"""Writes for a bid's partner councils: the lead invites and removes; the invited council
confirms its part, declines, or withdraws a confirmation.

Who decides for the invited council (what a council would expect of a commitment made in its
name):

- Confirming commits the council to the bid, as a pledge over its delegated limit does: only an
  officer with authority for it may, a verified approver or council admin, with a second factor.
- Declining commits the council to nothing and tells the lead where it stands at once: any
  verified member may, with a reason the lead sees. The lead may invite the council again.
- Withdrawing a confirmation undoes a commitment and may leave the bid short of partners: as
  for confirming, an approver or admin, with a second factor and a reason; possible until the
  bid is submitted.

Every write locks the application row first, so a partner's answer and the bid's submission
(``funding.services.applications``) queue up, and the states checked are the states written. The
server's clock decides whether the call is open.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.mfa import SecondFactorRequired, user_has_second_factor
from activity.models import ActivityAction
from activity.services import activity_record
from core.errors import Conflict, InvalidInput, NotAllowed
from councils.models import Council, Membership, MembershipStatus

from ..models import Application, ApplicationPartner, PartnerState
from ..notifications import partners as notifications
from ..selectors.partners import (
    change_refusal,
    invitation_refusal,
    suggestion_for,
    user_has_council_authority,
)

User = get_user_model()

MAX_TEXT = 2000
# Invited or confirmed at once: more than any call asks for, and a bound on invitations sent.
MAX_PARTNERS = 50


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "project", "lead_council")
        .get(pk=application.pk)
    )


def _lock_partner(partner: ApplicationPartner) -> tuple[Application, ApplicationPartner]:
    application = _lock(partner.application)
    current = (
        ApplicationPartner.objects.select_for_update(of=("self",))
        .select_related("council")
        .filter(pk=partner.pk)
        .first()
    )
    if current is None:
        raise Conflict(
            _("%(lead)s has removed %(council)s from this bid.")
            % {"lead": application.lead_council.display_name, "council": partner.council}
        )
    current.application = application
    return application, current


def _text(value: str, *, field: str, what: str, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(required, field=field)
    if len(value) > MAX_TEXT:
        raise InvalidInput(
            _("%(what)s must be 2,000 characters or fewer.") % {"what": what}, field=field
        )
    return value


def _log(
    action: ActivityAction,
    *,
    actor: User,
    application: Application,
    council: Council,
    reason: str = "",
    contribution: str = "",
) -> None:
    """One entry in the organisers' activity log, under the partner council and the project."""
    details: dict = {"application": application.pk}
    if contribution:
        details["contribution"] = contribution
    activity_record(
        actor=actor,
        action=action,
        council=council,
        project=application.project,
        target=f"{council.short_name}: {application}",
        reason=reason,
        details=details,
    )


def _reason(value: str, *, required: str, application: Application) -> str:
    """The council's reason for declining or withdrawing: the lead council reads it."""
    return _text(
        value,
        field="reason",
        what=_("The reason"),
        required=required % {"lead": application.lead_council.display_name},
    )


def _require_draft(application: Application) -> None:
    refusal = change_refusal(application)
    if refusal:
        raise Conflict(refusal)


def _require_open(application: Application) -> None:
    refusal = invitation_refusal(application)
    if refusal:
        raise Conflict(refusal)


def _require_lead_member(actor: User, application: Application) -> None:
    if not (
        actor.is_authenticated
        and Membership.objects.filter(
            user=actor, council_id=application.lead_council_id, status=MembershipStatus.VERIFIED
        ).exists()
    ):
        raise NotAllowed(
            _("Only verified members of %(council)s can change the councils in its bid.")
            % {"council": application.lead_council.display_name}
        )


def _require_member(actor: User, council: Council) -> None:
    if not (
        actor.is_authenticated
        and Membership.objects.filter(
            user=actor, council=council, status=MembershipStatus.VERIFIED
        ).exists()
    ):
        raise NotAllowed(
            _("Only verified members of %(council)s can answer for it.") % {"council": council}
        )


SECOND_FACTOR_MESSAGE = gettext_lazy(
    "You need to set up two-factor authentication before you can confirm your council’s part "
    "in a bid."
)


def _require_authority(actor: User, council: Council) -> None:
    if not user_has_council_authority(user=actor, council=council):
        raise NotAllowed(
            _(
                "Only an approver or council admin of %(council)s can confirm or withdraw its "
                "part in a bid."
            )
            % {"council": council}
        )
    if not user_has_second_factor(user=actor):
        raise SecondFactorRequired(str(SECOND_FACTOR_MESSAGE))


@transaction.atomic
def partner_invite(
    *,
    actor: User,
    application: Application,
    council: Council,
    contribution: str = "",
    message: str = "",
    from_suggestion: bool = False,
) -> ApplicationPartner:
    """A verified member of the lead council invites a council into the bid while it is a draft
    and the call is open. From a suggestion, the builder's reasons are stored with it (worked
    out again here, never taken from the request) and shown to the invited council. A council
    that declined or withdrew may be invited again; one invited or confirmed may not be twice."""
    application = _lock(application)
    _require_lead_member(actor, application)
    _require_open(application)
    contribution = _text(contribution, field="contribution", what=_("What the council would bring"))
    message = _text(message, field="message", what=_("The message"))
    if council.pk == application.lead_council_id:
        raise InvalidInput(
            _("%(council)s leads this bid; invite other councils to join it.")
            % {"council": council},
            field="council",
        )
    if not council.is_current:
        raise InvalidInput(
            _("%(council)s no longer exists: it ended on %(date)s.")
            % {"council": council, "date": date_format(council.end_date, "j F Y")},
            field="council",
        )
    existing = (
        ApplicationPartner.objects.select_for_update(of=("self",))
        .filter(application=application, council=council)
        .first()
    )
    if existing is not None and existing.state == PartnerState.INVITED:
        raise Conflict(
            _("%(council)s is already invited to this bid.") % {"council": council},
            field="council",
        )
    if existing is not None and existing.state == PartnerState.CONFIRMED:
        raise Conflict(
            _("%(council)s is already a partner in this bid.") % {"council": council},
            field="council",
        )
    live = ApplicationPartner.objects.filter(
        application=application, state__in=(PartnerState.INVITED, PartnerState.CONFIRMED)
    ).count()
    if live >= MAX_PARTNERS:
        raise Conflict(
            _("A bid can have at most %(n)s councils invited or confirmed at once.")
            % {"n": MAX_PARTNERS},
            field="council",
        )
    because = ""
    if from_suggestion:
        suggestion = suggestion_for(application, council)
        because = suggestion.because if suggestion is not None else ""
    values = {
        "state": PartnerState.INVITED,
        "contribution": contribution,
        "suggested_because": because[:MAX_TEXT],
        "invited_by": actor,
        "invited_at": timezone.now(),
        "decided_by": None,
        "decided_at": None,
        "reason": "",
    }
    if existing is None:
        partner = ApplicationPartner.objects.create(
            application=application, council=council, **values
        )
    else:  # declined or withdrew before: invited again
        partner = existing
        for name, value in values.items():
            setattr(partner, name, value)
        partner.save()
    partner.application = application
    partner.council = council
    _log(
        ActivityAction.FUNDING_PARTNER_INVITED,
        actor=actor,
        application=application,
        council=council,
        contribution=contribution,
    )
    notifications.invitation_sent(partner, message=message)
    return partner


@transaction.atomic
def partner_remove(*, actor: User, partner: ApplicationPartner) -> None:
    """The lead takes an invited or confirmed council out of its bid before submission; the
    council hears of it. A declined invitation or a withdrawal stays, as the record of the
    council's answer."""
    application, partner = _lock_partner(partner)
    _require_lead_member(actor, application)
    _require_draft(application)
    if partner.state == PartnerState.DECLINED:
        raise Conflict(
            _("%(council)s declined; there is nothing to remove.") % {"council": partner.council},
            field="council",
        )
    if partner.state == PartnerState.WITHDRAWN:
        raise Conflict(
            _("%(council)s withdrew; there is nothing to remove.") % {"council": partner.council},
            field="council",
        )
    council = partner.council
    partner.delete()
    _log(
        ActivityAction.FUNDING_PARTNER_REMOVED,
        actor=actor,
        application=application,
        council=council,
    )
    notifications.partner_removed(
        application=application, council=council, actor=actor, when=timezone.now()
    )


# Each answer of the invited council: its entry in the activity log, and its word in the email.
ANSWERS = {
    PartnerState.CONFIRMED: (ActivityAction.FUNDING_PARTNER_CONFIRMED, "confirmed"),
    PartnerState.DECLINED: (ActivityAction.FUNDING_PARTNER_DECLINED, "declined"),
    PartnerState.WITHDRAWN: (ActivityAction.FUNDING_PARTNER_WITHDREW, "withdrawn"),
}


def _decide(
    partner: ApplicationPartner, *, actor: User, state: str, reason: str = ""
) -> ApplicationPartner:
    """Record the council's answer, log it, and tell the lead (in this transaction)."""
    partner.state = state
    partner.decided_by = actor
    partner.decided_at = timezone.now()
    partner.reason = reason
    partner.save(update_fields=["state", "decided_by", "decided_at", "reason", "contribution"])
    action, decision = ANSWERS[state]
    _log(
        action,
        actor=actor,
        application=partner.application,
        council=partner.council,
        reason=reason,
        contribution=partner.contribution if state == PartnerState.CONFIRMED else "",
    )
    notifications.decision_made(partner, decision)
    return partner


@transaction.atomic
def partner_accept(
    *, actor: User, partner: ApplicationPartner, contribution: str
) -> ApplicationPartner:
    """An approver or admin of the invited council confirms its part, saying what it brings
    (the lead's words to start from). The council then counts toward the call's minimum."""
    application, partner = _lock_partner(partner)
    _require_authority(actor, partner.council)
    _require_open(application)
    if partner.state == PartnerState.CONFIRMED:
        raise Conflict(_("Your council has already confirmed its part in this bid."))
    if partner.state == PartnerState.DECLINED:
        raise Conflict(
            _(
                "Your council declined this invitation. %(lead)s can invite it again if you "
                "have changed your mind."
            )
            % {"lead": application.lead_council.display_name}
        )
    if partner.state == PartnerState.WITHDRAWN:
        raise Conflict(
            _(
                "Your council withdrew from this bid. %(lead)s can invite it again if you have "
                "changed your mind."
            )
            % {"lead": application.lead_council.display_name}
        )
    partner.contribution = _text(
        contribution,
        field="contribution",
        what=_("What your council brings"),
        required=_("Say what your council will bring to the bid."),
    )
    return _decide(partner, actor=actor, state=PartnerState.CONFIRMED)


@transaction.atomic
def partner_decline(*, actor: User, partner: ApplicationPartner, reason: str) -> ApplicationPartner:
    """Any verified member of the invited council declines the invitation, with a reason the
    lead sees, while the bid is a draft."""
    application, partner = _lock_partner(partner)
    _require_member(actor, partner.council)
    _require_draft(application)
    if partner.state != PartnerState.INVITED:
        raise Conflict(
            {
                PartnerState.CONFIRMED: _(
                    "Your council has already confirmed its part; withdraw it instead."
                ),
                PartnerState.WITHDRAWN: _("Your council has already withdrawn from this bid."),
            }.get(partner.state, _("Your council has already declined this invitation."))
        )
    reason = _reason(
        reason,
        required=_("Give a reason for declining; %(lead)s will see it."),
        application=application,
    )
    return _decide(partner, actor=actor, state=PartnerState.DECLINED, reason=reason)


@transaction.atomic
def partner_withdraw(
    *, actor: User, partner: ApplicationPartner, reason: str
) -> ApplicationPartner:
    """An approver or admin of a confirmed council withdraws its confirmation, with a reason,
    until the bid is submitted. It is then shown as withdrawn (not declined), with its reason,
    and no longer counts toward the call's minimum."""
    application, partner = _lock_partner(partner)
    _require_authority(actor, partner.council)
    _require_draft(application)
    if partner.state != PartnerState.CONFIRMED:
        raise Conflict(
            _("Your council has not confirmed its part, so there is nothing to withdraw.")
        )
    reason = _reason(
        reason,
        required=_("Give a reason for withdrawing; %(lead)s will see it."),
        application=application,
    )
    return _decide(partner, actor=actor, state=PartnerState.WITHDRAWN, reason=reason)
