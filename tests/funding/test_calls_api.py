"""/api/v1/calls/: the same calls, filters and visibility as /funding/, as JSON.

The detail is pinned byte for byte against tests/api/golden/call_detail.json. To accept a
deliberate change: ``UPDATE_GOLDEN=1 .venv/bin/pytest tests/funding/test_calls_api.py``, then
review the diff of the golden file and commit it with the change.
"""

import datetime
import json
import os
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from funding.models import Call, CallStatus, FunderRole
from tests.api.conftest import assert_error, token_client
from tests.factories import (
    CallFactory,
    CommitmentFactory,
    CouncilFactory,
    FunderFactory,
    OrganiserFactory,
    ServiceAreaFactory,
    UserFactory,
    funder_member,
)

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).resolve().parent.parent / "api" / "golden" / "call_detail.json"
NOW = datetime.datetime(2027, 3, 2, 9, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def calls():
    with time_machine.travel(NOW, tick=False):
        funder = FunderFactory(name="Department for Digital Things", slug="ddt")
        made = {
            "open": CallFactory(funder=funder, slug="open-round", closes_at=NOW + 5 * DAY),
            "upcoming": CallFactory(
                slug="next-round", opens_at=NOW + 9 * DAY, closes_at=NOW + 40 * DAY
            ),
            "closed": CallFactory(
                funder=funder, slug="closed-round", opens_at=NOW - 40 * DAY, closes_at=NOW - DAY
            ),
            "decided": CallFactory(
                slug="decided-round",
                opens_at=NOW - 90 * DAY,
                closes_at=NOW - 60 * DAY,
                status=CallStatus.DECIDED,
                decided_at=NOW - 10 * DAY,
            ),
            "draft": CallFactory(
                funder=funder, slug="secret-round", status=CallStatus.DRAFT, published_at=None
            ),
        }
    with time_machine.travel(NOW, tick=False):
        yield made


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [row["slug"] for row in response.json()["results"]]


def test_the_list_has_public_calls_with_their_status_and_never_drafts(api, calls):
    body = api.get("/api/v1/calls/").json()

    by_slug = {row["slug"]: row for row in body["results"]}
    assert set(by_slug) == {"open-round", "next-round", "closed-round", "decided-round"}
    assert {s: r["status"] for s, r in by_slug.items()} == {
        "open-round": "open",
        "next-round": "upcoming",
        "closed-round": "closed",
        "decided-round": "decided",
    }
    assert set(body) == {"next", "previous", "results"}
    assert by_slug["open-round"]["budget"] == {"amount_pence": 500_000_00, "currency": "GBP"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=open", ["open-round"]),
        ("status=upcoming", ["next-round"]),
        ("status=closed", ["closed-round"]),
        ("status=decided", ["decided-round"]),
        ("funder=ddt", ["open-round", "closed-round"]),
        ("funder=ddt&status=open", ["open-round"]),
        ("nation=Wales", ["open-round", "next-round", "decided-round"]),
        ("area=waste", ["open-round", "closed-round", "decided-round"]),
    ],
)
def test_filters_are_the_pages(api, calls, query, expected):
    Call.objects.filter(slug="closed-round").update(nations=["England"])
    calls["upcoming"].service_areas.add(ServiceAreaFactory(slug="parking"))
    calls["closed"].service_areas.add(ServiceAreaFactory(slug="waste"))

    assert sorted(slugs(api.get(f"/api/v1/calls/?{query}"))) == sorted(expected)


def test_sections_come_in_their_own_order(api, calls):
    with time_machine.travel(NOW, tick=False):
        CallFactory(slug="closing-first", opens_at=NOW - DAY, closes_at=NOW + DAY)
    assert slugs(api.get("/api/v1/calls/?status=open")) == ["closing-first", "open-round"]


@pytest.mark.parametrize("query", ["status=soon", "nation=Mars", "funder=nobody", "area=nowhere"])
def test_bad_filters_are_400_with_the_field(api, calls, query):
    assert_error(api.get(f"/api/v1/calls/?{query}"), 400, field=query.split("=")[0])


def test_cursor_pages(api, calls):
    first = api.get("/api/v1/calls/?page_size=2").json()
    second = api.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 2
    assert not {r["slug"] for r in first["results"]} & {r["slug"] for r in second["results"]}
    assert api.get("/api/v1/calls/?cursor=garbage").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "token"])
def test_the_list_runs_as_many_queries_for_many_calls_as_for_one(who):
    reader = UserFactory()

    def client():
        return APIClient() if who == "anonymous" else token_client(reader)

    CouncilFactory(authority_type="UA", authority_type_name="Unitary authority")
    CallFactory(council_types=["UA"])
    reading = client()  # a new token each time, made before counting
    with CaptureQueriesContext(connection) as one:
        assert len(reading.get("/api/v1/calls/").json()["results"]) == 1
    for n in range(30):
        call = CallFactory(council_types=["UA"], nations=["Wales"])
        call.service_areas.add(ServiceAreaFactory())
        call.required_commitments.add(CommitmentFactory())
        if n % 3 == 0:
            Call.objects.filter(pk=call.pk).update(status=CallStatus.DECIDED, decided_at=NOW)
    reading = client()
    with CaptureQueriesContext(connection) as many:
        assert len(reading.get("/api/v1/calls/").json()["results"]) == 31
    assert len(one) == len(many), [q["sql"][:150] for q in many.captured_queries]
    assert len(one) <= 8, [q["sql"][:150] for q in one.captured_queries]


# --- one call ---------------------------------------------------------------------------------


def _normalise(value):
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str) and value.startswith("http://testserver/"):
        return "https://pipeline.example/" + value[len("http://testserver/") :]
    return value


def test_a_call_with_its_rules_questions_and_criteria_is_pinned(api):
    with time_machine.travel(NOW, tick=False):
        CouncilFactory(authority_type="UA", authority_type_name="Unitary authority")
        funder = FunderFactory(
            name="Department for Digital Things", name_cy="Adran Pethau Digidol", slug="ddt"
        )
        call = CallFactory(
            funder=funder,
            title="Local Digital Fund, round 9",
            slug="local-digital-fund-round-9",
            summary="Money for councils that build together.",
            description="Read the **prospectus**.",
            opens_at=NOW - 7 * DAY,
            closes_at=NOW + 21 * DAY,
            published_at=NOW - 8 * DAY,
            decision_expected_on=datetime.date(2027, 6, 30),
            min_partners=2,
            nations=["England", "Wales"],
            council_types=["UA"],
            phases=["discovery", "alpha"],
            awards_per_service_area=1,
        )
        call.service_areas.add(ServiceAreaFactory(name="Waste and recycling", slug="waste"))
        call.required_commitments.add(CommitmentFactory())
        body = _normalise(api.get("/api/v1/calls/local-digital-fund-round-9/").json())

    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    assert body == json.loads(GOLDEN.read_text())


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 404), ("stranger", 404), ("other_funder", 404), ("member", 200), ("org", 200)],
)
def test_a_draft_is_seen_only_by_its_funders_members_and_organisers(calls, who, status):
    draft = calls["draft"]
    people = {
        "stranger": UserFactory(),
        "other_funder": funder_member(role=FunderRole.ADMIN),
        "member": funder_member(draft.funder, role=FunderRole.ASSESSOR),
        "org": OrganiserFactory(),
    }
    client = APIClient() if who == "anonymous" else token_client(people[who])

    response = client.get(f"/api/v1/calls/{draft.slug}/")

    assert response.status_code == status
    if status == 404:
        assert_error(response, 404)
    else:
        assert response.json()["status"] == "draft"
    assert draft.slug not in slugs(client.get("/api/v1/calls/"))


def test_no_such_call_is_a_404(api, calls):
    assert_error(api.get("/api/v1/calls/no-such-call/"), 404)
