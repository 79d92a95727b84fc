"""A token's terms: read-only tokens may only read (403 on a write, saying why), a token with
an expiry stops working then (401, saying so), and both are chosen when the token is made, on
the Sessions and tokens page or with POST /api/v1/auth/token/."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from wagtail.models import APIToken

from accounts.models import TokenAccess, TokenTerms
from accounts.services import api_token_create
from core.errors import InvalidInput
from tests.factories import UserFactory, published_project
from tests.factories.accounts import PASSWORD

from .conftest import assert_error, send

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
TOKEN = "/api/v1/auth/token/"


def _bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def test_a_read_only_token_reads_but_may_not_write():
    project = published_project()
    _, plaintext = api_token_create(user=project.owner, name="Report", access=TokenAccess.READ)
    client = _bearer(plaintext)
    url = f"/api/v1/projects/{project.slug}/"
    assert send(client, "GET", url).status_code == 200
    assert client.head(url).status_code == 200
    writes = [("PATCH", url, {"summary": "Changed"}), ("POST", "/api/v1/follows/", {})]
    for method, address, body in writes:
        error = assert_error(send(client, method, address, body), 403)
        assert error["code"] == "token_read_only"
        assert error["message"].startswith("This token is read-only")
    project.refresh_from_db()
    assert project.summary != "Changed"


def test_a_read_and_write_token_writes():
    project = published_project()
    _, plaintext = api_token_create(user=project.owner, name="Sync", access=TokenAccess.WRITE)
    url = f"/api/v1/projects/{project.slug}/"
    assert send(_bearer(plaintext), "PATCH", url, {"summary": "Changed"}).status_code == 200


def test_a_token_stops_working_when_it_expires():
    user = UserFactory()
    with time_machine.travel(NOW, tick=False) as traveller:
        token, plaintext = api_token_create(user=user, name="Script", expires_in_days=30)
        assert token.terms.expires_at == NOW + dt.timedelta(days=30)
        client = _bearer(plaintext)
        traveller.shift(dt.timedelta(days=30) - dt.timedelta(seconds=1))
        assert client.get("/api/v1/follows/").status_code == 200
        traveller.shift(dt.timedelta(seconds=1))
        for method in ("GET", "POST"):
            response = send(client, method, "/api/v1/follows/", {} if method == "POST" else None)
            error = assert_error(response, 401)
            assert error["code"] == "token_expired"
            assert "This token expired on 1 July 2026" in error["message"]
            assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_made_before_terms_existed_reads_and_writes_and_never_expires():
    """Migration 0004 gives every earlier token read-and-write terms without an expiry; a token
    without terms at all is treated the same way."""
    project = published_project()
    token, plaintext = APIToken.create_token(user=project.owner, name="Old script")
    assert not TokenTerms.objects.filter(token=token).exists()
    url = f"/api/v1/projects/{project.slug}/"
    with time_machine.travel(timezone.now() + dt.timedelta(days=3650)):
        assert send(_bearer(plaintext), "PATCH", url, {"summary": "Still works"}).status_code == 200


def test_the_terms_are_read_with_the_token_in_one_query(django_assert_num_queries):
    user = UserFactory()
    _, plaintext = api_token_create(user=user, name="Script", access=TokenAccess.READ)
    client = _bearer(plaintext)
    client.get("/api/v1/follows/")  # the first use is recorded (a write)
    with django_assert_num_queries(2):  # the token with its user and terms; the follows
        assert client.get("/api/v1/follows/").status_code == 200


# --- choosing the terms --------------------------------------------------------------------


def test_the_exchange_takes_access_and_expiry():
    user = UserFactory()
    with time_machine.travel(NOW, tick=False):
        body = {"email": user.email, "password": PASSWORD, "access": "read", "expires_in_days": 90}
        response = send(APIClient(), "POST", TOKEN, body)
        assert response.status_code == 201, response.content
        data = response.json()
        assert data["access"] == "read"
        assert data["expires_at"] == "2026-08-30T13:00:00+01:00"
        token = APIToken.objects.get(user=user)
        assert token.terms.access == "read"
        assert token.terms.expires_at == NOW + dt.timedelta(days=90)
        assert_error(send(_bearer(data["token"]), "POST", "/api/v1/follows/", {}), 403)


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"access": "admin"}, "access", 'Choose "read" or "write".'),
        ({"access": ""}, "access", 'Choose "read" or "write".'),
        ({"expires_in_days": 7}, "expires_in_days", "Choose 30, 90 or 365 days"),
        ({"expires_in_days": "forever"}, "expires_in_days", "Choose 30, 90 or 365 days"),
        ({"expires_in_days": -30}, "expires_in_days", "Choose 30, 90 or 365 days"),
    ],
)
def test_the_exchange_refuses_bad_terms_clearly(extra, field, message):
    user = UserFactory()
    body = {"email": user.email, "password": PASSWORD, **extra}
    error = assert_error(send(APIClient(), "POST", TOKEN, body), 400, field=field)
    assert error["errors"][field][0].startswith(message)
    assert not APIToken.objects.exists()


def test_the_exchange_takes_null_for_no_expiry():
    user = UserFactory()
    body = {"email": user.email, "password": PASSWORD, "expires_in_days": None}
    response = send(APIClient(), "POST", TOKEN, body)
    assert response.status_code == 201
    assert response.json()["expires_at"] is None


def test_the_service_refuses_terms_it_does_not_offer():
    user = UserFactory()
    with pytest.raises(InvalidInput) as refused:
        api_token_create(user=user, name="x", expires_in_days=1000)
    assert refused.value.field == "expires_in_days"
    with pytest.raises(InvalidInput) as refused:
        api_token_create(user=user, name="x", access="everything")
    assert refused.value.field == "access"
    assert not APIToken.objects.exists()


def test_the_page_makes_a_token_with_its_terms_and_shows_them(client):
    user = UserFactory()
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("accounts:security"),
            {"name": "Dashboard", "access": "read", "expires": "365"},
        )
        assert response.context["new_token"]
        token = APIToken.objects.get(user=user)
        assert token.terms.access == "read"
        assert token.terms.expires_at == NOW + dt.timedelta(days=365)
        api_token_create(user=user, name="Nightly sync", expires_in_days=30)
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        page = client.get(reverse("accounts:security")).content.decode()
    assert "Read only" in page and "1 Jun 2027" in page
    assert "Read and write" in page and "1 Jul 2026" in page
    assert page.count(">Expired</strong>") == 1  # the 30-day one, no longer revocable
    assert page.count(">Revoke<") == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "access": "admin", "expires": "30"}, "Choose whether the token may only"),
        ({"name": "x", "access": "read", "expires": "7"}, "Choose when the token expires"),
        ({"name": "x", "access": "read"}, "Choose when the token expires"),
    ],
)
def test_the_page_refuses_bad_terms_clearly(client, data, message):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:security"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not APIToken.objects.exists()


def test_the_api_schema_describes_the_terms():
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    request = schema["components"]["schemas"]["TokenRequestRequest"]["properties"]
    assert {"access", "expires_in_days"} <= set(request)
    assert {"access", "expires_at"} <= set(schema["components"]["schemas"]["Token"]["properties"])
