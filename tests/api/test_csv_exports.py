"""/api/v1/projects.csv and /api/v1/pledges.csv say what the JSON listings say, for the same
filters: the same rows in the same order with the same amounts. Bad filters are a JSON 400."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from rest_framework.test import APIClient

from projects.exports import PLEDGE_COLUMNS, PROJECT_COLUMNS
from projects.filters import SORTS

from .conftest import assert_error
from .test_golden import NOW, build_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    with time_machine.travel(NOW, tick=False) as traveller:
        build_data(traveller)
        yield


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = b"".join(response.streaming_content).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return reader.fieldnames, rows


def read_json(url: str) -> list[dict]:
    rows = []
    while url:
        response = APIClient().get(url)
        assert response.status_code == 200, response.content[:300]
        rows += response.json()["results"]
        url = response.json()["next"]
    return rows


def _when(value: str):
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _days(value) -> Decimal:
    return Decimal(value or "0")


PROJECT_QUERIES = [
    "",
    "phase=alpha",
    "phase=alpha&phase=discovery",
    "state=completed",
    "lead_council=GRT",
    "lead_council=grt",
    "partner_council=HLM",
    "partner_council=CRF",
    "needs=time",
    "needs=money",
    "role=designer",
    "area=waste-and-recycling",
    "q=bins",
    "q=repair",
    *(f"sort={sort}" for sort in SORTS),
    "sort=closing&needs=money",
]


@pytest.mark.parametrize("query", PROJECT_QUERIES, ids=lambda q: q or "no filters")
def test_projects_csv_matches_the_json_listing(data, query):
    columns, rows = read_csv(APIClient().get(f"/api/v1/projects.csv?{query}"))
    assert columns == PROJECT_COLUMNS
    listed = read_json(f"/api/v1/projects/?{query}&page_size=2")

    assert [r["slug"] for r in rows] == [p["slug"] for p in listed]
    for row, project in zip(rows, listed, strict=True):
        totals = project["totals"]
        for kind in ("needed", "offered", "accepted", "fulfilled"):
            assert int(row[f"money_{kind}_pence"]) == totals[f"money_{kind}"]["amount_pence"]
            assert _days(row[f"days_{kind}"]) == _days(totals[f"days_{kind}"])
        assert int(row["partner_count"]) == totals["partner_count"]
        assert (row["partner_target"] or None) == (
            str(totals["partner_target"]) if totals["partner_target"] else None
        )
        assert row["title"] == project["title"]
        assert row["phase"] == project["phase"]
        assert row["state"] == project["state"]
        assert row["lead_council_code"] == project["lead_council"]["code"]
        assert row["lead_council_gss_code"] == project["lead_council"]["gss_code"]
        assert row["lead_council_name"] == project["lead_council"]["name"]
        assert row["service_areas"].split() == project["service_areas"]
        assert (row["pledging_deadline"] or None) == project["pledging_deadline"]
        assert _when(row["published_at"]) == _when(project["published_at"])
        assert row["url"] == project["url"]


def test_the_data_covers_what_the_filters_compare(data):
    """Guard against a comparison of two empty lists passing."""
    assert len(read_json("/api/v1/projects/")) == 3
    assert len(read_json("/api/v1/pledges/")) == 6
    assert read_json("/api/v1/projects/?partner_council=HLM")
    assert read_json("/api/v1/pledges/?state=accepted&state=fulfilled")


PLEDGE_QUERIES = [
    "",
    "project=bin-day-finder",
    "project=housing-repairs",
    "council=HLM",
    "council=crf",
    "lead_council=GRT",
    "state=offered",
    "state=accepted&state=fulfilled",
    "state=withdrawn&state=declined",
    "kind=time",
    "kind=money&council=HLM",
]


@pytest.mark.parametrize("query", PLEDGE_QUERIES, ids=lambda q: q or "no filters")
def test_pledges_csv_matches_the_json_listing(data, query):
    columns, rows = read_csv(APIClient().get(f"/api/v1/pledges.csv?{query}"))
    assert columns == PLEDGE_COLUMNS
    listed = read_json(f"/api/v1/pledges/?{query}&page_size=2")

    assert [int(r["pledge_id"]) for r in rows] == [p["id"] for p in listed]
    for row, pledge in zip(rows, listed, strict=True):
        if pledge["kind"] == "money":
            assert int(row["amount_pence"]) == pledge["amount"]["amount_pence"]
            assert row["days"] == ""
        else:
            assert row["amount_pence"] == ""
            assert _days(row["days"]) == _days(pledge["days"])
        assert row["kind"] == pledge["kind"]
        assert row["state"] == pledge["state"]
        assert row["pledging_council_code"] == pledge["council"]["code"]
        assert row["pledging_council_gss_code"] == pledge["council"]["gss_code"]
        assert (int(row["need_id"]) if row["need_id"] else None) == pledge["need"]
        assert row["role"] == pledge["role"]
        assert row["note"] == pledge["note"]
        assert row["pledged_by"] == pledge["pledged_by"]
        assert row["project_url"].endswith(f"/projects/{pledge['project']}/")
        assert _when(row["created_at"]) == _when(pledge["created_at"])
        assert _when(row["state_changed_at"]) == _when(pledge["state_changed_at"])


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/projects.csv?phase=bogus", "phase"),
        ("/api/v1/projects.csv?sort=random", "sort"),
        ("/api/v1/projects.csv?state=draft", "state"),
        ("/api/v1/projects.csv?area=nowhere", "area"),
        ("/api/v1/pledges.csv?state=bogus", "state"),
        ("/api/v1/pledges.csv?kind=gold", "kind"),
    ],
)
@pytest.mark.parametrize("accept", [None, "text/csv", "application/json"])
def test_bad_filters_are_a_json_400(url, field, accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = APIClient().get(url, **headers)
    assert_error(response, 400, field=field)


@pytest.mark.parametrize("url", ["/api/v1/projects.csv", "/api/v1/pledges.csv"])
@pytest.mark.parametrize("accept", ["text/csv", "text/csv, */*;q=0.1", "application/json", "*/*"])
def test_csv_whatever_the_accept_header(data, url, accept):
    """Spreadsheet tools and scripts ask for text/csv; that was a 406 before."""
    _, rows = read_csv(APIClient().get(url, HTTP_ACCEPT=accept))
    assert rows


def test_drafts_and_hidden_projects_are_not_exported(data):
    _, projects = read_csv(APIClient().get("/api/v1/projects.csv"))
    assert {r["slug"] for r in projects} == {"bin-day-finder", "housing-repairs", "old-permits"}
