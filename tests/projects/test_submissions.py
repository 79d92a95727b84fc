"""Web forms that write are safe to send twice: a double click, Back and send again, or a browser
retrying after a dropped connection does the write once and shows what the first one did."""

import re
import uuid

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from projects.models import (
    FormSubmission,
    Need,
    Pledge,
    PledgeState,
    Project,
    TeamMembership,
    Update,
)
from projects.services.submissions import submission_once
from tests.factories import CouncilFactory, make_pledge, published_project, verified_member
from tests.threads import run_at_once

pytestmark = pytest.mark.django_db


def key_of(html: str) -> str:
    """The one-time key a page's writing form carries."""
    return re.search(r'name="submission_key" value="([0-9a-f-]{36})"', html).group(1)


def answer_pledge(client, project, council, amount="250") -> str:
    """Fill in the pledge's questions; returns the key of its Check your answers page."""
    response = client.post(
        reverse("projects:pledge", args=[project.slug]),
        {"council": council.pk, "towards": "money", "amount": amount, "note": "From us"},
    )
    assert response["Location"] == reverse("projects:pledge_check", args=[project.slug])
    return key_of(client.get(response["Location"]).content.decode())


def test_a_pledge_sent_twice_is_made_once_and_the_second_shows_the_first():
    project = published_project()
    council = CouncilFactory()
    client = Client()
    client.force_login(verified_member(council))
    key = answer_pledge(client, project, council)
    url = reverse("projects:pledge_check", args=[project.slug])

    first = client.post(url, {"submission_key": key})
    second = client.post(url, {"submission_key": key}, follow=True)

    pledge = Pledge.objects.get()
    confirmation = reverse("projects:pledge_confirmation", args=[pledge.pk])
    assert first["Location"] == confirmation
    assert second.redirect_chain == [(confirmation, 302)]
    page = second.content.decode()
    assert "Pledge made" in page
    assert "You had already sent this form, so nothing was done twice." in page
    assert "There is a problem" not in page


def test_back_and_send_again_makes_no_second_pledge_but_a_new_form_makes_one():
    project = published_project()
    council = CouncilFactory()
    client = Client()
    client.force_login(verified_member(council))
    url = reverse("projects:pledge_check", args=[project.slug])
    key = answer_pledge(client, project, council)
    client.post(url, {"submission_key": key})
    # Back to the check page (the browser keeps it, key and all) and Make pledge again: the
    # answers have gone with the first pledge, and the key finds it.
    client.post(url, {"submission_key": key})
    assert Pledge.objects.count() == 1
    # A second pledge on purpose: the form again, a new key.
    client.post(url, {"submission_key": answer_pledge(client, project, council, "300")})
    assert sorted(Pledge.objects.values_list("amount", flat=True)) == [25_000, 30_000]


@pytest.mark.parametrize(
    ("route", "body", "count"),
    [
        ("projects:update_new", {"title": "News", "body": "Text"}, lambda: Update.objects.count()),
        ("projects:needs", {"kind": "money", "amount": "100"}, lambda: Need.objects.count()),
        ("projects:join", {"role": "designer"}, lambda: TeamMembership.objects.count()),
    ],
)
def test_other_writing_forms_sent_twice_write_once(route, body, count):
    project = published_project()
    user = project.owner if route != "projects:join" else verified_member(CouncilFactory())
    client = Client()
    client.force_login(user)
    url = reverse(route, args=[project.slug])
    before = count()
    body = {**body, "submission_key": key_of(client.get(url).content.decode())}
    responses = [client.post(url, body) for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert count() == before + 1


def test_proposing_twice_makes_one_draft():
    council = CouncilFactory()
    client = Client()
    client.force_login(verified_member(council))
    body = {
        "lead_council": council.pk,
        "title": "Book a bulky waste collection",
        "summary": "Online",
        "submission_key": key_of(client.get("/projects/new/").content.decode()),
    }
    first, second = client.post("/projects/new/", body), client.post("/projects/new/", body)
    assert Project.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_decision_sent_twice_shows_its_result_not_an_error():
    project = published_project()
    pledge = make_pledge(project)
    client = Client()
    client.force_login(project.owner)
    url = reverse("projects:pledge_action", args=[pledge.pk, "accept"])
    body = {"note": "Thanks", "submission_key": key_of(client.get(url).content.decode())}
    client.post(url, body)
    response = client.post(url, body, follow=True)
    assert response.redirect_chain == [(reverse("projects:pledge_detail", args=[pledge.pk]), 302)]
    assert b"cannot be accepted" not in response.content
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.ACCEPTED and pledge.events.count() == 2


def test_a_refused_write_does_not_use_up_its_key():
    """The key is stored with the write: if the service refuses, both roll back, and the same
    form can be sent again once put right."""
    project = published_project()
    pledge = make_pledge(project, state=PledgeState.ACCEPTED)
    client = Client()
    client.force_login(project.owner)
    key = str(uuid.uuid4())
    response = client.post(
        reverse("projects:pledge_action", args=[pledge.pk, "decline"]), {"submission_key": key}
    )
    assert b"This pledge is accepted, so it cannot be declined." in response.content
    assert not FormSubmission.objects.exists()
    response = client.post(
        reverse("projects:pledge_action", args=[pledge.pk, "fulfil"]), {"submission_key": key}
    )
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.FULFILLED
    assert FormSubmission.objects.get().result_url == response["Location"]


def test_keys_are_per_person():
    """Someone else's key is not a way to see where their form led."""
    project = published_project()
    one, two = verified_member(CouncilFactory()), verified_member(CouncilFactory())
    key = uuid.uuid4()
    submission_once(actor=one, key=key, write=lambda: "/first/")
    assert submission_once(actor=two, key=key, write=lambda: "/second/") == ("/second/", False)
    assert submission_once(actor=one, key=key, write=lambda: "/again/") == ("/first/", True)
    assert project  # the world exists; the keys did not need it


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_pledge_sent_at_once_from_two_connections_is_made_once():
    """A retry that arrives while the first is still being written waits for it, then is shown
    its result: the unique key is claimed in the first's transaction."""
    project = published_project()
    council = CouncilFactory()
    officer = verified_member(council)
    key = uuid.uuid4()

    def send(index: int):
        from projects import services

        def write() -> str:
            pledge = services.pledge_offer(
                actor=officer, project=project, council=council, kind="money", amount=1_000
            )
            return f"/pledges/{pledge.pk}/"

        with transaction.atomic():
            return submission_once(actor=officer, key=key, write=write)

    results = run_at_once(8, send)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Pledge.objects.count() == 1
    assert sorted(r.repeated for r in results) == [False] + [True] * 7
    assert {r.url for r in results} == {f"/pledges/{Pledge.objects.get().pk}/"}
