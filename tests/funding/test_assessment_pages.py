"""The assessment and moderation pages, as assessors and moderators use them: what they see,
forms with their errors, the second factor, Welsh, bad input, and constant query counts."""

import datetime
import re

import pytest
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from funding.models import (
    ApplicationState,
    Assessment,
    CallStatus,
    Decision,
    DecisionOutcome,
    FunderRole,
)
from funding.services import assessment as services
from mail.models import Delivery
from tests.factories import CouncilFactory, ServiceAreaFactory, funder_member

from .assessment_world import closed_call, make_assessment_world, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_assessment_world()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    """The page's words, without tags, on one line each run of space."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def queue_url(call):
    return reverse("funding:assessment", kwargs={"slug": call.slug})


def assess_url(application):
    return reverse("funding:assess", kwargs={"pk": application.pk})


def moderation_url(call):
    return reverse("funding:moderation", kwargs={"slug": call.slug})


def criteria(call):
    return list(call.criteria.order_by("position"))


def score_all(user, application, values):
    services.assessment_save(
        actor=user,
        application=application,
        scores={
            c.pk: (v, f"Reason {v}")
            for c, v in zip(criteria(application.call), values, strict=True)
        },
        submit=True,
    )


# --- the assessor's queue ---------------------------------------------------------------------


def test_the_queue_shows_progress_and_why_a_bid_is_not_offered(w):
    response = client_for(w.users["conflicted"]).get(queue_url(w.call))

    assert response.status_code == 200
    page = text(response)
    assert "Assess applications to Local Digital Fund 9" in page
    assert "Shared bins" in page and "Parking permits" in page
    assert "Not offered to you" in page
    assert f"You are a member of {w.partner.short_name}, a partner council." in page
    # No link to assess the conflicted one; a link to the other.
    assert assess_url(w.application) not in response.content.decode()
    assert assess_url(w.other_application) in response.content.decode()


def test_before_the_call_closes_the_page_says_when_assessment_starts(w):
    w.call.closes_at = timezone.now() + datetime.timedelta(days=2)
    w.call.save()
    page = text(client_for(w.users["assessor"]).get(queue_url(w.call)))
    assert "Assessment starts when the call closes" in page
    response = client_for(w.users["assessor"]).get(assess_url(w.application))
    assert response.status_code == 200
    assert 'name="action"' not in response.content.decode()


# --- scoring one application ------------------------------------------------------------------


def test_the_assess_page_shows_the_bid_and_the_scores_in_words(w):
    response = client_for(w.users["assessor"]).get(assess_url(w.application))

    assert response.status_code == 200
    page = text(response)
    assert "Assess Shared bins" in page
    assert "A shared service for reporting missed bins." in page  # the summary
    assert "Our answer to: What problem will you solve?" in page
    assert "Partnerton" in page and "Invitedham" in page
    assert "£60,000" in page
    assert "0 – No evidence" in page and "4 – Strong" in page
    assert "Compelling evidence throughout, with no gaps." in page
    assert "Weight 60" in page


def test_save_as_you_go_then_submit(w):
    need, collaboration = criteria(w.call)
    client = client_for(w.users["assessor"])

    response = client.post(
        assess_url(w.application),
        {f"score_{need.pk}": "3", f"comment_{need.pk}": "Clear problem", "action": "save"},
        follow=True,
    )
    assert "Your scores are saved" in text(response)
    assert Assessment.objects.get().submitted_at is None
    # The form comes back with what was saved.
    assert 'value="3" checked' in client.get(assess_url(w.application)).content.decode()

    # As the browser sends it: the saved score is checked.
    response = client.post(assess_url(w.application), {f"score_{need.pk}": "3", "action": "submit"})
    assert response.status_code == 200
    page = text(response)
    assert page.startswith("Error: ") or "Error:" in page
    assert "There is a problem" in page
    assert "Score ‘Collaboration’ before you submit your assessment." in page
    assert f'href="#id_score_{collaboration.pk}_0"' in response.content.decode()

    response = client.post(
        assess_url(w.application),
        {f"score_{need.pk}": "3", f"score_{collaboration.pk}": "2", "action": "submit"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == queue_url(w.call)
    assert "Your assessment is submitted" in text(response)
    assert "Submitted" in text(response)
    final = client.get(assess_url(w.application))
    assert "Your scores are final" in text(final)
    assert 'name="action"' not in final.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        {"score_X": "3"},
        {"score_{need}": "9"},
        {"score_{need}": "-1"},
        {"score_{need}": "abc"},
        {"score_{need}": "", "comment_{need}": "No score for this"},
        {"comment_{need}": "x" * 6000},
        {"score_{need}": "2", "action": "explode"},
    ],
)
def test_bad_scores_are_never_a_500(w, body):
    need = criteria(w.call)[0]
    body = {k.format(need=need.pk): v for k, v in body.items()}
    response = client_for(w.users["assessor"]).post(assess_url(w.application), body)
    assert response.status_code in (200, 302)
    if response.status_code == 200 and "score_X" not in body and "action" not in body:
        assert "There is a problem" in text(response)


def test_declaring_a_conflict(w):
    client = client_for(w.users["assessor"])
    url = reverse("funding:assess_conflict", kwargs={"pk": w.application.pk})
    assert "You cannot undo this" in text(client.get(url))

    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "Say why you have a conflict of interest" in text(response)

    response = client.post(url, {"reason": "My partner leads the bid"}, follow=True)
    assert "You declared a conflict of interest" in text(response)
    assert "You declared a conflict of interest: My partner leads the bid" in text(response)
    assert client.get(assess_url(w.application)).status_code == 403


def test_the_page_refuses_an_assessor_from_the_partner_council_and_says_why(w):
    response = client_for(w.users["conflicted"]).get(assess_url(w.application))
    assert response.status_code == 403
    assert "a partner council" in text(response)


def test_assessors_without_a_second_factor_are_sent_to_set_one_up(w):
    response = client_for(w.users["no_second_factor"]).get(queue_url(w.call))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")
    follow = client_for(w.users["no_second_factor"]).get(queue_url(w.call), follow=True)
    assert "before you can assess applications" in text(follow)


def test_a_draft_or_withdrawn_application_is_not_there(w):
    w.other_application.state = ApplicationState.WITHDRAWN
    w.other_application.save()
    assert client_for(w.users["assessor"]).get(assess_url(w.other_application)).status_code == 404


# --- moderation -------------------------------------------------------------------------------


def test_moderation_shows_scores_side_by_side_with_totals_and_spread(w):
    score_all(w.users["assessor"], w.application, [4, 1])
    score_all(w.users["assessor2"], w.application, [1, 1])
    score_all(w.users["assessor"], w.other_application, [2, 2])

    response = client_for(w.users["moderator"]).get(moderation_url(w.call))

    assert response.status_code == 200
    page = text(response)
    asha = w.users["assessor"].get_full_name()
    bryn = w.users["assessor2"].get_full_name()
    assert asha in page and bryn in page
    # Asha: (4×60 + 1×40)/400 = 70%; Bryn: (60 + 40)/400 = 25%; mean 47.5%.
    assert "70.0%" in page and "25.0%" in page and "47.5%" in page
    assert "Assessors disagree: scores from 1 to 4" in page
    assert "Assessors agree" in page
    assert "assessors’ totals 45.0 points apart" in page
    # Ranked: Parking permits (50%) above Shared bins (47.5%).
    assert page.index("Parking permits") < page.index("Shared bins", page.index("2 applications"))
    assert "£500,000" in page  # the budget
    assert "Publish decisions" in page


def test_organisers_read_moderation_without_the_actions(w):
    score_all(w.users["assessor"], w.application, [3, 3])
    response = client_for(w.users["organiser"]).get(moderation_url(w.call))
    assert response.status_code == 200
    page = text(response)
    assert "You are reading this as an organiser" in page
    assert "75.0%" in page
    assert "Shortlist" not in page.replace("Shortlisted", "")
    assert "Publish decisions" not in page


def test_moderation_warns_of_the_budget_and_service_areas(w):
    area = ServiceAreaFactory(name="Waste")
    for application in (w.application, w.other_application):
        application.project.service_areas.add(area)
        services.application_shortlist(
            actor=w.users["moderator"], application=application, shortlisted=True
        )
    w.call.awards_per_service_area = 1
    w.call.budget = 100_000_00
    w.call.save()

    page = text(client_for(w.users["admin"]).get(moderation_url(w.call)))

    assert (
        "Waste: 2 bids would be funded, and this call funds at most 1 in one service area." in page
    )
    assert "Over budget by £20,000" in page
    assert "would go over the budget" in page


def test_shortlist_button(w):
    client = client_for(w.users["moderator"])
    url = reverse("funding:shortlist", kwargs={"pk": w.application.pk})
    assert client.get(url).status_code == 405
    response = client.post(url, {"shortlisted": "1"}, follow=True)
    assert "Shared bins is on the shortlist." in text(response)
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.SHORTLISTED
    client.post(url, {"shortlisted": "0"})
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.SUBMITTED


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, "Choose whether to fund the application"),
        ({"outcome": "fund", "feedback": "Good"}, "Enter the amount to award"),
        (
            {"outcome": "fund", "award_amount": "lots", "feedback": "Good"},
            "Enter an amount in pounds",
        ),
        ({"outcome": "fund", "award_amount": "60000.001", "feedback": "Good"}, "no more than 2"),
        ({"outcome": "fund", "award_amount": "60,000.01", "feedback": "Good"}, "£60,000 asked for"),
        ({"outcome": "fund", "award_amount": "-5", "feedback": "Good"}, "more than zero"),
        ({"outcome": "fund", "award_amount": "1000"}, "Enter feedback for the applicants"),
        ({"outcome": "maybe", "feedback": "Good"}, "Select a valid choice"),
    ],
)
def test_the_decision_form_says_what_is_wrong(w, body, error):
    services.application_shortlist(
        actor=w.users["moderator"], application=w.application, shortlisted=True
    )
    url = reverse("funding:decide", kwargs={"pk": w.application.pk})
    response = client_for(w.users["moderator"]).post(url, body)
    assert response.status_code == 200
    assert error in text(response)
    assert "There is a problem" in text(response)
    assert not Decision.objects.exists()


def test_deciding_and_publishing(w):
    client = client_for(w.users["moderator"])
    services.application_shortlist(
        actor=w.users["moderator"], application=w.application, shortlisted=True
    )
    response = client.post(
        reverse("funding:decide", kwargs={"pk": w.application.pk}),
        {"outcome": "fund", "award_amount": "£55,000.50", "feedback": "Strong partnership"},
        follow=True,
    )
    assert "Applicants see it only when you publish the decisions" in text(response)
    assert Decision.objects.get().award_amount == 55_000_50
    assert "To fund: £55,000.50 (not published)" in text(response)
    # The form shows the decision again, in pounds.
    form = client.get(reverse("funding:decide", kwargs={"pk": w.application.pk}))
    assert 'value="55000.50"' in form.content.decode()

    publish = reverse("funding:publish", kwargs={"slug": w.call.slug})
    response = client.post(publish, follow=True)
    assert "Decide every application before you publish: 1 still have no decision." in text(
        response
    )

    client.post(
        reverse("funding:decide", kwargs={"pk": w.other_application.pk}),
        {"outcome": DecisionOutcome.NOT_FUND, "feedback": "Not this round"},
    )
    assert "You cannot undo it" in text(client.get(publish))
    response = client.post(publish, follow=True)
    assert "The decisions are published" in text(response)
    w.call.refresh_from_db()
    assert w.call.status == CallStatus.DECIDED
    assert Delivery.objects.filter(kind="funding_decision").exists()
    assert "Publish decisions" not in text(client.get(moderation_url(w.call)))


# --- Welsh ------------------------------------------------------------------------------------


def test_the_pages_speak_welsh(w):
    score_all(w.users["assessor"], w.application, [3, 3])
    assessor, moderator = client_for(w.users["assessor2"]), client_for(w.users["moderator"])
    with translation.override("cy"):
        urls = [
            queue_url(w.call),
            assess_url(w.application),
            moderation_url(w.call),
            reverse("funding:decide", kwargs={"pk": w.application.pk}),
        ]
    assert all(url.startswith("/cy/funding/") for url in urls)

    queue = text(assessor.get(urls[0]))
    assert "Asesu ceisiadau i Local Digital Fund 9" in queue
    assess = text(assessor.get(urls[1]))
    assert "Eich asesiad" in assess and "0 – Dim tystiolaeth" in assess
    moderation = text(moderator.get(urls[2]))
    assert "Cyfanswm wedi’i bwysoli" in moderation and "75.0%" in moderation
    decide = text(moderator.post(urls[3], {}))
    assert "Mae problem" in decide and "Dewiswch a ddylid ariannu’r cais" in decide


# --- query counts -------------------------------------------------------------------------------


def _busy_call(applications: int, assessors: int):
    """A closed call: each application with a confirmed partner and a service area, scored by
    every assessor, and one more assessor who declared a conflict with it."""
    call = closed_call()
    people = [funder_member(call.funder, FunderRole.ASSESSOR) for _ in range(assessors)]
    moderator = funder_member(call.funder, FunderRole.MODERATOR)
    area = ServiceAreaFactory()
    for _ in range(applications):
        application = submitted(call, partners=[CouncilFactory()], invited=[CouncilFactory()])
        application.project.service_areas.add(area)
        for person in people:
            score_all(person, application, [2, 3])
        Assessment.objects.create(
            application=application,
            assessor=funder_member(call.funder, FunderRole.ASSESSOR),
            conflict_declared_at=timezone.now(),
            conflict_reason="Former employer",
        )
    return call, people[0], moderator


PAGES = {
    "queue": lambda call: queue_url(call),
    "moderation": lambda call: moderation_url(call),
    "publish": lambda call: reverse("funding:publish", kwargs={"slug": call.slug}),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_pages_run_the_same_queries_for_one_or_many_applications(
    page, django_assert_num_queries
):
    def measured(size: int, assessors: int):
        call, assessor, moderator = _busy_call(size, assessors)
        client = client_for(assessor if page == "queue" else moderator)
        client.get(PAGES[page](call))  # the session settles
        reset_queries()  # the factories' queries filled the log: it counts from here
        return client, PAGES[page](call)

    client, url = measured(1, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    expected = len(one)
    client, url = measured(6, 3)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    rows = re.findall(r'<section [^>]*id="application-\d+"', response.content.decode())
    assert len(rows) == (6 if page == "moderation" else 0)
