"""Open-data CSV exports (projects.exports): stable columns, exact amounts, text that cannot turn
into a spreadsheet formula, streamed in a fixed number of queries."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects import exports, selectors, services
from projects.models import Kind, PledgeState, Project, Role
from tests.factories import (
    CouncilFactory,
    NeedFactory,
    ProjectFactory,
    ServiceAreaFactory,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 4, 8, 15, tzinfo=dt.UTC)


def _parse(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


# --- csv_safe -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        (
            '=HYPERLINK("http://evil.example","Click")',
            '\'=HYPERLINK("http://evil.example","Click")',
        ),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Plain text", "Plain text"),
        ("Costs = £5", "Costs = £5"),
        ("", ""),
        ("'already quoted", "'already quoted"),
        ("Caerdydd – ôl", "Caerdydd – ôl"),
    ],
)
def test_csv_safe(value, expected):
    assert exports.csv_safe(value) == expected


# --- rows -----------------------------------------------------------------------------------


def test_project_rows_in_column_order_with_exact_amounts():
    with time_machine.travel(NOW, tick=False):
        lead = CouncilFactory(code="LDS", short_name="Leeds", gss_code="E08000035")
        project = ProjectFactory(
            title="=Formula title",
            slug="leeds-thing",
            summary="+summary",
            lead_council=lead,
            published=True,
            pledging_deadline=dt.date(2026, 9, 1),
            partner_target=3,
            service_areas=[
                ServiceAreaFactory(name="Housing", slug="housing"),
                ServiceAreaFactory(name="Adult care", slug="adult-care"),
            ],
        )
        money = NeedFactory(project=project, amount=123_456)
        time = NeedFactory(project=project, kind=Kind.TIME, role=Role.DESIGNER, amount=7)
        make_pledge(project, need=money, amount=100_001, state=PledgeState.FULFILLED)
        make_pledge(project, need=time, kind=Kind.TIME, amount=3, state=PledgeState.ACCEPTED)
        make_pledge(project, amount=5)
        for kind, amount, conditions in (
            (Kind.MONEY, 7_000, {"min_other_councils": 5}),  # waiting: conditional
            (Kind.TIME, 4, {"match_percent": 50}),  # half of the accepted day and a half
        ):
            council = CouncilFactory()
            services.pledge_offer(
                actor=verified_member(council),
                project=project,
                council=council,
                kind=kind,
                amount=amount,
                **conditions,
            )
    rows = list(exports.project_rows(selectors.project_list(), "https://pipeline.example"))
    assert len(rows) == 1
    row = dict(zip(exports.PROJECT_COLUMNS, rows[0], strict=True))
    assert row == {
        "slug": "leeds-thing",
        "title": "=Formula title",  # escaped when written (csv_response)
        "summary": "+summary",
        "phase": "idea",
        "state": "seeking_support",
        "lead_council_code": "LDS",
        "lead_council_gss_code": "E08000035",
        "lead_council_name": "Leeds",
        "service_areas": "adult-care housing",
        "pledging_deadline": "2026-09-01",
        "partner_count": 2,
        "partner_target": 3,
        "money_needed_pence": 123_456,
        "money_offered_pence": 5,
        "money_accepted_pence": 0,
        "money_fulfilled_pence": 100_001,
        "days_needed": row["days_needed"],
        "days_offered": row["days_offered"],
        "days_accepted": row["days_accepted"],
        "days_fulfilled": row["days_fulfilled"],
        "published_at": "2026-05-04T08:15:00+00:00",
        "url": "https://pipeline.example/projects/leeds-thing/",
        "money_conditional_pence": 7_000,
        "money_matched_pence": 0,
        "days_conditional": row["days_conditional"],
        "days_matched": row["days_matched"],
    }
    assert [str(row[f"days_{k}"]) for k in ("needed", "offered", "accepted", "fulfilled")] == [
        "3.5",
        "0",
        "1.5",
        "0",
    ]
    assert (str(row["days_conditional"]), str(row["days_matched"])) == ("0", "0.5")


def test_pledge_rows_for_money_and_time():
    with time_machine.travel(NOW, tick=False):
        lead = CouncilFactory(code="LDS")
        project = published_project(lead_council=lead, slug="p1", title="@Project")
        council = CouncilFactory(code="BRD", gss_code="E08000032")
        officer = verified_member(council, first_name="=Ada", last_name="Lovelace")
        need = project.needs.get(kind=Kind.TIME)
        money = make_pledge(project, council=council, actor=officer, amount=250_000, note="-1")
        time = make_pledge(
            project,
            council=council,
            actor=officer,
            kind=Kind.TIME,
            need=need,
            amount=5,
            state=PledgeState.DECLINED,
        )
    rows = list(
        exports.pledge_rows(
            selectors.pledge_list().select_related("project__lead_council").order_by("pk"),
            "https://pipeline.example",
        )
    )
    as_dicts = [dict(zip(exports.PLEDGE_COLUMNS, r, strict=True)) for r in rows]
    assert as_dicts[0] == {
        "pledge_id": money.pk,
        "created_at": "2026-05-04T08:15:00+00:00",
        "project": "@Project",  # escaped when written (csv_response)
        "project_url": "https://pipeline.example/projects/p1/",
        "lead_council_code": "LDS",
        "pledging_council_code": "BRD",
        "pledging_council_gss_code": "E08000032",
        "kind": "money",
        "need_id": "",
        "role": "",
        "amount_pence": 250_000,
        "days": "",
        "state": "offered",
        "state_changed_at": "2026-05-04T08:15:00+00:00",
        "pledged_by": "=Ada Lovelace",
        "note": "-1",
        "decision_title": "",  # no decision recorded
        "decision_date": "",
        "decision_url": "",
        "min_other_councils": "",  # an ordinary offer: no conditions
        "match_percent": "",
        "matched_pence": "",
        "matched_days": "",
        "condition_met_at": "",
        "amends_pledge_id": "",  # an original pledge, never amended
        "amended_by_pledge_id": "",
        "funder": "",  # a council's pledge, not a funder's award
        "award_state": "",
    }
    assert as_dicts[1]["pledge_id"] == time.pk
    assert as_dicts[1]["need_id"] == need.pk
    assert as_dicts[1]["role"] == "developer"
    assert as_dicts[1]["amount_pence"] == ""
    assert str(as_dicts[1]["days"]) == "2.5"
    assert as_dicts[1]["state"] == "declined"


# --- the response ---------------------------------------------------------------------------


def test_csv_response_streams_a_header_then_rows_that_round_trip():
    request = RequestFactory().get("/x.csv")
    awkward = [
        "comma, inside",
        'quote " inside',
        "new\nline",
        "Welsh: Cyngor Caerdydd – ŵ ŷ",
        "",
    ]
    response = exports.csv_response(
        request, "things.csv", ["a", "b"], iter([awkward[:2], awkward[2:4]])
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="things.csv"'
    assert _parse(response) == [["a", "b"], awkward[:2], awkward[2:4]]


def test_base_url_has_no_trailing_slash():
    request = RequestFactory().get("/api/v1/projects.csv", HTTP_HOST="localhost")
    assert exports.base_url(request) == "http://localhost"


# --- through the API ------------------------------------------------------------------------


def test_formulas_are_neutralised_in_csv_but_not_in_json():
    project = published_project(title="=cmd|' /C calc'!A0", slug="calc", summary="@SUM(1+1)")
    officer = verified_member(CouncilFactory(), first_name="+Eve")
    make_pledge(project, council=officer.memberships.get().council, actor=officer, note="=1+1")
    rows = _parse(APIClient().get("/api/v1/projects.csv"))
    title, summary = rows[1][1], rows[1][2]
    assert (title, summary) == ("'=cmd|' /C calc'!A0", "'@SUM(1+1)")
    pledges = _parse(APIClient().get("/api/v1/pledges.csv"))
    pledge = dict(zip(pledges[0], pledges[1], strict=True))
    assert pledge["note"] == "'=1+1"
    assert pledge["pledged_by"].startswith("'+Eve")
    assert pledge["project"] == "'=cmd|' /C calc'!A0"
    listed = APIClient().get("/api/v1/projects/").json()["results"][0]
    assert listed["title"] == "=cmd|' /C calc'!A0", "JSON is data, not a spreadsheet: unchanged"


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_every_text_cell_of_every_csv_is_escaped():
    """Text anyone but the register can set, each starting like a formula; lead_council_name
    (a council's short name, which organisers edit) was written unescaped."""
    lead = CouncilFactory(code="LDS", short_name='=HYPERLINK("http://evil.example")', slug="leeds")
    pledging = CouncilFactory(code="BRD", short_name="+Bradford", slug="bradford")
    project = published_project(
        lead_council=lead, title="-Title", summary="@Summary", slug="formulas"
    )
    officer = verified_member(pledging, first_name="@Ada", last_name="Lovelace")
    make_pledge(project, council=pledging, actor=officer, note="\r=1+1")
    exports_ = {
        "/api/v1/projects.csv": ("title", "summary", "lead_council_name"),
        "/api/v1/pledges.csv": ("project", "pledged_by", "note"),
        f"/councils/{pledging.slug}/pledges.csv": ("project", "pledged_by", "note"),
    }
    for url, hostile in exports_.items():
        header, *rows = _parse(APIClient().get(url))
        assert rows, url
        for row in rows:
            cells = dict(zip(header, row, strict=True))
            for column, cell in cells.items():
                assert not cell.startswith(FORMULA_STARTS), (url, column, cell)
            for column in hostile:
                assert cells[column].startswith("'"), (url, column, cells[column])
    projects = dict(zip(*_parse(APIClient().get("/api/v1/projects.csv")), strict=True))
    assert projects["lead_council_name"] == '\'=HYPERLINK("http://evil.example")'


def _count_export(url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = APIClient().get(url)
        rows = _parse(response)
    return len(queries), len(rows) - 1


@pytest.mark.parametrize("url", ["/api/v1/projects.csv", "/api/v1/pledges.csv"])
def test_exports_run_the_same_queries_for_1_and_50_rows(url):
    project = published_project()

    def add(n):
        for _ in range(n):
            if "projects" in url:
                ProjectFactory(published=True, service_areas=[ServiceAreaFactory()])
            else:
                make_pledge(project)

    add(1)
    one, rows_one = _count_export(url)
    add(49)
    fifty, rows_fifty = _count_export(url)
    assert rows_fifty - rows_one == 49
    assert one == fifty


def test_the_council_pledge_csv_has_the_api_columns_and_rows():
    """The council page's finance CSV and the API export share one row format."""
    council = CouncilFactory(code="BRD")
    officer = verified_member(council)
    for state in (PledgeState.OFFERED, PledgeState.FULFILLED, PledgeState.WITHDRAWN):
        make_pledge(published_project(), council=council, actor=officer, state=state)
    make_pledge(published_project())  # another council's
    page = _parse(APIClient().get(f"/councils/{council.slug}/pledges.csv"))
    api = _parse(APIClient().get("/api/v1/pledges.csv?council=BRD"))
    assert page[0] == [*exports.PLEDGE_COLUMNS, "private_note"]
    assert sorted(row[:-1] for row in page[1:]) == sorted(api[1:])
    assert {row[-1] for row in page[1:]} == {""}  # the private note: not for the public
    assert len(api) == 4


def test_projects_without_a_published_date_or_target_export_blanks():
    project = published_project(partner_target=None)
    Project.objects.filter(pk=project.pk).update(pledging_deadline=None)
    row = dict(
        zip(
            exports.PROJECT_COLUMNS,
            next(exports.project_rows(selectors.project_list(), "")),
            strict=True,
        )
    )
    assert row["partner_target"] == ""
    assert row["pledging_deadline"] == ""


def test_an_amendment_and_its_original_name_each_other_in_the_csv():
    project = published_project()
    council = CouncilFactory()
    member = verified_member(council)
    original = make_pledge(project, council=council, actor=member, amount=1_000_000)
    amendment = services.pledge_amend(
        actor=member, pledge=original, amount=1_200_000, note="Budget grew"
    )
    services.pledge_accept(actor=project.owner, pledge=amendment)
    rows = exports.pledge_rows(selectors.pledge_list().select_related("project__lead_council"), "")
    by_id = {r[0]: dict(zip(exports.PLEDGE_COLUMNS, r, strict=True)) for r in rows}
    assert by_id[original.pk]["state"] == "superseded"
    assert by_id[original.pk]["amended_by_pledge_id"] == amendment.pk
    assert by_id[amendment.pk]["amends_pledge_id"] == original.pk
    assert by_id[amendment.pk]["amount_pence"] == 1_200_000
