"""Amendments on the web: the change form and Check your answers, the owner's buttons, the
links in a pledge's page and history, My Pipeline, and bad input that never reaches a 500."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.ledger import check_ledger
from projects.models import Kind, Pledge, PledgeState
from tests.factories import CouncilFactory, approver, published_project, verified_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    lead = CouncilFactory(short_name="Leadshire")
    partner = CouncilFactory(short_name="Partnerton", money_limit=2_000_000)
    project = published_project(lead_council=lead, title="Bin collection finder")
    need = project.needs.get(kind=Kind.MONEY)  # £5,000 asked
    pledger = verified_member(partner)
    pledge = services.pledge_offer(
        actor=pledger, project=project, council=partner, kind=Kind.MONEY, amount=300_000, need=need
    )
    return SimpleNamespace(
        project=project, partner=partner, owner=project.owner, pledger=pledger, pledge=pledge
    )


def amend_url(pledge) -> str:
    return reverse("projects:pledge_amend", args=[pledge.pk])


def check_url(pledge) -> str:
    return reverse("projects:pledge_amend_check", args=[pledge.pk])


def propose(client, pledge, amount="4000", note="Cabinet added budget"):
    answered = client.post(amend_url(pledge), {"amount": amount, "note": note})
    assert answered.status_code == 302, answered.content.decode()[:2000]
    assert answered["Location"] == check_url(pledge)
    return client.post(check_url(pledge))


def test_the_pledger_proposes_a_change_after_checking_it(world, client):
    client.force_login(world.pledger)
    page = client.get(world.pledge.get_absolute_url()).text
    assert amend_url(world.pledge) in page and "Propose a change" in page
    client.post(amend_url(world.pledge), {"amount": "4000", "note": "Cabinet added budget"})
    check = client.get(check_url(world.pledge)).text
    assert "£3,000" in check and "£4,000" in check
    assert "Check the change before you propose it" in check
    done = client.post(check_url(world.pledge))
    amendment = Pledge.objects.get(amends=world.pledge)
    assert done["Location"] == amendment.get_absolute_url()
    assert amendment.state == PledgeState.PROPOSED and amendment.amount == 400_000
    # The original's page says a change is waiting and no longer offers another.
    page = client.get(world.pledge.get_absolute_url()).text
    assert "A change to £4,000 is proposed for this pledge." in page
    assert amend_url(world.pledge) not in page
    assert client.get(amend_url(world.pledge)).status_code == 409


def test_the_check_page_warns_when_the_change_adds_more_than_is_needed(world, client):
    client.force_login(world.pledger)
    client.post(amend_url(world.pledge), {"amount": "6000", "note": "Everything"})
    check = client.get(check_url(world.pledge)).text
    assert "The change adds £3,000, more than the £2,000 still to find." in check


def test_over_the_limit_the_check_page_says_an_approver_signs_it_off(world, client):
    client.force_login(world.pledger)
    client.post(amend_url(world.pledge), {"amount": "25000", "note": "A bigger scope"})
    assert (
        "one of its approvers must sign the change off" in client.get(check_url(world.pledge)).text
    )
    done = client.post(check_url(world.pledge), follow=True).text
    amendment = Pledge.objects.get(amends=world.pledge)
    assert amendment.state == PledgeState.PENDING
    # It has not reached the project team, and the page says so, in the banner too.
    assert "Your change is proposed to the project team." not in done
    assert "Your change waits for an approver of Partnerton to sign it off." in done
    # Its own withdraw button withdraws the change, not the pledge.
    assert "Withdraw proposed change" in done and "Withdraw pledge" not in done


def test_an_approver_answers_a_waiting_change_as_a_change(world, client):
    amendment = services.pledge_amend(
        actor=world.pledger, pledge=world.pledge, amount=2_500_000, note="Bigger"
    )
    client.force_login(approver(world.partner))
    approve = reverse("projects:pledge_action", args=[amendment.pk, "approve"])
    assert "Approve this change" in client.get(approve).text
    refuse = reverse("projects:pledge_action", args=[amendment.pk, "refuse"])
    assert "Refuse this change" in client.get(refuse).text
    done = client.post(approve, {"note": ""}, follow=True).text
    assert "The change was approved and is now proposed to the project team." in done
    assert "now offered to the project team" not in done
    assert Pledge.objects.get(pk=amendment.pk).state == PledgeState.PROPOSED


def test_a_refused_change_says_so_in_welsh_too(world, client):
    amendment = services.pledge_amend(
        actor=world.pledger, pledge=world.pledge, amount=2_500_000, note="Bigger"
    )
    client.force_login(approver(world.partner))
    refuse = reverse("projects:pledge_action", args=[amendment.pk, "refuse"])
    done = client.post(f"/cy{refuse}", {"reason": "Dim arian"}, follow=True).text
    assert Pledge.objects.get(pk=amendment.pk).state == PledgeState.REFUSED
    assert "Cafodd y newid ei wrthod" in done


@pytest.mark.parametrize(
    ("amount", "note", "message"),
    [
        ("", "Why", "Enter the new amount"),
        ("3000", "Why", "Enter an amount different from the pledge’s £3,000"),
        ("lots", "Why", "Enter an amount in pounds"),
        ("-5", "Why", ""),
        ("1e9", "Why", ""),
        ("99999999999999999999", "Why", ""),
        ("4000", "", "Give a reason for the change"),
    ],
)
def test_bad_answers_are_shown_beside_the_field(world, client, amount, note, message):
    client.force_login(world.pledger)
    response = client.post(amend_url(world.pledge), {"amount": amount, "note": note})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert message in response.text
    assert not Pledge.objects.filter(amends=world.pledge).exists()


def test_the_owner_accepts_the_change_and_the_history_links_both(world, client):
    amendment = services.pledge_amend(
        actor=world.pledger, pledge=world.pledge, amount=400_000, note="Budget grew"
    )
    client.force_login(world.owner)
    page = client.get(amendment.get_absolute_url()).text
    assert "Accept change" in page and "Decline change" in page
    form = client.get(reverse("projects:pledge_action", args=[amendment.pk, "accept"])).text
    assert "Accept this change" in form
    done = client.post(
        reverse("projects:pledge_action", args=[amendment.pk, "accept"]), {"note": "Thank you"}
    )
    assert done.status_code == 302
    assert "The change was accepted" in client.get(done["Location"]).text
    assert Pledge.objects.get(pk=world.pledge.pk).state == PledgeState.SUPERSEDED
    original_page = client.get(world.pledge.get_absolute_url()).text
    assert "Replaced by an amendment" in original_page
    assert "Amended from £3,000 to £4,000" in original_page
    assert amendment.get_absolute_url() in original_page
    new_page = client.get(amendment.get_absolute_url()).text
    assert "Amended from £3,000 to £4,000" in new_page
    assert world.pledge.get_absolute_url() in new_page
    assert check_ledger() == []


def test_the_pledger_cannot_answer_their_own_change(world, client):
    amendment = services.pledge_amend(
        actor=world.pledger, pledge=world.pledge, amount=400_000, note="Budget grew"
    )
    client.force_login(world.pledger)
    page = client.get(amendment.get_absolute_url()).text
    assert "Accept change" not in page and "Withdraw proposed change" in page
    url = reverse("projects:pledge_action", args=[amendment.pk, "accept"])
    assert client.post(url, {"note": ""}).status_code == 403
    assert Pledge.objects.get(pk=amendment.pk).state == PledgeState.PROPOSED


def test_other_councils_cannot_propose(world, client):
    for person in (world.owner, verified_member(CouncilFactory())):
        client.force_login(person)
        assert client.get(amend_url(world.pledge)).status_code == 403
        assert client.post(amend_url(world.pledge), {"amount": "9", "note": "x"}).status_code == 403


def test_a_declined_pledge_cannot_be_changed(world, client):
    services.pledge_decline(actor=world.owner, pledge=world.pledge)
    client.force_login(world.pledger)
    response = client.get(amend_url(world.pledge))
    assert response.status_code == 409
    assert "This pledge is declined, so its amount cannot be changed." in response.text


def test_check_without_answers_goes_back_to_the_form(world, client):
    client.force_login(world.pledger)
    response = client.get(check_url(world.pledge))
    assert response.status_code == 302 and response["Location"] == amend_url(world.pledge)


def test_sending_the_check_twice_proposes_once(world, client):
    client.force_login(world.pledger)
    client.post(amend_url(world.pledge), {"amount": "4000", "note": "Budget grew"})
    page = client.get(check_url(world.pledge)).text
    key = page.split('name="submission_key" value="')[1].split('"')[0]
    first = client.post(check_url(world.pledge), {"submission_key": key})
    again = client.post(check_url(world.pledge), {"submission_key": key})
    assert first.status_code == again.status_code == 302
    assert Pledge.objects.filter(amends=world.pledge).count() == 1


def _dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("dashboard")).status_code == 200
    return len(ctx.captured_queries)


def test_my_pipeline_lists_changes_waiting_in_constant_queries(world, client):
    client.force_login(world.owner)
    services.pledge_amend(actor=world.pledger, pledge=world.pledge, amount=400_000, note="More")
    client.get(reverse("dashboard"))  # warm the caches a first request fills
    one = _dashboard_queries(client)
    for i in range(10):
        other = services.pledge_offer(
            actor=world.pledger,
            project=world.project,
            council=world.partner,
            kind=Kind.MONEY,
            amount=1_000 + i,
        )
        services.pledge_amend(actor=world.pledger, pledge=other, amount=2_000 + i, note="More")
    assert _dashboard_queries(client) == one
    page = client.get(reverse("dashboard")).text
    assert "Changes to pledges waiting for your decision" in page
    assert "£3,000 to £4,000" in page


def test_the_approver_sees_a_waiting_change_and_the_owner_does_not(world, client):
    amendment = services.pledge_amend(
        actor=world.pledger, pledge=world.pledge, amount=2_500_000, note="Bigger"
    )
    client.force_login(world.owner)
    assert client.get(amendment.get_absolute_url()).status_code == 404
    assert "is proposed for this pledge" not in client.get(world.pledge.get_absolute_url()).text
    client.force_login(approver(world.partner))
    page = client.get(amendment.get_absolute_url()).text
    assert "This change is over the delegated limit of Partnerton" in page
