"""allauth's OpenID Connect sign-in and callback, behind a guard: a council's provider that is
down or misconfigured gets a clear page (503), never a 500. allauth fetches the provider's
discovery document outside its own error handling, so without this a refused connection on
either step was a server error.

Both steps run in the site's default language, so the redirect URI the provider sees is always
/accounts/oidc/<provider>/login/callback/ (the one organisers register), whichever language
the person reads Pipeline in.
"""

import functools
import logging

from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from requests import RequestException

from . import crypto, selectors
from .adapter import unreachable_response

logger = logging.getLogger(__name__)


LANGUAGE_KEY = "sso_language"


def allow_provider_form_action(view):
    """Wraps a page that shows the "Sign in with <council>" buttons. Each button posts here and
    is redirected on to the council's provider, and browsers apply the page's CSP form-action to
    that redirect too: without the providers' origins in it, the button did nothing."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        origins = selectors.identity_provider_origins()
        if origins:
            response._csp_update = {"form-action": origins}
        return response

    return wrapped


def _guarded(allauth_view, request: HttpRequest, provider_id: str) -> HttpResponse:
    # The person's language, for the pages this flow shows them (adapter._page).
    if allauth_view is oidc_views.login:
        request.session[LANGUAGE_KEY] = translation.get_language()
    request.sso_language = request.session.get(LANGUAGE_KEY) or translation.get_language()
    provider = selectors.identity_provider_by_provider_id(provider_id=provider_id)
    if provider is None:
        raise Http404
    try:
        secret = provider.client_secret()
    except crypto.SecretUnreadable:
        secret = ""
    if not secret:
        logger.error("no client secret for %s (see its secret setting)", provider_id)
        return unreachable_response(request, provider)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            response = allauth_view(request, provider_id)
    except (RequestException, OAuth2Error) as exc:
        logger.warning("could not reach %s: %s", provider_id, exc)
        return unreachable_response(request, provider)
    except (ValueError, KeyError):
        # A discovery document that is not JSON, or lacks an endpoint: misconfigured.
        logger.exception("%s answered with something Pipeline cannot use", provider_id)
        return unreachable_response(request, provider)
    except SocialApp.DoesNotExist as exc:
        raise Http404 from exc
    return response


class CouncilOIDCAdapter(oidc_views.OpenIDConnectOAuth2Adapter):
    """allauth's adapter, stricter: the ID token's signature is checked against the provider's
    published keys even when it came straight from the token endpoint (allauth skips that, as
    OpenID Connect Core 3.1.3.7 allows over TLS), and the discovery document must name the
    issuer the organiser configured (allauth takes whatever issuer it names)."""

    def _decode_id_token(self, app, id_token: str) -> dict:
        issuer = self.openid_config.get("issuer", "")
        if issuer.rstrip("/") != app.settings["server_url"].rstrip("/"):
            raise OAuth2Error(f"discovery names another issuer: {issuer!r}")
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=issuer,
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


def _callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    try:
        view = OAuth2CallbackView.adapter_view(CouncilOIDCAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as exc:
        raise Http404 from exc


def login(request: HttpRequest, provider_id: str) -> HttpResponse:
    """POST starts a sign-in; a GET (an old link) goes to the sign-in page, where the council's
    button is (allauth's own "Continue?" page is not needed)."""
    if request.method != "POST":
        return redirect(reverse("account_login") + "#council-sign-in")
    return _guarded(oidc_views.login, request, provider_id)


def not_used(request: HttpRequest) -> HttpResponse:
    """allauth's social sign-up form and connections page: Pipeline needs neither (the first
    sign-in makes the account; a council's provider is not something to disconnect)."""
    return redirect("account_login")


def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    return _guarded(_callback, request, provider_id)
