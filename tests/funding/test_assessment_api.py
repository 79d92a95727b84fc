"""The assessment API: an assessor's queue and scores, moderators' decisions, JSON field errors,
object permissions, and the moderation board's payload pinned against a golden file."""

import datetime as dt
import json
import os
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from funding.models import ApplicationState, CallStatus, Decision, FunderRole
from funding.services import assessment as services
from mail.models import Delivery
from tests.api.conftest import assert_error, send, session_client, token_client
from tests.factories import (
    CouncilFactory,
    FunderFactory,
    ServiceAreaFactory,
    funder_member,
    published_project,
)

from .assessment_world import closed_call, make_assessment_world, submitted

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parents[1] / "api" / "golden" / "assessment_moderation.json"


@pytest.fixture
def w():
    return make_assessment_world()


def criteria(call):
    return list(call.criteria.order_by("position"))


def queue(call):
    return reverse("api:call-assessment", kwargs={"slug": call.slug})


def mine(application):
    return reverse("api:application-assessment", kwargs={"pk": application.pk})


def board(call):
    return reverse("api:call-moderation", kwargs={"slug": call.slug})


def test_the_queue_lists_progress_and_conflicts(w):
    client = token_client(w.users["conflicted"])
    response = client.get(queue(w.call))
    assert response.status_code == 200
    body = response.json()
    assert body["stage"] == "open"
    rows = {row["application"]: row for row in body["applications"]}
    assert rows[w.application.pk]["status"] == "conflict"
    assert "Partnerton" in rows[w.application.pk]["conflicts"][0]
    assert rows[w.other_application.pk]["status"] == "not_started"
    assert rows[w.other_application.pk]["amount_requested"] == {
        "amount_pence": 60_000_00,
        "currency": "GBP",
    }


def test_save_and_submit_scores(w):
    need, collaboration = criteria(w.call)
    client = session_client(w.users["assessor"])
    response = send(
        client, "POST", mine(w.application), {"scores": [{"criterion": need.pk, "score": 3}]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"
    assert response.json()["weighted_total"] is None

    response = send(client, "POST", mine(w.application), {"submit": True})
    assert_error(response, 400, field="scores")
    assert "Collaboration" in response.json()["message"]

    response = send(
        client,
        "POST",
        mine(w.application),
        {
            "scores": [{"criterion": collaboration.pk, "score": 2, "comment": "Two partners"}],
            "submit": True,
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "submitted"
    assert body["weighted_total"] == "65.0"
    assert [s["score"] for s in body["scores"]] == [3, 2]
    assert client.get(mine(w.application)).json()["status"] == "submitted"
    assert_error(send(client, "POST", mine(w.application), {"submit": True}), 409)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scores": [{"criterion": "{need}", "score": 5}]}, "scores"),
        ({"scores": [{"criterion": "{need}", "score": -1}]}, "scores"),
        ({"scores": [{"criterion": "{need}", "score": "high"}]}, "scores"),
        ({"scores": [{"criterion": 999999, "score": 2}]}, "scores"),
        ({"scores": [{"criterion": "{need}", "score": 2, "colour": "red"}]}, "scores"),
        (
            {"scores": [{"criterion": "{need}", "score": 2}, {"criterion": "{need}", "score": 3}]},
            "scores",
        ),
        ({"scores": "all of them"}, "scores"),
        ({"submit": "perhaps"}, "submit"),
        ({"owner": 1}, "owner"),
    ],
)
def test_bad_scores_are_json_field_errors(w, body, field):
    need = criteria(w.call)[0]
    raw = json.loads(json.dumps(body).replace('"{need}"', str(need.pk)))
    response = send(token_client(w.users["assessor"]), "POST", mine(w.application), raw)
    assert_error(response, 400, field=field)


def test_a_body_that_is_not_json_is_a_400(w):
    client = token_client(w.users["assessor"])
    response = client.generic(
        "POST", mine(w.application), "scores=1", content_type="application/json"
    )
    assert_error(response, 400)


def test_conflicted_assessors_are_refused_with_the_reason(w):
    client = token_client(w.users["conflicted"])
    body = assert_error(client.get(mine(w.application)), 403)
    assert body["code"] == "conflict_of_interest" and "Partnerton" in body["message"]
    need = criteria(w.call)[0]
    response = send(
        client, "POST", mine(w.application), {"scores": [{"criterion": need.pk, "score": 1}]}
    )
    assert assert_error(response, 403)["code"] == "conflict_of_interest"


def test_declaring_a_conflict(w):
    client = token_client(w.users["assessor"])
    url = reverse("api:application-assessment-conflict", kwargs={"pk": w.application.pk})
    assert_error(send(client, "POST", url, {}), 400, field="reason")
    response = send(client, "POST", url, {"reason": "I wrote part of the bid"})
    assert response.status_code == 200
    assert response.json()["status"] == "conflict"
    assert response.json()["conflict_reason"] == "I wrote part of the bid"
    assert_error(send(client, "POST", url, {"reason": "Again"}), 409)


def test_no_second_factor_is_a_403_that_says_so(w):
    body = assert_error(token_client(w.users["no_second_factor"]).get(queue(w.call)), 403)
    assert body["code"] == "second_factor_required"


def test_moderators_decide_through_the_api(w):
    client = token_client(w.users["moderator"])
    shortlist = reverse("api:application-shortlist", kwargs={"pk": w.application.pk})
    decide = reverse("api:application-decision", kwargs={"pk": w.application.pk})
    response = send(
        client, "POST", decide, {"outcome": "fund", "award_amount_pence": 100, "feedback": "Good"}
    )
    assert_error(response, 409)
    assert send(client, "POST", shortlist, {"shortlisted": True}).json() == {
        "application": w.application.pk,
        "state": "shortlisted",
    }
    assert_error(
        send(
            client,
            "POST",
            decide,
            {"outcome": "fund", "award_amount_pence": 60_000_01, "feedback": "Good"},
        ),
        400,
        field="award_amount_pence",
    )
    assert_error(
        send(client, "POST", decide, {"outcome": "fund", "feedback": "Good"}),
        400,
        field="award_amount_pence",
    )
    assert_error(
        send(client, "POST", decide, {"outcome": "maybe", "feedback": "x"}), 400, field="outcome"
    )
    assert_error(
        send(client, "POST", decide, {"outcome": "fund", "award_amount_pence": 5}),
        400,
        field="feedback",
    )
    response = send(
        client,
        "POST",
        decide,
        {"outcome": "fund", "award_amount_pence": 50_000_00, "feedback": "Good"},
    )
    assert response.status_code == 200
    assert response.json()["published"] is False
    other = reverse("api:application-decision", kwargs={"pk": w.other_application.pk})
    send(client, "POST", other, {"outcome": "not_fund", "feedback": "Not now"})

    publish = reverse("api:call-decisions-publish", kwargs={"slug": w.call.slug})
    assert_error(send(token_client(w.users["assessor"]), "POST", publish, {}), 403)
    response = send(client, "POST", publish, {})
    assert response.status_code == 200
    assert response.json()["status"] == CallStatus.DECIDED
    assert (response.json()["funded"], response.json()["not_funded"]) == (1, 1)
    assert Delivery.objects.filter(kind="funding_decision").count() >= 2
    assert_error(send(client, "POST", publish, {}), 409)


def test_decisions_are_private_until_published(w):
    services.application_shortlist(
        actor=w.users["moderator"], application=w.application, shortlisted=True
    )
    services.application_decide(
        actor=w.users["moderator"],
        application=w.application,
        outcome="fund",
        award_amount=50_000_00,
        feedback="Good",
    )
    # The applicants, and anyone else outside the funder, cannot read the board.
    for user in (w.users["applicant"], w.users["member"], w.users["other_funder"]):
        assert_error(token_client(user).get(board(w.call)), 403)
    from rest_framework.test import APIClient

    assert_error(APIClient().get(board(w.call)), 401)
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.SHORTLISTED
    assert (w.application.award_amount, w.application.feedback) == (None, "")
    assert Decision.objects.get().award_amount == 50_000_00


# --- the board's payload, pinned --------------------------------------------------------------

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _golden_world():
    funder = FunderFactory(name="Department for Digital Places", slug="ddp")
    waste = ServiceAreaFactory(name="Waste and recycling", slug="waste-and-recycling")
    call = closed_call(
        funder=funder,
        title="Local Digital Fund 9",
        slug="ldf-9",
        opens_at=NOW - dt.timedelta(days=30),
        closes_at=NOW - dt.timedelta(days=1),
        budget=100_000_00,
        awards_per_service_area=1,
    )
    people = {
        name: funder_member(funder, FunderRole.ASSESSOR, first_name=name, last_name="Jones")
        for name in ("Asha", "Bryn")
    }
    moderator = funder_member(funder, FunderRole.MODERATOR)
    greenton = CouncilFactory(code="GRT", short_name="Greenton", gss_code="E07000901")
    hillham = CouncilFactory(code="HLM", short_name="Hillham", gss_code="E07000902")
    cardiff = CouncilFactory(
        code="CRF", short_name="Cardiff", name_cy="Caerdydd", gss_code="W06000015"
    )
    bins = submitted(
        call,
        project=published_project(
            lead_council=greenton,
            title="Bin day finder",
            slug="bin-day-finder",
            service_areas=[waste],
        ),
        partners=[hillham],
        amount_requested=60_000_00,
    )
    tips = submitted(
        call,
        project=published_project(
            lead_council=cardiff,
            title="Book a tip visit",
            slug="book-a-tip-visit",
            service_areas=[waste],
        ),
        invited=[greenton],
        amount_requested=45_000_00,
    )
    need, collaboration = criteria(call)
    for person, (a, b) in zip(people.values(), [(4, 3), (2, 3)], strict=True):
        services.assessment_save(
            actor=person,
            application=bins,
            scores={need.pk: (a, f"Need {a}"), collaboration.pk: (b, "")},
            submit=True,
        )
    services.assessment_save(
        actor=people["Asha"],
        application=tips,
        scores={need.pk: (1, "Thin"), collaboration.pk: (1, "")},
        submit=True,
    )
    services.application_shortlist(actor=moderator, application=bins, shortlisted=True)
    services.application_shortlist(actor=moderator, application=tips, shortlisted=True)
    services.application_decide(
        actor=moderator, application=bins, outcome="fund", award_amount=55_000_00, feedback="Strong"
    )
    return (
        call,
        moderator,
        {criterion.pk: position for position, criterion in enumerate((need, collaboration), 1)},
    )


def _stable(payload: dict, criteria_ids: dict, applications: dict) -> dict:
    """Database ids differ between runs: criteria and applications by position instead."""
    text = json.dumps(payload)
    payload = json.loads(text)
    for row in payload["criteria"]:
        row["id"] = criteria_ids[row["id"]]
    for row in payload["applications"]:
        row["application"] = applications[row["application"]]
        for assessment in row["assessments"]:
            assessment["scores"] = {
                str(criteria_ids[int(k)]): v for k, v in assessment["scores"].items()
            }
            assessment["comments"] = {
                str(criteria_ids[int(k)]): v for k, v in assessment["comments"].items()
            }
        for line in row["spread"]:
            line["criterion"] = criteria_ids[line["criterion"]]
        if row["decision"]:
            row["decision"]["application"] = applications[row["decision"]["application"]]
    return payload


def test_the_board_matches_the_golden_file():
    with time_machine.travel(NOW, tick=False):
        call, moderator, criteria_ids = _golden_world()
        response = token_client(moderator).get(board(call))
    assert response.status_code == 200
    applications = {
        a.pk: position for position, a in enumerate(call.applications.order_by("pk"), 1)
    }
    payload = _stable(response.json(), criteria_ids, applications)
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
        pytest.skip(f"Wrote {GOLDEN}; review the diff and commit it")
    assert GOLDEN.exists(), f"Create {GOLDEN} with UPDATE_GOLDEN=1, check it and commit it"
    assert text == GOLDEN.read_text(encoding="utf-8"), (
        "The moderation board's JSON changed. If that is deliberate, rewrite the golden file "
        "with UPDATE_GOLDEN=1 and commit the diff."
    )
