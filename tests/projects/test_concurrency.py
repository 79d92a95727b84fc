"""Concurrent pledge writes on PostgreSQL: stored totals stay equal to the ledger.

Each thread has its own database connection (Django connections are per thread) and closes it
when done. Run with ``-s`` to see the timings and counts.
"""

import random
import threading
import time
from collections import Counter
from functools import partial
from statistics import median

import pytest
from django.db import OperationalError, connection, transaction
from django.db.models import Count, Q, Sum

from core.errors import Conflict
from projects import services
from projects.ledger import check_ledger
from projects.models import Kind, Need, Pledge, PledgeEvent, PledgeState, Project
from tests.factories import CouncilFactory, published_project, verified_member
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 24
OPERATIONS_PER_THREAD = 15
COUNCILS = 6
OWNER_ACTIONS = ("accept", "decline", "fulfil")


def test_concurrent_offers_and_decisions_on_one_project_match_the_ledger():
    project = published_project(title="Shared waste service")
    owner = project.owner
    admin = verified_member(project.lead_council, admin=True)
    money_need = project.needs.get(kind=Kind.MONEY)
    time_need = project.needs.get(kind=Kind.TIME)
    councils = [CouncilFactory() for _ in range(COUNCILS)]
    members = {council.pk: verified_member(council) for council in councils}
    connection.close()  # the threads open their own

    latencies: list[float] = []  # seconds per service call (list.append is thread-safe)

    def attempt(done: Counter, unexpected: list, name: str, call) -> None:
        started = time.perf_counter()
        try:
            call()
            done[name] += 1
        except Conflict:
            done["conflict"] += 1
        except Exception as exc:
            unexpected.append(repr(exc))
        finally:
            latencies.append(time.perf_counter() - started)

    def pledger(index: int) -> tuple[Counter, list]:
        rng = random.Random(index)
        council = councils[index % COUNCILS]
        actor = members[council.pk]
        done, unexpected = Counter(), []
        for _ in range(OPERATIONS_PER_THREAD):
            if rng.random() < 0.7:
                kind = rng.choice([Kind.MONEY, Kind.TIME])
                attempt(
                    done,
                    unexpected,
                    "offer",
                    partial(
                        services.pledge_offer,
                        actor=actor,
                        project=project,
                        council=council,
                        kind=kind,
                        amount=rng.randint(1, 100_000)
                        if kind == Kind.MONEY
                        else rng.randint(1, 20),
                        need=rng.choice([None, money_need if kind == Kind.MONEY else time_need]),
                    ),
                )
                continue
            ids = list(
                Pledge.objects.filter(
                    council=council, state__in=(PledgeState.OFFERED, PledgeState.ACCEPTED)
                ).values_list("pk", flat=True)
            )
            if not ids:
                done["nothing to withdraw"] += 1
                continue
            pledge = Pledge.objects.get(pk=rng.choice(ids))
            attempt(
                done,
                unexpected,
                "withdraw",
                partial(services.pledge_withdraw, actor=actor, pledge=pledge, reason="Moved"),
            )
        return done, unexpected

    def decider(index: int) -> tuple[Counter, list]:
        rng = random.Random(1000 + index)
        actor = owner if index % 2 else admin
        done, unexpected = Counter(), []
        for _ in range(OPERATIONS_PER_THREAD):
            action = rng.choice(OWNER_ACTIONS)
            # Mostly a pledge that looked ready a moment ago (others may get there first);
            # sometimes any pledge at all, to try moves the lifecycle refuses.
            pledges = Pledge.objects.filter(project=project)
            if rng.random() < 0.85:
                ready = PledgeState.ACCEPTED if action == "fulfil" else PledgeState.OFFERED
                pledges = pledges.filter(state=ready)
            ids = list(pledges.values_list("pk", flat=True))
            if not ids:
                time.sleep(0.005)
                done["nothing to decide"] += 1
                continue
            pledge = Pledge.objects.get(pk=rng.choice(ids))
            call = getattr(services, f"pledge_{action}")
            attempt(
                done, unexpected, action, partial(call, actor=actor, pledge=pledge, note=action)
            )
        return done, unexpected

    def work(index: int):
        # A third of the threads decide as the owner or a lead-council admin; the rest pledge.
        return decider(index) if index % 3 == 0 else pledger(index)

    started = time.perf_counter()
    results = run_at_once(THREADS, work)
    elapsed = time.perf_counter() - started

    crashed = [r for r in results if isinstance(r, BaseException)]
    assert crashed == []
    totals, unexpected = Counter(), []
    for done, errors in results:
        totals.update(done)
        unexpected.extend(errors)
    assert unexpected == []  # nothing but Conflict, ever

    transitions = sum(totals[a] for a in ("accept", "decline", "fulfil", "withdraw"))
    events = PledgeEvent.objects.filter(pledge__project=project)
    assert Pledge.objects.filter(project=project).count() == totals["offer"]
    assert events.count() == totals["offer"] + transitions
    assert not events.values("pledge", "sequence").annotate(n=Count("pk")).filter(n__gt=1)
    for pledge_id, n, top in events.values_list("pledge").annotate(
        n=Count("pk"), top=Sum("sequence")
    ):
        assert top == n * (n + 1) // 2, f"pledge {pledge_id} events are not 1..{n}"

    assert check_ledger() == []
    stored = Project.objects.get(pk=project.pk)
    for prefix, kind in (("money", Kind.MONEY), ("half_days", Kind.TIME)):
        for state in ("offered", "accepted", "fulfilled"):
            recomputed = Pledge.objects.filter(project=project, kind=kind, state=state).aggregate(
                s=Sum("amount", default=0)
            )["s"]
            assert getattr(stored, f"{prefix}_{state}") == recomputed
    for need in Need.objects.filter(project=project):
        for state in ("offered", "accepted", "fulfilled"):
            recomputed = need.pledges.filter(state=state).aggregate(s=Sum("amount", default=0))
            assert getattr(need, state) == recomputed["s"]
    partners = (
        Pledge.objects.filter(project=project)
        .filter(Q(state=PledgeState.ACCEPTED) | Q(state=PledgeState.FULFILLED))
        .values("council")
        .distinct()
        .count()
    )
    assert stored.partner_count == partners
    by_state = dict(
        Pledge.objects.filter(project=project).values_list("state").annotate(n=Count("pk"))
    )
    operations = totals["offer"] + transitions + totals["conflict"]
    print(
        f"\nconcurrency: {THREADS} threads, {operations} operations in {elapsed:.2f}s "
        f"({operations / elapsed:.0f}/s): {totals['offer']} offers, "
        + ", ".join(f"{totals[a]} {a}" for a in ("accept", "decline", "fulfil", "withdraw"))
        + f", {totals['conflict']} refused with Conflict; {events.count()} ledger events; "
        f"pledges by state {by_state}; money offered/accepted/fulfilled "
        f"{stored.money_offered}/{stored.money_accepted}/{stored.money_fulfilled} pence, "
        f"half-days {stored.half_days_offered}/{stored.half_days_accepted}/"
        f"{stored.half_days_fulfilled}; {stored.partner_count} partner councils; "
        "check_ledger: no mismatches; "
        f"per call median {median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    assert totals["offer"] > 0 and transitions > 0


def test_concurrent_decisions_on_one_pledge_only_one_wins():
    """Many people accept or decline the same offer at once: one wins, the rest get Conflict."""
    project = published_project()
    council = CouncilFactory()
    pledge = services.pledge_offer(
        actor=verified_member(council), project=project, council=council, kind=Kind.MONEY, amount=5
    )
    owner = project.owner
    connection.close()

    def decide(index: int) -> str:
        action = services.pledge_accept if index % 2 else services.pledge_decline
        try:
            action(actor=owner, pledge=Pledge.objects.get(pk=pledge.pk))
        except Conflict:
            return "conflict"
        return "won"

    results = run_at_once(THREADS, decide)
    assert sorted(results) == ["conflict"] * (THREADS - 1) + ["won"]
    assert pledge.events.count() == 2
    assert check_ledger() == []


def test_a_pledge_write_on_one_project_does_not_hold_up_other_projects_of_its_lead_council():
    """A pledge on project A locks A's row only, not its lead council's row.

    Otherwise the lead council could not pledge to any other project until it commits, and two
    councils pledging to each other's projects at once deadlock.
    """
    leadshire, partnerton = CouncilFactory(), CouncilFactory()
    ours = published_project(lead_council=leadshire)
    theirs = published_project(lead_council=partnerton)
    our_member, their_member = verified_member(leadshire), verified_member(partnerton)
    connection.close()
    holding, release = threading.Event(), threading.Event()

    def slow_pledge_on_ours() -> None:
        try:
            with transaction.atomic():
                services.pledge_offer(
                    actor=their_member,
                    project=ours,
                    council=partnerton,
                    kind=Kind.MONEY,
                    amount=100,
                )
                holding.set()
                release.wait(timeout=20)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_pledge_on_ours)
    thread.start()
    try:
        assert holding.wait(timeout=20)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        started = time.perf_counter()
        try:
            services.pledge_offer(
                actor=our_member, project=theirs, council=leadshire, kind=Kind.MONEY, amount=200
            )
        except OperationalError as exc:
            pytest.fail(f"a pledge on another project waited for a lock and gave up: {exc}")
        waited = time.perf_counter() - started
    finally:
        release.set()
        thread.join(timeout=30)
        connection.close()
    assert waited < 2
    assert Project.objects.get(pk=theirs.pk).money_offered == 200
    assert Project.objects.get(pk=ours.pk).money_offered == 100
    assert check_ledger() == []
