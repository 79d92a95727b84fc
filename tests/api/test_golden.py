"""The API's JSON, pinned byte for byte against tests/api/golden/: the project listing, one
project with its needs, and the root.

A change to the payload (a field renamed, a total computed differently, a date format) fails
here, so it is a decision rather than an accident. To accept a deliberate change:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/api/test_golden.py

then review the diff of the golden file and commit it with the change.
"""

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import time_machine
from rest_framework.test import APIClient

from councils.models import Nation
from projects import services
from projects.models import Kind, Licence, Phase, PledgeState, Role, State
from tests.factories import (
    CouncilFactory,
    NeedFactory,
    ProjectFactory,
    ServiceAreaFactory,
    make_pledge,
    verified_member,
)

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden" / "project_list.json"
TEST_HOST = "http://testserver"
GOLDEN_HOST = "https://pipeline.example"
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _normalise(value):
    """The test server's address becomes one fixed host; nothing else changes."""
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str) and value.startswith(TEST_HOST + "/"):
        return GOLDEN_HOST + value[len(TEST_HOST) :]
    return value


def build_data(traveller) -> None:
    waste = ServiceAreaFactory(name="Waste and recycling", slug="waste-and-recycling")
    housing = ServiceAreaFactory(name="Housing", slug="housing")
    ServiceAreaFactory(name="Parking", slug="parking")
    greenton = CouncilFactory(
        code="GRT", short_name="Greenton", name="Greenton Borough Council", gss_code="E07000901"
    )
    hillham = CouncilFactory(
        code="HLM", short_name="Hillham", name="Hillham District Council", gss_code="E07000902"
    )
    cardiff = CouncilFactory(
        code="CRF",
        short_name="Cardiff",
        name="Cardiff Council",
        name_cy="Caerdydd",
        gss_code="W06000015",
        nation=Nation.WALES,
        region="",
    )

    bins = ProjectFactory(
        title="Bin day finder",
        slug="bin-day-finder",
        summary="Tell residents when their bins are collected",
        lead_council=greenton,
        phase=Phase.ALPHA,
        state=State.SEEKING_SUPPORT,
        published_at=NOW,
        pledging_deadline=dt.date(2026, 6, 30),
        partner_target=5,
        code_url="https://github.com/example/bin-day-finder",
        licence=Licence.OGL,
        service_areas=[waste],
        owner=verified_member(greenton, first_name="Gwen", last_name="Greenway"),
    )
    bins_money = NeedFactory(project=bins, kind=Kind.MONEY, amount=2_000_000)
    bins_time = NeedFactory(project=bins, kind=Kind.TIME, role=Role.DEVELOPER, amount=60)
    traveller.shift(dt.timedelta(hours=1))

    repairs = ProjectFactory(
        title="Housing repairs reporting",
        slug="housing-repairs",
        summary="Report a repair and follow it to the end",
        lead_council=cardiff,
        phase=Phase.DISCOVERY,
        state=State.SEEKING_SUPPORT,
        published_at=NOW + dt.timedelta(hours=1),
        service_areas=[housing, waste],
    )
    repairs_time = NeedFactory(project=repairs, kind=Kind.TIME, role=Role.DESIGNER, amount=11)
    traveller.shift(dt.timedelta(hours=1))

    old = ProjectFactory(
        title="Old permits",
        slug="old-permits",
        summary="Finished",
        lead_council=hillham,
        phase=Phase.LIVE,
        state=State.SEEKING_SUPPORT,
        published_at=NOW - dt.timedelta(days=30),
        licence=Licence.MIT,
    )
    NeedFactory(project=old, kind=Kind.MONEY, amount=100)

    # Not listed: a draft, and a hidden project.
    ProjectFactory(title="Draft", slug="a-draft", lead_council=greenton)
    ProjectFactory(
        title="Hidden",
        slug="hidden",
        lead_council=greenton,
        published=True,
        is_hidden=True,
        hidden_reason="Duplicate",
    )

    hillham_officer = verified_member(hillham)
    cardiff_officer = verified_member(cardiff)
    greenton_officer = verified_member(greenton)
    make_pledge(
        bins,
        council=hillham,
        actor=hillham_officer,
        need=bins_money,
        amount=500_000,
        state=PledgeState.FULFILLED,
    )
    make_pledge(
        bins,
        council=cardiff,
        actor=cardiff_officer,
        need=bins_time,
        kind=Kind.TIME,
        amount=21,
        state=PledgeState.ACCEPTED,
    )
    make_pledge(bins, council=cardiff, actor=cardiff_officer, amount=12_345)
    make_pledge(
        bins, council=hillham, actor=hillham_officer, amount=99, state=PledgeState.WITHDRAWN
    )
    make_pledge(
        repairs,
        council=greenton,
        actor=greenton_officer,
        need=repairs_time,
        kind=Kind.TIME,
        amount=11,
        state=PledgeState.FULFILLED,
    )
    make_pledge(
        repairs, council=hillham, actor=hillham_officer, amount=7_500, state=PledgeState.DECLINED
    )
    services.project_set_state(actor=old.owner, project=old, state=State.IN_DELIVERY)
    services.project_set_state(actor=old.owner, project=old, state=State.COMPLETED)


GOLDEN_URLS = {
    "project_list.json": "/api/v1/projects/",
    # A money need and a time need, with progress in the one money shape and exact days.
    "project_detail.json": "/api/v1/projects/bin-day-finder/",
    "root.json": "/api/v1/",
}


@pytest.mark.parametrize("name", GOLDEN_URLS)
def test_payload_matches_the_golden_file(name):
    golden = GOLDEN.parent / name
    with time_machine.travel(NOW, tick=False) as traveller:
        build_data(traveller)
        response = APIClient().get(GOLDEN_URLS[name])
    assert response.status_code == 200
    payload = _normalise(response.json())
    for position, need in enumerate(payload.get("needs", []), start=1):
        need["id"] = position  # database ids differ between SQLite and PostgreSQL runs
    text = json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=False) + "\n"

    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        pytest.skip(f"Wrote {golden}; review the diff and commit it")
    if not golden.exists():
        pytest.fail(
            f"{golden} is missing. Create it with\n"
            "    UPDATE_GOLDEN=1 .venv/bin/pytest tests/api/test_golden.py\n"
            "then check what it pins and commit it."
        )
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert payload == expected, (
        f"The JSON of {GOLDEN_URLS[name]} changed. If that is deliberate, rewrite the golden "
        "file with UPDATE_GOLDEN=1 and commit the diff."
    )
    # Key order is part of what clients see too.
    assert text == golden.read_text(encoding="utf-8")


def test_normalise_only_touches_the_test_host():
    assert _normalise({"url": "http://testserver/projects/x/"}) == {
        "url": "https://pipeline.example/projects/x/"
    }
    assert _normalise(["https://github.com/x", "http://testserverx/"]) == [
        "https://github.com/x",
        "http://testserverx/",
    ]
