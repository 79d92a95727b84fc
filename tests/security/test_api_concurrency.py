"""50 concurrent API clients offering, accepting, declining, fulfilling and withdrawing pledges
on the same projects, over HTTP (each thread its own client, bearer token and database
connection). Afterwards every stored total equals the ledger (``check_ledger()`` is clean), every
successful write left exactly one event, no event is duplicated or missing, and no response was
a 500: a write that lost a race is a 409.

PostgreSQL only (SQLite serialises writers with a file lock). Run with ``-s`` for the counts.
"""

import random
import time
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count, Max
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from projects.ledger import check_ledger
from projects.models import Pledge, PledgeEvent, PledgeState
from tests.factories import CouncilFactory, published_project, verified_member
from tests.threads import run_at_once

from .helpers import token_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 50
OPERATIONS = 8
PROJECTS = 3
COUNCILS = 8
DECIDERS = 14  # threads acting for the projects' owners; the rest pledge and withdraw


@pytest.fixture
def unthrottled(monkeypatch, settings):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None, "token": None}
    )
    settings.PIPELINE_RATE_LIMITS = {}


def test_fifty_concurrent_api_clients_keep_totals_equal_to_the_ledger(unthrottled):
    lead = CouncilFactory()
    projects = [published_project(lead_council=lead) for _ in range(PROJECTS)]
    owner_tokens = [token_for(p.owner) for p in projects]
    councils = [CouncilFactory() for _ in range(COUNCILS)]
    members = [verified_member(c) for c in councils]
    member_tokens = [token_for(m) for m in members]
    connection.close()  # each thread opens its own

    def client(token: str) -> APIClient:
        c = APIClient()
        c.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return c

    def pledger(index: int) -> Counter:
        rng = random.Random(index)
        which = index % COUNCILS
        api, council = client(member_tokens[which]), councils[which]
        seen = Counter()
        for _ in range(OPERATIONS):
            project = rng.choice(projects)
            if rng.random() < 0.65:
                response = api.post(
                    "/api/v1/pledges/",
                    {
                        "project": project.slug,
                        "council": council.code,
                        "kind": "money",
                        "amount_pence": rng.randint(1, 500_000),
                    },
                    format="json",
                )
                seen[("offer", response.status_code)] += 1
                continue
            ids = list(
                Pledge.objects.filter(
                    council=council, state__in=(PledgeState.OFFERED, PledgeState.ACCEPTED)
                ).values_list("pk", flat=True)
            )
            if not ids:
                seen[("nothing to withdraw", 0)] += 1
                continue
            response = api.post(
                f"/api/v1/pledges/{rng.choice(ids)}/withdraw/",
                {"reason": "Budget moved"},
                format="json",
            )
            seen[("withdraw", response.status_code)] += 1
        return seen

    def decider(index: int) -> Counter:
        rng = random.Random(1000 + index)
        which = index % PROJECTS
        api, project = client(owner_tokens[which]), projects[which]
        seen = Counter()
        decided = attempts = 0
        while decided < OPERATIONS and attempts < 40 * OPERATIONS:  # pledges arrive over time
            attempts += 1
            action = rng.choice(("accept", "decline", "fulfil"))
            wanted = PledgeState.ACCEPTED if action == "fulfil" else PledgeState.OFFERED
            pledges = Pledge.objects.filter(project=project)
            if rng.random() < 0.85:
                pledges = pledges.filter(state=wanted)
            ids = list(pledges.values_list("pk", flat=True))
            if not ids:
                time.sleep(0.02)
                seen[("nothing to decide", 0)] += 1
                continue
            decided += 1
            response = api.post(
                f"/api/v1/pledges/{rng.choice(ids)}/{action}/", {"note": action}, format="json"
            )
            seen[(action, response.status_code)] += 1
        return seen

    started = time.perf_counter()
    results = run_at_once(THREADS, lambda i: decider(i) if i < DECIDERS else pledger(i))
    elapsed = time.perf_counter() - started

    crashed = [r for r in results if isinstance(r, BaseException)]
    assert crashed == []
    seen: Counter = Counter()
    for result in results:
        seen.update(result)
    statuses = Counter()
    for (_, status), n in seen.items():
        statuses[status] += n
    assert statuses[500] == 0, seen
    unexpected = {k: n for k, n in seen.items() if k[1] not in (0, 200, 201, 409)}
    assert unexpected == {}, f"only 200/201 (done) and 409 (lost a race) expected: {unexpected}"

    offers = seen[("offer", 201)]
    moves = sum(n for (what, status), n in seen.items() if status == 200)
    project_ids = [p.pk for p in projects]
    events = PledgeEvent.objects.filter(pledge__project_id__in=project_ids)
    assert Pledge.objects.filter(project_id__in=project_ids).count() == offers
    assert events.count() == offers + moves, "a lost or duplicated ledger event"
    assert not events.values("pledge", "sequence").annotate(n=Count("pk")).filter(n__gt=1)
    for pledge_id, n, top in events.values_list("pledge").annotate(
        n=Count("pk"), top=Max("sequence")
    ):
        assert top == n, f"pledge {pledge_id}: events are not numbered 1..{n}"
    assert check_ledger() == []
    requests = sum(n for (_, status), n in seen.items() if status)
    by_outcome = ", ".join(f"{what} {status}: {n}" for (what, status), n in sorted(seen.items()))
    print(
        f"\napi concurrency: {THREADS} clients, {requests} write requests in {elapsed:.1f}s "
        f"({by_outcome}); {events.count()} ledger events; check_ledger: no mismatches; "
        f"{statuses[500]} server errors"
    )
    assert offers > 0 and moves > 0 and statuses[409] >= 0
