"""Delegated limits and sign-off: pledges over a council's limit wait for its approvers."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from core.errors import Conflict, InvalidInput, NotAllowed
from mail.models import Delivery
from projects import selectors, services
from projects.ledger import Mismatch, check_ledger
from projects.models import Kind, Pledge, PledgeState, Project
from tests.factories import (
    CouncilFactory,
    OrganiserFactory,
    approver,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A partner council with limits of £1,000 and 5 days, a member, an admin and an approver."""
    lead = CouncilFactory(short_name="Leadshire")
    partner = CouncilFactory(short_name="Partnerton", money_limit=100_000, half_days_limit=10)
    project = published_project(lead_council=lead, title="Bin collection finder")
    return SimpleNamespace(
        lead=lead,
        partner=partner,
        project=project,
        owner=project.owner,
        pledger=verified_member(partner),
        admin=verified_member(partner, admin=True),
        approver=approver(partner),
    )


def offer(w, amount: int, *, actor=None, kind: str = Kind.MONEY) -> Pledge:
    return services.pledge_offer(
        actor=actor or w.pledger, project=w.project, council=w.partner, kind=kind, amount=amount
    )


def offered_total(project: Project) -> tuple[int, int]:
    project.refresh_from_db()
    return project.money_offered, project.half_days_offered


def deliveries(pledge: Pledge) -> set[tuple[str, int]]:
    return set(
        Delivery.objects.filter(key__startswith=f"pledge:{pledge.pk}:").values_list(
            "key", "user_id"
        )
    )


@pytest.mark.parametrize(
    ("kind", "amount", "waits"),
    [
        (Kind.MONEY, 100_000, False),  # at the limit: within it
        (Kind.MONEY, 100_001, True),
        (Kind.TIME, 10, False),
        (Kind.TIME, 11, True),
    ],
)
def test_a_pledge_over_the_limit_waits_and_one_within_it_is_offered(world, kind, amount, waits):
    pledge = offer(world, amount, kind=kind)
    assert pledge.state == (PledgeState.PENDING if waits else PledgeState.OFFERED)
    assert (pledge.offered_at is None) == waits
    counted = 0 if waits else amount
    assert offered_total(world.project) == ((counted, 0) if kind == Kind.MONEY else (0, counted))
    assert check_ledger() == []


def test_no_limit_means_no_sign_off():
    council = CouncilFactory()
    project = published_project()
    pledge = services.pledge_offer(
        actor=verified_member(council),
        project=project,
        council=council,
        kind=Kind.MONEY,
        amount=1_000_000_000,
    )
    assert pledge.state == PledgeState.OFFERED


def test_an_approvers_own_pledge_over_the_limit_is_offered_at_once(world):
    assert offer(world, 500_000, actor=world.approver).state == PledgeState.OFFERED


@pytest.mark.parametrize("who", ["admin", "organiser"])
def test_admins_and_organisers_are_not_approvers(world, who):
    actor = world.admin if who == "admin" else OrganiserFactory()
    pledge = offer(world, 500_000, actor=actor)
    assert pledge.state == PledgeState.PENDING
    with pytest.raises(NotAllowed):
        services.pledge_approve(actor=actor, pledge=pledge)
    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.PENDING


def test_the_approvers_are_emailed_and_the_lead_council_is_not(world):
    other_approver = approver(world.partner)
    pledge = offer(world, 500_000)
    assert deliveries(pledge) == {
        (f"pledge:{pledge.pk}:pending:{world.approver.pk}", world.approver.pk),
        (f"pledge:{pledge.pk}:pending:{other_approver.pk}", other_approver.pk),
    }


def test_approval_offers_it_to_the_lead_council(world):
    pledge = offer(world, 500_000)
    pledge = services.pledge_approve(actor=world.approver, pledge=pledge, note="Cabinet agreed")
    assert pledge.state == PledgeState.OFFERED
    assert pledge.offered_at is not None
    assert offered_total(world.project) == (500_000, 0)
    events = list(pledge.events.values_list("sequence", "from_state", "to_state", "actor_id"))
    assert events == [
        (1, "", PledgeState.PENDING, world.pledger.pk),
        (2, PledgeState.PENDING, PledgeState.OFFERED, world.approver.pk),
    ]
    keys = {key for key, _user in deliveries(pledge)}
    assert f"pledge:{pledge.pk}:approved" in keys  # the pledger hears
    assert (f"pledge:{pledge.pk}:offered", world.owner.pk) in deliveries(pledge)  # and the owner
    assert check_ledger() == []
    # From now on it is an ordinary offer the owner decides.
    services.pledge_accept(actor=world.owner, pledge=pledge)
    assert check_ledger() == []


def test_refusal_needs_a_reason_tells_the_pledger_and_never_the_lead_council(world):
    pledge = offer(world, 500_000)
    with pytest.raises(InvalidInput) as excinfo:
        services.pledge_refuse(actor=world.approver, pledge=pledge, reason="  ")
    assert excinfo.value.field == "reason"
    pledge = services.pledge_refuse(actor=world.approver, pledge=pledge, reason="Over budget")
    assert pledge.state == PledgeState.REFUSED
    assert pledge.offered_at is None
    assert (f"pledge:{pledge.pk}:refused", world.pledger.pk) in deliveries(pledge)
    assert not any(user == world.owner.pk for _key, user in deliveries(pledge))
    assert offered_total(world.project) == (0, 0)
    with pytest.raises(Conflict):  # refused is final
        services.pledge_approve(actor=world.approver, pledge=pledge)
    assert check_ledger() == []


def test_withdrawing_while_it_waits_tells_no_one_outside_the_council(world):
    pledge = offer(world, 500_000)
    pledge = services.pledge_withdraw(actor=world.pledger, pledge=pledge, reason="Wrong amount")
    assert pledge.state == PledgeState.WITHDRAWN
    assert pledge.offered_at is None
    assert not any(user == world.owner.pk for _key, user in deliveries(pledge))
    assert not Pledge.objects.public().filter(pk=pledge.pk).exists()
    assert check_ledger() == []


def test_the_withdraw_form_of_a_waiting_pledge_does_not_call_its_reason_public(world, client):
    pledge = offer(world, 500_000)
    client.force_login(world.pledger)
    url = reverse("projects:pledge_action", args=[pledge.pk, "withdraw"])
    page = client.get(url).text
    assert "Only members of Partnerton and Pipeline’s organisers see this." in page
    assert "anyone can read it" not in page
    assert "Note for the two councils only" not in page  # the lead council never sees it
    welsh = client.get(f"/cy{url}").text
    assert "Dim ond aelodau Partnerton" in welsh
    done = client.post(url, {"reason": "Wrong amount"})
    assert done.status_code == 302
    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.WITHDRAWN
    # An offer's withdrawal reason is public, and says so.
    offered = offer(world, 50_000)
    page = client.get(reverse("projects:pledge_action", args=[offered.pk, "withdraw"])).text
    assert "anyone can read it" in page and "Note for the two councils only" in page


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_the_project_team_cannot_decide_a_pledge_that_waits(world, action):
    pledge = offer(world, 500_000)
    service = services.pledge_accept if action == "accept" else services.pledge_decline
    with pytest.raises(NotAllowed):
        service(actor=world.owner, pledge=pledge)
    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.PENDING


def test_an_approver_of_another_council_cannot_sign_off(world):
    pledge = offer(world, 500_000)
    with pytest.raises(NotAllowed):
        services.pledge_approve(actor=approver(world.lead), pledge=pledge)


def test_public_reads_leave_out_what_waits_and_what_was_refused(world):
    waiting = offer(world, 500_000)
    refused = services.pledge_refuse(
        actor=world.approver, pledge=offer(world, 600_000), reason="No"
    )
    approved = services.pledge_approve(actor=world.approver, pledge=offer(world, 700_000))
    public = {approved.pk}
    assert set(selectors.project_pledges(project=world.project).values_list("pk", flat=True)) == (
        public
    )
    assert set(selectors.pledge_list().values_list("pk", flat=True)) == public
    assert set(selectors.council_pledges(council=world.partner).values_list("pk", flat=True)) == (
        public
    )
    events = selectors.project_pledge_events(project=world.project)
    assert {row.pledge_id for row in events} == public
    assert [(row.from_state, row.to_state) for row in events] == [("", PledgeState.OFFERED)]
    latest = selectors.project_pledges_latest(project=world.project, events=events, needs=[])
    assert [p.pk for p in latest] == [approved.pk]
    assert waiting.pk not in public and refused.pk not in public


def test_check_ledger_reports_an_offer_time_the_ledger_does_not_have(world):
    pledge = offer(world, 500_000)
    Pledge.objects.filter(pk=pledge.pk).update(state=PledgeState.WITHDRAWN)
    Pledge.objects.filter(pk=pledge.pk).update(offered_at=pledge.created_at)
    found = check_ledger()
    assert Mismatch(f"pledge {pledge.pk} offered_at", pledge.created_at, "never offered") in (found)


# --- web ---------------------------------------------------------------------------------


def test_the_pledge_page_is_found_only_inside_the_council_until_it_is_offered(world, client):
    pledge = offer(world, 500_000)
    url = pledge.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(world.owner)
    assert client.get(url).status_code == 404
    client.force_login(world.pledger)
    page = client.get(url)
    assert page.status_code == 200
    assert "Awaiting approval" in page.text
    assert "Approve" not in page.text  # a member is not an approver
    assert "Public note" not in page.text  # nothing about it is public yet
    client.force_login(OrganiserFactory())
    assert client.get(url).status_code == 200


def test_an_approver_signs_off_on_the_web_and_the_project_page_then_shows_it(world, client):
    pledge = offer(world, 512_345)
    project_page = world.project.get_absolute_url()
    assert "£5,123.45" not in client.get(project_page).text
    client.force_login(world.approver)
    assert "Approve" in client.get(pledge.get_absolute_url()).text
    dashboard = client.get(reverse("dashboard"))
    assert "Pledges waiting for your sign-off" in dashboard.text
    url = reverse("projects:pledge_action", args=[pledge.pk, "approve"])
    response = client.post(url, {"note": "Delegated decision 42"})
    assert response.status_code == 302
    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.OFFERED
    client.logout()
    page = client.get(pledge.get_absolute_url())
    assert page.status_code == 200
    assert "Awaiting approval" not in page.text  # the internal history is the council's own
    assert "£5,123.45" in client.get(project_page).text


def test_refusing_on_the_web_asks_for_a_reason(world, client):
    pledge = offer(world, 500_000)
    client.force_login(world.approver)
    url = reverse("projects:pledge_action", args=[pledge.pk, "refuse"])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Give a reason for refusing" in response.text
    assert client.post(url, {"reason": "Not this year"}).status_code == 302
    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.REFUSED


@pytest.mark.parametrize("who", ["pledger", "admin", "owner"])
def test_only_approvers_may_open_the_sign_off_forms(world, client, who):
    pledge = offer(world, 500_000)
    client.force_login(getattr(world, who))
    for action in ("approve", "refuse"):
        url = reverse("projects:pledge_action", args=[pledge.pk, action])
        assert client.get(url).status_code == (404 if who == "owner" else 403)


def _dashboard_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("dashboard")).status_code == 200
    return len(ctx.captured_queries)


def test_my_pipeline_lists_what_waits_in_a_constant_number_of_queries(world, client):
    client.force_login(world.approver)
    offer(world, 500_000)
    client.get(reverse("dashboard"))  # warm the caches a first request fills
    one = _dashboard_queries(client)
    for i in range(20):
        offer(world, 500_001 + i)
    assert _dashboard_queries(client) == one
    page = client.get(reverse("dashboard")).text
    assert "£5,000.20" in page
    assert f'href="{world.project.get_absolute_url()}"' in page  # the project, to read first


def test_the_check_page_does_not_promise_the_lead_council_a_pledge_that_waits(world, client):
    client.force_login(world.pledger)
    form = reverse("projects:pledge", args=[world.project.slug])
    check = reverse("projects:pledge_check", args=[world.project.slug])
    client.post(form, {"council": world.partner.pk, "towards": "money", "amount": "5000"})
    page = client.get(check).text
    assert "Until an approver signs it off, only your council and Pipeline’s organisers" in page
    assert "will accept or decline it, and your council can withdraw" not in page
    assert "Once it is offered, the amount, your name" in page
    welsh = client.get(f"/cy{check}").text
    assert "Until an approver" not in welsh  # in Welsh on the Welsh page
    # Within the limit but on a condition: it becomes an offer only once others pledge.
    client.post(
        form,
        {
            "council": world.partner.pk,
            "towards": "money",
            "amount": "500",
            "only_if_others": "on",
            "min_other_councils": "2",
        },
    )
    page = client.get(check).text
    assert "on its condition. Once it becomes an offer" in page
