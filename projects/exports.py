"""Open-data CSV exports of projects and pledges. Column names are stable (see README).

Every text cell of every export is escaped against spreadsheet formulas in one place,
``csv_response``, so a new column (or a field organisers can now set, such as a council's
short name) cannot be written unescaped."""

import csv
from collections.abc import Iterable, Iterator

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, StreamingHttpResponse

from core.formatting import half_days_to_days

from .models import Kind, Pledge, Project

PROJECT_COLUMNS = [
    "slug",
    "title",
    "summary",
    "phase",
    "state",
    "lead_council_code",
    "lead_council_gss_code",
    "lead_council_name",
    "service_areas",
    "pledging_deadline",
    "partner_count",
    "partner_target",
    "money_needed_pence",
    "money_offered_pence",
    "money_accepted_pence",
    "money_fulfilled_pence",
    "days_needed",
    "days_offered",
    "days_accepted",
    "days_fulfilled",
    "published_at",
    "url",
    # Apart from the totals above (README, "Conditional and match pledges").
    "money_conditional_pence",
    "money_matched_pence",
    "days_conditional",
    "days_matched",
]

PLEDGE_COLUMNS = [
    "pledge_id",
    "created_at",
    "project",
    "project_url",
    "lead_council_code",
    "pledging_council_code",
    "pledging_council_gss_code",
    "kind",
    "need_id",
    "role",
    "amount_pence",
    "days",
    "state",
    "state_changed_at",
    "pledged_by",
    "note",
    "decision_title",
    "decision_date",
    "decision_url",
    "min_other_councils",
    "match_percent",
    "matched_pence",
    "matched_days",
    "condition_met_at",
    "amends_pledge_id",
    "amended_by_pledge_id",
    # A funder's award (README, "Awards in the ledger"): the funder's slug, and awarded or
    # released; both empty for a council's pledge, whose council columns are then empty.
    "funder",
    "award_state",
]
# A council's own CSV (/councils/<slug>/pledges.csv) adds the note only the pledging and the
# lead council see: filled in for their verified members, empty for anyone else.
COUNCIL_PLEDGE_COLUMNS = [*PLEDGE_COLUMNS, "private_note"]


def csv_safe(value: str) -> str:
    """Stop spreadsheet programs treating user text as a formula (CSV injection)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def _iso(value) -> str:
    return value.isoformat() if value else ""


def project_rows(projects: Iterable[Project], base_url: str) -> Iterator[list]:
    for p in projects:
        yield [
            p.slug,
            p.title,
            p.summary,
            p.phase,
            p.state,
            p.lead_council.code,
            p.lead_council.gss_code,
            p.lead_council.short_name,
            " ".join(a.slug for a in p.service_areas.all()),
            _iso(p.pledging_deadline),
            p.partner_count,
            p.partner_target or "",
            p.money_needed,
            p.money_offered,
            p.money_accepted,
            p.money_fulfilled,
            half_days_to_days(p.half_days_needed),
            half_days_to_days(p.half_days_offered),
            half_days_to_days(p.half_days_accepted),
            half_days_to_days(p.half_days_fulfilled),
            _iso(p.published_at),
            base_url + p.get_absolute_url(),
            p.money_conditional,
            p.money_matched,
            half_days_to_days(p.half_days_conditional),
            half_days_to_days(p.half_days_matched),
        ]


def _decision_cells(pledge: Pledge) -> list[str]:
    """Title, date and link of the council's decision behind the pledge, or three empty cells."""
    try:
        record = pledge.decision_record
    except ObjectDoesNotExist:
        return ["", "", ""]
    return [record.title, record.decided_on.isoformat(), record.url]


def _matched_cells(pledge: Pledge, is_money: bool) -> list:
    """What a match pledge gives now, in pence or days; two empty cells if not a match."""
    if not pledge.is_match:
        return ["", ""]
    if is_money:
        return [pledge.matched_amount, ""]
    return ["", half_days_to_days(pledge.matched_amount)]


def pledge_rows(
    pledges: Iterable[Pledge], base_url: str, *, private_for: set[int] | None = None
) -> Iterator[list]:
    """``private_for``: add the private note column, filled for pledges whose pledging or lead
    council is one of these (the reader's own councils)."""
    for pledge in pledges:
        is_money = pledge.kind == Kind.MONEY
        row = [
            pledge.pk,
            _iso(pledge.created_at),
            pledge.project.title,
            base_url + pledge.project.get_absolute_url(),
            pledge.project.lead_council.code,
            pledge.council.code if pledge.council_id else "",
            pledge.council.gss_code if pledge.council_id else "",
            pledge.kind,
            pledge.need_id or "",
            pledge.role,
            pledge.amount if is_money else "",
            "" if is_money else half_days_to_days(pledge.amount),
            pledge.state,
            _iso(pledge.state_changed_at),
            pledge.pledged_by.get_full_name(),
            pledge.note,
            *_decision_cells(pledge),
            pledge.min_other_councils or "",
            pledge.match_percent or "",
            *_matched_cells(pledge, is_money),
            _iso(pledge.condition_met_at),
            pledge.amends_id or "",
            pledge.amended_by_id or "",
            pledge.funder.slug if pledge.is_award else "",
            pledge.award_state or "",
        ]
        if private_for is not None:
            mine = {pledge.council_id, pledge.project.lead_council_id} & private_for
            row.append(csv_safe(pledge.private_note) if mine else "")
        yield row


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    request: HttpRequest, filename: str, columns: list[str], rows: Iterator[list]
) -> StreamingHttpResponse:
    """Stream rows as CSV, so an export of every pledge never sits whole in memory; every text
    cell goes through ``csv_safe``."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(columns)
        for row in rows:
            yield writer.writerow([csv_safe(c) if isinstance(c, str) else c for c in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")[:-1]
