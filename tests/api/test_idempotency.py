"""``Idempotency-Key`` on API writes (core.api.idempotency): a client that lost the answer to
a write sends it again with the same key and gets the first answer, and the work is done once.
A retrying client used to create a second pledge."""

import datetime as dt
import json
import uuid
from unittest import mock

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle
from wagtail.models import APIToken

from accounts.services import api_token_create
from core.api import idempotency
from core.models import IdempotencyKey
from projects.models import Pledge, PledgeEvent
from tests.factories import CouncilFactory, UserFactory, published_project, verified_member
from tests.factories.accounts import PASSWORD
from tests.threads import run_at_once

from .conftest import assert_error, token_client
from .test_permission_matrix import (
    BODIES,
    MATRIX,
    MATRIX_ROLES,
    client_for,
    make_world,
    served_routes,
    snapshot,
    statuses_for,
    url_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledging():
    project = published_project()
    council = CouncilFactory()
    member = verified_member(council)
    body = {
        "project": project.slug,
        "council": council.code,
        "kind": "money",
        "amount_pence": 25_000,
    }
    return token_client(member), body, member


def post(client, body, key=None, url="/api/v1/pledges/"):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(url, json.dumps(body), content_type="application/json", **extra)


def test_a_retry_gets_the_first_answer_and_the_pledge_is_made_once(pledging):
    client, body, _ = pledging
    key = str(uuid.uuid4())
    first = post(client, body, key)
    assert first.status_code == 201, first.content
    assert idempotency.REPLAYED_HEADER not in first
    again = post(client, body, key)
    assert again.status_code == 201
    assert again.content == first.content
    assert again[idempotency.REPLAYED_HEADER] == "true"
    assert again["Content-Type"] == first["Content-Type"]
    assert Pledge.objects.count() == 1
    assert PledgeEvent.objects.count() == 1
    # Without a key, sending it again is a new pledge, as before.
    assert post(client, body).status_code == 201
    assert Pledge.objects.count() == 2


def test_the_same_json_with_other_spacing_or_key_order_is_the_same_request(pledging):
    client, body, _ = pledging
    first = post(client, body, "key-1")
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=4)
    again = client.post(
        "/api/v1/pledges/", reordered, content_type="application/json", HTTP_IDEMPOTENCY_KEY="key-1"
    )
    assert again.status_code == 201 and again.content == first.content
    assert Pledge.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda body: ({**body, "amount_pence": 30_000}, "/api/v1/pledges/"),
        lambda body: ({"project": body["project"]}, "/api/v1/follows/"),
        lambda body: (body, "/api/v1/pledges/?x=1"),
    ],
    ids=["another body", "another address", "another query"],
)
def test_the_same_key_for_a_different_request_is_a_422_and_does_nothing(pledging, change):
    client, body, _ = pledging
    post(client, body, "key-1")
    before = (Pledge.objects.count(), client.get("/api/v1/follows/").json())
    other_body, url = change(body)
    error = assert_error(post(client, other_body, "key-1", url), 422, field="Idempotency-Key")
    assert error["code"] == "idempotency_key_reused"
    assert "different request" in error["message"]
    assert (Pledge.objects.count(), client.get("/api/v1/follows/").json()) == before


def test_keys_belong_to_one_person(pledging):
    client, body, member = pledging
    post(client, body, "shared-key")
    colleague = verified_member(member.memberships.get().council)
    second = post(token_client(colleague), body, "shared-key")
    assert second.status_code == 201
    assert idempotency.REPLAYED_HEADER not in second
    assert Pledge.objects.count() == 2
    # The same person with another token is the same client.
    assert post(token_client(member, name="Other script"), body, "shared-key").status_code == 201
    assert Pledge.objects.count() == 2


def test_after_24_hours_the_key_is_forgotten(pledging):
    client, body, _ = pledging
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC), tick=False) as t:
        post(client, body, "daily")
        t.shift(dt.timedelta(hours=23, minutes=59))
        assert post(client, body, "daily")[idempotency.REPLAYED_HEADER] == "true"
        t.shift(dt.timedelta(minutes=2))
        fresh = post(client, body, "daily")
    assert fresh.status_code == 201 and idempotency.REPLAYED_HEADER not in fresh
    assert Pledge.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1


def test_a_failed_request_keeps_no_key_so_the_corrected_retry_is_done(pledging):
    client, body, _ = pledging
    assert_error(post(client, {**body, "amount_pence": -1}, "retry-me"), 400)
    assert not IdempotencyKey.objects.exists()
    corrected = post(client, body, "retry-me")
    assert corrected.status_code == 201
    assert Pledge.objects.count() == 1


@pytest.mark.parametrize(
    "key", ["", "   ", "x" * 256, "with space", "naïve", "tab\tkey", '""'], ids=repr
)
def test_a_malformed_key_is_a_400_naming_the_header(pledging, key):
    client, body, _ = pledging
    assert_error(post(client, body, key), 400, field="Idempotency-Key")
    assert not Pledge.objects.exists()


def test_a_quoted_key_is_the_same_key(pledging):
    """The IETF draft writes the key as a structured-field string, in quotes."""
    client, body, _ = pledging
    post(client, body, '"8e03978e-40d5-43e8-bc93-6894a57f9324"')
    again = post(client, body, "8e03978e-40d5-43e8-bc93-6894a57f9324")
    assert again[idempotency.REPLAYED_HEADER] == "true"
    assert Pledge.objects.count() == 1


def test_the_token_exchange_never_stores_or_replays_its_secret():
    user = UserFactory()
    body = {"email": user.email, "password": PASSWORD}
    tokens = [
        post(APIClient(), body, "same", "/api/v1/auth/token/").json()["token"] for _ in range(2)
    ]
    assert tokens[0] != tokens[1]
    assert APIToken.objects.filter(user=user).count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_signed_out_write_with_a_key_is_still_a_401(pledging):
    _, body, _ = pledging
    assert_error(post(APIClient(), body, "anon"), 401)
    assert not IdempotencyKey.objects.exists()


WRITES = sorted(
    (name, method)
    for (name, method), statuses in MATRIX.items()
    if method in idempotency.WRITE_METHODS and name != "token"
)


# Writes that only the funder's own people make (nobody in the matrix belongs to the funder):
# made by one of them, on the matrix's closed call.
FUNDER_WRITES = {
    ("application-assessment", "POST"): "assessor",
    ("application-assessment-conflict", "POST"): "assessor",
    ("application-shortlist", "POST"): "moderator",
    ("application-decision", "POST"): "moderator",
    ("call-decisions-publish", "POST"): "moderator",
    ("application-tranche-release", "POST"): "moderator",
}


def _writer(name: str, method: str, w):
    """A client for someone the write succeeds for."""
    if (name, method) in FUNDER_WRITES:
        from tests.factories import funder_member

        w.funder_person = funder_member(w.call.funder, role=FUNDER_WRITES[(name, method)])
        return token_client(w.funder_person)
    statuses = statuses_for((name, method))  # with the approver, who alone signs off
    role = next(
        r for r, s in zip(MATRIX_ROLES, statuses, strict=True) if s < 300 and r != "anonymous"
    )
    return client_for(role, w)


def _decide_the_other_bids(w) -> None:
    """Publishing needs a decision on every bid; the world's other bids (the similar ones the
    combining routes use) are not funded."""
    from funding.models import Application, ApplicationState
    from funding.services.assessment import application_decide

    others = Application.objects.filter(
        call=w.call, state__in=(ApplicationState.SUBMITTED, ApplicationState.SHORTLISTED)
    ).exclude(pk=w.application.pk)
    for other in others:
        application_decide(
            actor=w.funder_person, application=other, outcome="not_fund", feedback="Not now"
        )


@pytest.mark.parametrize(("name", "method"), WRITES, ids=lambda v: str(v))
def test_every_write_route_replays_instead_of_doing_the_work_twice(name, method):
    """Each write in the permission matrix, by someone it succeeds for, sent twice with a key:
    the second changes nothing and answers as the first did."""
    w = make_world()
    client = _writer(name, method, w)
    if name in ("call-decisions-publish", "application-tranche-release"):
        _decide_the_other_bids(w)
    if (name, method) == ("call-decisions-publish", "POST"):  # once every bid is decided
        from funding.services.assessment import application_decide

        application_decide(
            actor=w.funder_person,
            application=w.application,
            outcome="not_fund",
            feedback="Not this round",
        )
    if (name, method) == ("application-tranche-release", "POST"):  # a published award
        from funding.services.assessment import (
            application_decide,
            application_shortlist,
            call_publish_decisions,
        )

        application_shortlist(actor=w.funder_person, application=w.application, shortlisted=True)
        application_decide(
            actor=w.funder_person,
            application=w.application,
            outcome="fund",
            award_amount=10_000_00,
            feedback="Good",
            tranches=[{"amount": 10_000_00, "phase": "live"}],
        )
        call_publish_decisions(actor=w.funder_person, call=w.call)
    url = url_for(name, served_routes()[(name, method)], w)
    body_for = BODIES.get((name, method))
    body = body_for(w) if body_for else None
    headers = {"HTTP_IDEMPOTENCY_KEY": f"{name}-{method}"}

    first = client.generic(
        method, url, json.dumps(body) if body is not None else "", "application/json", **headers
    )
    assert first.status_code < 300, first.content
    after_first = snapshot()
    again = client.generic(
        method, url, json.dumps(body) if body is not None else "", "application/json", **headers
    )
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again[idempotency.REPLAYED_HEADER] == "true"
    assert snapshot() == after_first, "the retry did the work again"


def test_every_write_is_covered_by_the_test_above():
    served = {
        key for key in served_routes() if key[1] in idempotency.WRITE_METHODS and key[0] != "token"
    }
    assert served == set(WRITES)


def test_every_api_view_takes_the_key():
    """Every view under /api/v1/ (but the schema and docs pages) stands on ApiView, so a new
    write route cannot forget the key."""
    from core.api.views import ApiView
    from pipeline.api import urls as api_urls

    from .test_permission_matrix import _walk

    for route, pattern in _walk(api_urls.urlpatterns):
        cls = getattr(pattern.callback, "cls", None) or pattern.callback.view_class
        if pattern.name in ("schema", "docs"):
            continue
        assert issubclass(cls, ApiView), (route, cls)


def test_the_answer_is_replayed_with_the_cache_down(pledging, monkeypatch, settings):
    """Keys live in the database only: with Redis (the cache) gone, a retry is still replayed."""
    client, body, _ = pledging
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None, "token": None}
    )
    settings.PIPELINE_RATE_LIMITS = {}
    broken = mock.MagicMock(side_effect=ConnectionError("redis down"))
    with mock.patch.multiple(
        "django.core.cache.backends.locmem.LocMemCache",
        get=broken,
        set=broken,
        add=broken,
        incr=broken,
        delete=broken,
        get_many=broken,
        set_many=broken,
    ):
        first = post(client, body, "no-redis")
        again = post(client, body, "no-redis")
    assert first.status_code == 201, first.content
    assert again.content == first.content and again[idempotency.REPLAYED_HEADER] == "true"
    assert Pledge.objects.count() == 1


def test_pruning_removes_keys_older_than_a_day(pledging):
    client, body, _ = pledging
    with time_machine.travel(dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC), tick=False) as t:
        post(client, body, "old")
        t.shift(dt.timedelta(hours=20))
        post(client, body, "recent")
        t.shift(dt.timedelta(hours=5))
        call_command("prune_idempotency_keys")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["recent"]


def test_the_schema_lists_the_header_and_the_422_on_every_write(tmp_path):
    path = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(path))
    schema = json.loads(path.read_text())
    writes = 0
    for url, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method.upper() not in idempotency.WRITE_METHODS:
                continue
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            if url == reverse("api:token"):
                assert "Idempotency-Key" not in headers
                continue
            writes += 1
            assert "Idempotency-Key" in headers, (url, method)
            assert "422" in operation["responses"], (url, method)
    assert writes == len(WRITES)


# --- PostgreSQL: two retries at once --------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_body", [True, False], ids=["same body", "different bodies"])
def test_two_requests_racing_with_one_key_make_one_pledge(monkeypatch, same_body):
    """Both requests start together with one key: one does the work, and the other waits for it
    on the key's unique index, then replays its answer (or, for another body, is a 422)."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None, "token": None}
    )
    project = published_project()
    council = CouncilFactory()
    _, plaintext = api_token_create(user=verified_member(council), name="Race")
    body = {"project": project.slug, "council": council.code, "kind": "money"}
    connection.close()  # each thread opens its own

    rounds = 10  # several, so that the two really overlap
    for round_ in range(rounds):

        def attempt(index: int, round_=round_):
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
            amount = 100 if same_body else 100 + index
            return post(client, {**body, "amount_pence": amount}, f"race-{round_}")

        responses = run_at_once(2, attempt)
        errors = [r for r in responses if isinstance(r, BaseException)]
        assert not errors, errors
        statuses = sorted(r.status_code for r in responses)
        if same_body:
            assert statuses == [201, 201], [r.content for r in responses]
            assert responses[0].content == responses[1].content
            assert [r.get(idempotency.REPLAYED_HEADER) for r in responses].count("true") == 1
        else:
            assert statuses == [201, 422], [r.content for r in responses]
        assert Pledge.objects.filter(project=project).count() == round_ + 1
    assert IdempotencyKey.objects.count() == rounds
