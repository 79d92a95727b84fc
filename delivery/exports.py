"""Open-data CSV exports of benefits: every council's (one row each) and the roll-up by
project. Amounts are exact (pence); column names are stable. Written through
``projects.exports.csv_response``, which escapes every text cell against spreadsheet formulas.

And the portfolio as CSV: the rows of the page, with every matching project (no pages). Money
is in pounds with its pence, exactly (``12345.67``), and days in half-day steps."""

from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.urls import reverse

from core.formatting import half_days_to_days

from .models import Benefit
from .portfolio import Figures, PortfolioRow

BENEFIT_COLUMNS = [
    "benefit_id",
    "project",
    "project_title",
    "project_url",
    "lead_council_code",
    "council_code",
    "council_gss_code",
    "council_name",
    "adopted_on",
    "cashable_savings_pence_per_year",
    "hours_saved_per_year",
    "people_served_per_year",
    "non_cashable",
    "confidence",
    "evidence_url",
    "recorded_at",
    "updated_at",
]

SUMMARY_COLUMNS = [
    "project",
    "project_title",
    "project_url",
    "lead_council_code",
    "councils_reporting",
    "cashable_savings_pence_per_year",
    "hours_saved_per_year",
    "people_served_per_year",
]


def _iso(value) -> str:
    return value.isoformat() if value else ""


def benefit_rows(benefits: Iterable[Benefit], base_url: str) -> Iterator[list]:
    for b in benefits:
        project, council = b.adoption.project, b.adoption.council
        yield [
            b.pk,
            project.slug,
            project.title,
            base_url + project.get_absolute_url(),
            project.lead_council.code,
            council.code,
            council.gss_code,
            council.short_name,
            _iso(b.adoption.adopted_on),
            b.cashable_savings,
            b.hours_saved,
            b.people_served,
            b.non_cashable,
            b.confidence,
            b.evidence_url,
            _iso(b.recorded_at),
            _iso(b.updated_at),
        ]


def summary_rows(rows: Iterable, base_url: str) -> Iterator[list]:
    """``rows`` from ``selectors.benefits_by_project``."""
    for row in rows:
        yield [
            row.slug,
            row.title,
            base_url + reverse("projects:detail", args=[row.slug]),
            row.lead_council_code,
            row.councils,
            row.cashable_savings,
            row.hours_saved,
            row.people_served,
        ]


# --- portfolios ----------------------------------------------------------------------------
FIGURES = ("committed", "fulfilled", "due_now", "later_phases")


def _pounds(pence: int) -> str:
    return f"{Decimal(int(pence)) / 100:.2f}"


def portfolio_columns(*, national: bool) -> list[str]:
    return [
        "project",
        "project_url",
        "lead_council_code",
        "lead_council_name",
        *([] if national else ["role"]),
        "rating",
        "phase",
        "state",
        *(f"money_{name}_pounds" for name in FIGURES),
        *(f"days_{name}" for name in FIGURES),
        "next_milestone",
        "next_milestone_date",
        "last_report_date",
        "days_since_report",
        "report_overdue",
    ]


def _split(figures: Figures) -> list[int]:
    return [figures.committed, figures.fulfilled, figures.due_now, figures.later]


def portfolio_csv_rows(
    rows: Iterable[PortfolioRow], base_url: str, *, national: bool
) -> Iterator[list]:
    for row in rows:
        project = row.project
        yield [
            project.title,
            base_url + project.get_absolute_url(),
            project.lead_council.code,
            project.lead_council.short_name,
            *([] if national else [row.role]),
            row.rating,
            project.phase,
            project.state,
            *(_pounds(v) for v in _split(row.sums.money)),
            *(half_days_to_days(v) for v in _split(row.sums.days)),
            row.next_milestone_title,
            row.next_milestone_on.isoformat() if row.next_milestone_on else "",
            row.last_report_on.isoformat() if row.last_report_on else "",
            "" if row.days_since_report is None else row.days_since_report,
            "yes" if row.report_overdue else "no",
        ]
