"""allauth's social-account adapter: councils' providers, from the database, and the rules for
who may sign in through them.

allauth (65.21) checks the ID token's issuer, audience (our client ID) and expiry itself
(``socialaccount.internal.jwtkit.verify_and_decode``), but not its signature when the token
came straight from the token endpoint; ``views.CouncilOIDCAdapter`` checks that too, and that
the provider's discovery document names the issuer the organiser configured.
"""

from collections.abc import Callable

from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal.flows.email_authentication import wipe_password
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base.constants import AuthError
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from requests import RequestException

from core.security import security_event

from . import crypto, selectors, services
from .models import CouncilIdentityProvider, CouncilSignIn

User = get_user_model()


def social_app(provider: CouncilIdentityProvider) -> SocialApp:
    """allauth's (unsaved) app for a council's provider: nothing is configured twice."""
    try:
        secret = provider.client_secret()
    except crypto.SecretUnreadable:
        secret = ""
    return SocialApp(
        provider="openid_connect",
        provider_id=provider.provider_id,
        name=provider.council.short_name,
        client_id=provider.client_id,
        secret=secret,
        settings={"server_url": provider.issuer},
    )


def _page(
    request: HttpRequest, template: str, status: int, context: Callable[[], dict]
) -> HttpResponse:
    """The flow runs in the default language (for one fixed redirect URI); its pages are shown
    in the language the person started it in (``views.LANGUAGE_KEY``)."""
    language = getattr(request, "sso_language", None) or translation.get_language()
    with translation.override(language):
        return render(request, template, context(), status=status)


def unreachable_response(request: HttpRequest, provider: CouncilIdentityProvider) -> HttpResponse:
    """The page for a provider that is down or misconfigured: never a 500."""
    return _page(
        request,
        "sso/unreachable.html",
        503,
        lambda: {"council_name": provider.council.display_name},
    )


def refused_response(
    request: HttpRequest,
    provider: CouncilIdentityProvider | None,
    message: Callable[[], str],
    *,
    status: int = 403,
) -> HttpResponse:
    """Sign-in through the provider did not work: refused by Pipeline's rules (403), or an
    answer that failed its checks (401). ``message`` is built in the reader's language."""
    return _page(
        request,
        "sso/refused.html",
        status,
        lambda: {
            "council_name": provider.council.display_name if provider else "",
            "message": message(),
        },
    )


def _claims(sociallogin: SocialLogin) -> dict:
    data = sociallogin.account.extra_data or {}
    claims = dict(data.get("id_token") or {})
    claims.update(data.get("userinfo") or {})
    return claims


def _refusal(provider: CouncilIdentityProvider, claims: dict) -> Callable[[], str] | None:
    """Why the provider's answer cannot sign the person in, or None if it can."""
    email = (claims.get("email") or "").strip().lower()
    domains = provider.domain_names()

    def values() -> dict:  # in the reader's language: a Welsh council's Welsh name
        return {
            "council": provider.council.display_name,
            "email": email,
            "domains": ", ".join(domains),
        }

    if not email:
        return lambda: (
            _("%(council)s’s sign-in service did not give Pipeline your email address.") % values()
        )
    if email.rpartition("@")[2] not in domains:
        return lambda: (
            _(
                "%(council)s’s sign-in service vouches for addresses at %(domains)s only, not "
                "%(email)s. Sign in with your password instead."
            )
            % values()
        )
    if provider.require_email_verified and claims.get("email_verified") is not True:
        return lambda: (
            _(
                "%(council)s’s sign-in service has not verified your email address %(email)s. "
                "Ask your IT team, or sign in with your password."
            )
            % values()
        )
    return None


class CouncilSocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        apps = []
        for council_provider in selectors.identity_provider_list_enabled():
            app = social_app(council_provider)
            if provider not in (None, app.provider, app.provider_id):
                continue
            if client_id is not None and app.client_id != client_id:
                continue
            apps.append(app)
        return apps

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True  # the council vouched for the address (pre_social_login checked it)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Refuse an address the provider does not vouch for (and end a membership it verified
        before); otherwise link the sign-in to the account with that address, if there is one."""
        provider = selectors.identity_provider_by_provider_id(
            provider_id=sociallogin.account.provider
        )
        if provider is None:  # turned off while the person was at the provider
            raise ImmediateHttpResponse(
                refused_response(
                    request, None, lambda: _("This council’s sign-in service is turned off.")
                )
            )
        claims = _claims(sociallogin)
        email = (claims.get("email") or "").strip().lower()
        link = CouncilSignIn.objects.filter(
            provider=provider, subject=sociallogin.account.uid
        ).first()
        refusal = _refusal(provider, claims)
        if refusal is not None:
            domain = email.rpartition("@")[2]
            if link is not None and domain not in provider.domain_names():
                services.council_sign_in_lapse(
                    link=link, reason=services.lapse_reason_domain(provider)
                )
            security_event(
                "sso_refused", council=provider.council.code, domain=domain, known=bool(link)
            )
            raise ImmediateHttpResponse(refused_response(request, provider, refusal))
        # The council vouches for this address: it is verified, and the only one used.
        sociallogin.email_addresses = [EmailAddress(email=email, verified=True, primary=True)]
        if not sociallogin.is_existing:
            sociallogin.user.email = email  # a new account's address (an existing one keeps its)
            user = User.objects.filter(email__iexact=email).first()
            if user is not None:
                # Whoever set a password on an unconfirmed address is not its owner.
                wipe_password(request, user, email)
                EmailAddress.objects.filter(user=user, email__iexact=email).update(verified=True)
                sociallogin.connect(request, user)

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        """Pipeline's own pages: one for a provider that cannot be reached (503), one for an
        answer that failed its checks (401), both in the person's language."""
        council_provider = selectors.identity_provider_by_provider_id(
            provider_id=getattr(getattr(provider, "app", None), "provider_id", "") or ""
        )
        cause = exception
        while cause is not None and not isinstance(cause, RequestException):
            cause = cause.__cause__
        security_event(
            "sso_error",
            council=council_provider.council.code if council_provider else "",
            error=str(error or ""),
            exception=type(exception).__name__ if exception else "",
        )
        if council_provider is None or error == AuthError.CANCELLED:
            return  # allauth's page (templates/socialaccount/authentication_error.html)
        if cause is not None:
            raise ImmediateHttpResponse(unreachable_response(request, council_provider))
        raise ImmediateHttpResponse(
            refused_response(
                request, council_provider, lambda: _not_accepted(council_provider), status=401
            )
        )


def _not_accepted(provider: CouncilIdentityProvider) -> str:
    return _(
        "%(council)s’s sign-in service answered, but Pipeline could not accept its answer, "
        "so you are not signed in. Try again, or sign in with your password."
    ) % {"council": provider.council.display_name}
