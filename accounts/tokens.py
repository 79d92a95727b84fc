"""The terms of a personal API token, enforced on every request it authenticates.

Registered with ``core.api.authentication`` (core imports no app), which fetches the terms in
the same query as the token."""

from django.utils import formats, timezone
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS
from wagtail.models import APIToken


class TokenExpired(exceptions.AuthenticationFailed):
    default_code = "token_expired"


class TokenReadOnly(exceptions.PermissionDenied):
    default_code = "token_read_only"


def check_token_terms(api_token: APIToken, request) -> None:
    """An expired token is refused (401); a read-only one may only read (403 otherwise)."""
    terms = getattr(api_token, "terms", None)  # a reverse one-to-one: None when missing
    if terms is None:
        return
    if terms.has_expired():
        when = formats.date_format(timezone.localtime(terms.expires_at), "j F Y, H:i")
        raise TokenExpired(
            f"This token expired on {when}. Create a new one on your Sessions and tokens page "
            "or with POST /api/v1/auth/token/.",
            code="token_expired",
        )
    if terms.is_read_only and request.method not in SAFE_METHODS:
        raise TokenReadOnly(
            "This token is read-only: it can look things up but not change them. Use a "
            "read-and-write token for this request.",
            code="token_read_only",
        )
