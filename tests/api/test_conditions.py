"""Conditional and match pledges through the API: made, shown with their status and matched
amount, kept apart in the totals, refused with field errors, described in the schema."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from projects import services
from projects.models import PledgeState
from tests.factories import CouncilFactory, make_pledge, published_project, verified_member

from .conftest import assert_error, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    project = published_project(title="Bin collection finder")
    cardiff = CouncilFactory(code="CRF", short_name="Cardiff")
    return project, cardiff, verified_member(cardiff)


def create(client, project, council, **extra):
    body = {"project": project.slug, "council": council.code, "kind": "money", **extra}
    body.setdefault("amount_pence", 2_000_000)
    return client.post(reverse("api:pledge-list"), body, format="json")


def test_a_conditional_pledge_is_made_and_shown_waiting_apart_from_the_totals(world):
    project, cardiff, member = world
    response = create(token_client(member), project, cardiff, min_other_councils=2)
    assert response.status_code == 201, response.content
    got = response.json()
    assert (got["state"], got["min_other_councils"], got["condition_status"]) == (
        PledgeState.CONDITIONAL,
        2,
        "waiting",
    )
    assert (got["match_percent"], got["matched"], got["condition_met_at"]) == (None, None, None)
    totals = APIClient().get(reverse("api:project-detail", kwargs={"slug": project.slug})).json()
    totals = totals["totals"]
    assert totals["money_offered"]["amount_pence"] == 0
    assert totals["money_conditional"]["amount_pence"] == 2_000_000
    listed = APIClient().get(reverse("api:pledge-list")).json()["results"]
    assert [p["state"] for p in listed] == ["conditional"]  # public: an offer on the table


def test_when_the_condition_is_met_the_ledger_shows_pipeline_made_the_move(world):
    project, cardiff, member = world
    pledge_id = create(token_client(member), project, cardiff, min_other_councils=1).json()["id"]
    make_pledge(project, amount=500)
    got = APIClient().get(reverse("api:pledge-detail", kwargs={"pk": pledge_id})).json()
    assert (got["state"], got["condition_status"]) == ("offered", "met")
    assert got["condition_met_at"]
    assert [(e["from_state"], e["to_state"], e["actor"]) for e in got["events"]] == [
        (None, "conditional", member.get_full_name()),
        ("conditional", "offered", None),
    ]


def test_a_match_shows_what_it_gives_now(world):
    project, cardiff, member = world
    response = create(token_client(member), project, cardiff, match_percent=50)
    match_id = response.json()["id"]
    assert response.json()["matched"] == {
        "amount": {"amount_pence": 0, "currency": "GBP"},
        "days": None,
    }
    other = make_pledge(project, amount=1_000_001)
    services.pledge_accept(actor=project.owner, pledge=other)
    got = APIClient().get(reverse("api:pledge-detail", kwargs={"pk": match_id})).json()
    assert got["matched"]["amount"]["amount_pence"] == 500_000
    assert got["amount"]["amount_pence"] == 2_000_000  # the cap, unchanged
    project_json = APIClient().get(reverse("api:project-detail", kwargs={"slug": project.slug}))
    assert project_json.json()["totals"]["money_matched"]["amount_pence"] == 500_000
    assert project_json.json()["totals"]["money_accepted"]["amount_pence"] == 1_000_001


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"min_other_councils": 0}, "min_other_councils"),
        ({"min_other_councils": 51}, "min_other_councils"),
        ({"min_other_councils": "two"}, "min_other_councils"),
        ({"match_percent": 0}, "match_percent"),
        ({"match_percent": 101}, "match_percent"),
        ({"match_percent": 12.5}, "match_percent"),
    ],
)
def test_bad_conditions_are_field_errors(world, extra, field):
    project, cardiff, member = world
    response = create(token_client(member), project, cardiff, **extra)
    assert_error(response, 400, field=field)
    assert not project.pledges.exists()


def test_a_conditional_pledge_cannot_be_accepted_yet(world):
    project, cardiff, member = world
    pledge_id = create(token_client(member), project, cardiff, min_other_councils=3).json()["id"]
    response = token_client(project.owner).post(
        reverse("api:pledge-accept", kwargs={"pk": pledge_id}), {}, format="json"
    )
    assert_error(response, 409, field="state")


def test_the_schema_describes_the_conditions_and_the_totals_apart(tmp_path):
    path = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(path))
    schemas = json.loads(path.read_text())["components"]["schemas"]
    pledge = schemas["PledgeDetail"]["properties"]
    for name in ("min_other_councils", "match_percent", "matched", "condition_status"):
        assert pledge[name].get("description"), name
    assert {"conditional", "lapsed"} <= set(schemas["PledgeStateEnum"]["enum"])
    request = schemas["PledgeInputRequest"]["properties"]
    assert (request["min_other_councils"]["minimum"], request["min_other_councils"]["maximum"]) == (
        1,
        50,
    )
    assert (request["match_percent"]["minimum"], request["match_percent"]["maximum"]) == (1, 100)
    totals = schemas["Totals"]["properties"]
    assert {"money_conditional", "money_matched", "days_conditional", "days_matched"} <= set(totals)
