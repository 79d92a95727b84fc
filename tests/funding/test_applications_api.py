"""The applications API: open data that never leaks a draft or an answer, and the applicants'
writes (start, change, submit, withdraw) with JSON field errors, object permissions and
Idempotency-Key. Plus the CSV, and listings whose queries do not grow with their rows."""

import csv
import io
import uuid

import pytest
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from funding.models import Answer, Application, ApplicationState
from tests.api.conftest import assert_error, send, session_client, token_client
from tests.factories import (
    CallFactory,
    CouncilFactory,
    OrganiserFactory,
    ServiceAreaFactory,
    funder_member,
    published_project,
    verified_member,
)

from .applying import eligible

pytestmark = pytest.mark.django_db

LIST = "/api/v1/applications/"
CSV = "/api/v1/applications.csv"
SECRET = "Our confidential approach"


def detail(application) -> str:
    return f"/api/v1/applications/{application.pk}/"


def submitted(w, **extra) -> Application:
    Answer.objects.filter(application=w.application).update(text=SECRET)
    values = {
        "state": ApplicationState.SUBMITTED,
        "submitted_at": timezone.now(),
        "submitted_by": w.approver,
        **extra,
    }
    Application.objects.filter(pk=w.application.pk).update(**values)
    w.application.refresh_from_db()
    return w.application


# --- open data ----------------------------------------------------------------------------


def test_the_open_data_lists_submitted_bids_and_never_drafts_or_answers():
    public = eligible()
    submitted(public)
    draft = eligible()
    withdrawn_early = eligible()
    Application.objects.filter(pk=withdrawn_early.application.pk).update(
        state=ApplicationState.WITHDRAWN, withdrawn_at=timezone.now()
    )
    withdrawn_late = eligible()
    submitted(withdrawn_late, state=ApplicationState.WITHDRAWN, withdrawn_at=timezone.now())
    body = APIClient().get(LIST).json()
    ids = [row["id"] for row in body["results"]]
    assert sorted(ids) == sorted([public.application.pk, withdrawn_late.application.pk])
    assert draft.application.pk not in ids
    text = str(body)
    assert SECRET not in text and "answers" not in body["results"][0]
    row = next(r for r in body["results"] if r["id"] == public.application.pk)
    assert row["lead_council"]["code"] == public.lead.code
    assert row["partners"] == [
        {
            "council": {
                "code": public.partners[0].council.code,
                "gss_code": public.partners[0].council.gss_code,
                "name": public.partners[0].council.short_name,
                "name_cy": None,
            },
            "state": "confirmed",
        }
    ]
    assert row["amount_requested"] == {"amount_pence": 60_000_00, "currency": "GBP"}
    assert row["award_amount"] is None and row["state"] == "submitted"
    # Even the lead council's own people see only public records in the list.
    mine = token_client(draft.owner).get(LIST).json()["results"]
    assert draft.application.pk not in [r["id"] for r in mine]


def test_a_decision_is_published_with_the_amount_awarded():
    w = eligible()
    submitted(
        w,
        state=ApplicationState.FUNDED,
        decided_at=timezone.now(),
        award_amount=55_000_00,
    )
    row = APIClient().get(detail(w.application)).json()
    assert row["state"] == "funded"
    assert row["award_amount"] == {"amount_pence": 55_000_00, "currency": "GBP"}
    assert row["answers"] is None and row["shortfalls"] is None


def test_filters_by_call_lead_council_state_and_service_area():
    a, b = eligible(), eligible()
    area = ServiceAreaFactory(slug="waste", name="Waste")
    a.project.service_areas.add(area)
    submitted(a)
    submitted(b, state=ApplicationState.SHORTLISTED)
    client = APIClient()

    def ids(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(call=a.call.slug) == [a.application.pk]
    assert ids(lead_council=b.lead.code.lower()) == [b.application.pk]
    assert ids(state="submitted", call=b.call.slug) == [b.application.pk]  # shortlisted
    assert ids(area="waste") == [a.application.pk]
    assert_error(client.get(LIST, {"state": "draft"}), 400, field="state")
    assert_error(client.get(LIST, {"area": "no-such-area"}), 400, field="area")


def test_a_draft_is_a_404_to_those_who_may_not_see_it():
    w = eligible()
    url = detail(w.application)
    assert_error(APIClient().get(url), 404)
    for person in (verified_member(CouncilFactory()), funder_member(w.call.funder)):
        assert_error(token_client(person).get(url), 404)
    for person in (w.owner, w.member, OrganiserFactory()):
        body = token_client(person).get(url).json()
        assert body["state"] == "draft"
        assert body["shortfalls"] == []
        assert len(body["answers"]) == 2


def test_the_funder_reads_the_answers_once_submitted_and_the_public_never():
    w = eligible()
    submitted(w)
    assert APIClient().get(detail(w.application)).json()["answers"] is None
    answers = token_client(funder_member(w.call.funder)).get(detail(w.application)).json()
    assert {a["text"] for a in answers["answers"]} == {SECRET}


def test_the_csv_has_pence_and_pounds_and_no_drafts():
    w = eligible(amount_requested=60_000_50)
    submitted(w)
    eligible()  # a draft
    response = APIClient().get(CSV, {"call": w.call.slug})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
    row = rows[0]
    assert row["amount_requested_pence"] == "6000050"
    assert row["amount_requested_pounds"] == "60000.50"
    assert row["partner_council_codes"] == w.partners[0].council.code
    assert row["state"] == "submitted" and row["award_amount_pence"] == ""
    assert SECRET not in str(rows)
    everything = APIClient().get(CSV)
    assert len(b"".join(everything.streaming_content).decode().splitlines()) == 2
    assert_error(APIClient().get(CSV, {"state": "nonsense"}), 400, field="state")


def test_csv_cells_are_escaped_against_formulas():
    w = eligible(summary='=HYPERLINK("http://evil")')
    submitted(w)
    text = b"".join(APIClient().get(CSV).streaming_content).decode()
    assert "'=HYPERLINK" in text


# --- writes -------------------------------------------------------------------------------


def test_the_owner_starts_a_draft_with_its_fields_at_once():
    project = published_project()
    call = CallFactory()
    question = call.questions.first()
    response = send(
        token_client(project.owner),
        "POST",
        LIST,
        {
            "call": call.slug,
            "project": project.slug,
            "amount_requested_pence": 12_500_00,
            "phase": "beta",
            "answers": [{"question": question.pk, "text": "Because"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft" and body["phase"] == "beta"
    assert body["amount_requested"]["amount_pence"] == 12_500_00
    assert body["answers"][0]["text"] == "Because" and body["answers"][0]["words"] == 1
    assert {s["code"] for s in body["shortfalls"]} == {"answer_missing"}
    again = send(
        token_client(project.owner), "POST", LIST, {"call": call.slug, "project": project.slug}
    )
    assert_error(again, 409, field="project")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"project": "x"}, "call"),
        ({"call": "no-such-call", "project": "x"}, "call"),
        ({"call": "CALL", "project": "no-such-project"}, "project"),
        ({"call": "CALL", "project": "PROJECT", "owner": 1}, "owner"),
        (
            {"call": "CALL", "project": "PROJECT", "amount_requested_pence": 0},
            "amount_requested_pence",
        ),
        (
            {"call": "CALL", "project": "PROJECT", "amount_requested_pence": "£5"},
            "amount_requested_pence",
        ),
        ({"call": "CALL", "project": "PROJECT", "phase": "idea"}, "phase"),
        ({"call": "CALL", "project": "PROJECT", "answers": [{"question": 1, "x": 1}]}, "answers"),
        ({"call": "CALL", "project": "PROJECT", "answers": "yes"}, "answers"),
        (
            {"call": "CALL", "project": "PROJECT", "answers": [{"question": 999999, "text": "A"}]},
            "answers",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(body, field):
    project = published_project()
    call = CallFactory()
    body = {
        k: (call.slug if v == "CALL" else project.slug if v == "PROJECT" else v)
        for k, v in body.items()
    }
    response = send(token_client(project.owner), "POST", LIST, body)
    assert_error(response, 400, field=field)
    assert not Application.objects.exists()


def test_only_the_team_in_the_lead_council_may_start_and_change_a_draft():
    w = eligible()
    project = published_project()
    call = CallFactory()
    stranger = verified_member(CouncilFactory())
    response = send(
        token_client(stranger), "POST", LIST, {"call": call.slug, "project": project.slug}
    )
    assert_error(response, 403)
    assert_error(send(APIClient(), "POST", LIST, {"call": call.slug, "project": project.slug}), 401)
    # Changing: the lead council's member not on the team may read it, not change it.
    assert_error(
        send(token_client(w.member), "PATCH", detail(w.application), {"summary": "x"}), 403
    )
    assert_error(
        send(token_client(stranger), "PATCH", detail(w.application), {"summary": "x"}), 404
    )


def test_changing_a_draft_checks_word_limits_and_names_the_field():
    w = eligible()
    question = w.call.questions.first()
    question.word_limit = 2
    question.save()
    client = token_client(w.owner)
    response = send(
        client,
        "PATCH",
        detail(w.application),
        {"answers": [{"question": question.pk, "text": "far too many words"}]},
    )
    body = assert_error(response, 400, field="answers")
    assert "2 words or fewer; it is 4 words" in body["errors"]["answers"][0]
    ok = send(client, "PATCH", detail(w.application), {"amount_requested_pence": None})
    assert ok.status_code == 200 and ok.json()["amount_requested"] is None
    # The answer saved before is over the new limit too: the bid says so, under API names.
    assert [(s["code"], s["field"]) for s in ok.json()["shortfalls"]] == [
        ("amount_missing", "amount_requested_pence"),
        ("answer_too_long", "answers"),
    ]


def test_a_submitted_bid_cannot_be_changed():
    w = eligible()
    submitted(w)
    assert_error(
        send(token_client(w.owner), "PATCH", detail(w.application), {"summary": "New"}), 409
    )


def test_submission_refused_with_each_shortfall_under_its_field():
    w = eligible(amount_requested=None)
    w.partners[0].delete()
    response = send(token_client(w.approver), "POST", f"{detail(w.application)}submit/", {})
    body = assert_error(response, 409, field="amount_requested_pence")
    assert body["code"] == "not_eligible"
    assert "partners" in body["errors"]
    assert [s["code"] for s in body["shortfalls"]] == ["partners", "amount_missing"]
    assert Application.objects.get(pk=w.application.pk).state == ApplicationState.DRAFT


def test_submission_by_an_approver_with_a_second_factor(django_capture_on_commit_callbacks):
    w = eligible()
    assert_error(send(token_client(w.owner), "POST", f"{detail(w.application)}submit/", {}), 403)
    unenrolled = verified_member(w.lead, admin=True, enrolled=False)
    refused = send(token_client(unenrolled), "POST", f"{detail(w.application)}submit/", {})
    assert assert_error(refused, 403)["code"] == "second_factor_required"
    with django_capture_on_commit_callbacks(execute=True):
        response = send(session_client(w.approver), "POST", f"{detail(w.application)}submit/", {})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted" and response.json()["submitted_at"]
    assert len(mail.outbox) == 2  # the owner and the partner's officer
    again = send(token_client(w.approver), "POST", f"{detail(w.application)}submit/", {})
    assert_error(again, 409)


def test_submission_with_an_idempotency_key_is_done_once():
    w = eligible()
    client = token_client(w.approver)
    key = str(uuid.uuid4())
    url = f"{detail(w.application)}submit/"
    first = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    second = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true"
    assert first.json() == second.json()
    from mail.models import Delivery

    assert Delivery.objects.filter(kind="application").count() == 2


def test_starting_with_an_idempotency_key_makes_one_draft():
    project = published_project()
    call = CallFactory()
    client = token_client(project.owner)
    key = str(uuid.uuid4())
    body = {"call": call.slug, "project": project.slug}
    for _ in range(2):
        response = client.post(LIST, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 201
    assert Application.objects.count() == 1


def test_withdrawing_needs_a_reason_and_not_a_decision():
    w = eligible()
    submitted(w)
    client = token_client(w.approver)
    url = f"{detail(w.application)}withdraw/"
    assert_error(send(client, "POST", url, {}), 400, field="reason")
    assert_error(send(client, "POST", url, {"reason": "   "}), 400, field="reason")
    assert_error(send(token_client(w.owner), "POST", url, {"reason": "No"}), 403)
    response = send(client, "POST", url, {"reason": "Merged with another bid"})
    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"
    assert response.json()["withdrawn_reason"] == "Merged with another bid"
    assert_error(send(client, "POST", url, {"reason": "Again"}), 409)
    decided = eligible()
    submitted(decided, state=ApplicationState.NOT_FUNDED, decided_at=timezone.now())
    refused = send(
        token_client(decided.approver),
        "POST",
        f"{detail(decided.application)}withdraw/",
        {"reason": "Too late"},
    )
    assert_error(refused, 409)


# --- constant queries -------------------------------------------------------------------------


def _public_bids(n: int) -> None:
    for _ in range(n):
        w = eligible(min_partners=2)
        area = ServiceAreaFactory()
        w.project.service_areas.add(area, ServiceAreaFactory())
        submitted(w)


def _count(fetch) -> int:
    with CaptureQueriesContext(connection) as queries:
        fetch()
    return len(queries)


@pytest.mark.parametrize("url", [LIST, CSV])
def test_the_list_and_csv_queries_do_not_grow_with_rows(url):
    client = APIClient()

    def fetch():
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)

    _public_bids(1)
    fetch()  # warm
    one = _count(fetch)
    _public_bids(6)
    many = _count(fetch)
    assert one == many, (one, many)


def test_the_call_section_queries_do_not_grow_with_rows():
    call = CallFactory()

    def render():
        html = render_to_string("funding/applications/_call_section.html", {"call": call})
        assert "applications submitted" in html or "application submitted" in html

    w = eligible(min_partners=2, call=call)
    submitted(w)
    render()
    one = _count(render)
    for _ in range(5):
        submitted(eligible(min_partners=2, call=call))
    many = _count(render)
    assert one == many, (one, many)


def test_no_draft_is_started_in_a_closed_or_unopened_call():
    import datetime

    project = published_project()
    closed = CallFactory(
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    unopened = CallFactory(opens_at=timezone.now() + datetime.timedelta(days=1))
    client = token_client(project.owner)
    body = assert_error(
        send(client, "POST", LIST, {"call": closed.slug, "project": project.slug}),
        409,
        field="call",
    )
    assert body["message"].startswith("This call closed at ")
    body = assert_error(
        send(client, "POST", LIST, {"call": unopened.slug, "project": project.slug}),
        409,
        field="call",
    )
    assert body["message"] == "This call is not open for applications."
    assert not Application.objects.exists()
