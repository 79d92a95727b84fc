"""The partners API: who sees which rows, inviting and answering with JSON field errors and
4xx, an Idempotency-Key retry done once, the suggestions for the lead, query counts, and the
payload pinned in tests/api/golden/application_partners.json."""

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from funding.models import ApplicationPartner, ApplicationState
from funding.services.partners import partner_accept, partner_decline
from mail.models import Delivery
from projects.models import DemandSignal, Follow, Role, TeamMembership, TeamStatus
from tests.api.conftest import assert_error, session_client, token_client
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CouncilFactory,
    FunderFactory,
    OrganiserFactory,
    ServiceAreaFactory,
    approver,
    published_project,
    verified_member,
)

from .test_partners_services import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return World()


def list_url(w) -> str:
    return reverse("api:application-partners", kwargs={"pk": w.application.pk})


def one_url(w, council="partnerton", action="") -> str:
    name = f"api:application-partner-{action}" if action else "api:application-partner"
    return reverse(name, kwargs={"pk": w.application.pk, "council": council})


def suggestions_url(w) -> str:
    return reverse("api:application-suggestions", kwargs={"pk": w.application.pk})


def send(client, url, body=None, method="post", **extra):
    return getattr(client, method)(
        url, json.dumps(body or {}), content_type="application/json", **extra
    )


def submit(w) -> None:
    w.application.state = ApplicationState.SUBMITTED
    w.application.submitted_at = timezone.now()
    w.application.save()


# --- reading ----------------------------------------------------------------------------------


def test_a_draft_bids_partners_are_for_its_own_side(w):
    w.invite(from_suggestion=False)
    w.invite(council=w.elsewhere)
    teammate = verified_member(CouncilFactory())
    TeamMembership.objects.create(
        project=w.application.project, user=teammate, role=Role.DESIGNER, status=TeamStatus.ACTIVE
    )
    for person in (w.lead_member, teammate, OrganiserFactory()):
        rows = token_client(person).get(list_url(w)).json()
        assert [r["council"]["slug"] for r in rows] == ["partnerton", "elsewhere"]
    # The invited council sees its own invitation only; anyone else nothing at all.
    rows = token_client(w.member).get(list_url(w)).json()
    assert [r["council"]["slug"] for r in rows] == ["partnerton"]
    assert_error(APIClient().get(list_url(w)), 404)
    assert_error(token_client(verified_member(CouncilFactory())).get(list_url(w)), 404)


def test_a_submitted_bids_confirmed_partners_are_public(w):
    DemandSignal.objects.create(
        project=w.application.project, council=w.partner, recorded_by=w.member
    )
    confirmed = w.invite(from_suggestion=True, contribution="Research")
    partner_accept(actor=w.approver, partner=confirmed, contribution="Two researchers")
    declined = w.invite(council=w.elsewhere)
    partner_decline(actor=w.other, partner=declined, reason="Not now")
    submit(w)

    rows = APIClient().get(list_url(w)).json()

    assert len(rows) == 1
    row = rows[0]
    assert row["council"] == {
        "code": w.partner.code,
        "gss_code": w.partner.gss_code,
        "slug": "partnerton",
        "name": "Partnerton",
        "name_cy": None,
    }
    assert row["state"] == "confirmed"
    assert row["contribution"] == "Two researchers"
    assert row["decided_by"] == "Ann Approver"
    assert row["suggested_because"] == []  # why it was suggested is for the bid's side
    assert APIClient().get(one_url(w)).status_code == 200
    assert_error(APIClient().get(one_url(w, "elsewhere")), 404)
    mine = token_client(w.lead_member).get(list_url(w)).json()
    assert [r["state"] for r in mine] == ["confirmed", "declined"]
    assert mine[0]["suggested_because"][0].startswith("Said “we need this too” on ")


# --- writing ----------------------------------------------------------------------------------


def test_the_lead_invites_by_code_or_slug(w):
    client = token_client(w.lead_member)
    response = send(client, list_url(w), {"council": w.partner.code.lower(), "message": "Hi"})
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "invited"
    assert response.json()["invited_by"] == w.lead_member.get_full_name()
    assert send(client, list_url(w), {"council": "elsewhere"}).status_code == 201
    assert ApplicationPartner.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "council"),
        ({"council": ""}, "council"),
        ({"council": "ATLANTIS"}, "council"),
        ({"council": "elsewhere", "message": "x" * 2001}, "message"),
        ({"council": "elsewhere", "contribution": "x" * 2001}, "contribution"),
        ({"council": "elsewhere", "from_suggestion": "perhaps"}, "from_suggestion"),
        ({"council": "elsewhere", "state": "confirmed"}, "state"),
        ({"council": ["elsewhere"]}, "council"),
        ({"council": "leadshire"}, "council"),
    ],
)
def test_bad_input_is_a_field_error(w, body, field):
    response = send(token_client(w.lead_member), list_url(w), body)
    assert_error(response, 400, field=field)
    assert not ApplicationPartner.objects.exists()


def test_malformed_json_is_a_400_not_a_500(w):
    client = token_client(w.lead_member)
    response = client.post(list_url(w), "{not json", content_type="application/json")
    assert_error(response, 400)
    response = client.get(reverse("api:application-suggestions", kwargs={"pk": 10**17}))
    assert_error(response, 404)


def test_state_rules_are_409s(w):
    client = token_client(w.lead_member)
    assert send(client, list_url(w), {"council": "partnerton"}).status_code == 201
    body = assert_error(send(client, list_url(w), {"council": "partnerton"}), 409, field="council")
    assert "already invited" in body["message"]
    submit(w)
    assert_error(send(client, list_url(w), {"council": "elsewhere"}), 409)
    assert_error(client.delete(one_url(w)), 409)


def test_no_invitation_after_the_call_closes():
    w = World(closes_at=timezone.now() + dt.timedelta(minutes=1))
    client = token_client(w.lead_member)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        body = assert_error(send(client, list_url(w), {"council": "partnerton"}), 409)
    assert "The call closed on" in body["message"]


def test_who_may_invite(w):
    w.invite()
    assert_error(send(APIClient(), list_url(w), {"council": "elsewhere"}), 401)
    assert_error(send(token_client(OrganiserFactory()), list_url(w), {"council": "elsewhere"}), 403)
    assert_error(send(token_client(w.member), list_url(w), {"council": "elsewhere"}), 403)
    assert_error(send(token_client(w.other), list_url(w), {"council": "elsewhere"}), 404)


def test_confirming_needs_authority_and_a_second_factor(w):
    w.invite()
    body = assert_error(
        send(token_client(w.member), one_url(w, action="accept"), {"contribution": "x"}), 403
    )
    assert "approver or council admin" in body["message"]
    unenrolled = approver(w.partner, enrolled=False)
    body = assert_error(
        send(token_client(unenrolled), one_url(w, action="accept"), {"contribution": "x"}), 403
    )
    assert body["code"] == "second_factor_required"
    assert_error(
        send(token_client(w.approver), one_url(w, action="accept"), {}), 400, field="contribution"
    )
    response = send(
        token_client(w.approver), one_url(w, action="accept"), {"contribution": "Money"}
    )
    assert response.status_code == 200
    assert response.json()["state"] == "confirmed"
    assert response.json()["decided_by"] == "Ann Approver"


def test_declining_and_withdrawing(w):
    w.invite()
    member = session_client(w.member)
    assert_error(send(member, one_url(w, action="decline"), {}), 400, field="reason")
    response = send(member, one_url(w, action="decline"), {"reason": "No budget"})
    assert response.status_code == 200 and response.json()["state"] == "declined"
    assert response.json()["reason"] == "No budget"
    assert_error(send(member, one_url(w, action="decline"), {"reason": "Again"}), 409)
    w.invite()
    client = token_client(w.admin)
    send(client, one_url(w, action="accept"), {"contribution": "Money"})
    assert_error(send(member, one_url(w, action="withdraw"), {"reason": "Cut"}), 403)
    response = send(client, one_url(w, action="withdraw"), {"reason": "Budget cut"})
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    assert response.json()["reason"] == "Budget cut"
    listed = token_client(w.lead_member).get(list_url(w)).json()
    assert [(p["state"], p["reason"]) for p in listed] == [("withdrawn", "Budget cut")]


def test_the_lead_removes(w):
    w.invite()
    assert_error(token_client(w.member).delete(one_url(w)), 403)
    assert token_client(w.lead_member).delete(one_url(w)).status_code == 204
    assert not ApplicationPartner.objects.exists()
    assert_error(token_client(w.lead_member).delete(one_url(w)), 404)


def test_a_retry_with_the_same_idempotency_key_invites_once(w):
    client = token_client(w.lead_member)
    first = send(client, list_url(w), {"council": "partnerton"}, HTTP_IDEMPOTENCY_KEY="abc-1")
    again = send(client, list_url(w), {"council": "partnerton"}, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert ApplicationPartner.objects.count() == 1
    assert Delivery.objects.filter(kind="partner_invited").count() == 2  # approver and admin
    other = send(client, list_url(w), {"council": "elsewhere"}, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert_error(other, 422)


# --- suggestions ------------------------------------------------------------------------------


def test_the_lead_gets_ranked_suggestions_with_reasons_and_points(w):
    DemandSignal.objects.create(
        project=w.application.project, council=w.partner, recorded_by=w.member
    )
    Follow.objects.create(project=w.application.project, user=w.other)
    response = token_client(w.lead_member).get(suggestions_url(w), {"limit": 1})
    assert response.status_code == 200
    (first,) = response.json()
    assert first["council"]["slug"] == "partnerton"
    assert first["reasons"][0]["kind"] == "demand"
    assert first["reasons"][0]["points"] == 100
    assert first["meets_required_commitments"] is None
    assert first["score"] == sum(r["points"] for r in first["reasons"])
    everyone = token_client(w.lead_member).get(suggestions_url(w)).json()
    assert [s["council"]["slug"] for s in everyone][:2] == ["partnerton", "elsewhere"]


@pytest.mark.parametrize("limit", ["abc", "0", "51", "-3", "1e3"])
def test_a_bad_limit_is_a_400(w, limit):
    response = token_client(w.lead_member).get(suggestions_url(w), {"limit": limit})
    assert_error(response, 400, field="limit")


def test_suggestions_are_for_the_lead_only(w):
    w.invite()
    assert_error(token_client(OrganiserFactory()).get(suggestions_url(w)), 403)
    assert_error(token_client(w.member).get(suggestions_url(w)), 403)
    assert_error(token_client(w.other).get(suggestions_url(w)), 404)
    assert_error(APIClient().get(suggestions_url(w)), 404)


def test_lists_take_the_same_queries_for_few_and_many(w, django_assert_num_queries):
    client = token_client(w.lead_member)
    client.get(list_url(w))  # the token's first use is recorded once

    def count(url) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    w.invite()
    few = (count(list_url(w)), count(suggestions_url(w)))
    for i in range(8):
        council = CouncilFactory(short_name=f"More {i}")
        DemandSignal.objects.create(
            project=w.application.project, council=council, recorded_by=w.member
        )
        partner = w.invite(council=CouncilFactory(short_name=f"Partner {i}"))
        if i % 2:
            partner_decline(actor=verified_member(partner.council), partner=partner, reason="No")
    assert (count(list_url(w)), count(suggestions_url(w))) == few


# --- the payload, pinned ----------------------------------------------------------------------

GOLDEN = Path(__file__).parents[1] / "api" / "golden" / "application_partners.json"
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def test_the_partner_list_matches_the_golden_file():
    with time_machine.travel(NOW, tick=False) as traveller:
        waste = ServiceAreaFactory(name="Waste and recycling", slug="waste-and-recycling")
        lead = CouncilFactory(
            code="GRT", short_name="Greenton", slug="greenton", gss_code="E07000901"
        )
        kent = CouncilFactory(code="KEN", short_name="Kent", slug="kent", gss_code="E10000016")
        cardiff = CouncilFactory(
            code="CRF",
            short_name="Cardiff",
            name_cy="Caerdydd",
            slug="cardiff",
            gss_code="W06000015",
        )
        project = published_project(
            lead_council=lead,
            title="Report a missed bin",
            slug="report-a-missed-bin",
            owner=verified_member(lead, first_name="Gwen", last_name="Greenway"),
        )
        project.service_areas.set([waste])
        call = CallFactory(funder=FunderFactory(name="Local Digital"), slug="ldf-1")
        application = ApplicationFactory(project=project, call=call)
        DemandSignal.objects.create(project=project, council=kent, recorded_by=project.owner)
        from funding.services.partners import partner_invite

        traveller.shift(dt.timedelta(hours=1))
        invited = partner_invite(
            actor=project.owner,
            application=application,
            council=kent,
            contribution="User research",
            from_suggestion=True,
        )
        traveller.shift(dt.timedelta(hours=1))
        partner_accept(
            actor=approver(kent, first_name="Kim", last_name="Kentish"),
            partner=invited,
            contribution="Two user researchers for the discovery",
        )
        traveller.shift(dt.timedelta(hours=1))
        declined = partner_invite(actor=project.owner, application=application, council=cardiff)
        traveller.shift(dt.timedelta(hours=1))
        partner_decline(
            actor=verified_member(cardiff, first_name="Rhian", last_name="Evans"),
            partner=declined,
            reason="No budget this year",
        )
        response = token_client(project.owner).get(
            reverse("api:application-partners", kwargs={"pk": application.pk})
        )
    assert response.status_code == 200
    text = json.dumps(response.json(), indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
        pytest.skip(f"Wrote {GOLDEN}; review the diff and commit it")
    assert GOLDEN.exists(), "Create it with UPDATE_GOLDEN=1 and review it"
    assert text == GOLDEN.read_text(encoding="utf-8"), (
        "The partners JSON changed. If that is deliberate, rewrite the golden file with "
        "UPDATE_GOLDEN=1 and commit the diff."
    )
