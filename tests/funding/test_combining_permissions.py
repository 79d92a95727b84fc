"""Who may see similar bids, suggest combining two, read a suggestion and answer it, route by
route, for the funder's people, organisers and the two lead councils, on the web and in the API.

People (``tests/funding/combining_world.py``): anonymous; the funder's plain member,
assessor, moderator (and one without a second factor), admin; another funder's moderator; an
organiser; each lead council's approver and a plain member of one; an approver of a partner
council; a stranger. Outcomes as in tests/security/test_web_permission_matrix.py: ``ok``,
``login``, ``done`` (a redirect: for someone without a second factor, to set one up), ``403``,
``404``, and ``*`` when the database changed. API outcomes are status codes.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from funding.models import CombineSuggestion, FunderRole
from tests.api.conftest import send, token_client
from tests.factories import FunderMembershipFactory, funder_member

from .combining_world import make_combining_world, suggest

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "member",
    "assessor",
    "moderator",
    "mod_no2fa",
    "admin",
    "other_funder",
    "organiser",
    "lead_approver",
    "borough_approver",
    "borough_member",
    "partner_approver",
    "stranger",
)

# (route, method) → outcome per role, in the order of ROLES.
# anon member assessor mod mod_no2fa admin other organiser lead borough b_member partner stranger
WEB = {
    ("similar", "GET"): "login 403 403 ok done ok 403 ok 403 403 403 403 403",
    ("combine_suggest", "GET"): "login 403 403 ok done ok 403 ok 403 403 403 403 403",
    ("combine_suggest", "POST"): "login 403 403 done* done done* 403 done* 403 403 403 403 403",
    ("combine_suggestion", "GET"): "login 404 404 ok done ok 404 ok ok ok ok 404 404",
    ("combine_suggestion", "POST"): "login 404 404 403 done 403 404 403 done* done* 403 404 404",
}
API = {
    ("call-similar", "GET"): "401 403 403 200 403 200 403 200 403 403 403 403 403",
    ("call-combine-suggestions", "POST"): "401 403 403 201 403 201 403 201 403 403 403 403 403",
    ("combine-suggestion", "GET"): "401 404 404 200 403 200 404 200 200 200 200 404 404",
    ("combine-suggestion-answer", "POST"): "401 404 404 403 403 403 404 403 200 200 403 404 404",
}
assert all(len(row.split()) == len(ROLES) for row in (*WEB.values(), *API.values()))


@pytest.fixture
def w():
    w = make_combining_world()
    w.users["member"] = funder_member(w.funder, FunderRole.MEMBER)
    w.users["admin"] = funder_member(w.funder, FunderRole.ADMIN)
    w.users["mod_no2fa"] = FunderMembershipFactory(
        funder=w.funder, role=FunderRole.MODERATOR, enrolled=False
    ).user
    # The one to read and answer: Boroughton's bid to join Leadshire's.
    w.suggestion = suggest(w, continuing=w.continuing, absorbed=w.absorbed)
    return w


def _web(w, client, route: str, method: str):
    if route == "combine_suggestion":
        url = reverse("funding:combine_suggestion", kwargs={"pk": w.suggestion.pk})
        return client.get(url) if method == "GET" else client.post(url, {"action": "agree"})
    url = reverse(f"funding:{route}", kwargs={"slug": w.call.slug})
    pair = {"first": w.continuing.pk, "second": w.parking_bid.pk}
    if method == "GET":
        return client.get(url, pair if route == "combine_suggest" else {})
    return client.post(url, {**pair, "continuing": str(w.continuing.pk)})


def _outcome(response, changed: bool) -> str:
    if response.status_code in (301, 302, 303):
        text = "login" if response["Location"].startswith("/accounts/login/") else "done"
    elif response.status_code == 200:
        text = "ok"
    else:
        text = str(response.status_code)
    return text + ("*" if changed else "")


def _state() -> list:
    return list(CombineSuggestion.objects.order_by("pk").values())


@pytest.mark.parametrize(("route", "method"), sorted(WEB), ids=str)
def test_web(w, route, method):
    got = []
    for role in ROLES:
        with transaction.atomic():
            client = Client()
            if role != "anonymous":
                client.force_login(w.users[role])
            before = _state()
            response = _web(w, client, route, method)
            got.append(_outcome(response, _state() != before))
            transaction.set_rollback(True)
    assert " ".join(got) == WEB[(route, method)]


def _api(w, client, name: str, method: str):
    if name.startswith("call-"):
        url = reverse(f"api:{name}", kwargs={"slug": w.call.slug})
    else:
        url = reverse(f"api:{name}", kwargs={"pk": w.suggestion.pk})
    bodies = {
        "call-combine-suggestions": {"continuing": w.continuing.pk, "absorbed": w.parking_bid.pk},
        "combine-suggestion-answer": {"action": "agree"},
    }
    return send(client, method, url, bodies.get(name))


@pytest.mark.parametrize(("name", "method"), sorted(API), ids=str)
def test_api(w, name, method):
    from rest_framework.test import APIClient

    got = []
    for role in ROLES:
        with transaction.atomic():
            client = APIClient() if role == "anonymous" else token_client(w.users[role])
            got.append(str(_api(w, client, name, method).status_code))
            transaction.set_rollback(True)
    assert " ".join(got) == API[(name, method)]
