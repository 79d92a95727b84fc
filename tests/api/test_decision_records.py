"""Decision records through the API: attached once, shown on the pledge, described in the
schema."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from projects import services
from projects.models import Kind, PledgeDecisionRecord
from tests.factories import CouncilFactory, approver, published_project, verified_member

from .conftest import assert_error, token_client

pytestmark = pytest.mark.django_db

BODY = {
    "title": "Delegated decision 2026/041",
    "date": "2026-03-01",
    "url": "https://partnerton.gov.uk/decisions/41",
}


@pytest.fixture
def offer():
    partner = CouncilFactory(money_limit=100_000)
    pledger = verified_member(partner)
    pledge = services.pledge_offer(
        actor=pledger, project=published_project(), council=partner, kind=Kind.MONEY, amount=500
    )
    return pledge, pledger, partner


def url(pledge) -> str:
    return reverse("api:pledge-decision", kwargs={"pk": pledge.pk})


def test_attached_and_shown_in_the_pledge_and_the_listing(offer):
    pledge, pledger, _partner = offer
    detail = APIClient().get(reverse("api:pledge-detail", kwargs={"pk": pledge.pk})).json()
    assert detail["decision_record"] is None
    response = token_client(pledger).post(url(pledge), BODY, format="json")
    assert response.status_code == 200, response.content
    got = response.json()["decision_record"]
    assert {k: got[k] for k in ("title", "date", "url")} == BODY
    assert got["recorded_by"] == pledger.get_full_name() and got["recorded_at"]
    listed = APIClient().get(reverse("api:pledge-list")).json()["results"]
    assert (
        next(p for p in listed if p["id"] == pledge.pk)["decision_record"]["title"]
        == (BODY["title"])
    )


def test_a_second_record_is_a_conflict(offer):
    pledge, pledger, partner = offer
    assert token_client(pledger).post(url(pledge), BODY, format="json").status_code == 200
    again = token_client(approver(partner)).post(url(pledge), BODY, format="json")
    assert_error(again, 409)
    assert PledgeDecisionRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"date": "1 March"}, "date"),
        ({"date": "2999-01-01"}, "date"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "https://example.org/a b"}, "url"),
        ({"url": None}, "url"),
    ],
)
def test_bad_input_is_a_400_on_its_field(offer, changes, field):
    pledge, pledger, _partner = offer
    response = token_client(pledger).post(url(pledge), {**BODY, **changes}, format="json")
    assert_error(response, 400, field=field)
    assert not PledgeDecisionRecord.objects.exists()


def test_the_schema_describes_the_record_and_the_action():
    schema = APIClient().get(reverse("api:schema"), {"format": "json"}).json()
    assert "/api/v1/pledges/{id}/decision/" in schema["paths"]
    pledge = schema["components"]["schemas"]["Pledge"]["properties"]
    assert "decision_record" in pledge
    record = schema["components"]["schemas"]["DecisionRecord"]["properties"]
    assert {"title", "date", "url", "recorded_by", "recorded_at"} <= set(record)
    assert {"title", "date", "url"} <= set(
        schema["components"]["schemas"]["PledgeDecisionInputRequest"]["properties"]
    )
