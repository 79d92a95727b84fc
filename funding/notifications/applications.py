"""Emails about a bid being submitted or withdrawn, through the outbox.

``application_changed`` runs inside the service's transaction: one ``mail`` delivery per
person, keyed on the bid, the event and the person, so a retried or repeated call queues
nothing twice and a rolled-back submission sends nothing. The people told are the project's
team (its owner and active members) and the officers of partner councils who confirmed their
council's part; the person who acted is not told what they just did. The email is built on a
worker, in each person's language, by the ``application`` message kind registered below.
"""

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import gettext_lazy

from mail.messages import MessageKind, register
from mail.models import Delivery
from mail.services import delivery_add
from projects.models import TeamMembership, TeamStatus

from ..models import Application, ApplicationPartner, PartnerState

EVENTS = ("submitted", "withdrawn")


def recipients(application: Application) -> set[int]:
    """The project's team and the partner officers who confirmed."""
    ids = {application.project.owner_id}
    ids |= set(
        TeamMembership.objects.filter(
            project_id=application.project_id, status=TeamStatus.ACTIVE
        ).values_list("user_id", flat=True)
    )
    ids |= set(
        ApplicationPartner.objects.filter(
            application=application, state=PartnerState.CONFIRMED, decided_by__isnull=False
        ).values_list("decided_by_id", flat=True)
    )
    return ids


def application_changed(application: Application, event: str, *, actor) -> int:
    """Queue the emails for ``event`` ("submitted" or "withdrawn"); how many were new."""
    assert event in EVENTS
    ids = recipients(application) - {actor.pk}
    return sum(
        delivery_add(
            key=f"application:{application.pk}:{event}:{user_id}",
            user_id=user_id,
            kind="application",
            params={"application": application.pk, "event": event},
        )
        for user_id in sorted(ids)
    )


def _text(name: str, context: dict) -> str:
    # Plain text: no HTML escaping of names such as O'Brien.
    return get_template(name).template.render(Context(context, autoescape=False))


def _build(delivery: Delivery) -> tuple[str, str]:
    application = Application.objects.select_related(
        "call__funder", "project", "lead_council", "submitted_by", "withdrawn_by"
    ).get(pk=delivery.params["application"])
    event = delivery.params["event"]
    context = {
        "application": application,
        "call": application.call,
        "project": application.project,
        "user": delivery.user,
        "base_url": settings.PIPELINE_BASE_URL,
    }
    folder = "funding/applications/emails"
    with translation.override(delivery.user.language or settings.LANGUAGE_CODE):
        # One line, or send_mail refuses it.
        subject = " ".join(_text(f"{folder}/{event}_subject.txt", context).split())
        body = _text(f"{folder}/{event}.txt", context)
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body


register("application", MessageKind(gettext_lazy("Funding application"), _build))
