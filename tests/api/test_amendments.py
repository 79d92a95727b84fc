"""Amendments through the API: propose a changed amount, the owner accepts or declines it on
the amendment, the links in both pledges, errors by field, Idempotency-Key, the schema."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from projects import services
from projects.ledger import check_ledger
from projects.models import Kind, Pledge, PledgeState
from tests.factories import (
    CouncilFactory,
    OrganiserFactory,
    approver,
    published_project,
    verified_member,
)

from .conftest import assert_error, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer():
    partner = CouncilFactory(money_limit=2_000_000, half_days_limit=20)
    pledger = verified_member(partner)
    project = published_project()
    pledge = services.pledge_offer(
        actor=pledger, project=project, council=partner, kind=Kind.MONEY, amount=1_000_000
    )
    return pledge, pledger, partner


def amend_url(pledge) -> str:
    return reverse("api:pledge-amend", kwargs={"pk": pledge.pk})


def detail(pledge) -> dict:
    return APIClient().get(reverse("api:pledge-detail", kwargs={"pk": pledge.pk})).json()


def post(client, url, body, key=None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def test_propose_accept_and_the_links_both_ways(offer):
    pledge, pledger, _partner = offer
    response = post(
        token_client(pledger),
        amend_url(pledge),
        {"amount_pence": 1_200_000, "note": "Cabinet added budget"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == PledgeState.PROPOSED
    assert body["amends"] == pledge.pk
    assert body["amount"]["amount_pence"] == 1_200_000
    assert body["events"][0]["linked_pledge"] == pledge.pk
    assert detail(pledge)["amended_by"] == body["id"]  # a change waits
    owner = pledge.project.owner
    accepted = post(
        token_client(owner),
        reverse("api:pledge-accept", kwargs={"pk": body["id"]}),
        {"note": "Thanks"},
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == PledgeState.OFFERED
    original = detail(pledge)
    assert original["state"] == PledgeState.SUPERSEDED
    assert original["amended_by"] == body["id"]
    assert original["events"][-1]["linked_pledge"] == body["id"]
    listed = {p["id"]: p for p in APIClient().get(reverse("api:pledge-list")).json()["results"]}
    assert listed[pledge.pk]["amended_by"] == body["id"]
    assert listed[body["id"]]["amends"] == pledge.pk
    assert check_ledger() == []


def test_declining_the_change_leaves_the_pledge(offer):
    pledge, pledger, _partner = offer
    amendment = services.pledge_amend(actor=pledger, pledge=pledge, amount=900_000, note="Less")
    response = post(
        token_client(pledge.project.owner),
        reverse("api:pledge-decline", kwargs={"pk": amendment.pk}),
        {"note": "We need the full amount"},
    )
    assert response.status_code == 200
    assert response.json()["state"] == PledgeState.DECLINED
    assert detail(pledge)["state"] == PledgeState.OFFERED
    assert detail(pledge)["amended_by"] is None


@pytest.mark.parametrize("who", ["other", "lead_member", "pledger"])
def test_only_the_owner_answers_a_change(offer, who):
    pledge, pledger, partner = offer
    amendment = services.pledge_amend(actor=pledger, pledge=pledge, amount=900_000, note="Less")
    user = {
        "other": verified_member(CouncilFactory()),
        "lead_member": verified_member(pledge.project.lead_council),
        "pledger": pledger,
    }[who]
    for action in ("accept", "decline"):
        response = post(
            token_client(user), reverse(f"api:pledge-{action}", kwargs={"pk": amendment.pk}), {}
        )
        assert_error(response, 403)
    assert Pledge.objects.get(pk=amendment.pk).state == PledgeState.PROPOSED


def test_an_organiser_may_answer_a_change(offer):
    pledge, pledger, _partner = offer
    amendment = services.pledge_amend(actor=pledger, pledge=pledge, amount=900_000, note="Less")
    response = post(
        token_client(OrganiserFactory()),
        reverse("api:pledge-accept", kwargs={"pk": amendment.pk}),
        {},
    )
    assert response.status_code == 200


def test_over_the_limit_it_waits_for_an_approver_and_is_hidden_from_the_lead_council(offer):
    pledge, pledger, partner = offer
    response = post(
        token_client(pledger), amend_url(pledge), {"amount_pence": 3_000_000, "note": "More"}
    )
    assert response.status_code == 201
    amendment_id = response.json()["id"]
    assert response.json()["state"] == PledgeState.PENDING
    owner_view = token_client(pledge.project.owner).get(
        reverse("api:pledge-detail", kwargs={"pk": amendment_id})
    )
    assert owner_view.status_code == 404
    assert detail(pledge)["amended_by"] is None
    approved = post(
        token_client(approver(partner)),
        reverse("api:pledge-approve", kwargs={"pk": amendment_id}),
        {},
    )
    assert approved.json()["state"] == PledgeState.PROPOSED


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"amount_pence": 1_000_000, "note": "Same"}, "amount_pence", 400),
        ({"amount_pence": 0, "note": "Zero"}, "amount_pence", 400),
        ({"amount_pence": "ten", "note": "Words"}, "amount_pence", 400),
        ({"days": "2.5", "note": "Wrong kind"}, "days", 400),
        ({"note": "No amount"}, "amount_pence", 400),
        ({"amount_pence": 1_100_000}, "note", 400),
        ({"amount_pence": 1_100_000, "note": "   "}, "note", 400),
        ({"amount_pence": 1_100_000, "note": "x", "state": "accepted"}, "state", 400),
    ],
)
def test_bad_input_is_a_4xx_on_its_field(offer, body, field, status):
    pledge, pledger, _partner = offer
    assert_error(post(token_client(pledger), amend_url(pledge), body), status, field=field)
    assert not Pledge.objects.filter(amends=pledge).exists()


def test_a_second_open_change_is_a_conflict(offer):
    pledge, pledger, _partner = offer
    client = token_client(pledger)
    assert (
        post(client, amend_url(pledge), {"amount_pence": 1_100_000, "note": "a"}).status_code == 201
    )
    assert_error(
        post(client, amend_url(pledge), {"amount_pence": 1_300_000, "note": "b"}),
        409,
        field="amount_pence",
    )


def test_staff_time_is_changed_in_days():
    partner = CouncilFactory()
    pledger = verified_member(partner)
    pledge = services.pledge_offer(
        actor=pledger, project=published_project(), council=partner, kind=Kind.TIME, amount=4
    )
    client = token_client(pledger)
    assert_error(
        post(client, amend_url(pledge), {"amount_pence": 500, "note": "x"}),
        400,
        field="amount_pence",
    )
    response = post(client, amend_url(pledge), {"days": "3.5", "note": "One more person"})
    assert response.status_code == 201
    assert response.json()["days"] == "3.5"


def test_a_retry_with_the_same_idempotency_key_proposes_once(offer):
    pledge, pledger, _partner = offer
    client = token_client(pledger)
    body = {"amount_pence": 1_100_000, "note": "Retry me"}
    first = post(client, amend_url(pledge), body, key="amend-1")
    again = post(client, amend_url(pledge), body, key="amend-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert Pledge.objects.filter(amends=pledge).count() == 1


def test_the_schema_describes_the_links_and_the_action():
    schema = APIClient().get(reverse("api:schema"), {"format": "json"}).json()
    assert "post" in schema["paths"]["/api/v1/pledges/{id}/amend/"]
    pledge = schema["components"]["schemas"]["Pledge"]["properties"]
    assert {"amends", "amended_by"} <= set(pledge)
    assert pledge["amended_by"]["description"]
    event = schema["components"]["schemas"]["PledgeEvent"]["properties"]
    assert "linked_pledge" in event
    body = schema["components"]["schemas"]["PledgeAmendRequest"]["properties"]
    assert {"amount_pence", "days", "note"} <= set(body)
    states = schema["components"]["schemas"]["PledgeStateEnum"]["enum"]
    assert {"proposed", "superseded"} <= set(states)
