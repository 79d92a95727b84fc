"""The open data's JSON, pinned byte for byte against tests/api/golden/: the application
listing (a submitted bid, a funded one, one withdrawn after submission; never the draft) and
one application. A change to the payload fails here, so it is a decision rather than an
accident. To accept a deliberate change:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/funding/test_applications_golden.py

then review the diff of the golden files and commit them with the change.
"""

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
import time_machine
from rest_framework.test import APIClient

from councils.models import Nation
from funding.models import Application, ApplicationState, FunderKind
from projects.models import Phase
from tests.api.test_golden import GOLDEN_HOST, TEST_HOST
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CouncilFactory,
    FunderFactory,
    ProjectFactory,
    ServiceAreaFactory,
)

from .applying import answer_all, confirm_partner

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent.parent / "api" / "golden"
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _normalise(value):
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str) and value.startswith(TEST_HOST + "/"):
        return GOLDEN_HOST + value[len(TEST_HOST) :]
    return value


def build_data() -> dict:
    funder = FunderFactory(
        name="Ministry of Shared Services", slug="mss", kind=FunderKind.GOVERNMENT
    )
    call = CallFactory(
        funder=funder,
        title="Local Digital Fund round 9",
        slug="ldf-9",
        opens_at=NOW - dt.timedelta(days=10),
        closes_at=NOW + dt.timedelta(days=20),
    )
    waste = ServiceAreaFactory(name="Waste and recycling", slug="waste-and-recycling")
    greenton = CouncilFactory(
        code="GRT", short_name="Greenton", name="Greenton Borough Council", gss_code="E07000901"
    )
    cardiff = CouncilFactory(
        code="CRF",
        short_name="Cardiff",
        name="Cardiff Council",
        name_cy="Caerdydd",
        gss_code="W06000015",
        nation=Nation.WALES,
    )
    hillham = CouncilFactory(
        code="HLM", short_name="Hillham", name="Hillham District Council", gss_code="E07000902"
    )

    def bid(slug: str, lead, **fields) -> Application:
        project = ProjectFactory(
            title=slug.replace("-", " ").capitalize(),
            slug=slug,
            lead_council=lead,
            published=True,
            service_areas=[waste],
        )
        application = ApplicationFactory(call=call, project=project, **fields)
        answer_all(application, "Never published")
        return application

    submitted = bid(
        "bin-day-finder",
        greenton,
        summary="Tell residents when their bins are collected",
        amount_requested=60_000_50,
        phase=Phase.DISCOVERY,
        state=ApplicationState.SUBMITTED,
        submitted_at=NOW - dt.timedelta(days=2),
    )
    confirm_partner(submitted, cardiff)
    funded = bid(
        "repairs",
        cardiff,
        summary="Report a repair and follow it",
        amount_requested=80_000_00,
        phase=Phase.ALPHA,
        state=ApplicationState.FUNDED,
        submitted_at=NOW - dt.timedelta(days=5),
        decided_at=NOW - dt.timedelta(days=1),
        award_amount=75_000_00,
    )
    confirm_partner(funded, hillham)
    confirm_partner(funded, greenton)
    bid(
        "permits",
        hillham,
        summary="Parking permits",
        state=ApplicationState.WITHDRAWN,
        submitted_at=NOW - dt.timedelta(days=4),
        withdrawn_at=NOW - dt.timedelta(days=3),
        withdrawn_reason="Merged with Greenton's bid",
    )
    bid("a-draft", greenton, summary="Not public")
    return {"submitted": submitted}


@pytest.mark.parametrize("name", ["application_list.json", "application_detail.json"])
def test_payload_matches_the_golden_file(name):
    golden = GOLDEN / name
    with time_machine.travel(NOW, tick=False):
        made = build_data()
        url = (
            "/api/v1/applications/"
            if name == "application_list.json"
            else f"/api/v1/applications/{made['submitted'].pk}/"
        )
        response = APIClient().get(url)
    assert response.status_code == 200
    payload = _normalise(response.json())
    # Database ids differ between runs: number them in order.
    rows = payload.get("results", [payload])
    ids = {row["id"]: position for position, row in enumerate(rows, start=1)}
    text = re.sub(
        r"/applications/(\d+)/",
        lambda match: f"/applications/{ids[int(match.group(1))]}/",
        json.dumps(payload, indent=2, ensure_ascii=False),
    )
    payload = json.loads(text)
    for row in payload.get("results", [payload]):
        row["id"] = ids[row["id"]]
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"

    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
        pytest.skip(f"Wrote {golden}; review the diff and commit it")
    if not golden.exists():
        pytest.fail(f"{golden} is missing: UPDATE_GOLDEN=1 makes it; review and commit it")
    assert payload == json.loads(golden.read_text(encoding="utf-8")), (
        f"The JSON of {url} changed. If that is deliberate, rewrite the golden file with "
        "UPDATE_GOLDEN=1 and commit the diff."
    )
    assert "Never published" not in text and "a-draft" not in text
