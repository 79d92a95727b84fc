"""Who may do what in assessment and moderation, route by route, for every kind of person the
funder deals with, on the web and in the API.

The application is Leadshire's, with Partnerton confirmed and Invitedham invited as partners.
People (``tests/funding/assessment_world.py``):

  anonymous         nobody signed in
  member            a plain (verified) member of the funder
  assessor          an assessor of the funder, with a second factor
  conflicted        an assessor who is also a member of Partnerton, a partner council
  no2fa             an assessor without a second factor
  moderator         a moderator of the funder (moderators may assess too)
  mod_no2fa         a moderator without a second factor
  admin             an admin of the funder (moderates; does not assess)
  other_funder      a moderator of another funder
  organiser         LocalGov Digital staff: read the moderation board, act on nothing
  applicant         the project's owner at Leadshire

Web outcomes as in tests/security/test_web_permission_matrix.py: ``ok``, ``login``, ``done``
(a redirect: for the people without a second factor, to set one up), ``403``, ``405``, and ``*``
when the database changed. API outcomes are status codes.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from funding.models import Application, Assessment, AwardTranche, Call, Decision, Score
from funding.services import assessment as services
from projects.models import Pledge
from tests.api.conftest import send, token_client
from tests.worlds import module_world

from .assessment_world import make_assessment_world

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "member",
    "assessor",
    "conflicted",
    "no2fa",
    "moderator",
    "mod_no2fa",
    "admin",
    "other_funder",
    "organiser",
    "applicant",
)
USERS = {"no2fa": "no_second_factor", "mod_no2fa": "moderator_no_second_factor"}

# (route, method) → outcome per role, in the order of ROLES.
# anon member assessor conflicted no2fa moderator mod_no2fa admin other organiser applicant
WEB = {
    ("assessment", "GET"): "login 403 ok ok done ok done 403 403 403 403",
    ("assess", "GET"): "login 403 ok 403 done ok done 403 403 403 403",
    ("assess", "POST"): "login 403 done* 403 done done* done 403 403 403 403",
    ("assess_conflict", "GET"): "login 403 ok ok done ok done 403 403 403 403",
    ("assess_conflict", "POST"): "login 403 done* done* done done* done 403 403 403 403",
    ("moderation", "GET"): "login 403 403 403 403 ok done ok 403 ok 403",
    ("shortlist", "GET"): "login 405 405 405 405 405 405 405 405 405 405",
    ("shortlist", "POST"): "login 403 403 403 403 done* done done* 403 403 403",
    ("decide", "GET"): "login 403 403 403 403 ok done ok 403 403 403",
    ("decide", "POST"): "login 403 403 403 403 done* done done* 403 403 403",
    ("publish", "GET"): "login 403 403 403 403 ok done ok 403 403 403",
    ("publish", "POST"): "login 403 403 403 403 done* done done* 403 403 403",
    ("tranche_release", "GET"): "login 403 403 403 403 ok done ok 403 403 403",
    ("tranche_release", "POST"): "login 403 403 403 403 done* done done* 403 403 403",
}
API = {
    ("call-assessment", "GET"): "401 403 200 200 403 200 403 403 403 403 403",
    ("application-assessment", "GET"): "401 403 200 403 403 200 403 403 403 403 403",
    ("application-assessment", "POST"): "401 403 200 403 403 200 403 403 403 403 403",
    ("application-assessment-conflict", "POST"): "401 403 200 200 403 200 403 403 403 403 403",
    ("call-moderation", "GET"): "401 403 403 403 403 200 403 200 403 200 403",
    ("application-shortlist", "POST"): "401 403 403 403 403 200 403 200 403 403 403",
    ("application-decision", "POST"): "401 403 403 403 403 200 403 200 403 403 403",
    ("call-decisions-publish", "POST"): "401 403 403 403 403 200 403 200 403 403 403",
    ("application-tranche-release", "POST"): "401 403 403 403 403 200 403 200 403 403 403",
}
assert all(len(row.split()) == len(ROLES) for row in (*WEB.values(), *API.values()))


def _decide_everything(w):
    """Publishing needs every application decided."""
    services.application_shortlist(
        actor=w.users["moderator"], application=w.application, shortlisted=True
    )
    for application, outcome in ((w.application, "fund"), (w.other_application, "not_fund")):
        services.application_decide(
            actor=w.users["moderator"],
            application=application,
            outcome=outcome,
            award_amount=50_000_00 if outcome == "fund" else None,
            feedback="Thank you",
        )


def _award_published(w):
    """A published award whose one tranche waits for beta: a moderator may release it."""
    _decide_everything(w)
    services.application_decide(
        actor=w.users["moderator"],
        application=w.application,
        outcome="fund",
        award_amount=50_000_00,
        feedback="Thank you",
        tranches=[{"amount": 50_000_00, "phase": "beta"}],
    )
    services.call_publish_decisions(actor=w.users["moderator"], call=w.call)


SETUP = {
    "publish": _decide_everything,
    "call-decisions-publish": _decide_everything,
    "tranche_release": _award_published,
    "application-tranche-release": _award_published,
}


def _web_url(w, route):
    if route in ("assessment", "moderation", "publish"):
        return reverse(f"funding:{route}", kwargs={"slug": w.call.slug})
    if route == "tranche_release":
        return reverse(f"funding:{route}", kwargs={"pk": w.application.pk, "position": 1})
    return reverse(f"funding:{route}", kwargs={"pk": w.application.pk})


def _web_body(w, route):
    need, collaboration = w.call.criteria.order_by("position")
    return {
        "assess": {f"score_{need.pk}": "3", f"score_{collaboration.pk}": "2", "action": "save"},
        "assess_conflict": {"reason": "I used to work there"},
        "shortlist": {"shortlisted": "1"},
        "decide": {"outcome": "not_fund", "feedback": "Not this round"},
    }.get(route, {})


def _api_url(w, route):
    if route.startswith("call-"):
        return reverse(f"api:{route}", kwargs={"slug": w.call.slug})
    if route == "application-tranche-release":
        return reverse(f"api:{route}", kwargs={"pk": w.application.pk, "position": 1})
    return reverse(f"api:{route}", kwargs={"pk": w.application.pk})


def _api_body(w, route):
    need = w.call.criteria.order_by("position").first()
    return {
        "application-assessment": {"scores": [{"criterion": need.pk, "score": 3}]},
        "application-assessment-conflict": {"reason": "I used to work there"},
        "application-shortlist": {"shortlisted": True},
        "application-decision": {"outcome": "not_fund", "feedback": "Not this round"},
        "call-decisions-publish": {},
        "application-tranche-release": {"note": "Paid early"},
    }.get(route)


def snapshot() -> tuple:
    return tuple(
        list(model.objects.order_by("pk").values())
        for model in (Assessment, Score, Decision, Application, Call, AwardTranche, Pledge)
    )


def _user(w, role):
    return w.users[USERS.get(role, role)]


def _web_outcome(response, changed: bool) -> str:
    if response.status_code in (301, 302, 303):
        text = "login" if response["Location"].startswith("/accounts/login/") else "done"
    elif response.status_code == 200:
        text = "ok"
    else:
        text = str(response.status_code)
    return text + ("*" if changed else "")


world = module_world(make_assessment_world)


def _run(world, django_db_blocker, setup, request) -> list[str]:
    got = []
    with django_db_blocker.unblock():
        for role in ROLES:
            with transaction.atomic():
                if setup:
                    setup(world)
                before = snapshot()
                got.append(request(role, before))
                transaction.set_rollback(True)
    return got


@pytest.mark.parametrize(("route", "method"), sorted(WEB), ids=str)
def test_web(world, django_db_blocker, route, method):
    def request(role, before):
        client = Client()
        if role != "anonymous":
            client.force_login(_user(world, role))
        url = _web_url(world, route)
        response = client.get(url) if method == "GET" else client.post(url, _web_body(world, route))
        return _web_outcome(response, snapshot() != before)

    got = _run(world, django_db_blocker, SETUP.get(route), request)
    expected = WEB[(route, method)].split()
    assert got == expected, "\n".join(
        f"{role}: expected {e}, got {g}"
        for role, e, g in zip(ROLES, expected, got, strict=True)
        if e != g
    )


@pytest.mark.parametrize(("route", "method"), sorted(API), ids=str)
def test_api(world, django_db_blocker, route, method):
    from rest_framework.test import APIClient

    def request(role, before):
        client = APIClient() if role == "anonymous" else token_client(_user(world, role))
        response = send(client, method, _api_url(world, route), _api_body(world, route))
        changed = snapshot() != before
        assert not (changed and response.status_code >= 400), (role, "a refusal changed data")
        return str(response.status_code)

    got = _run(world, django_db_blocker, SETUP.get(route), request)
    expected = API[(route, method)].split()
    assert got == expected, "\n".join(
        f"{role}: expected {e}, got {g}"
        for role, e, g in zip(ROLES, expected, got, strict=True)
        if e != g
    )


def test_every_assessment_route_has_rows():
    from funding.api import assessment as api
    from funding.views import assessment as web

    assert {p.name for p in web.urlpatterns} == {route for route, _ in WEB}
    assert {p.name for p in api.urlpatterns} == {route for route, _ in API}
