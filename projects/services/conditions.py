"""Conditional and match pledges: the rules, in one place (README, "Conditional and match
pledges").

``conditions_settle`` runs inside every pledge write, from ``recalculate_totals``, while the
project row is locked, so whichever write meets a condition settles it, once:

- A pledge "only if at least N other councils also pledge" waits as ``conditional``. It becomes
  an offer, by Pipeline (a ledger event with no actor), as soon as at least N councils other
  than its own have a live pledge to the project (offered, accepted or fulfilled), counting
  the councils of other waiting pledges that become offers at the same moment: two councils
  who each wait for one other meet each other's condition.
- Once the project is completed or closed, or its pledging deadline has passed, every pledge
  still waiting lapses instead: a final state, again by Pipeline.
- A match pledge gives ``match_percent`` of what the other councils' accepted and fulfilled
  pledges of the same kind give (not other matches, so no match feeds another), rounded down
  to the penny or half-day, and never more than its amount (the cap). It follows them until it
  is fulfilled, declined, withdrawn or lapses, when it keeps what it gave last.

Both functions are exact integer arithmetic and idempotent: they compare what is stored with
what the pledges say and change only what differs.
"""

from django.db.models import Sum
from django.utils import timezone

from .. import notifications
from ..models import (
    LIVE_PLEDGE_STATES,
    MATCHED_STATES,
    Pledge,
    PledgeEvent,
    PledgeState,
    Project,
    State,
)

# A match follows the others while it can still give something; after that it keeps its amount.
FOLLOWING_STATES = (
    PledgeState.PENDING,
    PledgeState.CONDITIONAL,
    PledgeState.OFFERED,
    PledgeState.ACCEPTED,
)


def conditions_can_be_met(project: Project) -> bool:
    """A condition can still be met while the project is open and its deadline has not passed
    (a project hidden by an organiser may come back, so hiding does not end it)."""
    return project.state not in (State.COMPLETED, State.CLOSED) and not project.deadline_passed


def councils_meeting(waiting: list[tuple[int, int, int]], pledging: set[int]) -> set[int]:
    """Which waiting pledges have their condition met.

    ``waiting``: (pledge id, council id, minimum other councils); ``pledging``: the councils
    with a live pledge. The answer is the largest set of waiting pledges each of which sees
    enough other councils among ``pledging`` and the set's own councils, so it does not depend
    on the order pledges arrived in.
    """
    candidates = list(waiting)
    while True:
        councils = pledging | {council for _pk, council, _n in candidates}
        keep = [c for c in candidates if len(councils - {c[1]}) >= c[2]]
        if len(keep) == len(candidates):
            return {pk for pk, _council, _n in keep}
        candidates = keep


def match_amount(*, percent: int, cap: int, others: int) -> int:
    """``percent`` of ``others``, rounded down, at most ``cap``."""
    return min(cap, others * percent // 100)


def _system_move(pledge: Pledge, to_state: str) -> None:
    """Pipeline moves a waiting pledge on. The update names the state it expects, so it can
    happen once only, and the ledger's (pledge, sequence) key refuses a second event."""
    now = timezone.now()
    fields = {"state": to_state, "state_changed_at": now}
    if to_state == PledgeState.OFFERED:
        fields["condition_met_at"] = now
    moved = Pledge.objects.filter(pk=pledge.pk, state=PledgeState.CONDITIONAL).update(**fields)
    if not moved:  # pragma: no cover - the project lock makes this unreachable
        return
    last = (
        PledgeEvent.objects.filter(pledge_id=pledge.pk)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    PledgeEvent.objects.create(
        pledge_id=pledge.pk,
        sequence=(last or 0) + 1,
        actor=None,
        from_state=PledgeState.CONDITIONAL,
        to_state=to_state,
        created_at=now,
    )
    pledge.state = to_state
    for name, value in fields.items():
        setattr(pledge, name, value)
    notifications.pledge_condition_settled(pledge, to_state)


def conditions_settle(project: Project) -> None:
    """Make offers of waiting pledges whose condition is met, or lapse them all once it can no
    longer be. The caller holds the project row locked."""
    waiting = list(
        Pledge.objects.filter(project=project, state=PledgeState.CONDITIONAL)
        .select_related("project__owner")
        .order_by("pk")
    )
    if not waiting:
        return
    if not conditions_can_be_met(project):
        for pledge in waiting:
            _system_move(pledge, PledgeState.LAPSED)
        return
    pledging = set(
        # Councils only: a funder's award is not another council pledging.
        Pledge.objects.filter(
            project=project, state__in=LIVE_PLEDGE_STATES, council__isnull=False
        ).values_list("council_id", flat=True)
    )
    met = councils_meeting([(p.pk, p.council_id, p.min_other_councils) for p in waiting], pledging)
    for pledge in waiting:
        if pledge.pk in met:
            _system_move(pledge, PledgeState.OFFERED)


def matches_follow(project: Project) -> None:
    """Bring every following match pledge's ``matched_amount`` up to date with the other
    councils' accepted and fulfilled pledges. The caller holds the project row locked."""
    matches = list(
        Pledge.objects.filter(
            project=project, match_percent__isnull=False, state__in=FOLLOWING_STATES
        ).values_list("pk", "council_id", "kind", "amount", "match_percent", "matched_amount")
    )
    if not matches:
        return
    given = (
        # Councils' pledges only: a match never matches a funder's award.
        Pledge.objects.filter(
            project=project,
            match_percent__isnull=True,
            state__in=MATCHED_STATES,
            council__isnull=False,
        )
        .values("council_id", "kind")
        .annotate(total=Sum("amount"))
    )
    by_kind: dict[str, int] = {}
    by_council: dict[tuple[int, str], int] = {}
    for row in given:
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + row["total"]
        by_council[(row["council_id"], row["kind"])] = row["total"]
    for pk, council_id, kind, cap, percent, stored in matches:
        others = by_kind.get(kind, 0) - by_council.get((council_id, kind), 0)
        amount = match_amount(percent=percent, cap=cap, others=others)
        if amount != stored:
            Pledge.objects.filter(pk=pk).update(matched_amount=amount)
