"""Writing the activity log. Each service that changes something organisers answer for calls
``activity_record`` inside its own transaction, so the entry and the change commit together."""

from django.db import transaction

from .models import ActivityAction, ActivityEntry

MAX_TARGET_LENGTH = 500


def activity_changes(*, before: dict, after: dict) -> dict:
    """``{"field": {"before": old, "after": new}}`` for each field whose value changed."""
    return {
        key: {"before": before.get(key), "after": value}
        for key, value in after.items()
        if before.get(key) != value
    }


def _describe(*, council, project, target: str) -> str:
    if target:
        return target
    if project is not None:
        return project.title
    if council is not None:
        return council.display_name
    return ""


def activity_record(
    *,
    actor,
    action: ActivityAction | str,
    council=None,
    project=None,
    target: str = "",
    reason: str = "",
    details: dict | None = None,
) -> ActivityEntry:
    """Append one entry to the log, as part of the caller's transaction.

    Refuses to run outside a transaction: an entry committed on its own could record a change
    that then rolled back, or miss one that committed. ``actor`` is None for Pipeline's own
    changes; ``target`` defaults to the project's title or the council's name.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("activity_record runs inside the transaction of the change it records")
    action = ActivityAction(action)
    council_id = council.pk if council is not None else None
    if council_id is None and project is not None:
        council_id = project.lead_council_id  # a project's entries show under its council too
    return ActivityEntry.objects.create(
        actor=actor,
        actor_name=actor.get_full_name() if actor is not None else "",
        action=action,
        council_id=council_id,
        project=project,
        target=_describe(council=council, project=project, target=target)[:MAX_TARGET_LENGTH],
        reason=(reason or "").strip(),
        details=details or {},
    )


def activity_record_membership(
    *,
    actor,
    action: ActivityAction | str,
    membership,
    reason: str = "",
    details: dict | None = None,
) -> ActivityEntry:
    """An entry about one person's membership: under its council, naming the person."""
    person = membership.user
    return activity_record(
        actor=actor,
        action=action,
        council=membership.council,
        target=f"{person.get_full_name()} <{person.email}>",
        reason=reason,
        details=details,
    )
