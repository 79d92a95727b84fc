"""Charts people would rather look at than read, drawn on the server as accessible SVG."""

import pytest
from django.utils import timezone

from projects.models import Kind, PledgeState
from projects.selectors import project_pledge_chart, project_pledges
from tests.factories import CouncilFactory, make_pledge, published_project

pytestmark = pytest.mark.django_db


def test_project_chart_follows_the_ledger():
    project = published_project()
    make_pledge(project, amount=100_000, state=PledgeState.ACCEPTED)
    make_pledge(project, amount=50_000, state=PledgeState.WITHDRAWN)
    make_pledge(project, amount=20_000, state=PledgeState.OFFERED)
    make_pledge(project, kind=Kind.TIME, amount=4, state=PledgeState.ACCEPTED)  # not money
    chart = project_pledge_chart(project=project, pledges=list(project_pledges(project=project)))
    assert chart.goal == 500_000
    last = chart.table[-1]
    assert last["date"] == timezone.localdate()
    assert last["values"] == ["£1,200", "£1,000"]  # pledged (offered + accepted), committed
    assert "£1,200 pledged and £1,000 committed of a goal of £5,000" in chart.description


def test_project_without_pledges_has_no_chart(client):
    project = published_project()
    assert project_pledge_chart(project=project, pledges=[]) is None
    assert b"pipeline-chart" not in client.get(project.get_absolute_url()).content


def test_charts_are_accessible_svg_with_a_table(client):
    project = published_project()
    council = CouncilFactory()
    make_pledge(project, council=council, amount=100_000, state=PledgeState.FULFILLED)
    for url in (project.get_absolute_url(), council.get_absolute_url()):
        page = client.get(url).content.decode()
        svg = page[page.index('<svg class="pipeline-chart__svg"') :]
        svg = svg[: svg.index("</svg>")]
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
        assert "Show the figures as a table" in page
        assert "£1,000" in page[page.index("Show the figures as a table") :]
