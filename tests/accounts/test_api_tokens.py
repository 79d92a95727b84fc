"""Personal API tokens on the profile: create (shown once), use, last use, revoke."""

import pytest
from django.urls import reverse
from wagtail.models import APIToken

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_token_shows_it_once_and_it_works_until_revoked(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("accounts:api_tokens"), {"name": "Finance script"})
    token_value = response.context["new_token"]
    assert token_value and token_value.encode() in response.content
    token = APIToken.objects.get(user=user)
    assert token_value not in token.key_hash  # only a digest is stored

    # The list no longer shows the token itself.
    page = client.get(reverse("accounts:api_tokens")).content
    assert token_value.encode() not in page
    assert b"Finance script" in page and b"Never" in page

    api = client.__class__()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_value}"}
    assert api.get("/api/v1/pledges/", **auth).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None

    client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/v1/pledges/", **auth).status_code == 401


def test_token_needs_a_name(client):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts:api_tokens"), {"name": ""})
    assert b"Give the token a name" in response.content
    assert not APIToken.objects.exists()


def test_cannot_revoke_someone_elses_token(client):
    owner = UserFactory()
    token, _ = APIToken.create_token(user=owner, name="theirs")
    client.force_login(UserFactory())
    assert client.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
