"""Clients and checks shared by the API tests.

Two ways in, as real clients use them: a personal bearer token (scripts), and a signed-in
session with CSRF enforced (the browser). ``APIClient(enforce_csrf_checks=True)`` is needed for
the second: Django's test client skips CSRF, and DRF only checks it for session-authenticated
requests.
"""

import json

import pytest
from django.conf import settings
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from accounts.services import api_token_create

ERROR_KEYS = {"status", "code", "message", "errors"}


def token_client(user, name: str = "Test script") -> APIClient:
    _, plaintext = api_token_create(user=user, name=name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def session_client(user, *, csrf: bool = True) -> APIClient:
    """Signed in with a session; sends the CSRF cookie and header as a browser script would."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    if csrf:
        secret = get_random_string(32)
        client.cookies[settings.CSRF_COOKIE_NAME] = secret
        client.credentials(HTTP_X_CSRFTOKEN=secret)
    return client


def send(client: APIClient, method: str, url: str, body=None):
    """Any method, with a JSON body when there is one."""
    if body is None:
        return client.generic(method, url)
    return client.generic(method, url, json.dumps(body), content_type="application/json")


def assert_error(response, status: int, *, field: str | None = None) -> dict:
    """The one error shape: status, code, message, errors (and ``field`` named in errors)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) >= ERROR_KEYS, body
    assert body["status"] == status
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["errors"], dict)
    for key, messages in body["errors"].items():
        assert isinstance(key, str)
        assert messages and all(isinstance(m, str) and m for m in messages), body
    if field is not None:
        assert field in body["errors"], body
    if status == 401:
        assert response.get("WWW-Authenticate") == 'Bearer realm="api"'
    return body


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
