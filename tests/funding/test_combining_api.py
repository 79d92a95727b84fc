"""The similar-bids and combining API: the clusters (the same selector as the page), suggesting,
answering, JSON field errors for bad input (never a 500), and who is refused."""

import pytest
from django.urls import reverse

from funding.models import ApplicationState, CombineState, CombineSuggestion
from projects.ledger import check_ledger
from tests.api.conftest import assert_error, send, token_client

from .combining_world import make_combining_world, suggest

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_combining_world()


def similar_url(w) -> str:
    return reverse("api:call-similar", kwargs={"slug": w.call.slug})


def suggest_url(w) -> str:
    return reverse("api:call-combine-suggestions", kwargs={"slug": w.call.slug})


def suggestion_url(suggestion) -> str:
    return reverse("api:combine-suggestion", kwargs={"pk": suggestion.pk})


def answer_url(suggestion) -> str:
    return reverse("api:combine-suggestion-answer", kwargs={"pk": suggestion.pk})


def test_the_clusters_with_similarity_and_shared_words(w):
    body = token_client(w.users["moderator"]).get(similar_url(w)).json()
    assert body["call"] == "ldf-10" and body["applications"] == 3
    waste = next(a for a in body["areas"] if a["service_area"] == "waste")
    [cluster] = waste["clusters"]
    assert [b["application"] for b in cluster["applications"]] == [
        w.continuing.pk,
        w.absorbed.pk,
    ]
    [pair] = cluster["pairs"]
    assert 0.3 <= float(pair["similarity"]) <= 1
    assert "missed" in pair["shared_words"] and pair["suggestion"] is None
    parking = next(a for a in body["areas"] if a["service_area"] == "parking")
    assert parking["clusters"] == []


@pytest.mark.parametrize("who", ["assessor", "lead_approver", "stranger"])
def test_nobody_else_reads_them(w, who):
    assert_error(token_client(w.users[who]).get(similar_url(w)), 403)


def test_suggest_and_both_agree(w):
    body = {"continuing": w.continuing.pk, "absorbed": w.absorbed.pk, "note": "Same users"}
    response = send(token_client(w.users["organiser"]), "POST", suggest_url(w), body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["state"] == "suggested" and created["absorbed"]["application"] == w.absorbed.pk
    suggestion = CombineSuggestion.objects.get(pk=created["id"])

    lead = token_client(w.users["lead_approver"])
    assert lead.get(suggestion_url(suggestion)).json()["continuing_agreed_at"] is None
    response = send(lead, "POST", answer_url(suggestion), {"action": "agree"})
    assert response.json()["continuing_agreed_at"] is not None
    assert_error(send(lead, "POST", answer_url(suggestion), {"action": "agree"}), 409)
    borough = token_client(w.users["borough_approver"])
    response = send(borough, "POST", answer_url(suggestion), {"action": "agree"})
    assert response.status_code == 200 and response.json()["state"] == CombineState.ACCEPTED
    w.absorbed.refresh_from_db()
    assert w.absorbed.state == ApplicationState.WITHDRAWN
    assert check_ledger() == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "continuing"),
        ({"continuing": "x", "absorbed": 1}, "continuing"),
        ({"continuing": 1, "absorbed": 2, "colour": "red"}, "colour"),
        ({"continuing": None, "absorbed": 2}, "continuing"),
    ],
)
def test_bad_suggestions_are_field_errors(w, body, field):
    assert_error(
        send(token_client(w.users["moderator"]), "POST", suggest_url(w), body), 400, field=field
    )


def test_bids_outside_the_call_or_the_same_bid_twice_are_field_errors(w):
    client = token_client(w.users["moderator"])
    body = {"continuing": w.continuing.pk, "absorbed": 999_999}
    assert_error(send(client, "POST", suggest_url(w), body), 400, field="absorbed")
    body = {"continuing": w.continuing.pk, "absorbed": w.continuing.pk}
    assert_error(send(client, "POST", suggest_url(w), body), 400, field="absorbed")
    body = {"continuing": w.continuing.pk, "absorbed": w.absorbed.pk, "note": "x" * 2001}
    assert_error(send(client, "POST", suggest_url(w), body), 400, field="note")


def test_a_second_suggestion_for_the_pair_is_a_conflict(w):
    suggest(w)
    body = {"continuing": w.absorbed.pk, "absorbed": w.continuing.pk}
    assert_error(send(token_client(w.users["moderator"]), "POST", suggest_url(w), body), 409)


def test_bad_answers_are_field_errors(w):
    suggestion = suggest(w)
    client = token_client(w.users["borough_approver"])
    assert_error(send(client, "POST", answer_url(suggestion), {}), 400, field="action")
    assert_error(
        send(client, "POST", answer_url(suggestion), {"action": "merge"}), 400, field="action"
    )
    assert_error(
        send(client, "POST", answer_url(suggestion), {"action": "decline"}), 400, field="reason"
    )
    response = send(
        client, "POST", answer_url(suggestion), {"action": "decline", "reason": "Not alike"}
    )
    assert response.json()["state"] == "declined" and response.json()["reason"] == "Not alike"


@pytest.mark.parametrize("who", ["assessor", "partner_approver", "stranger"])
def test_strangers_to_a_suggestion_are_told_it_does_not_exist(w, who):
    suggestion = suggest(w)
    client = token_client(w.users[who])
    assert_error(client.get(suggestion_url(suggestion)), 404)
    assert_error(send(client, "POST", answer_url(suggestion), {"action": "agree"}), 404)


def test_a_plain_member_of_a_lead_council_reads_but_is_refused_an_answer(w):
    suggestion = suggest(w)
    client = token_client(w.users["borough_member"])
    assert client.get(suggestion_url(suggestion)).status_code == 200
    assert_error(send(client, "POST", answer_url(suggestion), {"action": "agree"}), 403)
