"""Charts people would rather look at than read, drawn on the server as accessible SVG: for money
and for staff time, readable from a project's first pledge."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from core.charts import BarChart, LineChart
from projects.models import Kind, PledgeState
from projects.selectors import project_pledge_charts, project_pledges
from tests.factories import CouncilFactory, make_pledge, published_project

pytestmark = pytest.mark.django_db


def charts_of(project):
    project.refresh_from_db()
    return project_pledge_charts(project=project, pledges=list(project_pledges(project=project)))


def figures(chart: BarChart) -> dict[str, str]:
    return {bar.label: bar.display for bar in chart.bars}


def test_a_first_pledge_today_gets_a_chart_against_the_goal_not_a_line_with_no_width():
    """Published and pledged the same day: the over-time chart would be one vertical line
    between two identical dates, so the page shows where the pledges stand against the goal."""
    project = published_project()
    make_pledge(project, amount=100_000)

    charts = charts_of(project)

    assert [type(chart) for chart in charts] == [BarChart]
    assert charts[0].title == "Money pledged against the goal"
    assert figures(charts[0]) == {
        "Goal": "£5,000",
        "Pledged": "£1,000",
        "Committed": "£0",
        "Fulfilled": "£0",
    }
    goal, pledged = charts[0].bars[0], charts[0].bars[1]
    assert pledged.width == pytest.approx(goal.width / 5, abs=0.2)  # a fifth of the goal


def test_staff_time_is_charted_too():
    project = published_project()
    make_pledge(project, kind=Kind.TIME, amount=10, state=PledgeState.ACCEPTED)  # 5 days

    (chart,) = charts_of(project)

    assert chart.title == "Staff time pledged against the goal"
    assert figures(chart)["Goal"] == "20 days"
    assert figures(chart)["Committed"] == "5 days"


def test_over_time_the_chart_spans_real_dates_and_follows_the_ledger():
    start = timezone.now() - datetime.timedelta(days=10)
    with time_machine.travel(start, tick=False):
        project = published_project()
        make_pledge(project, amount=100_000, state=PledgeState.ACCEPTED)
    with time_machine.travel(start + datetime.timedelta(days=3), tick=False):
        make_pledge(project, amount=50_000, state=PledgeState.WITHDRAWN)
        make_pledge(project, amount=20_000, state=PledgeState.OFFERED)
    make_pledge(project, kind=Kind.TIME, amount=4, state=PledgeState.ACCEPTED)  # today

    money_bars, money_line, time_bars = charts_of(project)

    assert isinstance(money_line, LineChart) and isinstance(time_bars, BarChart)
    assert money_line.goal == 500_000
    assert [row["values"] for row in money_line.table] == [
        ["£1,000", "£1,000"],
        ["£1,200", "£1,000"],  # offered + accepted; the withdrawn £500 came and went
    ]
    assert money_line.table[-1]["date"] == timezone.localdate(start) + datetime.timedelta(days=3)
    assert "£1,200 pledged and £1,000 committed of a goal of £5,000" in money_line.description
    # The first rise is inside the chart, not on its left edge, and the dates differ.
    assert money_line.start_label != money_line.end_label
    committed = next(s for s in money_line.series if s.css == "committed")
    xs = [float(point.split(",")[0]) for point in committed.svg_points.split()]
    assert xs[0] == money_line.left and xs[-1] == money_line.right
    assert money_line.left < committed.markers[0][0] < money_line.right
    assert figures(money_bars)["Pledged"] == "£1,200"


def test_project_without_pledges_has_no_chart(client):
    project = published_project()
    assert project_pledge_charts(project=project, pledges=[]) == []
    assert b"pipeline-chart" not in client.get(project.get_absolute_url()).content


def test_charts_are_accessible_svg_with_a_table(client):
    project = published_project()
    council = CouncilFactory()
    make_pledge(project, council=council, amount=100_000, state=PledgeState.FULFILLED)
    make_pledge(project, council=council, kind=Kind.TIME, amount=3)
    for url in (project.get_absolute_url(), council.get_absolute_url()):
        page = client.get(url).content.decode()
        svgs = re.findall(r'<svg class="pipeline-chart__svg".*?</svg>', page, re.S)
        assert svgs
        for svg in svgs:
            assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
        assert "Show the figures as a table" in page
        assert "£1,000" in page[page.index("Show the figures as a table") :]
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Money pledged against the goal" in page
    assert "Staff time pledged against the goal" in page
    assert "1.5 days" in page


def test_a_bar_chart_makes_room_for_its_longest_label():
    """Welsh state names are long: none may start left of the chart (cut off on the page)."""
    from core.charts import LABEL_CHAR_WIDTH, bar_chart

    short = bar_chart("Money", "", [("Offered", 5, "£5", "")])
    long_label = "Amodol: yn aros am gynghorau eraill"
    long = bar_chart("Arian", "", [("Wedi'i gynnig", 5, "£5", ""), (long_label, 2, "£2", "")])
    assert short.plot_x == 170 and short.width == 600
    # The label is drawn right-aligned, ending 8 units before the bars.
    assert long.plot_x - 8 - len(long_label) * LABEL_CHAR_WIDTH >= 0
    assert long.plot_x + long.plot_width <= long.width
    assert long.bars[0].width == long.plot_width  # the largest bar still fills the plot
