"""Input serializers name their fields: anything else is refused with a 400 naming it, and nothing
changes. Owner, lead council of an existing project, states and totals never come from input."""

import pytest
from django.urls import reverse

from projects.models import Pledge, PledgeEvent, PledgeState, Project
from tests.factories import (
    CouncilFactory,
    OrganiserFactory,
    UserFactory,
    make_pledge,
    published_project,
    verified_member,
)

from .conftest import assert_error, send, token_client

pytestmark = pytest.mark.django_db

PROJECT_FIELDS_NOT_ACCEPTED = {
    "owner": 1,
    "state": "completed",
    "phase": "live",
    "lead_council": "XYZ",
    "slug": "taken-over",
    "is_hidden": True,
    "is_featured": True,
    "published_at": "2020-01-01T00:00:00Z",
    "created_at": "2020-01-01T00:00:00Z",
    "totals": {"money_accepted": {"amount_pence": 1}},
    "money_needed": 1,
    "money_offered": 1,
    "money_accepted": 99_999,
    "money_fulfilled": 1,
    "half_days_accepted": 4,
    "partner_count": 40,
    "needs": [],
    "id": 7,
}


@pytest.fixture
def project():
    return published_project()


def _project_row(project) -> dict:
    return Project.objects.filter(pk=project.pk).values().get()


@pytest.mark.parametrize("field", sorted(PROJECT_FIELDS_NOT_ACCEPTED))
def test_patch_refuses_fields_it_does_not_name(project, field):
    client = token_client(project.owner)
    before = _project_row(project)
    body = {"summary": "Changed as well", field: PROJECT_FIELDS_NOT_ACCEPTED[field]}
    response = send(client, "PATCH", f"/api/v1/projects/{project.slug}/", body)
    errors = assert_error(response, 400, field=field)["errors"]
    assert errors[field] == ["This field is not accepted here."]
    assert "summary" not in errors, "only the field not accepted is named"
    assert _project_row(project) == before, "nothing changed, not even the accepted field"


def test_patch_refuses_several_and_names_each(project):
    client = token_client(OrganiserFactory())
    body = {"owner": 1, "state": "closed", "partner_count": 3}
    response = send(client, "PATCH", f"/api/v1/projects/{project.slug}/", body)
    assert set(assert_error(response, 400)["errors"]) == {"owner", "state", "partner_count"}


@pytest.mark.parametrize("field", ["owner", "state", "slug", "partner_count", "money_accepted"])
def test_proposing_a_project_refuses_fields_it_does_not_name(field):
    council = CouncilFactory()
    client = token_client(verified_member(council))
    body = {
        "lead_council": council.code,
        "title": "Taking over",
        "summary": "Summary",
        field: PROJECT_FIELDS_NOT_ACCEPTED[field],
    }
    response = send(client, "POST", "/api/v1/projects/", body)
    assert_error(response, 400, field=field)
    assert not Project.objects.filter(title="Taking over").exists()


@pytest.mark.parametrize(
    "extra",
    [
        {"state": "accepted"},
        {"pledged_by": 1},
        {"created_at": "2020-01-01T00:00:00Z"},
        {"amount": 100},
        {"id": 99},
        {"events": []},
    ],
    ids=lambda extra: next(iter(extra)),
)
def test_offering_a_pledge_refuses_fields_it_does_not_name(project, extra):
    council = CouncilFactory()
    client = token_client(verified_member(council))
    body = {
        "project": project.slug,
        "council": council.code,
        "kind": "money",
        "amount_pence": 1_000,
        **extra,
    }
    response = send(client, "POST", "/api/v1/pledges/", body)
    assert_error(response, 400, field=next(iter(extra)))
    assert not Pledge.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [{"offered": 100}, {"accepted": 5}, {"project": "other"}, {"position": 0}, {"amount": 5}],
    ids=lambda extra: next(iter(extra)),
)
def test_adding_a_need_refuses_fields_it_does_not_name(project, extra):
    client = token_client(project.owner)
    before = project.needs.count()
    body = {"kind": "money", "amount_pence": 1_000, **extra}
    response = send(client, "POST", f"/api/v1/projects/{project.slug}/needs/", body)
    assert_error(response, 400, field=next(iter(extra)))
    assert project.needs.count() == before


@pytest.mark.parametrize(
    ("action", "extra"),
    [
        ("accept", {"state": "fulfilled"}),
        ("accept", {"amount_pence": 1}),
        ("decline", {"council": "XYZ"}),
        ("fulfil", {"actor": 1}),
        ("withdraw", {"note": "reason goes in reason"}),
    ],
)
def test_pledge_actions_refuse_fields_they_do_not_name(project, action, extra):
    council = CouncilFactory()
    member = verified_member(council)
    state = PledgeState.ACCEPTED if action == "fulfil" else PledgeState.OFFERED
    pledge = make_pledge(project, council=council, actor=member, state=state)
    events = PledgeEvent.objects.count()
    client = token_client(member if action == "withdraw" else project.owner)
    body = {"reason": "Budget cut"} if action == "withdraw" else {}
    response = send(client, "POST", f"/api/v1/pledges/{pledge.pk}/{action}/", {**body, **extra})
    assert_error(response, 400, field=next(iter(extra)))
    pledge.refresh_from_db()
    assert pledge.state == state
    assert PledgeEvent.objects.count() == events


def test_state_and_phase_changes_take_only_their_one_field(project):
    client = token_client(project.owner)
    url = reverse("api:project-state", kwargs={"slug": project.slug})
    response = send(client, "POST", url, {"state": "in_delivery", "partner_count": 5})
    assert_error(response, 400, field="partner_count")
    url = reverse("api:project-phase", kwargs={"slug": project.slug})
    response = send(client, "POST", url, {"phase": "alpha", "owner": 1})
    assert_error(response, 400, field="owner")
    project.refresh_from_db()
    assert (project.state, project.phase, project.partner_count) == ("seeking_support", "idea", 0)


def test_token_exchange_refuses_fields_it_does_not_name():
    user = UserFactory()
    response = send(
        token_client(user),
        "POST",
        "/api/v1/auth/token/",
        {"email": user.email, "password": "x", "name": "n", "user": 1},
    )
    assert_error(response, 400, field="user")
