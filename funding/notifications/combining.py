"""Emails about suggestions to combine two similar bids, recorded in the transaction of the
change (the outbox rule) and built on a worker, in each recipient's language.

- A suggestion goes to both lead councils' approvers and admins, who can answer it (or, if a
  council has none, to all its verified members).
- When both have agreed and the bids are combined, the same people hear that it is done.

Keys name the suggestion, the event and the person, so nothing is queued twice.
"""

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import gettext_lazy

from mail.messages import MessageKind, register
from mail.models import Delivery
from mail.services import delivery_add

from ..models import CombineSuggestion
from ..selectors.partners import invitation_recipient_ids

EVENTS = ("suggested", "combined")


def _recipients(suggestion: CombineSuggestion) -> list[int]:
    ids = set(invitation_recipient_ids(council=suggestion.continuing.lead_council))
    ids |= set(invitation_recipient_ids(council=suggestion.absorbed.lead_council))
    return sorted(ids)


def combine_event(suggestion: CombineSuggestion, event: str) -> int:
    """Queue the emails for ``event`` ("suggested" or "combined"); how many were new."""
    assert event in EVENTS
    return sum(
        delivery_add(
            key=f"combine:{suggestion.pk}:{event}:{user_id}",
            user_id=user_id,
            kind="combine_suggestion",
            params={"suggestion": suggestion.pk, "event": event},
        )
        for user_id in _recipients(suggestion)
    )


def _text(name: str, context: dict) -> str:
    # Plain text: no HTML escaping of names such as O'Brien.
    return get_template(name).template.render(Context(context, autoescape=False))


def _build(delivery: Delivery) -> tuple[str, str]:
    suggestion = CombineSuggestion.objects.select_related(
        "call__funder",
        "continuing__project",
        "continuing__lead_council",
        "absorbed__project",
        "absorbed__lead_council",
    ).get(pk=delivery.params["suggestion"])
    event = delivery.params["event"]
    context = {
        "suggestion": suggestion,
        "call": suggestion.call,
        "continuing": suggestion.continuing,
        "absorbed": suggestion.absorbed,
        "user": delivery.user,
        "base_url": settings.PIPELINE_BASE_URL,
    }
    folder = "funding/combining/emails"
    with translation.override(delivery.user.language or settings.LANGUAGE_CODE):
        subject = " ".join(_text(f"{folder}/{event}_subject.txt", context).split())
        body = _text(f"{folder}/{event}.txt", context)
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body


register(
    "combine_suggestion",
    MessageKind(gettext_lazy("Suggestion to combine similar bids"), _build),
)
