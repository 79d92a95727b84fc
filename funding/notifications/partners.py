"""Emails about a bid's partner councils, recorded in the transaction of the change (the outbox
rule) and built on a worker, in each recipient's language, when they are sent.

- An invitation goes to the invited council's approvers and admins, who can answer it (or, if it
  has none, to all its verified members). It carries the inviter's message, which is not stored
  anywhere else.
- A decision (confirmed, declined, a confirmation withdrawn) goes to the person who invited the
  council (the project's owner if that person has gone).
- A removal goes to those an invitation went to.

Keys name the event and the person: an invitation by the time it was made (a council that
declined may be invited again), a decision by the time it was made.
"""

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import gettext_lazy

from councils.models import Council
from mail.messages import Gone, MessageKind, register
from mail.models import Delivery
from mail.services import delivery_add

from ..models import Application, ApplicationPartner, PartnerState
from ..selectors.partners import invitation_recipient_ids

DECISIONS = ("confirmed", "declined", "withdrawn")


def _stamp(moment) -> str:
    return f"{moment.timestamp():.6f}"


def invitation_sent(partner: ApplicationPartner, *, message: str = "") -> None:
    for user_id in invitation_recipient_ids(council=partner.council):
        delivery_add(
            key=f"partner:{partner.pk}:invited:{_stamp(partner.invited_at)}:{user_id}",
            user_id=user_id,
            kind="partner_invited",
            params={
                "partner": partner.pk,
                "invited_at": _stamp(partner.invited_at),
                "message": message,
            },
        )


def decision_made(partner: ApplicationPartner, decision: str) -> None:
    recipient = partner.invited_by_id or partner.application.project.owner_id
    delivery_add(
        key=f"partner:{partner.pk}:{decision}:{_stamp(partner.decided_at)}",
        user_id=recipient,
        kind="partner_decided",
        params={"partner": partner.pk, "decision": decision},
    )


def partner_removed(*, application: Application, council: Council, actor, when) -> None:
    for user_id in invitation_recipient_ids(council=council):
        delivery_add(
            key=f"partner-removed:{application.pk}:{council.pk}:{_stamp(when)}:{user_id}",
            user_id=user_id,
            kind="partner_removed",
            params={
                "application": application.pk,
                "council": council.pk,
                "by": actor.get_full_name(),
            },
        )


# --- what each email says (on a worker) -------------------------------------------------------


def _text(name: str, context: dict) -> str:
    # Plain text: no HTML escaping of names such as O'Brien.
    return get_template(name).template.render(Context(context, autoescape=False))


def _render(delivery: Delivery, template: str, context: dict) -> tuple[str, str]:
    context = {**context, "user": delivery.user, "base_url": settings.PIPELINE_BASE_URL}
    with translation.override(delivery.user.language or settings.LANGUAGE_CODE):
        subject = " ".join(
            _text(f"funding/partners/emails/{template}_subject.txt", context).split()
        )
        body = _text(f"funding/partners/emails/{template}.txt", context)
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body


def _partner(pk: int) -> ApplicationPartner:
    return ApplicationPartner.objects.select_related(
        "council",
        "invited_by",
        "decided_by",
        "application__call__funder",
        "application__project__owner",
        "application__lead_council",
    ).get(pk=pk)


def _build_invited(delivery: Delivery) -> tuple[str, str]:
    partner = _partner(delivery.params["partner"])
    if (
        partner.state != PartnerState.INVITED
        or _stamp(partner.invited_at) != delivery.params["invited_at"]
    ):
        raise Gone(gettext_lazy("The invitation was answered or withdrawn before it was sent."))
    context = {
        "partner": partner,
        "application": partner.application,
        "message": delivery.params.get("message", ""),
        "reasons": [line for line in partner.suggested_because.splitlines() if line.strip()],
    }
    return _render(delivery, "invited", context)


def _build_decided(delivery: Delivery) -> tuple[str, str]:
    partner = _partner(delivery.params["partner"])
    context = {
        "partner": partner,
        "application": partner.application,
        "decision": delivery.params["decision"],
    }
    return _render(delivery, "decided", context)


def _build_removed(delivery: Delivery) -> tuple[str, str]:
    application = Application.objects.select_related("call__funder", "project", "lead_council").get(
        pk=delivery.params["application"]
    )
    council = Council.objects.get(pk=delivery.params["council"])
    context = {"application": application, "council": council, "by": delivery.params["by"]}
    return _render(delivery, "removed", context)


register(
    "partner_invited",
    MessageKind(gettext_lazy("Invitation to partner in a bid"), _build_invited),
)
register(
    "partner_decided",
    MessageKind(gettext_lazy("Partner council’s answer to a bid"), _build_decided),
)
register(
    "partner_removed",
    MessageKind(gettext_lazy("Council removed from a bid"), _build_removed),
)
