"""Every error has one shape (status, code, message, errors by field) and the right status:
400 bad input, 401 no or bad credentials, 403 not yours, 404 unknown, 405, 409 wrong state,
415 wrong content type, 429 too many requests."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from projects.models import Pledge, PledgeState, Project, State
from tests.factories import (
    CouncilFactory,
    ProjectFactory,
    make_pledge,
    published_project,
    verified_member,
)

from .conftest import assert_error, send, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return published_project()


@pytest.fixture
def pledging(project):
    """A verified member of another council, with a token, and the start of a pledge body."""
    council = CouncilFactory()
    member = verified_member(council)
    body = {"project": project.slug, "council": council.code}
    return token_client(member), body, member, council


# --- 400: bad input, by field ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"kind": "money", "amount_pence": 0}, "amount_pence"),
        ({"kind": "money", "amount_pence": -5}, "amount_pence"),
        ({"kind": "money", "amount_pence": 1.5}, "amount_pence"),
        ({"kind": "money", "amount_pence": "lots"}, "amount_pence"),
        ({"kind": "money", "amount_pence": 10_000_000 * 100 + 1}, "amount_pence"),
        ({"kind": "money"}, "amount_pence"),
        ({"kind": "money", "amount_pence": 100, "days": "1"}, "days"),
        ({"kind": "time", "days": 2.25}, "days"),
        ({"kind": "time", "days": "2.25"}, "days"),
        ({"kind": "time", "days": "2.3"}, "days"),
        ({"kind": "time", "days": 0}, "days"),
        ({"kind": "time", "days": "NaN"}, "days"),
        ({"kind": "time", "days": "Infinity"}, "days"),
        ({"kind": "time", "days": 2001}, "days"),
        ({"kind": "time", "days": "1e2"}, "days"),
        ({"kind": "time", "days": "1E2"}, "days"),
        ({"kind": "time", "days": "-1"}, "days"),
        ({"kind": "time", "days": True}, "days"),
        ({"kind": "time", "days": [1]}, "days"),
        ({"kind": "time"}, "days"),
        ({"kind": "time", "days": 1, "amount_pence": 100}, "amount_pence"),
        ({"kind": "time", "days": 1, "role": "astronaut"}, "role"),
        ({"kind": "gold", "amount_pence": 100}, "kind"),
        ({"amount_pence": 100}, "kind"),
        ({"kind": "money", "amount_pence": 100, "need": 999_999}, "need"),
        ({"kind": "money", "amount_pence": 100, "note": "x" * 2001}, "note"),
        ({"kind": "money", "amount_pence": 100, "colour": "red"}, "colour"),
    ],
)
def test_bad_pledges_are_400_naming_the_field(pledging, extra, field):
    client, body, _, _ = pledging
    response = send(client, "POST", "/api/v1/pledges/", {**body, **extra})
    error = assert_error(response, 400, field=field)
    assert error["code"] == "invalid"
    assert not Pledge.objects.exists()


def test_a_pledge_to_an_unknown_council_or_project_names_it(pledging):
    client, body, _, _ = pledging
    response = send(
        client, "POST", "/api/v1/pledges/", {**body, "council": "NOPE", "kind": "money"}
    )
    # Shape errors come first, then the lookups.
    assert_error(response, 400, field="amount_pence")
    response = send(
        client,
        "POST",
        "/api/v1/pledges/",
        {**body, "council": "NOPE", "kind": "money", "amount_pence": 5},
    )
    assert_error(response, 400, field="council")
    response = send(
        client,
        "POST",
        "/api/v1/pledges/",
        {**body, "project": "no-such-project", "kind": "money", "amount_pence": 5},
    )
    assert_error(response, 400, field="project")


def test_a_draft_cannot_be_pledged_to_even_by_its_own_council():
    draft = ProjectFactory()
    client = token_client(verified_member(CouncilFactory()))
    body = {"project": draft.slug, "council": "X", "kind": "money", "amount_pence": 5}
    assert_error(send(client, "POST", "/api/v1/pledges/", body), 400, field="project")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "money", "amount_pence": 0}, "amount_pence"),
        ({"kind": "time", "days": 2.25}, "days"),
        ({"kind": "time", "days": 3}, "role"),
        ({"kind": "money", "amount_pence": 5, "role": "developer"}, "role"),
        ({"kind": "money", "amount_pence": 5, "description": "x" * 301}, "description"),
        ({"kind": "money", "amount_pence": 5, "unknown": 1}, "unknown"),
    ],
)
def test_bad_needs_are_400_naming_the_field(project, body, field):
    client = token_client(project.owner)
    before = project.needs.count()
    response = send(client, "POST", f"/api/v1/projects/{project.slug}/needs/", body)
    assert_error(response, 400, field=field)
    assert project.needs.count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"summary": None}, "summary"),
        ({"pledging_deadline": "2000-01-01"}, "pledging_deadline"),
        ({"pledging_deadline": "next tuesday"}, "pledging_deadline"),
        ({"partner_target": 0}, "partner_target"),
        ({"partner_target": 401}, "partner_target"),
        ({"code_url": "javascript:alert(1)"}, "code_url"),
        ({"code_url": 'https://example.org/"><script>alert(1)</script>'}, "code_url"),
        ({"prototype_url": "https://example.org/<img>"}, "prototype_url"),
        ({"prototype_url": "https://example.org/it's"}, "prototype_url"),
        ({"code_url": "https://example.org/a b"}, "code_url"),
        ({"code_url": "https://example.org/\x1b[31m"}, "code_url"),
        ({"pledging_deadline": "0001-01-01"}, "pledging_deadline"),
        ({"pledging_deadline": "9999-12-31"}, "pledging_deadline"),
        ({"licence": "WTFPL"}, "licence"),
        ({"service_areas": ["no-such-area"]}, "service_areas"),
        ({"service_areas": "waste"}, "service_areas"),
    ],
)
def test_bad_project_changes_are_400_naming_the_field(project, body, field):
    client = token_client(project.owner)
    before = Project.objects.filter(pk=project.pk).values().get()
    response = send(client, "PATCH", f"/api/v1/projects/{project.slug}/", body)
    assert_error(response, 400, field=field)
    assert Project.objects.filter(pk=project.pk).values().get() == before


def test_a_past_deadline_is_refused_on_a_project_in_delivery_too(project):
    Project.objects.filter(pk=project.pk).update(state=State.IN_DELIVERY)
    client = token_client(project.owner)
    response = send(
        client,
        "PATCH",
        f"/api/v1/projects/{project.slug}/",
        {"pledging_deadline": "0001-01-01"},
    )
    error = assert_error(response, 400, field="pledging_deadline")
    assert error["errors"]["pledging_deadline"] == [
        "The pledging deadline must be today or in the future."
    ]


@pytest.mark.parametrize(
    ("days", "half_days"),
    [("0.50", 1), ("2.5", 5), ("2.50", 5), ("3", 6), (3, 6), (2.5, 5), ("12.0", 24)],
)
def test_days_are_read_as_the_web_form_reads_them(project, days, half_days):
    """Plain decimals in half-day steps, as text or a JSON number; "0.50" was refused and
    "1e2" accepted."""
    client = token_client(project.owner)
    body = {"kind": "time", "role": "designer", "days": days}
    response = send(client, "POST", f"/api/v1/projects/{project.slug}/needs/", body)
    assert response.status_code == 201, response.content
    assert project.needs.get(pk=response.json()["id"]).amount == half_days


def test_a_json_number_with_an_exponent_is_refused_for_days(project):
    client = token_client(project.owner)
    raw = '{"kind": "time", "role": "designer", "days": 1e2}'
    response = client.post(
        f"/api/v1/projects/{project.slug}/needs/", raw, content_type="application/json"
    )
    error = assert_error(response, 400, field="days")
    assert error["errors"]["days"] == ["Enter a number of days, like 5 or 2.5"]


def test_proposing_for_an_unknown_council_names_it():
    client = token_client(verified_member(CouncilFactory()))
    body = {"lead_council": "NOPE", "title": "T", "summary": "S"}
    assert_error(send(client, "POST", "/api/v1/projects/", body), 400, field="lead_council")


def test_publishing_without_needs_is_400_on_needs():
    draft = ProjectFactory()
    client = token_client(draft.owner)
    response = send(
        client, "POST", f"/api/v1/projects/{draft.slug}/state/", {"state": "seeking_support"}
    )
    assert_error(response, 400, field="needs")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("phase=bogus", "phase"),
        ("sort=random", "sort"),
        ("state=draft", "state"),
        ("area=no-such-area", "area"),
        ("needs=gold", "needs"),
    ],
)
def test_bad_project_filters_are_400(project, query, field):
    assert_error(APIClient().get(f"/api/v1/projects/?{query}"), 400, field=field)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/pledges/?state=bogus", "state"),
        ("/api/v1/pledges/?kind=gold", "kind"),
        ("/api/v1/councils/?nation=mars", "nation"),
        ("/api/v1/councils/?status=sleeping", "status"),
    ],
)
def test_bad_filters_on_other_listings_are_400(url, field):
    assert_error(APIClient().get(url), 400, field=field)


def test_malformed_json_is_400(pledging):
    client, _, _, _ = pledging
    response = client.post("/api/v1/pledges/", '{"kind": "money",', content_type="application/json")
    assert assert_error(response, 400)["code"] == "parse_error"


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_json_nested_too_deeply_is_400_not_a_500(pledging, depth):
    """A 2 KB body of 1,000 nested brackets was a RecursionError in the parser (500)."""
    client, _, _, _ = pledging
    for body in ("[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth):
        # Signed in, and anonymous (the token exchange reads the body of anyone).
        for who, url in ((client, "/api/v1/pledges/"), (APIClient(), "/api/v1/auth/token/")):
            response = who.post(url, body, content_type="application/json")
            error = assert_error(response, 400)
            assert "nested more than 32 levels" in error["message"]
    assert not Pledge.objects.exists()


def test_a_key_sent_twice_is_400_naming_it(pledging):
    """JSON decoders keep the last of two equal keys; the API refuses the body instead."""
    client, body, _, _ = pledging
    raw = (
        f'{{"project": "{body["project"]}", "council": "{body["council"]}", "kind": "money", '
        '"amount_pence": 100, "amount_pence": 999999}'
    )
    response = client.post("/api/v1/pledges/", raw, content_type="application/json")
    error = assert_error(response, 400, field="amount_pence")
    assert "'amount_pence' appears more than once" in error["message"]
    nested = '{"title": "t", "summary": "s", "lead_council": "X", "service_areas": [], "title": 1}'
    assert_error(client.post("/api/v1/projects/", nested, content_type="application/json"), 400)
    assert not Pledge.objects.exists()


def test_an_oversized_json_body_is_a_413_in_the_error_shape(pledging, settings):
    client, body, _, _ = pledging
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    big = json.dumps({**body, "kind": "money", "amount_pence": 100, "note": "x" * 2_000})
    for who, url in ((client, "/api/v1/pledges/"), (APIClient(), "/api/v1/auth/token/")):
        response = who.post(url, big, content_type="application/json")
        error = assert_error(response, 413)
        assert error["code"] == "too_large"
        assert "1,000 bytes" in error["message"]
    assert not Pledge.objects.exists()


def test_a_json_list_instead_of_an_object_is_400(pledging):
    client, _, _, _ = pledging
    response = client.post("/api/v1/pledges/", "[1, 2]", content_type="application/json")
    assert "non_field_errors" in assert_error(response, 400)["errors"]


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"],
)
def test_other_content_types_are_415(pledging, content_type):
    client, _, _, _ = pledging
    response = client.post("/api/v1/pledges/", "kind=money", content_type=content_type)
    assert assert_error(response, 415)["code"] == "unsupported_media_type"
    assert not Pledge.objects.exists()


# --- 401 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("POST", "/api/v1/projects/"),
        ("POST", "/api/v1/pledges/"),
        ("PATCH", "/api/v1/projects/{slug}/"),
        ("DELETE", "/api/v1/projects/{slug}/needs/1/"),
    ],
)
def test_anonymous_writes_are_401_with_www_authenticate(project, method, url):
    response = send(APIClient(), method, url.format(slug=project.slug), {})
    body = assert_error(response, 401)
    assert body["code"] == "not_authenticated"


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer not-a-token", "Bearer a b", "bearer wagtail_nope", "Bearer \u00e9"],
)
def test_bad_bearer_tokens_are_401_even_for_reads(header):
    response = APIClient().get("/api/v1/projects/", HTTP_AUTHORIZATION=header)
    assert assert_error(response, 401)["code"] == "authentication_failed"


@pytest.mark.parametrize("header", ["", "   ", "Basic dXNlcjpwYXNz", "Token abc"])
def test_other_authorization_headers_are_ignored_not_a_crash(header):
    """Only Bearer is ours: anything else (or nothing) reads as anonymous."""
    response = APIClient().get("/api/v1/projects/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 200


# --- 403, 404, 405, 409 ---------------------------------------------------------------------


def test_acting_on_another_councils_project_is_403(project):
    pledge = make_pledge(project)
    outsider = token_client(verified_member(CouncilFactory()))
    response = send(outsider, "POST", f"/api/v1/pledges/{pledge.pk}/accept/", {})
    body = assert_error(response, 403)
    assert body["code"] == "permission_denied"
    assert "non_field_errors" in body["errors"]
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.OFFERED


def test_pledging_for_a_council_you_are_not_in_is_403_on_council(project, pledging):
    client, body, _, _ = pledging
    elsewhere = CouncilFactory()
    body = {**body, "council": elsewhere.code, "kind": "money", "amount_pence": 100}
    assert_error(send(client, "POST", "/api/v1/pledges/", body), 403, field="council")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/no-such-project/",
        "/api/v1/projects/no-such-project/needs/",
        "/api/v1/pledges/999999/",
        "/api/v1/pledges/99999999999999999999999/",
        "/api/v1/pledges/abc/",
        "/api/v1/pledges/\u00b2/",
        "/api/v1/pledges/-1/",
        "/api/v1/councils/NOPE/",
        "/api/v1/projects/?cursor=not-a-cursor",
    ],
)
def test_unknown_things_are_404(url):
    body = assert_error(APIClient().get(url), 404)
    assert body["code"] == "not_found"


def test_removing_an_unknown_need_is_404(project):
    client = token_client(project.owner)
    url = f"/api/v1/projects/{project.slug}/needs/999999/"
    assert_error(send(client, "DELETE", url), 404)
    other_projects_need = published_project().needs.first()
    url = f"/api/v1/projects/{project.slug}/needs/{other_projects_need.pk}/"
    assert_error(send(client, "DELETE", url), 404)


def test_unserved_methods_are_405(project):
    client = token_client(project.owner)
    response = send(client, "PUT", f"/api/v1/projects/{project.slug}/", {"title": "x"})
    assert assert_error(response, 405)["code"] == "method_not_allowed"
    response = send(client, "DELETE", f"/api/v1/projects/{project.slug}/")
    assert_error(response, 405)


def test_accepting_a_withdrawn_pledge_is_409(project):
    pledge = make_pledge(project, state=PledgeState.WITHDRAWN)
    client = token_client(project.owner)
    response = send(client, "POST", f"/api/v1/pledges/{pledge.pk}/accept/", {})
    body = assert_error(response, 409, field="state")
    assert body["code"] == "conflict"
    assert body["message"] == "This pledge is withdrawn, so it cannot be accepted."
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.WITHDRAWN
    assert pledge.events.count() == 2


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (PledgeState.DECLINED, "withdraw"),
        (PledgeState.FULFILLED, "withdraw"),
        (PledgeState.OFFERED, "fulfil"),
        (PledgeState.ACCEPTED, "accept"),
        (PledgeState.ACCEPTED, "decline"),
    ],
)
def test_moves_the_pledge_lifecycle_forbids_are_409(project, state, action):
    council = CouncilFactory()
    member = verified_member(council)
    pledge = make_pledge(project, council=council, actor=member, state=state)
    client = token_client(member if action == "withdraw" else project.owner)
    body = {"reason": "Changed our minds"} if action == "withdraw" else {}
    response = send(client, "POST", f"/api/v1/pledges/{pledge.pk}/{action}/", body)
    assert_error(response, 409)
    pledge.refresh_from_db()
    assert pledge.state == state


def test_pledging_to_a_closed_project_is_409(project, pledging):
    Project.objects.filter(pk=project.pk).update(state=State.CLOSED)
    client, body, _, _ = pledging
    body = {**body, "kind": "money", "amount_pence": 100}
    assert_error(send(client, "POST", "/api/v1/pledges/", body), 409)


def test_a_closed_project_cannot_be_reopened_409(project):
    Project.objects.filter(pk=project.pk).update(state=State.CLOSED)
    client = token_client(project.owner)
    response = send(
        client, "POST", f"/api/v1/projects/{project.slug}/state/", {"state": "seeking_support"}
    )
    assert_error(response, 409, field="state")


def test_removing_a_need_with_pledges_is_409(project):
    need = project.needs.first()
    make_pledge(project, need=need, kind=need.kind)
    client = token_client(project.owner)
    response = send(client, "DELETE", f"/api/v1/projects/{project.slug}/needs/{need.pk}/")
    assert_error(response, 409, field="need")
    assert project.needs.filter(pk=need.pk).exists()


# --- 429 ------------------------------------------------------------------------------------


@pytest.fixture
def low_rates(monkeypatch):
    """DRF reads the rates into SimpleRateThrottle when it is defined; change them there."""
    rates = {
        **SimpleRateThrottle.THROTTLE_RATES,
        "anon": "3/min",
        "user": "3/min",
        "token": "2/hour",
    }
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


def _assert_throttled(response):
    body = assert_error(response, 429)
    assert body["code"] == "throttled"
    assert int(response["Retry-After"]) > 0
    assert body["retry_after"] == int(response["Retry-After"])


def test_anonymous_requests_are_throttled(low_rates):
    client = APIClient()
    for _ in range(3):
        assert client.get("/api/v1/projects/").status_code == 200
    _assert_throttled(client.get("/api/v1/projects/"))
    _assert_throttled(client.get("/api/v1/pledges.csv"))


def test_token_requests_are_throttled_per_person(low_rates, project):
    client = token_client(project.owner)
    for _ in range(3):
        assert client.get("/api/v1/tags/").status_code == 200
    _assert_throttled(send(client, "PATCH", f"/api/v1/projects/{project.slug}/", {"title": "x"}))
    assert Project.objects.get(pk=project.pk).title == project.title
    # Someone else, and anonymous readers, have their own allowance.
    assert token_client(verified_member()).get("/api/v1/tags/").status_code == 200
    assert APIClient().get("/api/v1/tags/").status_code == 200


def test_token_exchange_is_throttled(low_rates, project):
    client = APIClient()
    body = {"email": project.owner.email, "password": "wrong", "name": "Script"}
    for _ in range(2):
        assert_error(send(client, "POST", "/api/v1/auth/token/", body), 403)
    _assert_throttled(send(client, "POST", "/api/v1/auth/token/", body))


def test_throttling_uses_the_configured_rates_without_patching():
    """The fixture above patches the class; check the settings reach it in the first place."""
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == SimpleRateThrottle.THROTTLE_RATES
    assert reverse("api:token") == "/api/v1/auth/token/"
