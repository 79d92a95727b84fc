"""/api/v1/benefits/ (list, one, record, national summary) and the two benefit CSVs: shapes,
filters, field errors as 4xx, who may record, constant queries, and totals that match."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from delivery.models import MAX_HOURS_SAVED, Benefit
from projects.models import MAX_MONEY_PENCE, Phase, Project
from tests.api.conftest import assert_error, session_client, token_client
from tests.factories import (
    AdoptionFactory,
    BenefitFactory,
    CouncilFactory,
    OrganiserFactory,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/benefits/"
SUMMARY = "/api/v1/benefits/summary/"
CSV = "/api/v1/benefits.csv"
SUMMARY_CSV = "/api/v1/benefits-by-project.csv"


def _body(adoption, **fields) -> dict:
    body = {
        "project": adoption.project.slug,
        "council": adoption.council.code,
        "cashable_savings_pence": 1_234_567,
        "hours_saved": 1_200,
        "people_served": 25_000,
        "non_cashable": "Fewer calls.",
        "evidence_url": "https://example.gov.uk/report",
        "confidence": "high",
    }
    body.update(fields)
    return body


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_anyone_reads_a_benefit_in_pence():
    benefit = BenefitFactory()
    body = APIClient().get(f"{LIST}{benefit.pk}/").json()
    adoption = benefit.adoption
    assert body == {
        "id": benefit.pk,
        "project": adoption.project.slug,
        "council": {
            "code": adoption.council.code,
            "gss_code": adoption.council.gss_code or None,
            "name": adoption.council.short_name,
            "name_cy": adoption.council.name_cy or None,
        },
        "adopted_on": adoption.adopted_on.isoformat(),
        "cashable_savings": {"amount_pence": 1_250_050, "currency": "GBP"},
        "hours_saved": 400,
        "people_served": 25_000,
        "non_cashable": "Fewer calls to the contact centre.",
        "evidence_url": "https://example.gov.uk/benefits-report",
        "confidence": "medium",
        "recorded_at": body["recorded_at"],
        "updated_at": body["updated_at"],
        "url": f"http://testserver{adoption.project.get_absolute_url()}#benefit-{benefit.pk}",
    }


def test_the_list_filters_by_project_and_council():
    project = published_project(phase=Phase.LIVE)
    mine = BenefitFactory(adoption=AdoptionFactory(project=project))
    theirs = BenefitFactory(adoption=AdoptionFactory(project=project))
    BenefitFactory()
    client = APIClient()
    by_project = client.get(LIST, {"project": project.slug}).json()["results"]
    assert {b["id"] for b in by_project} == {mine.pk, theirs.pk}
    code = mine.adoption.council.code.lower()  # any case
    assert [b["id"] for b in client.get(LIST, {"council": code}).json()["results"]] == [mine.pk]
    assert client.get(LIST, {"confidence": "high"}).json()["results"] == []
    assert_error(client.get(LIST, {"confidence": "sure"}), 400, field="confidence")


def test_hidden_projects_benefits_are_not_listed():
    benefit = BenefitFactory()
    Project.objects.filter(pk=benefit.adoption.project_id).update(
        is_hidden=True, hidden_reason="Spam"
    )
    assert APIClient().get(LIST).json()["results"] == []
    assert_error(APIClient().get(f"{LIST}{benefit.pk}/"), 404)
    assert_error(APIClient().get(f"{LIST}nope/"), 404)


def test_the_list_runs_the_same_queries_for_1_or_many():
    client = APIClient()

    def count(rows: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert len(client.get(LIST).json()["results"]) == rows
        return len(ctx.captured_queries)

    BenefitFactory()
    one = count(1)
    for _ in range(29):
        BenefitFactory()
    assert count(30) == one


def test_a_member_of_the_adopting_council_records_and_then_updates():
    adoption = AdoptionFactory()
    client = token_client(verified_member(adoption.council))
    created = client.post(LIST, _body(adoption), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["cashable_savings"] == {"amount_pence": 1_234_567, "currency": "GBP"}
    updated = client.post(
        LIST,
        _body(adoption, council=adoption.council.code.lower(), cashable_savings_pence=0),
        format="json",
    )
    assert updated.status_code == 200
    assert updated.json()["id"] == created.json()["id"]
    assert Benefit.objects.get().cashable_savings == 0


def test_session_scripts_need_the_csrf_token():
    adoption = AdoptionFactory()
    client = session_client(verified_member(adoption.council), csrf=False)
    assert_error(client.post(LIST, _body(adoption), format="json"), 403)
    assert not Benefit.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("other", 403),
        ("lead", 403),
        ("organiser without a second factor", 403),
        ("organiser", 201),
        ("member", 201),
    ],
)
def test_who_may_record(who, status):
    adoption = AdoptionFactory()
    users = {
        "other": lambda: verified_member(CouncilFactory()),
        "lead": lambda: adoption.project.owner,
        "organiser": OrganiserFactory,
        "organiser without a second factor": lambda: OrganiserFactory(enrolled=False),
        "member": lambda: verified_member(adoption.council),
    }
    client = APIClient() if who == "anonymous" else token_client(users[who]())
    response = client.post(LIST, _body(adoption), format="json")
    if status >= 400:
        assert_error(response, status)
        assert not Benefit.objects.exists()
    else:
        assert response.status_code == status


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"cashable_savings_pence": -1}, "cashable_savings_pence"),
        ({"cashable_savings_pence": MAX_MONEY_PENCE + 1}, "cashable_savings_pence"),
        ({"cashable_savings_pence": 12.5}, "cashable_savings_pence"),
        ({"cashable_savings_pence": "lots"}, "cashable_savings_pence"),
        ({"cashable_savings_pence": 10**30}, "cashable_savings_pence"),
        ({"hours_saved": MAX_HOURS_SAVED + 1}, "hours_saved"),
        ({"people_served": -3}, "people_served"),
        ({"non_cashable": "x" * 5_001}, "non_cashable"),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url"),
        ({"confidence": "certain"}, "confidence"),
        ({"confidence": None}, "confidence"),
        ({"confidence": "high", "evidence_url": ""}, "evidence_url"),
        (
            {
                "cashable_savings_pence": 0,
                "hours_saved": 0,
                "people_served": 0,
                "non_cashable": "",
            },
            "cashable_savings_pence",
        ),
        ({"project": "no-such-project"}, "project"),
        ({"council": "ZZZ"}, "council"),
        ({"recorded_by": 1}, "recorded_by"),  # mass assignment is refused
    ],
)
def test_bad_input_is_a_400_naming_the_field(fields, field):
    adoption = AdoptionFactory()
    client = token_client(verified_member(adoption.council))
    response = client.post(LIST, _body(adoption, **fields), format="json")
    assert_error(response, 400, field=field)
    assert not Benefit.objects.exists()


def test_a_council_that_did_not_adopt_it_is_told_so():
    adoption = AdoptionFactory()
    stranger_council = CouncilFactory()
    client = token_client(verified_member(stranger_council))
    response = client.post(LIST, _body(adoption, council=stranger_council.code), format="json")
    assert_error(response, 400, field="council")


def test_the_summary_adds_up_nationally_and_by_project():
    saver = published_project(phase=Phase.LIVE, title="Saver")
    BenefitFactory(adoption=AdoptionFactory(project=saver), cashable_savings=100_001)
    BenefitFactory(adoption=AdoptionFactory(project=saver), cashable_savings=200_002)
    BenefitFactory(cashable_savings=5, hours_saved=7, people_served=9)
    body = APIClient().get(SUMMARY).json()
    assert body["cashable_savings"] == {"amount_pence": 300_008, "currency": "GBP"}
    assert body["councils_reporting"] == 3
    assert body["projects_reporting"] == 2
    assert body["hours_saved"] == 400 + 400 + 7
    assert body["by_project"][0] == {
        "project": saver.slug,
        "title": "Saver",
        "lead_council": saver.lead_council.code,
        "councils_reporting": 2,
        "cashable_savings": {"amount_pence": 300_003, "currency": "GBP"},
        "hours_saved": 800,
        "people_served": 50_000,
    }


@pytest.mark.parametrize("url", [SUMMARY, CSV, SUMMARY_CSV])
def test_summaries_and_exports_run_the_same_queries_for_1_or_many(url):
    BenefitFactory()
    client = APIClient()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    one = count()
    for _ in range(15):
        BenefitFactory()
    assert count() == one


def test_the_csvs_totals_match_the_summary_to_the_penny():
    project = published_project(phase=Phase.LIVE)
    for pence in (1, 99, 1_234_567):
        BenefitFactory(adoption=AdoptionFactory(project=project), cashable_savings=pence)
    BenefitFactory(cashable_savings=MAX_MONEY_PENCE, non_cashable="=HYPERLINK(1)")
    client = APIClient()
    summary = client.get(SUMMARY).json()
    rows = _csv(client.get(CSV))
    by_project = _csv(client.get(SUMMARY_CSV))
    total = summary["cashable_savings"]["amount_pence"]
    assert sum(int(r["cashable_savings_pence_per_year"]) for r in rows) == total
    assert sum(int(r["cashable_savings_pence_per_year"]) for r in by_project) == total
    assert sum(int(r["hours_saved_per_year"]) for r in rows) == summary["hours_saved"]
    assert sum(int(r["councils_reporting"]) for r in by_project) == len(rows) == 4
    assert {r["non_cashable"] for r in rows} >= {"'=HYPERLINK(1)"}  # no formula
    assert by_project[0]["project"] != project.slug  # the £10m one is first
    project_rows = _csv(client.get(CSV, {"project": project.slug}))
    assert len(project_rows) == 3


def test_the_api_root_links_the_benefits():
    body = APIClient().get("/api/v1/").json()
    assert body["benefits"] == "http://testserver/api/v1/benefits/"
    assert body["benefits_csv"] == "http://testserver/api/v1/benefits.csv"
