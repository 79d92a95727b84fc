"""Personal API tokens on the Sessions and tokens page: create (shown once), use, last use,
revoke; access (read-only or read-write) and expiry."""

import pytest
from django.urls import reverse
from wagtail.models import APIToken

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_token_shows_it_once_and_it_works_until_revoked(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:security"),
        {"name": "Finance script", "access": "write", "expires": "never"},
    )
    token_value = response.context["new_token"]
    assert token_value and token_value.encode() in response.content
    token = APIToken.objects.get(user=user)
    assert token_value not in token.key_hash  # only a digest is stored

    # The list no longer shows the token itself.
    page = client.get(reverse("accounts:security")).content
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
    response = client.post(reverse("accounts:security"), {"name": ""})
    assert b"Give the token a name" in response.content
    assert b"Choose whether the token may only read, or read and write" in response.content
    assert b"Choose when the token expires" in response.content
    assert not APIToken.objects.exists()


def test_a_refused_token_lands_on_the_error_summary(client):
    """The form posts to #tokens, and a browser focuses a fragment's target once the page has
    loaded: with errors, that target is the summary (focusable), not the section heading."""
    client.force_login(UserFactory())
    page = client.get(reverse("accounts:security")).content.decode()
    assert '<h2 class="govuk-heading-m" id="tokens">' in page

    refused = client.post(reverse("accounts:security"), {"name": ""}).content.decode()

    assert 'data-module="govuk-error-summary" id="tokens" tabindex="-1"' in refused
    assert refused.count('id="tokens"') == 1


def test_cannot_revoke_someone_elses_token(client):
    owner = UserFactory()
    token, _ = APIToken.create_token(user=owner, name="theirs")
    client.force_login(UserFactory())
    assert client.post(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- a new password revokes every token -----------------------------------------------------


def _token_works(plaintext: str) -> bool:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client.get("/api/v1/follows/").status_code == 200


def _two_tokens(user) -> list[str]:
    from accounts.services import api_token_create

    return [api_token_create(user=user, name=name)[1] for name in ("Script", "Report")]


def test_changing_the_password_revokes_every_token_and_says_so(client):
    from tests.factories import verified_member
    from tests.factories.accounts import PASSWORD

    user = verified_member()
    tokens = _two_tokens(user)
    assert all(_token_works(t) for t in tokens)
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not any(_token_works(t) for t in tokens)
    assert not APIToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert (
        "Your 2 API tokens were revoked because your password changed" in response.content.decode()
    )
    page = client.get(reverse("accounts:security")).content.decode()
    assert page.count("Revoked") >= 2
    # New tokens work.
    assert _token_works(_two_tokens(user)[0])


def test_resetting_the_password_revokes_every_token(client):
    import re

    from django.core import mail

    from tests.factories import verified_member

    user = verified_member()
    tokens = _two_tokens(user)
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/\S*/password/reset/key/\S+/)", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    form = client.get(link.group(1), follow=True)
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"password1": "another-long-passphrase", "password2": "another-long-passphrase"},
        follow=True,
    )
    assert response.status_code == 200
    assert not any(_token_works(t) for t in tokens)


def test_the_tokens_page_says_a_new_password_revokes_them(client):
    client.force_login(UserFactory())
    page = client.get(reverse("accounts:security")).content.decode()
    assert "Changing or resetting your password revokes all your tokens" in page
    client.cookies["django_language"] = "cy"
    welsh = client.get("/cy" + reverse("accounts:security")).content.decode()
    assert "Mae newid neu ailosod eich cyfrinair yn dirymu eich holl docynnau" in welsh
