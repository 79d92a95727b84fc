"""/api/v1/projects/<slug>/milestones/ and /reports/: shapes, field errors, retries, queries."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from delivery import services
from delivery.models import Milestone, Rating, StatusReport
from projects.models import Project, State
from tests.api.conftest import assert_error, token_client
from tests.factories import MilestoneFactory, published_project

pytestmark = pytest.mark.django_db


def _url(project, part: str = "milestones") -> str:
    return f"/api/v1/projects/{project.slug}/{part}/"


def test_anyone_reads_milestones_in_order_with_their_status():
    project = published_project()
    later = MilestoneFactory(project=project, title="Beta", planned_on="2027-05-01")
    MilestoneFactory(project=project, title="Alpha", planned_on="2020-01-01")
    body = APIClient().get(_url(project)).json()
    assert [m["title"] for m in body] == ["Alpha", "Beta"]
    assert body[0]["status"] == "overdue"
    assert body[1] == {
        "id": later.pk,
        "project": project.slug,
        "title": "Beta",
        "phase": "alpha",
        "planned_on": "2027-05-01",
        "done_on": None,
        "status": "upcoming",
        "evidence_url": "",
        "url": f"http://testserver{project.get_absolute_url()}#milestone-{later.pk}",
    }


def test_the_team_adds_changes_and_completes_a_milestone():
    project = published_project()
    client = token_client(project.owner)
    created = client.post(
        _url(project),
        {"title": "Alpha", "phase": "alpha", "planned_on": "2027-01-31"},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    changed = client.patch(f"{_url(project)}{pk}/", {"title": "Alpha passed"}, format="json")
    assert changed.json()["title"] == "Alpha passed"
    done = client.post(f"{_url(project)}{pk}/done/", {"done_on": "2026-01-02"}, format="json")
    assert done.json()["done_on"] == "2026-01-02"
    assert done.json()["status"] == "done"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": "A", "phase": "gamma", "planned_on": "2027-01-31"}, "phase"),
        ({"title": "A", "phase": "alpha", "planned_on": "31/01/2027"}, "planned_on"),
        ({"title": "A", "phase": "alpha", "planned_on": "1999-01-01"}, "planned_on"),
        ({"phase": "alpha", "planned_on": "2027-01-31"}, "title"),
        ({"title": "A", "phase": "alpha", "planned_on": "2027-01-31", "done_on": "x"}, "done_on"),
        (
            {"title": "A", "phase": "alpha", "planned_on": "2027-01-31", "evidence_url": "ftp:x"},
            "evidence_url",
        ),
    ],
)
def test_bad_milestones_get_field_errors(body, field):
    project = published_project()
    response = token_client(project.owner).post(_url(project), body, format="json")
    assert_error(response, 400, field=field)
    assert not Milestone.objects.exists()


def test_a_future_done_date_is_a_field_error():
    milestone = MilestoneFactory(project=published_project())
    project = milestone.project
    response = token_client(project.owner).post(
        f"{_url(project)}{milestone.pk}/done/", {"done_on": "2999-01-01"}, format="json"
    )
    assert_error(response, 400, field="done_on")


def test_a_milestone_is_found_only_under_its_own_project():
    milestone = MilestoneFactory(project=published_project())
    other = published_project()
    assert APIClient().get(f"{_url(other)}{milestone.pk}/").status_code == 404


def test_a_draft_projects_milestones_are_not_public():
    milestone = MilestoneFactory(project=published_project())
    Project.objects.filter(pk=milestone.project_id).update(state=State.DRAFT)
    assert APIClient().get(_url(milestone.project)).status_code == 404


def test_filing_a_report_retried_with_the_same_key_files_it_once():
    project = published_project()
    client = token_client(project.owner)
    body = {
        "rating": "off_track",
        "happened": "Supplier left",
        "money_spent_pence": 99_999,
        "days_used": "3.5",
        "next_steps": "Retender",
    }
    key = str(uuid.uuid4())
    first = client.post(_url(project, "reports"), body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post(_url(project, "reports"), body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert StatusReport.objects.count() == 1
    report = first.json()
    assert report["money_spent"] == {"amount_pence": 99_999, "currency": "GBP"}
    assert report["days_used"] == "3.5"
    assert report["rating"] == "off_track"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"rating": "red"}, "rating"),
        ({"money_spent_pence": -5}, "money_spent_pence"),
        ({"days_used": "1.2"}, "days_used"),
        ({"days_used": "1e3"}, "days_used"),
        ({"next_steps": ""}, "next_steps"),
        ({"owner": 1}, "owner"),
    ],
)
def test_bad_reports_get_field_errors(changes, field):
    project = published_project()
    body = {"rating": "on_track", "happened": "x", "next_steps": "y", **changes}
    response = token_client(project.owner).post(_url(project, "reports"), body, format="json")
    assert_error(response, 400, field=field)
    assert not StatusReport.objects.exists()


def _count(url: str) -> int:
    client = APIClient()
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_lists_run_the_same_queries_for_1_and_30_rows():
    project = published_project()
    MilestoneFactory(project=project)
    report = {"rating": Rating.ON_TRACK, "happened": "a", "next_steps": "b"}
    services.status_report_file(actor=project.owner, project=project, **report)
    milestones, reports = _count(_url(project)), _count(_url(project, "reports"))
    for _ in range(29):
        MilestoneFactory(project=project)
        services.status_report_file(actor=project.owner, project=project, **report)
    assert _count(_url(project)) == milestones
    assert _count(_url(project, "reports")) == reports
