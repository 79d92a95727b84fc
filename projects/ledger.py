"""Reconciling stored totals with the append-only pledge ledger."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from .models import (
    LIVE_AMENDMENT_STATES,
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
PUBLIC_ENTRIES = (PledgeState.OFFERED, PledgeState.CONDITIONAL, PledgeState.PROPOSED)
AWARD_STATES = (PledgeState.ACCEPTED, PledgeState.FULFILLED)
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
class _Links:
    """Where amendments meet their originals in the ledger, as ``_read_ledger`` found them."""

    first_state: dict[int, str] = field(default_factory=dict)
    first_link: dict[int, int | None] = field(default_factory=dict)
    signed_off_to: dict[int, str] = field(default_factory=dict)  # pending → offered or proposed
    took_over: dict[int, int | None] = field(default_factory=dict)  # proposed → offered/accepted
    superseded_by: dict[int, int | None] = field(default_factory=dict)


TAKE_OVER_STATES = (PledgeState.OFFERED, PledgeState.ACCEPTED)


@dataclass
class _Ledger:
    states: dict[int, str]
    broken: list[Mismatch]
    offered: set[int]  # pledges the lead council was ever shown (as an offer or conditional)
    conditions_met: dict[int, int]  # pledge → how many times Pipeline found its condition met
    moved_to: dict[int, int] = field(default_factory=dict)  # pledge → project of its last move


def _read_ledger(links: _Links | None = None) -> _Ledger:
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
    links = links if links is not None else _Links()
    moved_to: dict[int, int] = {}
    events = PledgeEvent.objects.order_by("pledge_id", "sequence").values_list(
        "pledge_id",
        "sequence",
        "from_state",
        "to_state",
        "actor_id",
        "linked_pledge_id",
        "moved_from_id",
        "moved_to_id",
    )
    for row in events.iterator(chunk_size=5000):
        pledge_id, sequence, from_state, to_state, actor_id, linked, moved_from, moved_into = row
        previous = states.get(pledge_id, "")
        expected_sequence = last_sequence.get(pledge_id, 0) + 1
        what = f"pledge {pledge_id} event {sequence}"
        if sequence != expected_sequence:
            broken.append(Mismatch(f"{what} sequence", sequence, expected_sequence))
        if moved_into is not None:
            # A move to a combined project: the state stays, and each move starts where the
            # one before it ended.
            if from_state != previous or to_state != previous:
                broken.append(
                    Mismatch(f"{what} move", f"{from_state} → {to_state}", f"{previous} kept")
                )
            if pledge_id in moved_to and moved_to[pledge_id] != moved_from:
                broken.append(
                    Mismatch(f"{what} moved from", moved_from, f"project {moved_to[pledge_id]}")
                )
            if actor_id is None:
                broken.append(Mismatch(f"{what} actor", "Pipeline", "whoever combined them"))
            moved_to[pledge_id] = moved_into
            last_sequence[pledge_id] = sequence
            continue
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
        if not from_state:
            links.first_state[pledge_id], links.first_link[pledge_id] = to_state, linked
        elif from_state == PledgeState.PENDING and to_state in TAKE_OVER_STATES + (
            PledgeState.PROPOSED,
        ):
            links.signed_off_to[pledge_id] = to_state
        elif from_state == PledgeState.PROPOSED and to_state in TAKE_OVER_STATES:
            links.took_over[pledge_id] = linked
        if to_state == PledgeState.SUPERSEDED:
            links.superseded_by[pledge_id] = linked
    return _Ledger(states, broken, offered, conditions_met, moved_to)


def ledger_states() -> dict[int, str]:
    """Each pledge's state according to its latest ledger event."""
    return _read_ledger().states


def check_ledger() -> list[Mismatch]:
    """Every way stored state disagrees with the ledger: event chains and who made each move,
    pledge states, moves to combined projects (a moved pledge is where its last move took it,
    and counts toward needs of that project only), conditions (each met at most once, none left
    waiting once met or once it can no longer be), match amounts (the formula, within the cap),
    need and project totals (counted, conditional and matched), partner counts, and funders'
    awards (only ever accepted, then released)."""
    from .selectors import project_team_partner_council_ids
    from .services.conditions import (
        FOLLOWING_STATES,
        conditions_can_be_met,
        councils_meeting,
        match_amount,
    )

    links = _Links()
    ledger = _read_ledger(links)
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
        "amends_id",
        "role",
        "funder_id",
    )
    # What an amendment must share with its original: project, need, council, kind and role.
    shape: dict[int, tuple] = {}
    amendments: list[tuple[int, int, int]] = []  # (amendment, original, amount)
    need_project = dict(Need.objects.values_list("pk", "project_id"))
    for row in pledges.iterator(chunk_size=5000):
        pk, project_id, need_id, council_id, kind, amount, stored_state, offered_at = row[:8]
        min_others, percent, matched, condition_met_at, amends_id, role, funder_id = row[8:]
        shape[pk] = (project_id, need_id, council_id, kind, role, amount)
        # A pledge that moved is where its last move took it, and toward none of the needs of
        # the project it left.
        if pk in ledger.moved_to and ledger.moved_to[pk] != project_id:
            mismatches.append(Mismatch(f"pledge {pk} project", project_id, ledger.moved_to[pk]))
        if need_id is not None and need_project.get(need_id) != project_id:
            mismatches.append(
                Mismatch(f"pledge {pk} need", need_id, f"a need of project {project_id}")
            )
        if amends_id is not None:
            amendments.append((pk, amends_id, amount))
        state = states.get(pk)
        if state is None:
            mismatches.append(Mismatch(f"pledge {pk} state", stored_state, "no events"))
            continue
        if state != stored_state:
            mismatches.append(Mismatch(f"pledge {pk} state", stored_state, state))
        # A funder's award is accepted when it is made and only ever released (fulfilled).
        if funder_id is not None and state not in AWARD_STATES:
            mismatches.append(
                Mismatch(f"pledge {pk} (an award) state", state, "accepted or fulfilled")
            )
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
        elif state in MATCHED_STATES and council_id is not None:  # never a funder's award
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
        # A funder's award counts in the totals, but no council pledges it or partners by it.
        if council_id is not None and state in LIVE_PLEDGE_STATES:
            pledging[project_id].add(council_id)
        if council_id is not None and state in PARTNER_STATES:
            partners[project_id].add(council_id)
    for pk, project_id, council_id, kind, cap, percent, matched in matches:
        others = given[(project_id, kind)] - given_by[(project_id, kind, council_id)]
        expected = match_amount(percent=percent, cap=cap, others=others)
        if matched != expected:
            mismatches.append(Mismatch(f"pledge {pk} matched_amount", matched, expected))
    mismatches += _check_amendments(states, links, shape, amendments)
    fields = [f"{p}_{s}" for p in ("money", "half_days") for s in (*COUNTED, *APART)]
    # What each project asks for, from its needs (the listing's "needs" filter reads these).
    needed: dict[tuple[int, str], int] = {
        (project_id, kind): total
        for project_id, kind, total in Need.objects.values_list("project_id", "kind")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    projects = Project.objects.only(
        "pk",
        "slug",
        "state",
        "pledging_deadline",
        "lead_council_id",
        "partner_count",
        "money_needed",
        "half_days_needed",
        *fields,
    )
    for project in projects.iterator(chunk_size=2000):
        for name, kind in (("money_needed", Kind.MONEY), ("half_days_needed", Kind.TIME)):
            expected = needed.get((project.pk, kind), 0)
            if getattr(project, name) != expected:
                mismatches.append(
                    Mismatch(f"project {project.slug} {name}", getattr(project, name), expected)
                )
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


def _check_amendments(
    states: dict[int, str],
    links: _Links,
    shape: dict[int, tuple],
    amendments: list[tuple[int, int, int]],
) -> list[Mismatch]:
    """Amendments against their originals: an amendment changes only the amount of the pledge it
    names; only an amendment is ever proposed, and it is never offered but by taking its
    original's place; an original is superseded exactly when one amendment took its place, and
    the two events name each other; no original has two live amendments. (Totals count the
    replacement and never the superseded original: superseded is not a counted state.)"""
    found: list[Mismatch] = []
    original_of = {pk: original for pk, original, _amount in amendments}
    live: dict[int, list[int]] = defaultdict(list)
    replacements: dict[int, list[int]] = defaultdict(list)
    for pk, original, amount in amendments:
        what = f"pledge {pk} (amends {original})"
        if original not in shape:  # pragma: no cover - the foreign key protects it
            found.append(Mismatch(f"{what} original", "(missing)", "a pledge"))
            continue
        if shape[pk][:5] != shape[original][:5]:
            found.append(
                Mismatch(f"{what} project, need, council, kind, role", shape[pk][:5], "as amended")
            )
        if amount == shape[original][5]:
            found.append(Mismatch(f"{what} amount", amount, "a changed amount"))
        if links.first_state.get(pk) not in (PledgeState.PROPOSED, PledgeState.PENDING):
            found.append(Mismatch(f"{what} first state", links.first_state.get(pk), "proposed"))
        if links.first_link.get(pk) != original:
            found.append(Mismatch(f"{what} first event link", links.first_link.get(pk), original))
        if links.signed_off_to.get(pk, PledgeState.PROPOSED) != PledgeState.PROPOSED:
            found.append(
                Mismatch(f"{what} sign-off", links.signed_off_to[pk], "proposed, never offered")
            )
        if pk in links.took_over:
            replacements[original].append(pk)
            if links.took_over[pk] != original:
                found.append(Mismatch(f"{what} take-over link", links.took_over[pk], original))
        if states.get(pk) in LIVE_AMENDMENT_STATES:
            live[original].append(pk)
    for pk, first in links.first_state.items():
        if pk not in original_of and first == PledgeState.PROPOSED:
            found.append(Mismatch(f"pledge {pk} first state", first, "not an amendment"))
    for pk, to_state in links.signed_off_to.items():
        if pk not in original_of and to_state != PledgeState.OFFERED:
            found.append(Mismatch(f"pledge {pk} sign-off", to_state, "offered"))
    for pk in links.took_over:
        if pk not in original_of:
            found.append(Mismatch(f"pledge {pk} take-over", "from proposed", "not an amendment"))
    for original, pks in live.items():
        if len(pks) > 1:
            found.append(Mismatch(f"pledge {original} live amendments", sorted(pks), "one at most"))
    for original in set(links.superseded_by) | set(replacements):
        by = replacements.get(original, [])
        what = f"pledge {original} replacement"
        if states.get(original) != PledgeState.SUPERSEDED or len(by) != 1:
            found.append(Mismatch(what, sorted(by), "exactly one, for a superseded pledge"))
        elif links.superseded_by.get(original) != by[0]:
            found.append(Mismatch(f"{what} link", links.superseded_by.get(original), by[0]))
    return found
