"""Decision records: the council's published decision behind a pledge, attached once."""

import datetime
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, InvalidInput, NotAllowed
from projects import exports, services
from projects.ledger import check_ledger
from projects.models import Kind, PledgeDecisionRecord, PledgeState
from tests.factories import (
    CouncilFactory,
    OrganiserFactory,
    approver,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db

DECIDED = datetime.date(2026, 3, 1)
LINK = "https://partnerton.gov.uk/decisions/41"


@pytest.fixture
def world():
    lead = CouncilFactory(short_name="Leadshire")
    partner = CouncilFactory(short_name="Partnerton", money_limit=100_000)
    project = published_project(lead_council=lead)
    w = SimpleNamespace(
        lead=lead,
        partner=partner,
        project=project,
        pledger=verified_member(partner),
        colleague=verified_member(partner),
        approver=approver(partner),
    )
    w.within = services.pledge_offer(
        actor=w.pledger, project=project, council=partner, kind=Kind.MONEY, amount=50_000
    )
    w.over = services.pledge_offer(
        actor=w.pledger, project=project, council=partner, kind=Kind.MONEY, amount=200_000
    )
    assert w.over.state == PledgeState.PENDING
    return w


def record(actor, pledge, **changes):
    values = {"title": "Delegated decision 2026/041", "decided_on": DECIDED, "url": LINK}
    values.update(changes)
    return services.pledge_record_decision(actor=actor, pledge=pledge, **values)


def test_the_pledger_records_the_decision_behind_a_pledge_within_the_limit(world):
    made = record(world.pledger, world.within)
    assert (made.title, made.decided_on, made.url) == ("Delegated decision 2026/041", DECIDED, LINK)
    assert made.recorded_by == world.pledger
    assert check_ledger() == []


def test_over_the_limit_only_an_approver_records_it(world):
    with pytest.raises(NotAllowed):
        record(world.pledger, world.over)
    made = record(world.approver, world.over, title="Cabinet minute 12")
    assert made.pledge_id == world.over.pk


@pytest.mark.parametrize("who", ["colleague", "owner", "organiser", "outsider"])
def test_nobody_else_records_it(world, who):
    actor = {
        "colleague": world.colleague,  # another member of the council, not the pledger
        "owner": world.project.owner,
        "organiser": OrganiserFactory(),
        "outsider": verified_member(CouncilFactory()),
    }[who]
    with pytest.raises(NotAllowed):
        record(actor, world.within)
    assert not PledgeDecisionRecord.objects.exists()


def test_once_only(world):
    record(world.pledger, world.within)
    with pytest.raises(Conflict):
        record(world.approver, world.within, title="Another")
    assert PledgeDecisionRecord.objects.get().title == "Delegated decision 2026/041"


def test_not_on_a_withdrawn_pledge(world):
    services.pledge_withdraw(actor=world.pledger, pledge=world.within, reason="Budget cut")
    with pytest.raises(Conflict):
        record(world.pledger, world.within)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://partnerton.gov.uk/d"}, "url"),
        ({"url": 'https://partnerton.gov.uk/"><script>'}, "url"),
        ({"decided_on": timezone.localdate() + datetime.timedelta(days=1)}, "date"),
        ({"decided_on": datetime.date(1850, 1, 1)}, "date"),
        ({"decided_on": datetime.date(1999, 12, 31)}, "date"),
    ],
)
def test_bad_input_is_refused_on_its_field(world, changes, field):
    with pytest.raises(InvalidInput) as refused:
        record(world.pledger, world.within, **changes)
    assert refused.value.field == field


def test_shown_on_the_pledge_page_and_in_its_history(world):
    url = reverse("projects:pledge_detail", kwargs={"pk": world.within.pk})
    client = Client()
    client.force_login(world.pledger)
    page = client.get(url).content.decode()
    assert reverse("projects:pledge_action", args=[world.within.pk, "decision"]) in page
    record(world.pledger, world.within)
    page = Client().get(url).content.decode()
    assert "Delegated decision 2026/041" in page
    assert f'href="{LINK}"' in page
    assert "Council’s decision recorded" in page
    assert "1 March 2026" in page


def test_recorded_through_the_web_form_with_errors_beside_fields(world):
    client = Client()
    client.force_login(world.pledger)
    url = reverse("projects:pledge_action", args=[world.within.pk, "decision"])
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"title": "", "date_day": "31", "date_month": "2", "date_year": "2026", "url": "x"}
    )
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"title", "date", "url"}
    assert not PledgeDecisionRecord.objects.exists()
    good = client.post(
        url,
        {
            "title": "Delegated decision 2026/041",
            "date_day": "1",
            "date_month": "3",
            "date_year": "2026",
            "url": LINK,
        },
    )
    assert good.status_code == 302
    assert PledgeDecisionRecord.objects.get().decided_on == DECIDED


def test_in_the_pledges_csv_escaped(world):
    record(world.pledger, world.within, title="=HYPERLINK(1)")
    response = Client().get(reverse("api:pledges_csv"))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert "note,decision_title,decision_date,decision_url," in lines[0]
    row = next(line for line in lines[1:] if line.startswith(f"{world.within.pk},"))
    assert f"'=HYPERLINK(1),2026-03-01,{LINK}," in row
    start = exports.PLEDGE_COLUMNS.index("decision_title")
    assert exports.PLEDGE_COLUMNS[start : start + 3] == [
        "decision_title",
        "decision_date",
        "decision_url",
    ]


def test_the_web_form_refuses_a_date_before_2000_in_english_and_welsh(world):
    client = Client()
    client.force_login(world.pledger)
    url = reverse("projects:pledge_action", args=[world.within.pk, "decision"])
    data = {
        "title": "Delegated decision 2026/041",
        "date_day": "1",
        "date_month": "1",
        "date_year": "1850",
        "url": LINK,
    }
    assert "must be in 2000 or later" in client.post(url, data).content.decode()
    assert "yn 2000 neu’n hwyrach" in client.post(f"/cy{url}", data).content.decode()
    assert not PledgeDecisionRecord.objects.exists()


def test_once_recorded_the_form_is_not_offered_again(world):
    record(world.pledger, world.within)
    client = Client()
    client.force_login(world.pledger)
    url = reverse("projects:pledge_action", args=[world.within.pk, "decision"])
    response = client.get(url, follow=True)
    assert response.redirect_chain == [(world.within.get_absolute_url(), 302)]
    page = response.content.decode()
    assert "A decision is already recorded for this pledge; it cannot be changed." in page
    assert url not in page  # the pledge's page no longer offers it either
