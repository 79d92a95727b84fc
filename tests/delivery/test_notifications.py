"""The owner is nudged once per overdue report, by the scheduler's daily job."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import NotificationFrequency
from delivery import services
from delivery.models import Rating
from delivery.notifications import nudge_overdue_reports
from projects.models import Project
from tests.factories import ProjectFactory, published_project

pytestmark = pytest.mark.django_db


def _age(project, days: int) -> None:
    Project.objects.filter(pk=project.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_the_owner_is_nudged_once_per_overdue_period(on_commit):
    project = published_project()
    _age(project, 40)
    fresh = published_project()
    _age(fresh, 10)
    ProjectFactory()  # a draft is not expected to report
    mail.outbox.clear()

    assert on_commit(nudge_overdue_reports) == 1
    assert [m.to for m in mail.outbox] == [[project.owner.email]]
    assert (
        "A status report on" in mail.outbox[0].subject and project.title in mail.outbox[0].subject
    )
    assert f"/projects/{project.slug}/reports/new/" in mail.outbox[0].body

    assert on_commit(nudge_overdue_reports) == 0  # the same overdue period: nothing new
    assert len(mail.outbox) == 1

    services.status_report_file(
        actor=project.owner, project=project, rating=Rating.ON_TRACK, happened="a", next_steps="b"
    )
    assert on_commit(nudge_overdue_reports) == 0  # reported: not overdue any more


def test_owners_who_want_no_email_are_not_nudged(on_commit):
    project = published_project()
    project.owner.notification_frequency = NotificationFrequency.NEVER
    project.owner.save()
    _age(project, 40)
    assert on_commit(nudge_overdue_reports) == 0


def test_the_nudge_is_a_scheduled_job():
    job = settings.PIPELINE_SCHEDULE["report-nudges"]
    assert job["task"] == "delivery.notifications.nudge_overdue_reports_task"
    assert job["cron"]
