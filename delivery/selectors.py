"""Reads for milestones, status reports and when the next report is due."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from projects.models import Project, State

from .models import DEFAULT_REPORT_INTERVAL_DAYS, Milestone, ReportSchedule, StatusReport

# Projects whose team is expected to report: the ones still being worked on.
REPORTING_STATES = (State.SEEKING_SUPPORT, State.IN_DELIVERY)


def milestone_list(*, project: Project) -> QuerySet[Milestone]:
    """A project's milestones in timeline order (planned date, then as added)."""
    return Milestone.objects.filter(project=project).order_by("planned_on", "pk")


def status_report_list(*, project: Project) -> QuerySet[StatusReport]:
    """A project's reports, newest first, with what their rows show."""
    return (
        StatusReport.objects.filter(project=project)
        .select_related("author", "update", "project")
        .order_by("-created_at", "-pk")
    )


def report_due_on(*, project: Project, schedule: ReportSchedule | None) -> datetime.date:
    """The date the next report is due: the schedule's, or, before the first report, a month
    (the default interval) after the project was published."""
    if schedule is not None:
        return schedule.next_due_on
    start = project.published_at or project.created_at
    return timezone.localdate(start) + datetime.timedelta(days=DEFAULT_REPORT_INTERVAL_DAYS)


def report_schedule_for(*, project: Project) -> ReportSchedule | None:
    return ReportSchedule.objects.filter(project=project).first()


@dataclass(frozen=True)
class MilestoneStatus:
    """How a milestone stands today, in words (the tag's colour only repeats them)."""

    key: str  # done, overdue, due_today, upcoming
    days: int  # days overdue, or days until due; 0 when done or due today


def milestone_status(
    milestone: Milestone, *, today: datetime.date | None = None
) -> MilestoneStatus:
    today = today or timezone.localdate()
    if milestone.done_on is not None:
        return MilestoneStatus("done", 0)
    delta = (milestone.planned_on - today).days
    if delta < 0:
        return MilestoneStatus("overdue", -delta)
    if delta == 0:
        return MilestoneStatus("due_today", 0)
    return MilestoneStatus("upcoming", delta)


@dataclass(frozen=True)
class ProjectDelivery:
    """What a project's page shows of its delivery, read in a constant number of queries."""

    milestones: list[tuple[Milestone, MilestoneStatus]]
    latest_report: StatusReport | None
    report_count: int
    next_report_due: datetime.date
    report_expected: bool  # the project is being worked on, so reports are expected

    @property
    def report_overdue(self) -> bool:
        return self.report_expected and self.next_report_due < timezone.localdate()


def project_delivery(*, project: Project) -> ProjectDelivery:
    """Milestones (1 query), the latest report and the count (2) and the schedule (1)."""
    today = timezone.localdate()
    milestones = [(m, milestone_status(m, today=today)) for m in milestone_list(project=project)]
    reports = status_report_list(project=project)
    return ProjectDelivery(
        milestones=milestones,
        latest_report=reports.first(),
        report_count=reports.count(),
        next_report_due=report_due_on(
            project=project, schedule=report_schedule_for(project=project)
        ),
        report_expected=project.state in REPORTING_STATES and not project.is_hidden,
    )


def projects_with_overdue_reports(
    *, today: datetime.date | None = None
) -> list[tuple[Project, datetime.date]]:
    """Published projects being worked on whose next report is overdue, with its due date."""
    today = today or timezone.localdate()
    projects = (
        Project.objects.visible()
        .filter(state__in=REPORTING_STATES)
        .select_related("report_schedule", "owner")
        .order_by("pk")
    )
    overdue = []
    for project in projects:
        schedule = getattr(project, "report_schedule", None)
        due = report_due_on(project=project, schedule=schedule)
        if due < today:
            overdue.append((project, due))
    return overdue
