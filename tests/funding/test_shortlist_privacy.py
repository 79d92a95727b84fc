"""The shortlist is the funder's until it publishes its decisions: a shortlisted bid looks
exactly like a submitted one to the public, the applicants, their partner councils and the
funder's plain members, on every surface (call page, application page, partner page, API, CSV,
filters). Its assessors, moderators and admins and organisers see it on the shortlist."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from funding.models import Application, ApplicationState
from tests.api.conftest import assert_error, token_client

from .assessment_world import make_assessment_world

pytestmark = pytest.mark.django_db

LIST = "/api/v1/applications/"
CSV = "/api/v1/applications.csv"
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+|(csrf-token" content=")[^"]+')


def shortlist(application: Application, on: bool = True) -> None:
    state = ApplicationState.SHORTLISTED if on else ApplicationState.SUBMITTED
    Application.objects.filter(pk=application.pk).update(state=state)


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return TOKEN.sub(r"\1\2", response.content.decode())


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def w():
    return make_assessment_world()


def outsiders(w) -> dict:
    """Everyone who must not learn of the shortlist."""
    partner_officer = w.application.partners.get(council=w.partner).decided_by
    return {
        "anonymous": Client(),
        "applicant": signed_in(w.users["applicant"]),
        "partner officer": signed_in(partner_officer),
        "funder member": signed_in(w.users["member"]),
        "other funder's moderator": signed_in(w.users["other_funder"]),
    }


def test_web_pages_look_the_same_before_and_after_shortlisting_to_outsiders(w):
    pages = [
        reverse("funding:call", args=[w.call.slug]),
        reverse("funding:application", args=[w.application.pk]),
    ]
    for who, client in outsiders(w).items():
        before = [html(client, url) for url in pages]
        shortlist(w.application)
        after = [html(client, url) for url in pages]
        shortlist(w.application, on=False)
        assert before == after, who
        assert "Shortlisted" not in after[1], who
        assert "Submitted" in after[1], who


def test_the_partner_councils_page_shows_the_bid_as_submitted(w):
    shortlist(w.application)
    officer = w.application.partners.get(council=w.partner).decided_by
    page = html(
        signed_in(officer),
        reverse("funding:partner_decide", args=[w.application.pk, w.partner.slug]),
    )
    assert "Shortlisted" not in page
    assert "Submitted" in page


def test_the_funders_assessors_moderators_admins_and_organisers_see_the_shortlist(w):
    shortlist(w.application)
    url = reverse("funding:application", args=[w.application.pk])
    for role in ("assessor", "moderator", "admin", "organiser"):
        page = html(signed_in(w.users[role]), url)
        assert "Shortlisted" in page, role
        body = token_client(w.users[role]).get(f"{LIST}{w.application.pk}/").json()
        assert body["state"] == "shortlisted", role


def test_the_api_and_csv_are_the_same_before_and_after_shortlisting(w):
    client = APIClient()
    detail = f"{LIST}{w.application.pk}/"

    def snapshot():
        return (
            client.get(LIST).json(),
            client.get(detail).json(),
            b"".join(client.get(CSV).streaming_content),
            token_client(w.users["applicant"]).get(detail).json(),
            token_client(w.users["member"]).get(detail).json(),
        )

    before = snapshot()
    shortlist(w.application)
    after = snapshot()
    assert before == after
    assert after[1]["state"] == "submitted"
    assert b"shortlisted" not in after[2]


def test_the_public_cannot_filter_for_the_shortlist(w):
    shortlist(w.application)
    client = APIClient()

    def ids(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.content
        return sorted(row["id"] for row in response.json()["results"])

    both = sorted([w.application.pk, w.other_application.pk])
    assert ids(state="submitted") == both
    assert ids() == both
    for url in (LIST, CSV):
        assert_error(client.get(url, {"state": "shortlisted"}), 400, field="state")
    # The same answer whoever asks: the open data is one public record.
    moderator = token_client(w.users["moderator"])
    assert moderator.get(LIST, {"state": "shortlisted"}).status_code == 400
    assert {r["state"] for r in moderator.get(LIST).json()["results"]} == {"submitted"}


def test_refusals_to_the_applicants_say_submitted(w):
    shortlist(w.application)
    from tests.factories import approver

    officer = approver(w.lead)
    response = token_client(officer).post(
        f"{LIST}{w.application.pk}/submit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 409
    assert "submitted" in response.json()["message"]
    assert "shortlisted" not in response.content.decode()


def test_once_decisions_are_published_the_state_is_public(w):
    from django.utils import timezone

    Application.objects.filter(pk=w.application.pk).update(
        state=ApplicationState.FUNDED, award_amount=10_000_00, decided_at=timezone.now()
    )
    page = html(Client(), reverse("funding:call", args=[w.call.slug]))
    assert "Funded" in page
    assert APIClient().get(f"{LIST}{w.application.pk}/").json()["state"] == "funded"
