"""The project page's milestones and latest report, and the team's three forms."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from delivery import services
from delivery.models import Milestone, Rating, StatusReport
from projects.models import Phase, Project, Update
from tests.factories import MilestoneFactory, UserFactory, published_project, verified_member

pytestmark = pytest.mark.django_db


def _page(client, project) -> str:
    response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _count(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _file(project, **kwargs):
    values = {
        "rating": Rating.OFF_TRACK,
        "happened": "Supplier went quiet.",
        "next_steps": "Find another supplier.",
        "money_spent": 250_000,
        "half_days_used": 9,
        **kwargs,
    }
    return services.status_report_file(actor=project.owner, project=project, **values)


def test_the_timeline_says_in_words_which_milestones_are_overdue_or_done(client):
    project = published_project()
    today = timezone.localdate()
    MilestoneFactory(
        project=project,
        title="Discovery report",
        planned_on=today - datetime.timedelta(days=20),
        done_on=today - datetime.timedelta(days=21),
        evidence_url="https://example.gov.uk/d",
    )
    MilestoneFactory(
        project=project, title="Alpha plan", planned_on=today - datetime.timedelta(days=3)
    )
    MilestoneFactory(project=project, title="Beta", planned_on=today + datetime.timedelta(days=12))
    page = _page(client, project)
    timeline = page[page.index('id="milestones"') : page.index('id="status-report"')]
    assert (
        timeline.index("Discovery report") < timeline.index("Alpha plan") < timeline.index("Beta")
    )
    assert '<ol class="govuk-list pipeline-timeline"' in timeline
    assert 'govuk-tag--green">Done</strong>' in timeline
    assert 'govuk-tag--red">Overdue</strong>' in timeline
    assert "Overdue by 3 days." in timeline
    assert "Due in 12 days." in timeline
    assert 'href="https://example.gov.uk/d"' in timeline
    assert "Add a milestone" not in page and "Mark as done" not in page  # not the team


def test_the_latest_report_shows_its_rating_in_words_and_the_next_due_date(client):
    project = published_project()
    _file(project, rating=Rating.ON_TRACK, happened="Old news")
    _file(project, blockers="No supplier")
    page = _page(client, project)
    section = page[page.index('id="status-report"') : page.index('id="updates"')]
    assert 'govuk-tag--red">Off track</strong>' in section
    assert "Supplier went quiet." in section and "Old news" not in section
    assert "£2,500 and 4.5 days" in section
    assert "No supplier" in section
    due = timezone.localdate() + datetime.timedelta(days=30)
    assert f'Next report due <time datetime="{due:%Y-%m-%d}">' in section
    assert "2 reports so far" in section
    assert "Status report: Off track" in page[page.index('id="updates"') :]  # it is an update


def test_an_overdue_report_counts_as_no_recent_activity(client):
    project = published_project()
    Project.objects.filter(pk=project.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=45)
    )
    page = _page(client, project)
    assert "Report overdue" in page
    assert "No recent activity" in page
    _file(project)
    page = _page(client, project)
    assert "Report overdue" not in page and "No recent activity" not in page


def test_the_team_sees_the_three_actions(client):
    project = published_project()
    milestone = MilestoneFactory(project=project)
    client.force_login(project.owner)
    page = _page(client, project)
    assert reverse("delivery:milestone_new", args=[project.slug]) in page
    assert reverse("delivery:milestone_done", args=[project.slug, milestone.pk]) in page
    assert reverse("delivery:report_new", args=[project.slug]) in page


def test_page_queries_do_not_grow_with_milestones_and_reports(client):
    project = published_project()
    MilestoneFactory(project=project)
    _file(project)
    client.force_login(project.owner)
    url = project.get_absolute_url()
    one = _count(client, url)
    for i in range(20):
        MilestoneFactory(project=project, done_on=timezone.localdate() if i % 2 else None)
    for _ in range(5):
        _file(project)
    assert _count(client, url) == one


def test_adding_a_milestone_with_the_govuk_date_input(client):
    project = published_project()
    client.force_login(project.owner)
    url = reverse("delivery:milestone_new", args=[project.slug])
    assert client.get(url).status_code == 200
    data = {
        "title": "Alpha assessment",
        "phase": Phase.ALPHA,
        "planned_on_day": "31",
        "planned_on_month": "3",
        "planned_on_year": "2027",
        "submission_key": str(uuid.uuid4()),
    }
    response = client.post(url, data)
    milestone = Milestone.objects.get(project=project)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#milestone-{milestone.pk}")
    assert milestone.planned_on == datetime.date(2027, 3, 31)
    client.post(url, data)  # the same form sent twice
    assert Milestone.objects.filter(project=project).count() == 1


def test_a_bad_milestone_form_shows_the_errors(client):
    project = published_project()
    client.force_login(project.owner)
    url = reverse("delivery:milestone_new", args=[project.slug])
    response = client.post(
        url,
        {
            "title": "",
            "planned_on_day": "31",
            "planned_on_month": "2",
            "planned_on_year": "2027",
            "evidence_url": "not a link",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "Enter the milestone" in page
    assert "Choose the phase the milestone belongs to" in page
    assert not Milestone.objects.exists()


def test_marking_a_milestone_done(client):
    milestone = MilestoneFactory(project=published_project())
    project = milestone.project
    client.force_login(project.owner)
    url = reverse("delivery:milestone_done", args=[project.slug, milestone.pk])
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "done_on_day": str(today.day),
            "done_on_month": str(today.month),
            "done_on_year": str(today.year),
            "evidence_url": "https://example.gov.uk/alpha-report",
        },
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == today
    assert milestone.evidence_url == "https://example.gov.uk/alpha-report"
    tomorrow = today + datetime.timedelta(days=1)
    response = client.post(
        url,
        {
            "done_on_day": str(tomorrow.day),
            "done_on_month": str(tomorrow.month),
            "done_on_year": str(tomorrow.year),
        },
    )
    assert "The date done must be today or in the past" in response.content.decode()


def test_filing_a_report_reads_pounds_and_days_as_typed(client):
    project = published_project()
    client.force_login(project.owner)
    url = reverse("delivery:report_new", args=[project.slug])
    response = client.post(
        url,
        {
            "rating": Rating.AT_RISK,
            "happened": "Research done",
            "money_spent": "£1,234.50",
            "days_used": "2.5 days",
            "next_steps": "Prototype",
        },
    )
    assert response.status_code == 302
    report = StatusReport.objects.get(project=project)
    assert (report.money_spent, report.half_days_used) == (123_450, 5)
    assert Update.objects.filter(project=project, title="Status report: At risk").exists()


def test_a_bad_report_form_keeps_what_was_typed(client):
    project = published_project()
    client.force_login(project.owner)
    url = reverse("delivery:report_new", args=[project.slug])
    response = client.post(
        url,
        {
            "rating": "",
            "happened": "Kept text",
            "money_spent": "lots",
            "days_used": "1.25",
            "next_steps": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose on track, at risk or off track" in page
    assert "Enter an amount in pounds, like 2500 or 2500.50" in page
    assert "Enter days in whole or half days, like 3 or 3.5" in page
    assert "Say what the next steps are" in page
    assert "Kept text" in page
    assert not StatusReport.objects.exists()


@pytest.mark.parametrize(
    ("money", "days", "message"),
    [
        # Zero is allowed, so a minus sign must not be told "more than zero".
        ("-5", "0", "The money spent cannot be less than zero. Enter 0 if none."),
        ("0", "-1", "The staff days used cannot be less than zero. Enter 0 if none."),
        # A decimal comma is refused, not read as a hundred times the amount.
        ("12,50", "0", "Enter an amount in pounds, like 2500 or 2500.50"),
        ("0", "1,5", "Enter a number of days, like 5 or 2.5"),
    ],
)
def test_a_report_refuses_negative_and_misplaced_commas(client, money, days, message):
    project = published_project()
    client.force_login(project.owner)
    url = reverse("delivery:report_new", args=[project.slug])
    data = {"rating": Rating.ON_TRACK, "happened": "Research", "next_steps": "Prototype"}
    response = client.post(url, {**data, "money_spent": money, "days_used": days})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "more than zero" not in page
    assert not StatusReport.objects.exists()


@pytest.mark.parametrize("name", ["delivery:milestone_new", "delivery:report_new"])
def test_people_outside_the_team_are_refused(client, name):
    project = published_project()
    url = reverse(name, args=[project.slug])
    assert client.get(url).status_code == 302  # to sign in
    for person in (UserFactory(), verified_member(project.lead_council)):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.post(url, {"title": "x"}).status_code == 403
    assert not Milestone.objects.exists()


def test_a_milestone_of_another_project_is_not_found(client):
    project = published_project()
    other = MilestoneFactory(project=published_project())
    client.force_login(project.owner)
    url = reverse("delivery:milestone_done", args=[project.slug, other.pk])
    assert client.get(url).status_code == 404


def test_the_welsh_page_says_it_in_welsh(client):
    project = published_project()
    MilestoneFactory(project=project, planned_on=timezone.localdate() - datetime.timedelta(days=2))
    response = client.get(f"/cy{project.get_absolute_url()}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cerrig milltir" in page
    assert "Yn hwyr" in page
