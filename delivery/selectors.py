"""Reads for milestones, status reports, when the next report is due, and benefits."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum, Window
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mfa import user_has_second_factor
from core import pagecache
from core.charts import BarChart, bar_chart
from core.formatting import format_pence
from councils.models import Council
from projects.models import PUBLIC_STATES, Adoption, Project, State
from projects.scopes import project_tag

from .models import (
    DEFAULT_REPORT_INTERVAL_DAYS,
    Benefit,
    Milestone,
    ReportSchedule,
    StatusReport,
)

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


def _delivery_rows(project: Project) -> tuple:
    """Milestones (1 query), the latest report with the count of all (1: a window count) and
    the schedule (1): what ``project_delivery`` keeps between changes."""
    latest = list(status_report_list(project=project).annotate(total=Window(Count("pk")))[:1])
    return (
        list(milestone_list(project=project)),
        latest[0] if latest else None,
        latest[0].total if latest else 0,
        report_schedule_for(project=project),
    )


def project_delivery(*, project: Project, version: str | None = None) -> ProjectDelivery:
    """What the project's page shows of its delivery. The rows are kept in the pages cache
    while the project is unchanged (``version``: its part version, if the caller has it; a
    milestone, report or schedule written retires it, ``delivery.scopes``); how each milestone
    stands is worked out afresh, since that changes with the date."""
    if version is None:
        version = pagecache.part_version(project_tag(project.pk))
    milestones, latest, count, schedule = pagecache.cached_part(
        f"delivery:{project.pk}", version, lambda: _delivery_rows(project)
    )
    today = timezone.localdate()
    return ProjectDelivery(
        milestones=[(m, milestone_status(m, today=today)) for m in milestones],
        latest_report=latest,
        report_count=count,
        next_report_due=report_due_on(project=project, schedule=schedule),
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


# --- benefits -------------------------------------------------------------------------------

# How many projects the national chart shows (the table and the CSV have them all).
CHART_TOP = 10


def benefit_list() -> QuerySet[Benefit]:
    """Benefits of published projects the public sees, with what a row shows (no query per
    row), newest change first."""
    return (
        Benefit.objects.filter(
            adoption__project__state__in=PUBLIC_STATES, adoption__project__is_hidden=False
        )
        .select_related(
            "adoption__project__lead_council", "adoption__council", "recorded_by", "updated_by"
        )
        .order_by("-updated_at", "-pk")
    )


@dataclass(frozen=True)
class BenefitTotals:
    """Figures per year, added up over councils that each report once (one benefit per
    adoption), so nothing is counted twice."""

    cashable_savings: int = 0
    hours_saved: int = 0
    people_served: int = 0
    councils: int = 0  # councils reporting
    projects: int = 0  # projects with at least one report

    @classmethod
    def of(cls, benefits: list[Benefit]) -> "BenefitTotals":
        return cls(
            cashable_savings=sum(b.cashable_savings for b in benefits),
            hours_saved=sum(b.hours_saved for b in benefits),
            people_served=sum(b.people_served for b in benefits),
            councils=len({b.adoption.council_id for b in benefits}),
            projects=len({b.adoption.project_id for b in benefits}),
        )


@dataclass(frozen=True)
class ProjectBenefits:
    """What a project's page shows of its benefits: each adopting council's report (if any),
    the totals, and the adoptions the reader may record benefits for."""

    benefits: list[Benefit]
    totals: BenefitTotals
    recordable: list[Adoption] = field(default_factory=list)


def project_benefits(*, project: Project, user=None) -> ProjectBenefits:
    """One query for the adoptions with their benefits; one more for the reader's councils
    when signed in (none for an organiser or a visitor)."""
    adoptions = list(
        Adoption.objects.filter(project=project)
        .select_related("council", "benefit__updated_by")
        .order_by("-adopted_on", "-pk")
    )
    for adoption in adoptions:
        adoption.benefit_recorded = _benefit_of(adoption) is not None
    benefits = [a.benefit for a in adoptions if a.benefit_recorded]
    benefits.sort(key=lambda b: (-b.cashable_savings, b.adoption.council.display_name))
    recordable: list[Adoption] = []
    if user is not None and user.is_authenticated and adoptions:
        if user.is_organiser and user_has_second_factor(user=user):
            recordable = adoptions
        else:
            from councils.selectors import user_verified_councils

            mine = {c.pk for c in user_verified_councils(user=user)}
            recordable = [a for a in adoptions if a.council_id in mine]
    return ProjectBenefits(
        benefits=benefits, totals=BenefitTotals.of(benefits), recordable=recordable
    )


def _benefit_of(adoption: Adoption) -> Benefit | None:
    try:
        return adoption.benefit
    except Benefit.DoesNotExist:
        return None


@dataclass(frozen=True)
class CouncilBenefits:
    benefits: list[Benefit]
    totals: BenefitTotals


def council_benefits(*, council: Council) -> CouncilBenefits:
    """The benefits a council reported, for projects the public sees: one query."""
    benefits = list(
        benefit_list()
        .filter(adoption__council=council)
        .order_by("-cashable_savings", "adoption__project__title", "pk")
    )
    return CouncilBenefits(benefits=benefits, totals=BenefitTotals.of(benefits))


def national_benefit_totals() -> BenefitTotals:
    """Every council's benefits, added up in one query (each row joins one adoption and one
    project, so no sum is multiplied)."""
    row = benefit_list().aggregate(
        cashable_savings=Sum("cashable_savings", default=0),
        hours_saved=Sum("hours_saved", default=0),
        people_served=Sum("people_served", default=0),
        councils=Count("adoption__council", distinct=True),
        projects=Count("adoption__project", distinct=True),
    )
    return BenefitTotals(**row)


@dataclass(frozen=True)
class ProjectBenefitRow:
    """One project's benefits, added up over the councils that report them. ``language`` is the
    project's (its title is written in it)."""

    slug: str
    title: str
    language: str
    lead_council_code: str
    lead_council: str  # short name
    councils: int
    cashable_savings: int
    hours_saved: int
    people_served: int


def benefits_by_project() -> list[ProjectBenefitRow]:
    """Per project, what its adopting councils report, most savings first: one query."""
    rows = (
        benefit_list()
        .order_by()
        .values(
            "adoption__project_id",
            "adoption__project__slug",
            "adoption__project__title",
            "adoption__project__language",
            "adoption__project__lead_council__code",
            "adoption__project__lead_council__short_name",
        )
        .annotate(
            councils=Count("adoption__council", distinct=True),
            total_savings=Sum("cashable_savings"),
            total_hours=Sum("hours_saved"),
            total_people=Sum("people_served"),
        )
        .order_by("-total_savings", "adoption__project__title", "adoption__project_id")
    )
    return [
        ProjectBenefitRow(
            slug=row["adoption__project__slug"],
            title=row["adoption__project__title"],
            language=row["adoption__project__language"],
            lead_council_code=row["adoption__project__lead_council__code"],
            lead_council=row["adoption__project__lead_council__short_name"],
            councils=row["councils"],
            cashable_savings=row["total_savings"],
            hours_saved=row["total_hours"],
            people_served=row["total_people"],
        )
        for row in rows
    ]


def benefit_savings_chart(
    rows: list[ProjectBenefitRow], *, top: int = CHART_TOP
) -> BarChart | None:
    """The projects saving councils most, as bars with a table alternative (none when no
    project reports a cashable saving)."""
    shown = [row for row in rows if row.cashable_savings > 0][:top]
    if not shown:
        return None
    return bar_chart(
        _("Cashable savings a year, by project"),
        _(
            "The %(count)s projects whose adopting councils report the most cashable savings "
            "a year, added up over those councils."
        )
        % {"count": len(shown)},
        [
            (row.title, row.cashable_savings, format_pence(row.cashable_savings), "")
            for row in shown
        ],
    )
