"""Personal bearer tokens: exchanged for an email and password, stored only as a digest,
refused once revoked, and their last use recorded (at most once a minute)."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient
from wagtail.models import APIToken

from accounts.models import User
from accounts.services import api_token_create, api_token_revoke
from tests.factories import UserFactory, published_project
from tests.factories.accounts import PASSWORD

from .conftest import assert_error, send

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def test_exchanging_email_and_password_for_a_token():
    user = UserFactory()
    body = {"email": user.email, "password": PASSWORD, "name": "Finance report"}
    response = send(APIClient(), "POST", "/api/v1/auth/token/", body)
    assert response.status_code == 201
    data = response.json()
    assert set(data) == {"token", "name", "prefix", "access", "expires_at"}
    assert data["access"] == "write" and data["expires_at"] is None, "as before terms existed"
    assert data["name"] == "Finance report"
    assert data["token"].startswith(data["prefix"])
    token = APIToken.objects.get(user=user)
    assert token.key_hash != data["token"], "only a digest is stored"
    assert data["token"] not in str(list(APIToken.objects.values()))
    me = _bearer(data["token"])
    assert me.get("/api/v1/projects/").status_code == 200


@pytest.mark.parametrize("name", [None, "", "   "])
@time_machine.travel(dt.datetime(2026, 11, 3, 9, 5, tzinfo=dt.UTC), tick=False)
def test_a_token_needs_no_name_and_gets_one_saying_when_it_was_made(name):
    """The README never mentioned ``name``, and the exchange refused a body without it."""
    user = UserFactory()
    body = {"email": user.email, "password": PASSWORD}
    if name is not None:
        body["name"] = name
    response = send(APIClient(), "POST", "/api/v1/auth/token/", body)
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Made with the API on 3 November 2026, 09:05"
    assert APIToken.objects.get(user=user).name == "Made with the API on 3 November 2026, 09:05"


@pytest.mark.parametrize(
    "body",
    [
        {"email": "nobody@example.org", "password": PASSWORD, "name": "x"},
        {"email": "{email}", "password": "wrong", "name": "x"},
        {"email": "{EMAIL}", "password": PASSWORD.upper(), "name": "x"},
    ],
)
def test_wrong_credentials_get_no_token(body):
    user = UserFactory()
    body = {k: v.format(email=user.email, EMAIL=user.email.upper()) for k, v in body.items()}
    response = send(APIClient(), "POST", "/api/v1/auth/token/", body)
    error = assert_error(response, 403)
    assert error["code"] == "authentication_failed"
    assert error["message"] == "The email address or password is not right."
    assert not APIToken.objects.exists()


def test_a_deactivated_person_gets_no_token_and_their_tokens_stop_working():
    user = UserFactory()
    _, plaintext = api_token_create(user=user, name="Script")
    User.objects.filter(pk=user.pk).update(is_active=False)
    body = {"email": user.email, "password": PASSWORD, "name": "Another"}
    assert_error(send(APIClient(), "POST", "/api/v1/auth/token/", body), 403)
    assert_error(_bearer(plaintext).get("/api/v1/projects/"), 401)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD, "name": "x"}, "email"),
        ({"email": "not-an-email", "password": PASSWORD, "name": "x"}, "email"),
        ({"email": "a@example.org", "name": "x"}, "password"),
        ({"email": "a@example.org", "password": PASSWORD, "name": "x" * 81}, "name"),
    ],
)
def test_token_exchange_bad_input_is_400(body, field):
    assert_error(send(APIClient(), "POST", "/api/v1/auth/token/", body), 400, field=field)


def test_a_revoked_token_is_401():
    project = published_project()
    token, plaintext = api_token_create(user=project.owner, name="Script")
    client = _bearer(plaintext)
    url = f"/api/v1/projects/{project.slug}/"
    assert send(client, "PATCH", url, {"summary": "Before revoking"}).status_code == 200
    api_token_revoke(user=project.owner, token=token)
    for method, body in (("GET", None), ("PATCH", {"summary": "After revoking"})):
        response = send(client, method, url, body)
        error = assert_error(response, 401)
        assert error["code"] == "authentication_failed"
        assert error["message"] == "This token is not valid or has been revoked."
    project.refresh_from_db()
    assert project.summary == "Before revoking"


def test_a_tokens_last_use_is_recorded_at_most_once_a_minute(settings):
    settings.WAGTAILAPI_TOKEN_LAST_USED_INTERVAL = 60
    user = UserFactory()
    with time_machine.travel(NOW, tick=False) as traveller:
        token, plaintext = api_token_create(user=user, name="Script")
        assert token.last_used_at is None
        client = _bearer(plaintext)

        assert client.get("/api/v1/tags/").status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == NOW

        traveller.shift(dt.timedelta(seconds=59))
        assert client.get("/api/v1/tags/").status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == NOW, "not written again within the minute"

        traveller.shift(dt.timedelta(seconds=1))
        assert client.get("/api/v1/tags/").status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == NOW + dt.timedelta(seconds=60)


def test_a_failed_request_with_a_good_token_still_counts_as_use():
    user = UserFactory()
    token, plaintext = api_token_create(user=user, name="Script")
    response = send(_bearer(plaintext), "PATCH", "/api/v1/projects/nope/", {"title": "x"})
    assert_error(response, 404)
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < dt.timedelta(minutes=1)


def test_a_revoked_token_is_not_marked_used():
    user = UserFactory()
    token, plaintext = api_token_create(user=user, name="Script")
    api_token_revoke(user=user, token=token)
    assert_error(_bearer(plaintext).get("/api/v1/tags/"), 401)
    token.refresh_from_db()
    assert token.last_used_at is None


def test_bearer_takes_precedence_over_the_session():
    """A script's token acts as its owner, even in a browser signed in as someone else."""
    project = published_project()
    stranger = UserFactory()
    _, plaintext = api_token_create(user=project.owner, name="Script")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(stranger)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    response = send(client, "PATCH", f"/api/v1/projects/{project.slug}/", {"summary": "Mine"})
    assert response.status_code == 200, "token requests need no CSRF token and act as the owner"
