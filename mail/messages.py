"""What each kind of delivery says. Apps register a builder per kind when they load.

``mail`` knows nothing of pledges or projects: a delivery names its kind and the ids it is built
from, and the app that owns those rows turns them into a subject and a body (in the recipient's
language) when the email is sent, on a worker, never in the request.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for the type hints: models already imports this module's labels
    from .models import Delivery


class Gone(Exception):
    """What the email was about no longer exists (a deleted project, an emptied digest)."""


@dataclass(frozen=True)
class MessageKind:
    label: str
    # (subject, body) for this delivery; raises Gone, or ObjectDoesNotExist, when there is
    # nothing left to say.
    build: Callable[["Delivery"], tuple[str, str]]
    # Runs in the transaction that marks the delivery sent (e.g. marking notifications told),
    # and again with no sent_at when the server refuses it after all.
    sent: Callable[["Delivery"], None] | None = None


_kinds: dict[str, MessageKind] = {}


def register(name: str, kind: MessageKind) -> None:
    _kinds[name] = kind


def message_kind(name: str) -> MessageKind:
    """The registered kind; KeyError for a name no app registered (a permanent failure)."""
    return _kinds[name]


def kind_label(name: str) -> str:
    kind = _kinds.get(name)
    return str(kind.label) if kind else name
