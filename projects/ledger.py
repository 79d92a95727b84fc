"""Reconciling stored totals with the append-only pledge ledger."""

from collections import defaultdict
from dataclasses import dataclass

from .models import Kind, Need, Pledge, PledgeEvent, Project

COUNTED = ("offered", "accepted", "fulfilled")


@dataclass
class Mismatch:
    what: str
    stored: object
    ledger: object

    def __str__(self) -> str:
        return f"{self.what}: stored {self.stored}, ledger says {self.ledger}"


def ledger_states() -> dict[int, str]:
    """Each pledge's state according to its latest ledger event."""
    states: dict[int, str] = {}
    for pledge_id, to_state in (
        PledgeEvent.objects.order_by("pledge_id", "sequence")
        .values_list("pledge_id", "to_state")
        .iterator(chunk_size=5000)
    ):
        states[pledge_id] = to_state
    return states


def check_ledger() -> list[Mismatch]:
    """Every way stored state disagrees with the ledger: pledge states, need and project totals."""
    states = ledger_states()
    mismatches: list[Mismatch] = []
    project_totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    need_totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    pledges = Pledge.objects.values_list("pk", "project_id", "need_id", "kind", "amount", "state")
    for pk, project_id, need_id, kind, amount, stored_state in pledges.iterator(chunk_size=5000):
        state = states.get(pk)
        if state is None:
            mismatches.append(Mismatch(f"pledge {pk} state", stored_state, "no events"))
            continue
        if state != stored_state:
            mismatches.append(Mismatch(f"pledge {pk} state", stored_state, state))
        if state in COUNTED:
            prefix = "money" if kind == Kind.MONEY else "half_days"
            project_totals[project_id][f"{prefix}_{state}"] += amount
            if need_id:
                need_totals[need_id][state] += amount
    fields = [f"{p}_{s}" for p in ("money", "half_days") for s in COUNTED]
    for row in Project.objects.values("pk", "slug", *fields).iterator(chunk_size=2000):
        for name in fields:
            expected = project_totals[row["pk"]][name]
            if row[name] != expected:
                mismatches.append(Mismatch(f"project {row['slug']} {name}", row[name], expected))
    for row in Need.objects.values("pk", "project_id", *COUNTED).iterator(chunk_size=2000):
        for name in COUNTED:
            expected = need_totals[row["pk"]][name]
            if row[name] != expected:
                mismatches.append(Mismatch(f"need {row['pk']} {name}", row[name], expected))
    return mismatches
