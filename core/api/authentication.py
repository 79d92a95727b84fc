"""API authentication: personal bearer tokens (Wagtail's hashed APIToken) or the session."""

from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from wagtail.models import APIToken

# Conditions an app puts on tokens (accounts: read-only tokens, expiry), registered from its
# AppConfig.ready so that core imports no app: each names the relations it reads (fetched with
# the token, in the same query) and a check that raises a DRF exception to refuse the request.
TokenCheck = Callable[[APIToken, object], None]
_TOKEN_CHECKS: list[TokenCheck] = []
_TOKEN_RELATED: list[str] = []


def register_token_check(check: TokenCheck, *, select_related: tuple[str, ...] = ()) -> None:
    """Run ``check(api_token, request)`` on every request a live token authenticates."""
    if check not in _TOKEN_CHECKS:
        _TOKEN_CHECKS.append(check)
    _TOKEN_RELATED.extend(r for r in select_related if r not in _TOKEN_RELATED)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``. Only a digest of each token is stored."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if not parts or parts[0].lower() != self.keyword.lower():  # blank header: IndexError
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>'."
            )
        token = parts[1]
        api_token = (
            APIToken.objects.select_related("user", *_TOKEN_RELATED)
            .filter(key_hash__in=APIToken.candidate_key_hashes(token), revoked_at__isnull=True)
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            raise exceptions.AuthenticationFailed("This token is not valid or has been revoked.")
        for check in _TOKEN_CHECKS:
            check(api_token, request)
        self._touch(api_token)
        return api_token.user, api_token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'

    @staticmethod
    def _touch(api_token: APIToken) -> None:
        """Record use at most once a minute, so reads do not write on every request."""
        interval = getattr(settings, "WAGTAILAPI_TOKEN_LAST_USED_INTERVAL", 60)
        now = timezone.now()
        if (
            api_token.last_used_at is None
            or (now - api_token.last_used_at).total_seconds() >= interval
        ):
            APIToken.objects.filter(pk=api_token.pk).update(last_used_at=now)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal token from your Sessions and tokens page or POST "
            "/api/v1/auth/token/. A read-only token's writes are refused (403, code "
            '"token_read_only"); an expired token is refused (401, code "token_expired").',
        }
