"""What a council's page and CSV say about its projects and pledges."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Kind, PledgeState
from tests.factories import CouncilFactory, make_pledge, published_project

pytestmark = pytest.mark.django_db


def test_council_page_shows_projects_led_and_pledge_totals_by_state(client):
    lead = CouncilFactory(short_name="Leadshire")
    project = published_project(lead_council=lead, title="Bulky waste")
    pledger = CouncilFactory(short_name="Pledgeton")
    make_pledge(project, council=pledger, amount=150_050, state=PledgeState.ACCEPTED)
    make_pledge(project, council=pledger, amount=10_000, state=PledgeState.WITHDRAWN)
    make_pledge(project, council=pledger, kind=Kind.TIME, amount=7, state=PledgeState.FULFILLED)

    lead_page = client.get(lead.get_absolute_url()).content.decode()
    assert "Bulky waste" in lead_page

    page = client.get(pledger.get_absolute_url()).content.decode()
    totals = page[page.index("What it has offered and committed") :]
    accepted_row = totals[
        totals.index(">Accepted<") : totals.index("</tr>", totals.index(">Accepted<"))
    ]
    assert "£1,500.50" in accepted_row
    withdrawn_row = totals[totals.index(">Withdrawn<") :]
    assert "£100" in withdrawn_row[: withdrawn_row.index("</tr>")]
    fulfilled_row = totals[totals.index(">Fulfilled<") :]
    assert "3.5 days" in fulfilled_row[: fulfilled_row.index("</tr>")]


def test_council_page_query_count_does_not_grow_with_pledges_or_projects(client):
    council = CouncilFactory()
    project = published_project()
    make_pledge(project, council=council)
    published_project(lead_council=council)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(council.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    queries()  # the first request fills the caches every page reads (locales, site sections)
    before = queries()
    for _ in range(10):
        make_pledge(published_project(), council=council, state=PledgeState.ACCEPTED)
        published_project(lead_council=council)
    assert queries() == before


def test_pledges_csv_lists_every_pledge_exactly(client):
    council = CouncilFactory(code="PLG")
    project = published_project(title="=HYPERLINK(evil)", slug="evil")
    money = make_pledge(project, council=council, amount=123_456, state=PledgeState.FULFILLED)
    time = make_pledge(project, council=council, kind=Kind.TIME, amount=5, note="@SUM(A1)")
    make_pledge(project, council=CouncilFactory())  # another council's pledge is not listed

    response = client.get(reverse("councils:pledges_csv", args=[council.slug]))
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="pipeline-pledges-PLG.csv"' in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 2
    by_id = {int(r["pledge_id"]): r for r in rows}
    assert by_id[money.pk]["amount_pence"] == "123456"
    assert by_id[money.pk]["state"] == "fulfilled"
    assert Decimal(by_id[time.pk]["days"]) == Decimal("2.5")
    assert by_id[time.pk]["note"] == "'@SUM(A1)"
    assert by_id[money.pk]["project"] == "'=HYPERLINK(evil)"


def test_pledges_to_hidden_projects_stay_off_council_pages_csv_and_api(client):
    council = CouncilFactory(code="HID")
    shown = published_project(title="Shown project", slug="shown")
    hidden = published_project(title="Secret spam", slug="spam")
    make_pledge(shown, council=council, amount=10_000, state=PledgeState.ACCEPTED)
    make_pledge(hidden, council=council, amount=99_900, state=PledgeState.ACCEPTED)
    hidden.__class__.objects.filter(pk=hidden.pk).update(is_hidden=True, hidden_reason="Spam")

    page = client.get(council.get_absolute_url()).content.decode()
    assert "Shown project" in page and "Secret spam" not in page and "£999" not in page
    body = b"".join(
        client.get(reverse("councils:pledges_csv", args=[council.slug])).streaming_content
    ).decode()
    assert "Shown project" in body and "Secret spam" not in body
    totals = client.get("/api/v1/councils/HID/").json()["pledge_totals"]
    assert totals["accepted"]["money"]["amount_pence"] == 10_000
