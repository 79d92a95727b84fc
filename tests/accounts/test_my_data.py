"""Download my data: a JSON file of everything Pipeline holds about the person, built in a
fixed number of queries, never cached."""

import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import api_token_create
from projects.models import Follow, PledgeState, TagFollow, TeamMembership
from projects.services import people
from tests.factories import (
    ServiceAreaFactory,
    UserFactory,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


def _active_person(*, projects: int = 1):
    """Someone with a membership, follows, a team role, updates and pledges on each of
    ``projects`` projects, and a token."""
    person = verified_member(first_name="Ann", last_name="Jones")
    council = person.memberships.get().council
    TagFollow.objects.create(user=person, area=ServiceAreaFactory(name="Waste"))
    for _ in range(projects):
        project = published_project()
        Follow.objects.create(user=person, project=project)
        TeamMembership.objects.create(project=project, user=person, role="developer")
        make_pledge(project, council=council, actor=person, amount=25_000)
        make_pledge(project, council=council, actor=person, kind="time", amount=6, state="accepted")
    api_token_create(user=person, name="Report", access="read")
    return person


def test_the_file_holds_the_account_and_everything_they_did(client):
    person = _active_person()
    client.force_login(person)
    with time_machine.travel("2026-07-14 10:00 +01:00", tick=False):
        response = client.get(reverse("accounts:my_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="pipeline-my-data-2026-07-14.json"'
    )
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["first_name"] == "Ann" and data["account"]["email"] == person.email
    assert data["account"]["email_addresses"] == [
        {"email": person.email, "verified": True, "primary": True}
    ]
    assert data["notification_preferences"] == {
        "frequency": "daily",
        "language": "en-gb",
        "service_areas_followed": ["Waste"],
    }
    assert [m["status"] for m in data["memberships"]] == ["verified"]
    assert len(data["follows"]) == 1
    assert [t["role"] for t in data["team_roles"]] == ["developer"]
    money, time = data["pledges_made"]
    assert (money["kind"], money["amount"], money["amount_unit"]) == ("money", 25_000, "pence")
    assert (time["kind"], time["amount"], time["amount_unit"]) == ("time", 6, "half_days")
    assert time["state"] == PledgeState.ACCEPTED
    assert money["council"]["name"] == person.memberships.get().council.short_name
    # The ledger lines they wrote: both offers (the acceptance was the owner's).
    assert [e["to_state"] for e in data["ledger_events_recorded"]] == ["offered", "offered"]
    assert [t["access"] for t in data["api_tokens"]] == ["read"]
    assert "key_hash" not in json.dumps(data["api_tokens"])


def test_updates_they_wrote_are_in_the_file(client):
    project = published_project()
    people.update_post(
        actor=project.owner, project=project, title="Alpha begins", body="Building now."
    )
    client.force_login(project.owner)
    data = json.loads(client.get(reverse("accounts:my_data")).content)
    titles = [u["title"] for u in data["updates_written"]]
    assert "Alpha begins" in titles
    assert all(u["project"]["slug"] == project.slug for u in data["updates_written"])


def test_nobody_elses_data_is_in_it(client):
    _active_person()
    stranger = UserFactory()
    client.force_login(stranger)
    data = json.loads(client.get(reverse("accounts:my_data")).content)
    for key in ("memberships", "follows", "team_roles", "pledges_made", "api_tokens"):
        assert data[key] == [], key


def test_the_number_of_queries_does_not_grow_with_what_they_did(client):
    few = _active_person(projects=1)
    many = _active_person(projects=4)
    counts = []
    for person in (few, many):
        client.force_login(person)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("accounts:my_data")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_it_needs_signing_in_and_only_answers_get(client):
    url = reverse("accounts:my_data")
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    assert client.post(url).status_code == 405


def test_the_profile_has_the_download_button(client):
    client.force_login(UserFactory())
    page = client.get(reverse("accounts:profile")).content.decode()
    assert f'href="{reverse("accounts:my_data")}" download>Download my data<' in page
