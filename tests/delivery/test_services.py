"""Milestones and status reports through the services: who may, what is refused, and that a
report reaches followers as an update does."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import NotificationFrequency
from core.errors import Conflict, InvalidInput, NotAllowed
from delivery import services
from delivery.models import Milestone, Rating, ReportSchedule, StatusReport
from delivery.selectors import milestone_status, project_delivery
from projects.models import Follow, Phase, Project, Role, TeamMembership, TeamStatus, Update
from tests.factories import (
    MilestoneFactory,
    OrganiserFactory,
    ProjectFactory,
    UserFactory,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


def _report(project, actor=None, **kwargs):
    values = {
        "rating": Rating.AT_RISK,
        "happened": "Ran **three** user research sessions.",
        "next_steps": "Build the prototype.",
        "money_spent": 123_450,
        "half_days_used": 25,
    }
    values.update(kwargs)
    return services.status_report_file(actor=actor or project.owner, project=project, **values)


def test_the_owner_adds_a_milestone():
    project = published_project()
    milestone = services.milestone_add(
        actor=project.owner,
        project=project,
        title="  Alpha assessment passed ",
        phase=Phase.ALPHA,
        planned_on=TODAY,
        evidence_url="https://example.gov.uk/alpha",
    )
    assert milestone.title == "Alpha assessment passed"
    assert milestone.created_by == project.owner
    assert milestone.done_on is None


def test_an_active_team_member_may_add_one_but_a_stranger_may_not():
    project = published_project()
    member = UserFactory()
    TeamMembership.objects.create(
        project=project, user=member, role=Role.DEVELOPER, status=TeamStatus.ACTIVE
    )
    services.milestone_add(actor=member, project=project, title="A", phase="beta", planned_on=TODAY)
    for stranger in (UserFactory(), verified_member()):
        with pytest.raises(NotAllowed):
            services.milestone_add(
                actor=stranger, project=project, title="B", phase="beta", planned_on=TODAY
            )
    assert Milestone.objects.filter(project=project).count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"phase": "gamma"}, "phase"),
        ({"planned_on": datetime.date(1999, 12, 31)}, "planned_on"),
        ({"planned_on": "2026-01-01"}, "planned_on"),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url"),
    ],
)
def test_bad_milestones_are_refused_with_the_field(changes, field):
    project = published_project()
    values = {"title": "Beta", "phase": Phase.BETA, "planned_on": TODAY, **changes}
    with pytest.raises(InvalidInput) as error:
        services.milestone_add(actor=project.owner, project=project, **values)
    assert error.value.field == field


def test_marking_done_records_the_date_and_refuses_the_future():
    milestone = MilestoneFactory()
    owner = milestone.project.owner
    with pytest.raises(InvalidInput) as error:
        services.milestone_mark_done(
            actor=owner,
            milestone=milestone,
            done_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert error.value.field == "done_on"
    services.milestone_mark_done(actor=owner, milestone=milestone)
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate()
    with pytest.raises(NotAllowed):
        services.milestone_mark_done(actor=UserFactory(), milestone=milestone)


def test_update_changes_only_what_is_given():
    milestone = MilestoneFactory(title="Old", phase=Phase.ALPHA)
    services.milestone_update(
        actor=OrganiserFactory(), milestone=milestone, planned_on=datetime.date(2027, 1, 5)
    )
    milestone.refresh_from_db()
    assert (milestone.title, milestone.phase) == ("Old", Phase.ALPHA)
    assert milestone.planned_on == datetime.date(2027, 1, 5)


def test_milestone_status_in_words():
    milestone = Milestone(title="Beta", phase=Phase.BETA, planned_on=TODAY)
    assert milestone_status(milestone, today=TODAY).key == "due_today"
    overdue = milestone_status(milestone, today=TODAY + datetime.timedelta(days=3))
    assert (overdue.key, overdue.days) == ("overdue", 3)
    upcoming = milestone_status(milestone, today=TODAY - datetime.timedelta(days=1))
    assert (upcoming.key, upcoming.days) == ("upcoming", 1)
    milestone.done_on = TODAY
    assert milestone_status(milestone, today=TODAY + datetime.timedelta(days=30)).key == "done"


def test_the_database_refuses_a_milestone_without_a_title_or_phase():
    project = published_project()
    for bad in ({"title": ""}, {"phase": "gamma"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Milestone.objects.create(
                **{
                    "project": project,
                    "title": "T",
                    "phase": Phase.ALPHA,
                    "planned_on": TODAY,
                    "created_by": project.owner,
                    **bad,
                }
            )


def test_a_report_becomes_an_update_and_reaches_followers(on_commit):
    project = published_project()
    follower = UserFactory(notification_frequency=NotificationFrequency.IMMEDIATE)
    Follow.objects.create(user=follower, project=project)
    mail.outbox.clear()

    report = on_commit(_report, project)

    update = Update.objects.get(project=project)
    assert report.update == update
    assert update.title == "Status report: At risk"
    assert "Ran **three** user research sessions." in update.body
    assert "£1,234.50 and 12.5 days" in update.body
    assert [m.to for m in mail.outbox] == [[follower.email]]
    assert "Status report: At risk" in mail.outbox[0].subject


def test_a_report_sets_the_next_due_date_a_month_on():
    project = published_project()
    _report(project)
    schedule = ReportSchedule.objects.get(project=project)
    assert schedule.next_due_on == timezone.localdate() + datetime.timedelta(days=30)
    project.refresh_from_db()
    assert project.last_activity_at >= timezone.now() - datetime.timedelta(minutes=1)


def test_the_schedule_can_be_changed_and_must_be_positive():
    project = published_project()
    schedule = services.report_schedule_set(actor=project.owner, project=project, interval_days=14)
    assert schedule.next_due_on == timezone.localdate() + datetime.timedelta(days=14)
    for bad in (0, -3, 367, "7"):
        with pytest.raises(InvalidInput):
            services.report_schedule_set(actor=project.owner, project=project, interval_days=bad)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportSchedule.objects.filter(project=project).update(interval_days=0)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"rating": "green"}, "rating"),
        ({"happened": " "}, "happened"),
        ({"next_steps": ""}, "next_steps"),
        ({"money_spent": -1}, "money_spent"),
        ({"money_spent": 1.5}, "money_spent"),
        ({"half_days_used": 4_001}, "half_days_used"),
        ({"blockers": "x" * 10_001}, "blockers"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_posted(changes, field):
    project = published_project()
    with pytest.raises(InvalidInput) as error:
        _report(project, **changes)
    assert error.value.field == field
    assert not Update.objects.filter(project=project).exists()
    assert not StatusReport.objects.exists()


def test_only_the_team_files_reports_and_only_on_published_projects():
    project = published_project()
    with pytest.raises(NotAllowed):
        _report(project, actor=verified_member(project.lead_council))
    draft = ProjectFactory()
    with pytest.raises(Conflict):
        _report(draft)
    assert not StatusReport.objects.exists()


def test_project_delivery_shows_the_latest_report_and_when_the_next_is_due():
    project = published_project()
    before = project_delivery(project=project)
    assert before.latest_report is None
    assert before.next_report_due == timezone.localdate(project.published_at) + datetime.timedelta(
        days=30
    )
    _report(project, rating=Rating.ON_TRACK)
    latest = _report(project, rating=Rating.OFF_TRACK)
    after = project_delivery(project=Project.objects.get(pk=project.pk))
    assert after.latest_report == latest
    assert after.report_count == 2
    assert not after.report_overdue


def test_a_report_is_headed_in_the_projects_language_whatever_the_filer_reads():
    from django.utils import translation

    from projects.models import Language

    english, welsh = published_project(), published_project(language=Language.WELSH)
    with translation.override("cy"):
        _report(english)
    _report(welsh)
    assert Update.objects.get(project=english).title == "Status report: At risk"
    welsh_update = Update.objects.get(project=welsh)
    assert welsh_update.title == "Adroddiad statws: Mewn perygl"
    assert "**Beth ddigwyddodd**" in welsh_update.body
