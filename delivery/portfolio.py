"""Portfolios: a council's projects (those it leads and those it supports) and the national one,
with how each is going and what councils have committed to it. Reads only.

Money and days come from the pledge ledger itself (the ``Pledge`` rows), accepted or fulfilled,
so the totals row is the ledger's sum by construction; the project's stored totals are the same
figures (``check_ledger`` reconciles them). Match pledges are kept apart there and here: they
are not in these figures. Of what is committed, a pledge toward a need tied to a phase the
project has not reached yet is *committed for a later phase*; the rest not yet fulfilled is
*due now*. So committed = fulfilled + due now + for later phases.

A page costs a fixed number of queries whatever its length: the rows (with their latest report,
next milestone and report schedule as subqueries), one grouped sum of the page's pledges, and
one grouped sum for the totals of every matching row.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db import models
from django.db.models import (
    Case,
    CharField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import pagecache
from councils.models import Council
from projects.models import (
    Kind,
    Pledge,
    PledgeState,
    Project,
    TeamMembership,
    TeamStatus,
    phase_rank,
)
from projects.scopes import LISTING, SUPPORT

from .models import DEFAULT_REPORT_INTERVAL_DAYS, RATING_TAG, Milestone, Rating, StatusReport
from .selectors import REPORTING_STATES

COMMITTED_STATES = (PledgeState.ACCEPTED, PledgeState.FULFILLED)
NO_REPORT = "none"


class PortfolioRole(models.TextChoices):
    """A council's part in a project of its portfolio."""

    LEADS = "leads", _("Leads")
    SUPPORTS = "supports", _("Supports")


@dataclass
class Figures:
    """One quantity (pence, or half-days) of committed pledges, split by when it falls due."""

    fulfilled: int = 0
    due_now: int = 0  # accepted, toward no phase or a phase the project has reached
    later: int = 0  # accepted, toward a need for a phase the project has not reached yet

    @property
    def committed(self) -> int:
        return self.fulfilled + self.due_now + self.later

    def add(self, other: "Figures") -> None:
        self.fulfilled += other.fulfilled
        self.due_now += other.due_now
        self.later += other.later


@dataclass
class Sums:
    money: Figures = field(default_factory=Figures)
    days: Figures = field(default_factory=Figures)  # half-days

    def add(self, other: "Sums") -> None:
        self.money.add(other.money)
        self.days.add(other.days)


@dataclass(frozen=True)
class PortfolioRow:
    project: Project
    role: str  # PortfolioRole, or "" on the national portfolio
    rating: str  # a Rating, or "" before the first report
    sums: Sums
    next_milestone_title: str
    next_milestone_on: datetime.date | None
    last_report_on: datetime.date | None
    days_since_report: int | None  # since the last report, or since publication without one
    report_overdue: bool

    @property
    def rating_tag(self) -> str:
        return RATING_TAG.get(self.rating, "")

    @property
    def rating_label(self) -> str:
        return str(Rating(self.rating).label) if self.rating else ""

    @property
    def role_label(self) -> str:
        return str(PortfolioRole(self.role).label) if self.role else ""


# --- querysets ------------------------------------------------------------------------------


def _with_delivery(projects: QuerySet[Project]) -> QuerySet[Project]:
    """What a row shows of the project's delivery, as subqueries of the one row query."""
    latest = StatusReport.objects.filter(project=OuterRef("pk")).order_by("-created_at", "-pk")
    upcoming = Milestone.objects.filter(project=OuterRef("pk"), done_on__isnull=True).order_by(
        "planned_on", "pk"
    )
    return projects.select_related("lead_council").annotate(
        latest_rating=Coalesce(
            Subquery(latest.values("rating")[:1]), Value(""), output_field=CharField()
        ),
        last_report_at=Subquery(latest.values("created_at")[:1]),
        next_report_due=F("report_schedule__next_due_on"),
        next_milestone_title=Subquery(upcoming.values("title")[:1]),
        next_milestone_on=Subquery(upcoming.values("planned_on")[:1]),
    )


def council_portfolio_projects(*, council: Council) -> QuerySet[Project]:
    """Visible projects the council leads, and those it supports: as a partner council does,
    with an accepted or fulfilled pledge or an active member on the team
    (``projects.selectors.partner_q``)."""
    # The council's own pledges and team places, each read once by its index (a hashed
    # subplan), not tested project by project: on the busiest council that was 0.6 s.
    committed = Pledge.objects.filter(council=council, state__in=COMMITTED_STATES).values(
        "project_id"
    )
    on_team = TeamMembership.objects.filter(council=council, status=TeamStatus.ACTIVE).values(
        "project_id"
    )
    projects = (
        Project.objects.visible()
        .filter(Q(lead_council=council) | Q(pk__in=committed) | Q(pk__in=on_team))
        .alias(
            portfolio_role=Case(
                When(lead_council=council, then=Value(PortfolioRole.LEADS)),
                default=Value(PortfolioRole.SUPPORTS),
                output_field=CharField(),
            )
        )
    )
    return _with_delivery(projects)


def national_portfolio_projects() -> QuerySet[Project]:
    """Every visible project, for organisers."""
    return _with_delivery(Project.objects.visible())


# --- figures from the ledger ----------------------------------------------------------------


def _ledger(council: Council | None) -> QuerySet[Pledge]:
    """The committed pledges a portfolio counts: every one for the national portfolio; for a
    council's, all those to the projects it leads and its own to the projects it supports."""
    pledges = Pledge.objects.filter(state__in=COMMITTED_STATES, match_percent__isnull=True)
    if council is not None:
        pledges = pledges.filter(Q(project__lead_council=council) | Q(council=council))
    return pledges


def _into(sums: Sums, row: dict) -> None:
    figures = sums.money if row["kind"] == Kind.MONEY else sums.days
    if row["state"] == PledgeState.FULFILLED:
        figures.fulfilled += row["total"]
    elif phase_rank(row["need__phase"] or "") > phase_rank(row["project__phase"]):
        figures.later += row["total"]
    else:
        figures.due_now += row["total"]


def sums_by_project(*, project_ids: Iterable[int], council: Council | None) -> dict[int, Sums]:
    """Each project's committed money and days (one grouped query)."""
    rows = (
        _ledger(council)
        .filter(project_id__in=list(project_ids))
        .values("project_id", "project__phase", "kind", "state", "need__phase")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    sums: dict[int, Sums] = {}
    for row in rows:
        _into(sums.setdefault(row["project_id"], Sums()), row)
    return sums


def sums_total(*, projects: QuerySet[Project], council: Council | None) -> Sums:
    """The totals row: every matching project's figures, whatever page is shown (two queries:
    the projects' keys, then the sum grouped by phase, kind and state: a handful of rows)."""
    # The matching projects' keys first (without the rows' subqueries), so the sum reads the
    # pledges of those projects by index instead of joining the whole filter into it.
    ids = list(projects.order_by().values_list("pk", flat=True))
    rows = (
        _ledger(council)
        .filter(project_id__in=ids)
        .values("project__phase", "kind", "state", "need__phase")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    total = Sums()
    for row in rows:
        _into(total, row)
    return total


# Filters that read status reports and the schedule, which retire their project's parts only:
# totals filtered by them are summed afresh each time.
DELIVERY_FILTERS = ("rating", "overdue")


def portfolio_total(*, projects: QuerySet[Project], council: Council | None, filters: dict) -> Sums:
    """``sums_total``, kept in the pages cache while no pledge, need, team or project changes
    (the support and listing tags, and the content version, retire it): on the busiest
    council's portfolio (2,441 projects) the sum was two thirds of the page's time. ``filters``:
    the page's valid filters, part of the key."""
    if any(filters.get(name) for name in DELIVERY_FILTERS):
        return sums_total(projects=projects, council=council)
    name = "portfolio-total:{}:{}".format(
        council.pk if council else "all",
        urlencode(sorted((k, str(v)) for k, v in filters.items() if v not in (None, ""))),
    )
    return pagecache.cached_part(
        name,
        pagecache.part_version(LISTING, SUPPORT),
        lambda: sums_total(projects=projects, council=council),
    )


# --- rows -----------------------------------------------------------------------------------


def _report_due_on(project: Project) -> datetime.date:
    """As ``selectors.report_due_on``, from the row's annotation instead of another query."""
    if project.next_report_due is not None:
        return project.next_report_due
    start = project.published_at or project.created_at
    return timezone.localdate(start) + datetime.timedelta(days=DEFAULT_REPORT_INTERVAL_DAYS)


def portfolio_rows(
    projects: Iterable[Project], *, council: Council | None, today: datetime.date | None = None
) -> list[PortfolioRow]:
    """Rows for projects read through ``council_portfolio_projects`` or
    ``national_portfolio_projects`` (one more query, for their pledges)."""
    today = today or timezone.localdate()
    projects = list(projects)
    sums = sums_by_project(project_ids=[p.pk for p in projects], council=council)
    rows = []
    for project in projects:
        last = timezone.localdate(project.last_report_at) if project.last_report_at else None
        since = last or (timezone.localdate(project.published_at) if project.published_at else None)
        if council is None:
            role = ""
        elif project.lead_council_id == council.pk:
            role = PortfolioRole.LEADS
        else:
            role = PortfolioRole.SUPPORTS
        rows.append(
            PortfolioRow(
                project=project,
                role=role,
                rating=project.latest_rating,
                sums=sums.get(project.pk, Sums()),
                next_milestone_title=project.next_milestone_title or "",
                next_milestone_on=project.next_milestone_on,
                last_report_on=last,
                days_since_report=(today - since).days if since else None,
                report_overdue=(
                    project.state in REPORTING_STATES
                    and not project.is_hidden
                    and _report_due_on(project) < today
                ),
            )
        )
    return rows
