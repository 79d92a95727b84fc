"""Who may do what with a funder's calls and members, role by role.

The site-wide matrix (tests/security/test_web_permission_matrix.py) has every route, for people
who belong to no funder; this one has the funder's own roles:

  anonymous     nobody signed in
  stranger      signed in, a member of nothing
  pending       asked to join the funder, not yet approved
  member        a verified member (role member)
  assessor      a verified assessor
  moderator     a verified moderator
  admin         a verified funder admin with a second factor
  admin_no_2fa  a verified funder admin without one (sent to set it up: "mfa")
  other_admin   an admin of another funder
  organiser     LocalGov Digital staff

Outcomes as in the site-wide matrix: ``ok`` 200, ``login``, ``mfa`` (to set up two-factor
authentication), ``done`` another redirect, ``403``, ``404``; ``*`` when the database changed.
"""

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from councils.models import MembershipStatus
from funding.models import Call, CallQuestion, CallStatus, Criterion, FunderMembership, FunderRole
from tests.api.conftest import token_client
from tests.factories import (
    CallFactory,
    FunderFactory,
    FunderMembershipFactory,
    OrganiserFactory,
    UserFactory,
    funder_member,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "stranger",
    "pending",
    "member",
    "assessor",
    "moderator",
    "admin",
    "admin_no_2fa",
    "other_admin",
    "organiser",
)


def make_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.funder = FunderFactory(slug="dft")
    w.call = CallFactory(funder=w.funder, slug="open-call")
    w.draft = CallFactory(
        funder=w.funder, slug="draft-call", status=CallStatus.DRAFT, published_at=None
    )
    w.request = FunderMembershipFactory(funder=w.funder, status=MembershipStatus.PENDING)
    w.plain = FunderMembershipFactory(funder=w.funder)
    w.users = {
        "stranger": UserFactory(),
        "pending": FunderMembershipFactory(funder=w.funder, status=MembershipStatus.PENDING).user,
        "member": funder_member(w.funder, role=FunderRole.MEMBER),
        "assessor": funder_member(w.funder, role=FunderRole.ASSESSOR),
        "moderator": funder_member(w.funder, role=FunderRole.MODERATOR),
        "admin": funder_member(w.funder, role=FunderRole.ADMIN),
        "admin_no_2fa": FunderMembershipFactory(
            funder=w.funder, role=FunderRole.ADMIN, enrolled=False
        ).user,
        "other_admin": funder_member(role=FunderRole.ADMIN),
        "organiser": OrganiserFactory(),
    }
    return w


def _call_form(w) -> dict:
    draft = w.draft
    management = {"TOTAL_FORMS": "1", "INITIAL_FORMS": "1", "MIN_NUM_FORMS": "0"}
    return {
        "title": "Draft, renamed",
        "summary": draft.summary,
        "language": "en",
        "budget": "500000",
        "max_award": "80000",
        "opens_on_day": "1",
        "opens_on_month": "4",
        "opens_on_year": str(draft.closes_at.year + 1),
        "opens_time": "9:00",
        "closes_on_day": "30",
        "closes_on_month": "4",
        "closes_on_year": str(draft.closes_at.year + 1),
        "closes_time": "12:00",
        "min_partners": "0",
        **{f"questions-{k}": v for k, v in management.items()},
        "questions-0-id": str(draft.questions.first().pk),
        "questions-0-text": "Why?",
        "questions-0-word_limit": "100",
        **{f"criteria-{k}": v for k, v in management.items()},
        "criteria-0-id": str(draft.criteria.first().pk),
        "criteria-0-title": "Need",
        "criteria-0-weight": "3",
    }


def _new_call_form(w) -> dict:
    data = _call_form(w)
    data.update(
        {
            "title": "A new round",
            "questions-INITIAL_FORMS": "0",
            "criteria-INITIAL_FORMS": "0",
            "questions-0-id": "",
            "criteria-0-id": "",
        }
    )
    return data


# (what, method, url, body) → outcome for each role, in the order of ROLES.
#                                  anon  strngr pend  membr asses moder admin no2fa other organ
CASES = {
    "listing": ("GET", lambda w: "/funding/", None, "ok ok ok ok ok ok ok ok ok ok"),
    "open call": (
        "GET",
        lambda w: f"/funding/calls/{w.call.slug}/",
        None,
        "ok ok ok ok ok ok ok ok ok ok",
    ),
    "draft call": (
        "GET",
        lambda w: f"/funding/calls/{w.draft.slug}/",
        None,
        "404 404 404 ok ok ok ok ok 404 ok",
    ),
    "new call form": (
        "GET",
        lambda w: f"/funding/funders/{w.funder.slug}/calls/new/",
        None,
        "login 403 403 403 403 403 ok mfa 403 ok",
    ),
    "new call": (
        "POST",
        lambda w: f"/funding/funders/{w.funder.slug}/calls/new/",
        _new_call_form,
        "login 403 403 403 403 403 done* mfa 403 done*",
    ),
    "edit a draft form": (
        "GET",
        lambda w: f"/funding/calls/{w.draft.slug}/edit/",
        None,
        "login 404 404 403 403 403 ok mfa 404 ok",
    ),
    "edit a draft": (
        "POST",
        lambda w: f"/funding/calls/{w.draft.slug}/edit/",
        _call_form,
        "login 404 404 403 403 403 done* mfa 404 done*",
    ),
    "edit an open call": (
        "POST",
        lambda w: f"/funding/calls/{w.call.slug}/edit/",
        lambda w: {"description": "More detail"},
        "login 403 403 403 403 403 done* mfa 403 done*",
    ),
    "publish": (
        "POST",
        lambda w: f"/funding/calls/{w.draft.slug}/publish/",
        None,
        "login 404 404 403 403 403 done* mfa 404 done*",
    ),
    "members page": (
        "GET",
        lambda w: f"/funding/funders/{w.funder.slug}/members/",
        None,
        "login 403 403 403 403 403 ok mfa 403 ok",
    ),
    "approve": (
        "POST",
        lambda w: f"/funding/funders/{w.funder.slug}/members/{w.request.pk}/approve/",
        None,
        "login 403 403 403 403 403 done* mfa 403 done*",
    ),
    "refuse form": (
        "GET",
        lambda w: f"/funding/funders/{w.funder.slug}/members/{w.request.pk}/refuse/",
        None,
        "login 403 403 403 403 403 ok mfa 403 ok",
    ),
    "refuse": (
        "POST",
        lambda w: f"/funding/funders/{w.funder.slug}/members/{w.request.pk}/refuse/",
        lambda w: {"reason": "Not staff"},
        "login 403 403 403 403 403 done* mfa 403 done*",
    ),
    "give a role": (
        "POST",
        lambda w: f"/funding/funders/{w.funder.slug}/members/{w.plain.pk}/role/",
        lambda w: {"role": "assessor"},
        "login 403 403 403 403 403 done* mfa 403 done*",
    ),
    "remove someone": (
        "POST",
        lambda w: f"/funding/funders/{w.funder.slug}/members/{w.plain.pk}/remove/",
        None,
        "login 403 403 403 403 403 done* mfa 403 done*",
    ),
    # Joining: the people already in (or waiting) are told so on the page, and nothing changes.
    "join": (
        "POST",
        lambda w: f"/funding/funders/{w.funder.slug}/join/",
        None,
        "login done* ok ok ok ok ok ok done* done*",
    ),
}


def snapshot() -> tuple:
    return tuple(
        list(model.objects.order_by("pk").values())
        for model in (Call, CallQuestion, Criterion, FunderMembership)
    )


def outcome(response, changed: bool) -> str:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        if location.startswith("/accounts/login/"):
            text = "login"
        elif location == "/accounts/2fa/":
            text = "mfa"
        else:
            text = "done"
    elif response.status_code == 200:
        text = "ok"
    else:
        text = str(response.status_code)
    return text + ("*" if changed else "")


@pytest.mark.parametrize("case", sorted(CASES))
def test_funder_roles(case):
    method, url_for, body_for, row = CASES[case]
    w = make_world()
    url = url_for(w)
    got = []
    for role in ROLES:
        with transaction.atomic():
            client = Client()
            if role != "anonymous":
                client.force_login(w.users[role])
            before = snapshot()
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, body_for(w) if body_for else {})
            got.append(outcome(response, snapshot() != before))
            transaction.set_rollback(True)
    assert " ".join(got) == row, "\n".join(
        f"{role}: expected {want}, got {have}"
        for role, want, have in zip(ROLES, row.split(), got, strict=True)
        if want != have
    )


#                        anon strngr pend membr asses moder admin no2fa other organ
API_DRAFT = dict(zip(ROLES, (404, 404, 404, 200, 200, 200, 200, 200, 404, 200), strict=True))


@pytest.mark.parametrize("role", ROLES)
def test_the_api_shows_a_draft_to_the_funders_members_and_organisers(role):
    w = make_world()
    client = APIClient() if role == "anonymous" else token_client(w.users[role])
    assert client.get(f"/api/v1/calls/{w.draft.slug}/").status_code == API_DRAFT[role]
    assert client.get(f"/api/v1/calls/{w.call.slug}/").status_code == 200
