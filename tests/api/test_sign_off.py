"""Sign-off through the API: what waits is the pledging council's own until it is offered."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from projects import services
from projects.models import Kind, PledgeState
from tests.factories import CouncilFactory, approver, published_project, verified_member

from .conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting():
    partner = CouncilFactory(money_limit=50_000)
    project = published_project()
    pledger = verified_member(partner)
    response = token_client(pledger).post(
        reverse("api:pledge-list"),
        {"project": project.slug, "council": partner.code, "kind": Kind.MONEY,
         "amount_pence": 75_000},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == PledgeState.PENDING and body["offered_at"] is None
    return body["id"], project, partner, pledger


def test_a_waiting_pledge_is_not_in_the_public_ledger(waiting):
    pk, project, _partner, _pledger = waiting
    listed = APIClient().get(reverse("api:pledge-list")).json()["results"]
    assert pk not in [p["id"] for p in listed]
    detail = reverse("api:pledge-detail", kwargs={"pk": pk})
    assert APIClient().get(detail).status_code == 404
    assert token_client(project.owner).get(detail).status_code == 404


def test_approval_through_the_api_and_the_public_then_sees_an_offer(waiting):
    pk, project, partner, pledger = waiting
    url = reverse("api:pledge-approve", kwargs={"pk": pk})
    assert token_client(pledger).post(url, {}, format="json").status_code == 403
    response = token_client(approver(partner)).post(url, {"note": "DD/2026/12"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == PledgeState.OFFERED and body["offered_at"]
    assert [e["to_state"] for e in body["events"]] == ["pending", "offered"]
    public = APIClient().get(reverse("api:pledge-detail", kwargs={"pk": pk})).json()
    assert [(e["from_state"], e["to_state"]) for e in public["events"]] == [(None, "offered")]
    project.refresh_from_db()
    assert project.money_offered == 75_000


def test_refusal_through_the_api_needs_a_reason(waiting):
    pk, _project, partner, _pledger = waiting
    client = token_client(approver(partner))
    url = reverse("api:pledge-refuse", kwargs={"pk": pk})
    response = client.post(url, {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    response = client.post(url, {"reason": "Not this year"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == PledgeState.REFUSED
    assert APIClient().get(reverse("api:pledge-detail", kwargs={"pk": pk})).status_code == 404


def test_an_approved_pledge_is_then_accepted_as_usual(waiting):
    pk, project, partner, _pledger = waiting
    from projects.models import Pledge

    pledge = services.pledge_approve(actor=approver(partner), pledge=Pledge.objects.get(pk=pk))
    url = reverse("api:pledge-accept", kwargs={"pk": pledge.pk})
    assert token_client(project.owner).post(url, {}, format="json").status_code == 200
