"""The similar-bids page, suggesting, and the suggestion's page: who sees what, the flow to a
combination, the project pages afterwards, bad input never a 500, Welsh, and a fixed number
of queries on the similar-bids page however many bids there are."""

import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from funding.models import ApplicationState, CombineState, CombineSuggestion
from projects.ledger import check_ledger
from tests.factories import CouncilFactory, ServiceAreaFactory

from .combining_world import bid, make_combining_world, suggest

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_combining_world()


def similar_url(w) -> str:
    return reverse("funding:similar", kwargs={"slug": w.call.slug})


def suggest_url(w) -> str:
    return reverse("funding:combine_suggest", kwargs={"slug": w.call.slug})


def suggestion_url(suggestion) -> str:
    return reverse("funding:combine_suggestion", kwargs={"pk": suggestion.pk})


def text(response) -> str:
    return response.content.decode()


def as_user(client, user):
    client.force_login(user)
    return client


def post(client, url, **data):
    data.setdefault("submission_key", str(uuid.uuid4()))
    return client.post(url, data)


# --- similar bids ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["moderator", "organiser"])
def test_moderators_and_organisers_see_the_clusters(client, w, who):
    html = text(as_user(client, w.users[who]).get(similar_url(w)))
    assert "Similar bids to Local Digital Fund 10" in html
    assert "Report a missed bin collection" in html and "Missed bin reporting" in html
    assert "Suggest combining" in html and "missed" in html
    assert "%" in html


@pytest.mark.parametrize("who", ["assessor", "lead_approver", "other_funder", "stranger"])
def test_nobody_else_sees_them(client, w, who):
    response = as_user(client, w.users[who]).get(similar_url(w))
    assert response.status_code == 403
    assert "Only LocalGov Digital organisers and the moderators" in text(response)


def test_signed_out_people_are_sent_to_sign_in(client, w):
    response = client.get(similar_url(w))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_suggested_pair_links_to_its_suggestion(client, w):
    suggestion = suggest(w)
    html = text(as_user(client, w.users["moderator"]).get(similar_url(w)))
    assert suggestion_url(suggestion) in html


# --- suggesting -----------------------------------------------------------------------------


def test_suggesting_from_the_page(client, w):
    as_user(client, w.users["moderator"])
    query = {"first": w.continuing.pk, "second": w.absorbed.pk}
    form = text(client.get(suggest_url(w), query))
    assert "Which bid continues?" in form and "Boroughton" in form
    response = post(
        client, suggest_url(w), **query, continuing=str(w.absorbed.pk), note="Same users"
    )
    suggestion = CombineSuggestion.objects.get()
    assert response.status_code == 302 and response["Location"] == suggestion_url(suggestion)
    assert suggestion.continuing == w.absorbed and suggestion.absorbed == w.continuing
    assert suggestion.note == "Same users"


def test_not_choosing_which_continues_is_a_form_error(client, w):
    as_user(client, w.users["moderator"])
    response = post(client, suggest_url(w), first=w.continuing.pk, second=w.absorbed.pk)
    assert response.status_code == 200
    assert "There is a problem" in text(response) and "Choose the bid that continues" in text(
        response
    )
    assert not CombineSuggestion.objects.exists()


def test_a_second_suggestion_for_the_pair_is_a_form_error(client, w):
    suggest(w)
    as_user(client, w.users["organiser"])
    response = post(
        client,
        suggest_url(w),
        first=w.continuing.pk,
        second=w.absorbed.pk,
        continuing=str(w.continuing.pk),
    )
    assert response.status_code == 200 and "already suggested" in text(response)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"first": "x", "second": "1"},
        {"first": "1"},
        {"first": "999999", "second": "999998"},
    ],
)
def test_bad_pairs_are_not_found(client, w, query):
    response = as_user(client, w.users["moderator"]).get(suggest_url(w), query)
    assert response.status_code == 404


def test_the_same_bid_twice_or_a_choice_outside_the_pair_is_refused(client, w):
    as_user(client, w.users["moderator"])
    same = {"first": w.continuing.pk, "second": w.continuing.pk}
    assert client.get(suggest_url(w), same).status_code == 404
    response = post(
        client,
        suggest_url(w),
        first=w.continuing.pk,
        second=w.absorbed.pk,
        continuing=str(w.parking_bid.pk),
    )
    assert response.status_code == 200 and "Choose one of the two bids" in text(response)


# --- the suggestion's page ----------------------------------------------------------------------


def test_both_councils_agree_on_the_page_and_the_projects_show_it(client, w):
    suggestion = suggest(w)
    lead = as_user(client, w.users["lead_approver"])
    html = text(lead.get(suggestion_url(suggestion)))
    assert "Agree for our council" in html and "Decline the suggestion" in html
    assert post(lead, suggestion_url(suggestion), action="agree").status_code == 302
    html = text(lead.get(suggestion_url(suggestion)))
    assert "The other lead council has yet to agree" in html
    assert "Your council has agreed. The other lead council has not answered yet." in html

    borough = Client()
    borough.force_login(w.users["borough_approver"])
    response = post(borough, suggestion_url(suggestion), action="agree")
    assert response.status_code == 302
    page = text(borough.get(suggestion_url(suggestion)))
    assert "The bids are combined." in page and "Combined" in page
    suggestion.refresh_from_db()
    assert suggestion.state == CombineState.ACCEPTED
    w.absorbed.refresh_from_db()
    assert w.absorbed.state == ApplicationState.WITHDRAWN
    assert check_ledger() == []

    absorbed_page = text(client.get(w.absorbed.project.get_absolute_url()))
    assert "Combined into" in absorbed_page and w.continuing.project.get_absolute_url() in (
        absorbed_page
    )
    continuing_page = text(client.get(w.continuing.project.get_absolute_url()))
    assert "Combined with" in continuing_page and "Missed bin reporting" in continuing_page


def test_declining_without_a_reason_is_a_form_error(client, w):
    suggestion = suggest(w)
    as_user(client, w.users["borough_approver"])
    response = post(client, suggestion_url(suggestion), action="decline", reason="")
    assert response.status_code == 200
    assert "Give a reason for declining" in text(response)
    response = post(client, suggestion_url(suggestion), action="nonsense")
    assert response.status_code == 200 and "There is a problem" in text(response)
    suggestion.refresh_from_db()
    assert suggestion.state == CombineState.SUGGESTED


def test_a_plain_member_of_a_lead_council_reads_but_cannot_answer(client, w):
    suggestion = suggest(w)
    as_user(client, w.users["borough_member"])
    html = text(client.get(suggestion_url(suggestion)))
    assert "Only an approver or council admin of each lead council" in html
    response = post(client, suggestion_url(suggestion), action="agree")
    assert response.status_code == 403 and "Only an approver or council admin" in text(response)
    response = post(client, suggestion_url(suggestion), action="withdraw")
    assert response.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.state == CombineState.SUGGESTED


@pytest.mark.parametrize("who", ["assessor", "partner_approver", "stranger"])
def test_anyone_else_is_told_there_is_no_such_suggestion(client, w, who):
    suggestion = suggest(w)
    assert as_user(client, w.users[who]).get(suggestion_url(suggestion)).status_code == 404


def test_the_organiser_withdraws_it(client, w):
    suggestion = suggest(w)
    as_user(client, w.users["organiser"])
    assert "Withdraw the suggestion" in text(client.get(suggestion_url(suggestion)))
    response = post(client, suggestion_url(suggestion), action="withdraw", reason="Mistake")
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.state == CombineState.WITHDRAWN and suggestion.reason == "Mistake"


# --- Welsh --------------------------------------------------------------------------------------


def test_the_pages_speak_welsh(client, w):
    suggestion = suggest(w)
    with translation.override("cy"):
        urls = [similar_url(w), suggestion_url(suggestion)]
    assert all(url.startswith("/cy/funding/") for url in urls)
    html = text(as_user(client, w.users["moderator"]).get(urls[0]))
    assert "Ceisiadau tebyg i Local Digital Fund 10" in html and "Awgrymwyd" in html
    html = text(as_user(client, w.users["lead_approver"]).get(urls[1]))
    assert "Awgrym i gyfuno dau gais" in html and "Cytuno ar ran ein cyngor" in html


# --- query counts -------------------------------------------------------------------------------


def _queries(client, call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("funding:similar", kwargs={"slug": call.slug}))
    assert response.status_code == 200
    return len(queries)


def test_the_page_runs_the_same_queries_however_many_bids(client, w):
    as_user(client, w.users["moderator"])
    few = _queries(client, w.call)
    for n in range(8):
        bid(
            w.call,
            CouncilFactory(),
            f"Bulky waste booking {n}",
            "Book a bulky waste collection online",
            areas=[w.waste, ServiceAreaFactory(name=f"Area {n}", slug=f"area-{n}")],
        )
    suggest(w)
    assert _queries(client, w.call) == few
