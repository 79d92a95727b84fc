"""Awards in the ledger, as people see them: planning tranches on the decide page and in the API
(bad input as form errors and JSON 400s), releasing one by hand, and the award on the project's
page, the call's page, the application, the pledges API and CSV, in English and Welsh; the
pledge listing's queries stay constant with awards in it."""

import csv
import io

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.models import AwardTranche, DecisionOutcome
from funding.services import assessment as services
from projects.models import Phase, PledgeState
from projects.services import pledge_award
from tests.api.conftest import assert_error, send, token_client
from tests.factories import MilestoneFactory, make_pledge

from .assessment_world import make_assessment_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = make_assessment_world()
    w.project = w.application.project
    w.milestone = MilestoneFactory(project=w.project, title="Private beta opens")
    services.application_shortlist(
        actor=w.users["moderator"], application=w.application, shortlisted=True
    )
    return w


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _decide_url(w):
    return reverse("funding:decide", kwargs={"pk": w.application.pk})


def _publish(w, tranches):
    services.application_decide(
        actor=w.users["moderator"],
        application=w.application,
        outcome=DecisionOutcome.FUND,
        award_amount=60_000_00,
        feedback="Strong partnership.",
        tranches=tranches,
    )
    services.application_decide(
        actor=w.users["moderator"],
        application=w.other_application,
        outcome=DecisionOutcome.NOT_FUND,
        feedback="Not enough evidence.",
    )
    services.call_publish_decisions(actor=w.users["moderator"], call=w.call)


PLAN = [
    {"amount": 30_000_00},
    {"amount": 30_000_00, "phase": Phase.BETA},
]


# --- the decide page --------------------------------------------------------------------------


def test_the_decide_page_plans_tranches(w):
    client = _browser(w.users["moderator"])
    page = client.get(_decide_url(w))
    assert page.status_code == 200
    html = page.content.decode()
    assert "How the award is paid (optional)" in html
    assert "When the milestone “Private beta opens” is reached" in html
    response = client.post(
        _decide_url(w),
        {
            "outcome": "fund",
            "award_amount": "60000",
            "feedback": "Strong partnership.",
            "tranche_1_amount": "40000",
            "tranche_2_amount": "20000",
            "tranche_2_when": f"milestone:{w.milestone.pk}",
        },
    )
    assert response.status_code == 302
    plan = list(AwardTranche.objects.order_by("position").values_list("amount", "milestone"))
    assert plan == [(40_000_00, None), (20_000_00, w.milestone.pk)]
    # Shown again as planned, to change.
    again = client.get(_decide_url(w)).content.decode()
    assert 'name="tranche_2_amount" value="20000"' in again


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            {"tranche_1_amount": "40000", "tranche_2_amount": "10000"},
            "The tranches add up to £50,000: they must add up to the award of £60,000.",
        ),
        ({"tranche_1_when": "phase:beta"}, "Enter the amount of tranche 1"),
        ({"tranche_1_amount": "lots"}, "Enter"),
        ({"tranche_1_amount": "60000", "tranche_1_when": "phase:retired"}, "Select a valid"),
    ],
)
def test_a_plan_that_does_not_fit_comes_back_with_an_error(w, extra, message):
    client = _browser(w.users["moderator"])
    response = client.post(
        _decide_url(w),
        {"outcome": "fund", "award_amount": "60000", "feedback": "Yes.", **extra},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html
    assert not AwardTranche.objects.exists()


# --- the API ----------------------------------------------------------------------------------


def _decision_api(w):
    return reverse("api:application-decision", kwargs={"pk": w.application.pk})


def test_the_api_plans_tranches_and_shows_them(w):
    client = token_client(w.users["moderator"])
    response = send(
        client,
        "POST",
        _decision_api(w),
        {
            "outcome": "fund",
            "award_amount_pence": 60_000_00,
            "feedback": "Yes.",
            "tranches": [
                {"amount_pence": 50_000_00},
                {"amount_pence": 10_000_00, "milestone": w.milestone.pk},
            ],
        },
    )
    assert response.status_code == 200, response.content
    tranches = response.json()["tranches"]
    assert [(t["amount"]["amount_pence"], t["milestone"], t["state"]) for t in tranches] == [
        (50_000_00, None, "planned"),
        (10_000_00, w.milestone.pk, "planned"),
    ]


@pytest.mark.parametrize(
    "tranches",
    [
        [{"amount_pence": 50_000_00}],  # short of the award
        [{"amount_pence": 60_000_00, "milestone": 999_999}],
        [{"amount_pence": 60_000_00, "milestone": 1, "phase": "beta"}],
        [{"amount_pence": 60_000_00, "phase": "retired"}],
        [{"amount_pence": 0}],
        [{"amount_pence": "sixty"}],
        [{"amount_pence": 10_00}] * 7,
        "all of it",
    ],
)
def test_bad_tranches_are_a_400_naming_tranches(w, tranches):
    client = token_client(w.users["moderator"])
    response = send(
        client,
        "POST",
        _decision_api(w),
        {
            "outcome": "fund",
            "award_amount_pence": 60_000_00,
            "feedback": "Yes.",
            "tranches": tranches,
        },
    )
    assert_error(response, 400, field="tranches")
    assert not AwardTranche.objects.exists()


def test_an_unknown_field_in_a_tranche_is_a_400(w):
    client = token_client(w.users["moderator"])
    body = {
        "outcome": "fund",
        "award_amount_pence": 60_000_00,
        "feedback": "Yes.",
        "tranches": [{"amount_pence": 60_000_00, "colour": "red"}],
    }
    assert_error(send(client, "POST", _decision_api(w), body), 400)
    assert not AwardTranche.objects.exists()


def test_releasing_by_hand_through_the_api(w):
    url = reverse("api:application-tranche-release", kwargs={"pk": w.application.pk, "position": 2})
    client = token_client(w.users["moderator"])
    services.application_decide(
        actor=w.users["moderator"],
        application=w.application,
        outcome=DecisionOutcome.FUND,
        award_amount=60_000_00,
        feedback="Yes.",
        tranches=PLAN,
    )
    assert_error(send(client, "POST", url, {}), 409)  # not published yet
    services.application_decide(
        actor=w.users["moderator"],
        application=w.other_application,
        outcome=DecisionOutcome.NOT_FUND,
        feedback="No.",
    )
    services.call_publish_decisions(actor=w.users["moderator"], call=w.call)
    assert_error(send(client, "POST", url, {"note": "x" * 2001}), 400, field="note")
    assert_error(send(client, "POST", url, {"colour": "red"}), 400)
    response = send(client, "POST", url, {"note": "Beta funded early"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "released"
    assert_error(send(client, "POST", url, {}), 409)
    missing = reverse(
        "api:application-tranche-release", kwargs={"pk": w.application.pk, "position": 9}
    )
    assert_error(send(client, "POST", missing, {}), 404)


def test_releasing_by_hand_on_the_web(w):
    _publish(w, PLAN)
    url = reverse("funding:tranche_release", kwargs={"pk": w.application.pk, "position": 2})
    client = _browser(w.users["moderator"])
    page = client.get(url)
    assert page.status_code == 200 and "Release the tranche" in page.content.decode()
    too_long = client.post(url, {"note": "x" * 2001})
    assert too_long.status_code == 200
    assert "govuk-error-summary" in too_long.content.decode()
    assert client.post(url, {"note": "Early"}).status_code == 302
    tranche = AwardTranche.objects.select_related("pledge").get(position=2)
    assert tranche.pledge.state == PledgeState.FULFILLED
    assert "already released" in client.get(url).content.decode()


# --- what people see --------------------------------------------------------------------------


def test_the_project_page_shows_the_award_in_english_and_welsh(w):
    _publish(w, PLAN)
    page = Client().get(w.project.get_absolute_url()).content.decode()
    assert "Department for Digital Places" in page
    assert "Released" in page and "Awarded" in page
    pledge = AwardTranche.objects.get(position=2).pledge
    detail = Client().get(pledge.get_absolute_url()).content.decode()
    assert "Award from Department for Digital Places" in detail
    welsh = Client().get(f"/cy{w.project.get_absolute_url()}").content.decode()
    assert "Wedi’i ryddhau" in welsh and "Wedi’i ddyfarnu" in welsh
    assert (
        "Mark as fulfilled"
        not in _browser(w.project.owner).get(pledge.get_absolute_url()).content.decode()
    )


def test_the_call_and_the_application_show_the_tranches(w):
    _publish(w, PLAN)
    call_page = Client().get(reverse("funding:call", kwargs={"slug": w.call.slug}))
    html = call_page.content.decode()
    assert "£30,000: When the project enters beta" in html
    assert "£30,000: On award" in html
    api = Client().get(reverse("api:application-detail", args=[w.application.pk])).json()
    assert [(t["amount"]["amount_pence"], t["phase"], t["state"]) for t in api["tranches"]] == [
        (30_000_00, None, "released"),
        (30_000_00, "beta", "awarded"),
    ]
    page = _browser(w.users["moderator"]).get(
        reverse("funding:application", args=[w.application.pk])
    )
    assert (
        reverse("funding:tranche_release", kwargs={"pk": w.application.pk, "position": 2})
        in page.content.decode()
    )


def test_the_pledges_api_and_csv_name_the_funder(w):
    _publish(w, PLAN)
    rows = Client().get(reverse("api:pledge-list"), {"project": w.project.slug}).json()["results"]
    awards = [r for r in rows if r["funder"]]
    assert {(r["council"], r["funder"]["slug"], r["award_state"]) for r in awards} == {
        (None, "ddp", "released"),
        (None, "ddp", "awarded"),
    }
    body = b"".join(Client().get(reverse("api:pledges_csv")).streaming_content).decode()
    lines = list(csv.DictReader(io.StringIO(body)))
    assert sorted(r["award_state"] for r in lines if r["funder"] == "ddp") == [
        "awarded",
        "released",
    ]


def test_the_pledge_listing_takes_the_same_queries_with_more_awards(w):
    _publish(w, PLAN)
    make_pledge(w.project, state=PledgeState.ACCEPTED)
    client = Client()
    url = reverse("api:pledge-list")

    def count() -> int:
        for cache in caches.all():
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"project": w.project.slug}).status_code == 200
        return len(queries)

    few = count()
    for _ in range(5):
        pledge_award(actor=w.users["moderator"], project=w.project, funder=w.funder, amount=1_00)
    assert count() == few
