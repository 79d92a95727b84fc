"""Reconciling stored totals with the append-only pledge ledger."""

from collections import defaultdict
from dataclasses import dataclass

from .models import (
    LIVE_PLEDGE_STATES,
    MATCHED_STATES,
    PLEDGE_TRANSITIONS,
    Kind,
    Need,
    Pledge,
    PledgeEvent,
    PledgeState,
    Project,
)

COUNTED = ("offered", "accepted", "fulfilled")
# Kept apart from the counted totals: waiting conditional pledges, and match pledges on the table.
APART = ("conditional", "matched")
PARTNER_STATES = (PledgeState.ACCEPTED, PledgeState.FULFILLED)
PUBLIC_ENTRIES = (PledgeState.OFFERED, PledgeState.CONDITIONAL)
SYSTEM_MOVES = {
    (PledgeState.CONDITIONAL, PledgeState.OFFERED),
    (PledgeState.CONDITIONAL, PledgeState.LAPSED),
}


@dataclass
class Mismatch:
    what: str
    stored: object
    ledger: object

    def __str__(self) -> str:
        return f"{self.what}: stored {self.stored}, ledger says {self.ledger}"


@dataclass
class _Ledger:
    states: dict[int, str]
    broken: list[Mismatch]
    offered: set[int]  # pledges the lead council was ever shown (as an offer or conditional)
    conditions_met: dict[int, int]  # pledge → how many times Pipeline found its condition met


def _read_ledger() -> _Ledger:
    """Each pledge's state from its latest event, and every break in a pledge's chain of events.

    A pledge's events run 1, 2, 3… with no gaps; each starts where the one before ended and makes
    a move the lifecycle allows. The database refuses updates and deletes, so a break means a
    row was inserted by something other than the services.
    """
    states: dict[int, str] = {}
    last_sequence: dict[int, int] = {}
    broken: list[Mismatch] = []
    offered: set[int] = set()
    conditions_met: dict[int, int] = defaultdict(int)
    events = PledgeEvent.objects.order_by("pledge_id", "sequence").values_list(
        "pledge_id", "sequence", "from_state", "to_state", "actor_id"
    )
    for pledge_id, sequence, from_state, to_state, actor_id in events.iterator(chunk_size=5000):
        previous = states.get(pledge_id, "")
        expected_sequence = last_sequence.get(pledge_id, 0) + 1
        what = f"pledge {pledge_id} event {sequence}"
        if sequence != expected_sequence:
            broken.append(Mismatch(f"{what} sequence", sequence, expected_sequence))
        if from_state != previous:
            broken.append(Mismatch(f"{what} from state", from_state or "(none)", previous))
        elif previous and to_state not in PLEDGE_TRANSITIONS.get(previous, ()):
            broken.append(
                Mismatch(f"{what} move", f"{previous} → {to_state}", "not a lifecycle move")
            )
        # Pipeline alone settles a condition, and does nothing else.
        if (actor_id is None) != ((from_state, to_state) in SYSTEM_MOVES):
            broken.append(
                Mismatch(f"{what} actor", actor_id or "Pipeline", "the other one for this move")
            )
        if (from_state, to_state) == (PledgeState.CONDITIONAL, PledgeState.OFFERED):
            conditions_met[pledge_id] += 1
        states[pledge_id] = to_state
        last_sequence[pledge_id] = sequence
        if to_state in PUBLIC_ENTRIES:
            offered.add(pledge_id)
    return _Ledger(states, broken, offered, conditions_met)


def ledger_states() -> dict[int, str]:
    """Each pledge's state according to its latest ledger event."""
    return _read_ledger().states


def check_ledger() -> list[Mismatch]:
    """Every way stored state disagrees with the ledger: event chains and who made each move,
    pledge states, conditions (each met at most once, none left waiting once met or once it can
    no longer be), match amounts (the formula, within the cap), need and project totals
    (counted, conditional and matched), and partner counts."""
    from .selectors import project_team_partner_council_ids
    from .services.conditions import (
        FOLLOWING_STATES,
        conditions_can_be_met,
        councils_meeting,
        match_amount,
    )

    ledger = _read_ledger()
    states, mismatches, offered = ledger.states, ledger.broken, ledger.offered
    project_totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    need_totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    partners: dict[int, set[int]] = defaultdict(set)
    pledging: dict[int, set[int]] = defaultdict(set)  # project → councils with a live pledge
    waiting: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    given: dict[tuple[int, str], int] = defaultdict(int)  # (project, kind) → accepted plain
    given_by: dict[tuple[int, str, int], int] = defaultdict(int)  # … by one council
    matches: list[tuple] = []
    pledges = Pledge.objects.values_list(
        "pk",
        "project_id",
        "need_id",
        "council_id",
        "kind",
        "amount",
        "state",
        "offered_at",
        "min_other_councils",
        "match_percent",
        "matched_amount",
        "condition_met_at",
    )
    for row in pledges.iterator(chunk_size=5000):
        pk, project_id, need_id, council_id, kind, amount, stored_state, offered_at = row[:8]
        min_others, percent, matched, condition_met_at = row[8:]
        state = states.get(pk)
        if state is None:
            mismatches.append(Mismatch(f"pledge {pk} state", stored_state, "no events"))
            continue
        if state != stored_state:
            mismatches.append(Mismatch(f"pledge {pk} state", stored_state, state))
        # Public from its offer: a pledge seen by the lead council has an offer (or a
        # conditional one) in its ledger, and one only ever inside its council has none.
        if (offered_at is not None) != (pk in offered):
            mismatches.append(
                Mismatch(
                    f"pledge {pk} offered_at",
                    offered_at or "(none)",
                    "offered" if pk in offered else "never offered",
                )
            )
        met = ledger.conditions_met.get(pk, 0)
        if met > 1:
            mismatches.append(Mismatch(f"pledge {pk} condition met", f"{met} times", "once"))
        if (condition_met_at is not None) != (met > 0):
            mismatches.append(
                Mismatch(
                    f"pledge {pk} condition_met_at",
                    condition_met_at or "(none)",
                    "met" if met else "never met",
                )
            )
        if percent is not None:
            if not 0 <= (matched or 0) <= amount:
                mismatches.append(Mismatch(f"pledge {pk} matched_amount", matched, f"≤ {amount}"))
            if state in FOLLOWING_STATES:
                matches.append((pk, project_id, council_id, kind, amount, percent, matched))
        elif state in MATCHED_STATES:
            given[(project_id, kind)] += amount
            given_by[(project_id, kind, council_id)] += amount
        prefix = "money" if kind == Kind.MONEY else "half_days"
        gives = (matched or 0) if percent is not None else amount
        if state == PledgeState.CONDITIONAL:
            bucket = "conditional"
            waiting[project_id].append((pk, council_id, min_others or 0))
        elif state in COUNTED:
            bucket = "matched" if percent is not None else state
        else:
            bucket = None
        if bucket:
            project_totals[project_id][f"{prefix}_{bucket}"] += gives
            if need_id:
                need_totals[need_id][bucket] += gives
        if state in LIVE_PLEDGE_STATES:
            pledging[project_id].add(council_id)
        if state in PARTNER_STATES:
            partners[project_id].add(council_id)
    for pk, project_id, council_id, kind, cap, percent, matched in matches:
        others = given[(project_id, kind)] - given_by[(project_id, kind, council_id)]
        expected = match_amount(percent=percent, cap=cap, others=others)
        if matched != expected:
            mismatches.append(Mismatch(f"pledge {pk} matched_amount", matched, expected))
    fields = [f"{p}_{s}" for p in ("money", "half_days") for s in (*COUNTED, *APART)]
    projects = Project.objects.only(
        "pk", "slug", "state", "pledging_deadline", "lead_council_id", "partner_count", *fields
    )
    for project in projects.iterator(chunk_size=2000):
        for name in fields:
            expected = project_totals[project.pk][name]
            if getattr(project, name) != expected:
                mismatches.append(
                    Mismatch(f"project {project.slug} {name}", getattr(project, name), expected)
                )
        partner_ids = (partners[project.pk] | project_team_partner_council_ids(project)) - {
            project.lead_council_id
        }
        if project.partner_count != len(partner_ids):
            mismatches.append(
                Mismatch(
                    f"project {project.slug} partner_count", project.partner_count, len(partner_ids)
                )
            )
        if waiting[project.pk]:
            if not conditions_can_be_met(project):
                for pk, _council, _n in waiting[project.pk]:
                    mismatches.append(
                        Mismatch(f"pledge {pk} state", "conditional", "lapsed (project over)")
                    )
            else:
                for pk in councils_meeting(waiting[project.pk], pledging[project.pk]):
                    mismatches.append(
                        Mismatch(f"pledge {pk} state", "conditional", "offered (condition met)")
                    )
    for row in Need.objects.values("pk", "project_id", *COUNTED, *APART).iterator(chunk_size=2000):
        for name in (*COUNTED, *APART):
            expected = need_totals[row["pk"]][name]
            if row[name] != expected:
                mismatches.append(Mismatch(f"need {row['pk']} {name}", row[name], expected))
    return mismatches
