"""The portfolio as CSV: the rows of the page, with every matching project (no pages).

Money is in pounds with its pence, exactly (``12345.67``), and days in half-day steps. Text
cells go through ``projects.exports.csv_response``, which escapes them against spreadsheet
formulas."""

from collections.abc import Iterable, Iterator
from decimal import Decimal

from core.formatting import half_days_to_days

from .portfolio import Figures, PortfolioRow

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
