"""Reconciling stored totals with the append-only pledge ledger."""

from collections import defaultdict
from dataclasses import dataclass

from .models import PLEDGE_TRANSITIONS, Kind, Need, Pledge, PledgeEvent, PledgeState, Project

COUNTED = ("offered", "accepted", "fulfilled")
PARTNER_STATES = (PledgeState.ACCEPTED, PledgeState.FULFILLED)


@dataclass
class Mismatch:
    what: str
    stored: object
    ledger: object

    def __str__(self) -> str:
        return f"{self.what}: stored {self.stored}, ledger says {self.ledger}"


def _read_ledger() -> tuple[dict[int, str], list[Mismatch], set[int]]:
    """Each pledge's state from its latest event, and every break in a pledge's chain of events.

    A pledge's events run 1, 2, 3… with no gaps; each starts where the one before ended and makes
    a move the lifecycle allows. The database refuses updates and deletes, so a break means a
    row was inserted by something other than the services.
    """
    states: dict[int, str] = {}
    last_sequence: dict[int, int] = {}
    broken: list[Mismatch] = []
    offered: set[int] = set()  # pledges the lead council was ever offered
    events = PledgeEvent.objects.order_by("pledge_id", "sequence").values_list(
        "pledge_id", "sequence", "from_state", "to_state"
    )
    for pledge_id, sequence, from_state, to_state in events.iterator(chunk_size=5000):
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
        states[pledge_id] = to_state
        last_sequence[pledge_id] = sequence
        if to_state == PledgeState.OFFERED:
            offered.add(pledge_id)
    return states, broken, offered


def ledger_states() -> dict[int, str]:
    """Each pledge's state according to its latest ledger event."""
    return _read_ledger()[0]


def check_ledger() -> list[Mismatch]:
    """Every way stored state disagrees with the ledger: event chains, pledge states, need and
    project totals, and partner counts."""
    from .selectors import project_team_partner_council_ids

    states, mismatches, offered = _read_ledger()
    project_totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    need_totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    partners: dict[int, set[int]] = defaultdict(set)
    pledges = Pledge.objects.values_list(
        "pk", "project_id", "need_id", "council_id", "kind", "amount", "state", "offered_at"
    )
    for row in pledges.iterator(chunk_size=5000):
        pk, project_id, need_id, council_id, kind, amount, stored_state, offered_at = row
        state = states.get(pk)
        if state is None:
            mismatches.append(Mismatch(f"pledge {pk} state", stored_state, "no events"))
            continue
        if state != stored_state:
            mismatches.append(Mismatch(f"pledge {pk} state", stored_state, state))
        # Public from its offer: a pledge seen by the lead council has an offer in its ledger,
        # and one only ever inside its council (awaiting approval, refused) has none.
        if (offered_at is not None) != (pk in offered):
            mismatches.append(
                Mismatch(
                    f"pledge {pk} offered_at",
                    offered_at or "(none)",
                    "offered" if pk in offered else "never offered",
                )
            )
        if state in COUNTED:
            prefix = "money" if kind == Kind.MONEY else "half_days"
            project_totals[project_id][f"{prefix}_{state}"] += amount
            if need_id:
                need_totals[need_id][state] += amount
        if state in PARTNER_STATES:
            partners[project_id].add(council_id)
    fields = [f"{p}_{s}" for p in ("money", "half_days") for s in COUNTED]
    projects = Project.objects.only("pk", "slug", "lead_council_id", "partner_count", *fields)
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
    for row in Need.objects.values("pk", "project_id", *COUNTED).iterator(chunk_size=2000):
        for name in COUNTED:
            expected = need_totals[row["pk"]][name]
            if row[name] != expected:
                mismatches.append(Mismatch(f"need {row['pk']} {name}", row[name], expected))
    return mismatches
