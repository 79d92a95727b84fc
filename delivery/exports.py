"""Open-data CSV exports of benefits: every council's (one row each) and the roll-up by
project. Amounts are exact (pence); column names are stable. Written through
``projects.exports.csv_response``, which escapes every text cell against spreadsheet formulas."""

from collections.abc import Iterable, Iterator

from django.urls import reverse

from .models import Benefit

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
