"""Bad input gets a 4xx with a clear message, never a 500: oversized bodies, NUL characters and
unpaired surrogates (PostgreSQL cannot store them), huge page sizes, unknown fields, malformed
forms. (Malformed JSON, wrong content types and JSON lists are in tests/api/test_errors.py.)"""

import json

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from projects.models import Pledge, Project
from tests.api.conftest import assert_error

from .helpers import token_for
from .world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def api(w):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(w.users['pledger'])}")
    return client


def _pledge(w, **extra):
    return {
        "project": w.project.slug,
        "council": w.partner.code,
        "kind": "money",
        "amount_pence": 100,
        **extra,
    }


def test_an_oversized_json_body_is_413_before_it_is_read(w, api):
    body = json.dumps(_pledge(w, note="x" * (2 * 1024 * 1024)))
    response = api.post("/api/v1/pledges/", body, content_type="application/json")
    data = assert_error(response, 413)
    assert "too large" in data["message"]
    assert not Pledge.objects.filter(note__startswith="xxx").exists()


def test_a_body_without_a_content_length_is_never_read(w, api):
    """A chunked body has no Content-Length; DRF reads no body at all then, so nothing past the
    limit is held in memory, and the pledge is refused for its missing fields."""
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        body = json.dumps(_pledge(w, note="y" * 5000))
        response = api.generic(
            "POST", "/api/v1/pledges/", body, content_type="application/json", CONTENT_LENGTH=""
        )
    assert_error(response, 400, field="project")
    assert not Pledge.objects.filter(note__startswith="yyy").exists()


def test_an_oversized_form_is_a_400_page_in_the_site_layout(w):
    client = Client()
    client.force_login(w.users["pledger"])
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000):
        response = client.post(
            reverse("projects:pledge", args=[w.project.slug]),
            {"council": w.partner.pk, "towards": "money", "amount": "1", "note": "z" * 20_000},
        )
    assert response.status_code == 400
    assert b"too large" in response.content and b"govuk-footer" in response.content


@pytest.mark.parametrize(
    "text", ["nul\x00byte", "\x00", "lone \ud800 surrogate", "\udfff"], ids=repr
)
def test_unstorable_characters_in_json_are_a_400_naming_the_problem(w, api, text):
    for url, body in [
        ("/api/v1/pledges/", _pledge(w, note=text)),
        ("/api/v1/projects/", {"lead_council": w.lead.code, "title": text, "summary": "s"}),
        ("/api/v1/follows/", {"project": text}),
        ("/api/v1/pledges/", {**_pledge(w), text: "unknown key"}),
    ]:
        raw = json.dumps(body)  # escapes as \u0000 / \ud800, as real clients send them
        response = api.post(url, raw, content_type="application/json")
        data = assert_error(response, 400)
        assert "NUL" in data["message"] or "surrogate" in data["message"], data
    assert not [p for p in Pledge.objects.all() if "\x00" in p.note]


@pytest.mark.parametrize(
    "path",
    [
        "/projects/?q=a%00b",
        "/projects/?phase=%00",
        "/councils/?q=%00",
        "/search/?q=%00",
        "/api/v1/projects/?q=a%00b",
        "/api/v1/pledges/?project=%00",
        "/api/v1/councils/?q=%00",
    ],
)
def test_nul_in_a_query_string_is_a_400_not_a_500(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_nul_in_a_form_field_is_a_400_page(w):
    client = Client()
    client.force_login(w.users["owner"])
    response = client.post(
        reverse("projects:edit", args=[w.project.slug, "about"]),
        {"lead_council": w.lead.pk, "title": "a\x00b", "summary": "s"},
    )
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert not [p for p in Project.objects.all() if "\x00" in p.title]


def test_huge_page_sizes_are_capped(w):
    response = APIClient().get("/api/v1/pledges/?page_size=100000000")
    assert response.status_code == 200
    from core.api.pagination import StableCursorPagination

    assert StableCursorPagination.max_page_size == 200
    assert len(response.json()["results"]) <= 200


@pytest.mark.parametrize("size", ["-1", "0", "abc", "1e9", "9" * 40])
def test_odd_page_sizes_fall_back_instead_of_failing(size):
    assert APIClient().get(f"/api/v1/projects/?page_size={size}").status_code == 200


def test_unknown_fields_are_refused_by_name(w, api):
    response = api.post("/api/v1/pledges/", _pledge(w, state="accepted"), format="json")
    data = assert_error(response, 400, field="state")
    assert "not accepted" in data["errors"]["state"][0]


@pytest.mark.parametrize(
    "text",
    ["e\u0301", "👩🏽‍💻" * 10, "\ufeffbom", "ｆｕｌｌｗｉｄｔｈ", "a\u200bb"],
    ids=["combining", "emoji-zwj", "bom", "fullwidth", "zero-width"],
)
def test_unicode_edge_cases_are_stored_and_returned_unchanged(w, api, text):
    response = api.post("/api/v1/pledges/", _pledge(w, note=text), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["note"] == text
    page = Client().get(reverse("projects:pledge_detail", args=[response.json()["id"]]))
    assert page.status_code == 200


def test_a_malformed_multipart_form_is_not_a_500(w):
    client = Client()
    client.force_login(w.users["pledger"])
    response = client.generic(
        "POST",
        reverse("projects:pledge", args=[w.project.slug]),
        b"--broken\r\nnot a part",
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code < 500


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/pledges/abc/"),
        ("POST", "/api/v1/team-memberships/abc/approve/"),
        ("DELETE", "/api/v1/follows/not a slug/"),
        ("DELETE", "/api/v1/follows/ã/"),
        ("GET", "/api/v1/nothing-here/"),
        ("POST", "/api/v1/nothing-here/"),
        ("DELETE", "/api/v2/projects/"),
    ],
)
def test_paths_the_api_does_not_have_are_json_404s(api, method, path):
    """Never the site's HTML, nor Wagtail's page serving (which answered an HTML CSRF 403)."""
    response = api.generic(method, path, "{}", content_type="application/json")
    assert_error(response, 404)
