"""Combining two projects: one (the absorbed) joins another (the continuing one) when their
councils agree that their similar bids should become one (``funding.services.combining``).

What moves, in the caller's transaction, with both project rows locked:

- the absorbed project points at the continuing one (``combined_into``), for both pages;
- its followers follow the continuing project too (once each);
- its pledges still in play move, each with a ledger event that records the move and keeps the
  pledge's state, so the pledging council's offer stands where the work now is. A pledge moves
  with its amendments and the pledges they amend (an amendment and its original always share a
  project). A moved pledge no longer counts toward one of the absorbed project's needs.
- both projects' totals, conditions and matches are worked out again from their pledges.

Who may combine is the caller's check: only a service that checked it calls this. Calling it
again for the same two projects does nothing.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import pagecache
from core.errors import Conflict

from ..models import Follow, Pledge, PledgeEvent, PledgeState, Project
from .projects import _lock_project, timeline_record
from .totals import recalculate_totals

User = get_user_model()

# A pledge in one of these moves (with its amendment family); the rest stay as the absorbed
# project's history.
MOVING_STATES = (
    PledgeState.PENDING,
    PledgeState.CONDITIONAL,
    PledgeState.OFFERED,
    PledgeState.ACCEPTED,
    PledgeState.FULFILLED,
    PledgeState.PROPOSED,
)

COMBINED_TIMELINE = (
    gettext_lazy("Combined with %(other)s"),
    gettext_lazy(
        "%(other)s was combined into this project. Its followers and its pledges still in play "
        "are here now."
    ),
)


def _families(pledges: list[tuple[int, int | None, str]]) -> list[int]:
    """The pledges to move: those in ``MOVING_STATES`` and every pledge linked to one by
    amendments. ``pledges`` are (id, amends id, state) of one project."""
    parent = {pk: pk for pk, _amends, _state in pledges}

    def root(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    for pk, amends, _state in pledges:
        if amends is not None and amends in parent:
            parent[root(pk)] = root(amends)
    moving_roots = {root(pk) for pk, _amends, state in pledges if state in MOVING_STATES}
    return sorted(pk for pk, _amends, _state in pledges if root(pk) in moving_roots)


@transaction.atomic
def project_combine(
    *, actor: User, absorbed: Project, continuing: Project, note: str = ""
) -> list[int]:
    """Combine ``absorbed`` into ``continuing`` (see the module). Returns the ids of the pledges
    that moved; none when the two were already combined."""
    if absorbed.pk == continuing.pk:
        raise Conflict(_("A project cannot be combined with itself."))
    # Lock in id order, so two combinations touching the same projects queue up.
    first, second = sorted((absorbed, continuing), key=lambda p: p.pk)
    locked = {p.pk: _lock_project(p) for p in (first, second)}
    absorbed, continuing = locked[absorbed.pk], locked[continuing.pk]
    if absorbed.combined_into_id == continuing.pk:
        return []  # done before
    if absorbed.combined_into_id is not None:
        raise Conflict(
            _("%(title)s was already combined into another project.") % {"title": absorbed.title}
        )
    if continuing.combined_into_id is not None:
        raise Conflict(
            _("%(title)s was itself combined into another project.") % {"title": continuing.title}
        )
    now = timezone.now()
    Project.objects.filter(pk=absorbed.pk).update(combined_into=continuing, combined_at=now)
    absorbed.combined_into, absorbed.combined_at = continuing, now

    # Followers: one query to find who follows only the absorbed project, one to add them.
    already = set(Follow.objects.filter(project=continuing).values_list("user_id", flat=True))
    Follow.objects.bulk_create(
        [
            Follow(project=continuing, user_id=user_id, created_at=now)
            for user_id in Follow.objects.filter(project=absorbed)
            .order_by("user_id")
            .values_list("user_id", flat=True)
            if user_id not in already
        ]
    )

    # Pledges: each moving one gets a move event and points at the continuing project.
    rows = list(Pledge.objects.filter(project=absorbed).values_list("pk", "amends_id", "state"))
    moving = _families(rows)
    states = {pk: state for pk, _amends, state in rows}
    last = dict(
        PledgeEvent.objects.filter(pledge_id__in=moving)
        .order_by()
        .values("pledge_id")
        .annotate(last=Max("sequence"))
        .values_list("pledge_id", "last")
    )
    event_note = (
        note
        or _("Moved from %(from)s when it was combined into %(to)s.")
        % {"from": absorbed.title, "to": continuing.title}
    )[:2000]
    PledgeEvent.objects.bulk_create(
        [
            PledgeEvent(
                pledge_id=pk,
                sequence=last.get(pk, 0) + 1,
                actor=actor,
                from_state=states[pk],
                to_state=states[pk],
                note=event_note,
                moved_from=absorbed,
                moved_to=continuing,
                created_at=now,
            )
            for pk in moving
        ]
    )
    Pledge.objects.filter(pk__in=moving).update(project=continuing, need=None)
    recalculate_totals(absorbed)
    recalculate_totals(continuing)
    # Rows changed in bulk send no signals: retire the cached pages of both projects (and the
    # listings and council pages that show their totals) here.
    pagecache.content_changed()
    if continuing.is_published:
        title, body = COMBINED_TIMELINE
        timeline_record(
            project=continuing,
            actor=actor,
            title=title,
            body=body,
            values={},
            names={"other": absorbed.title},
            notify=False,  # both councils and the followers hear of it from the caller
        )
    return moving
