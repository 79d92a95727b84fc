"""Writes for councils' sign-in providers and the sign-ins through them; every way in calls
these."""

import re
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.models import ActivityAction
from activity.services import activity_changes, activity_record
from core.errors import Conflict, InvalidInput, NotAllowed
from core.security import security_event
from councils import services as council_services
from councils.models import Council, CouncilDomain

from . import crypto
from .models import (
    LOOPBACK_PREFIXES,
    SECRET_ENV_PATTERN,
    CouncilIdentityProvider,
    CouncilSignIn,
    VouchedDomain,
)

User = get_user_model()


def _require_organiser(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.is_organiser):
        raise NotAllowed(_("Only an organiser may configure a council’s sign-in service."))


def _clean_issuer(issuer: str, *, allow_loopback: bool) -> str:
    issuer = issuer.strip().rstrip("/")
    parts = urlsplit(issuer)
    if parts.scheme == "https" and parts.netloc:
        return issuer
    if allow_loopback and parts.scheme == "http" and issuer.startswith(LOOPBACK_PREFIXES):
        return issuer
    raise InvalidInput(
        _(
            "Enter the issuer as an https:// address, such as https://login.microsoftonline.com/<tenant>/v2.0"
        ),
        field="issuer",
    )


def _clean_domains(*, council: Council, domains: list[str]) -> list[CouncilDomain]:
    names = [d.strip().lower().lstrip("@") for d in domains if d.strip()]
    if not names:
        raise InvalidInput(
            _("Enter at least one email domain this provider vouches for."), field="vouched_domains"
        )
    own = {d.domain: d for d in council.domains.all()}
    for name in names:
        if name not in own:
            raise InvalidInput(
                _(
                    "%(domain)s is not one of %(council)s’s email domains. Add it to the council "
                    "first, or remove it here."
                )
                % {"domain": name, "council": council.short_name},
                field="vouched_domains",
            )
    return [own[name] for name in dict.fromkeys(names)]


def _provider_facts(provider: CouncilIdentityProvider) -> dict:
    """What the activity log compares before and after a change (the secret's source only)."""
    return {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "secret_env": provider.secret_env,
        "enabled": provider.enabled,
        "vouched_domains": sorted(
            v.domain.domain for v in provider.vouched.select_related("domain")
        ),
    }


@transaction.atomic
def identity_provider_save(
    *,
    actor: User,
    council: Council,
    issuer: str,
    client_id: str,
    secret_env: str,
    client_secret: str,
    vouched_domains: list[str],
    enabled: bool = True,
    require_email_verified: bool = True,
    provider: CouncilIdentityProvider | None = None,
    allow_loopback: bool | None = None,
) -> CouncilIdentityProvider:
    """Add or change a council's provider. The client secret comes from the environment
    (``secret_env``, a variable's name) or is stored encrypted; an empty ``client_secret`` on an
    existing provider keeps the stored one. An http:// issuer on the loopback is accepted only
    where ``SSO_ALLOW_LOOPBACK_ISSUER`` (or ``allow_loopback``) says so: tests and development."""
    _require_organiser(actor)
    if allow_loopback is None:
        allow_loopback = settings.SSO_ALLOW_LOOPBACK_ISSUER
    before = _provider_facts(provider) if provider is not None else {}
    if provider is None:
        if CouncilIdentityProvider.objects.filter(council=council).exists():
            raise Conflict(
                _("%(council)s already has a sign-in service; change that one.")
                % {"council": council.short_name},
                field="council",
            )
        provider = CouncilIdentityProvider(council=council)
    else:
        provider = CouncilIdentityProvider.objects.select_for_update().get(pk=provider.pk)
        if provider.council_id != council.pk:
            raise InvalidInput(_("A provider cannot move to another council."), field="council")
    provider.issuer = _clean_issuer(issuer, allow_loopback=allow_loopback)
    client_id = client_id.strip()
    if not client_id:
        raise InvalidInput(_("Enter the client ID the provider gave Pipeline."), field="client_id")
    provider.client_id = client_id
    secret_env = secret_env.strip()
    if secret_env and client_secret:
        raise InvalidInput(
            _("Give the secret either as an environment variable’s name or here, not both."),
            field="client_secret",
        )
    if secret_env:
        if not re.match(SECRET_ENV_PATTERN, secret_env):
            raise InvalidInput(
                _("Enter an environment variable’s name in capitals, such as SSO_SECRET_GRT."),
                field="secret_env",
            )
        provider.secret_env = secret_env
        provider.secret_encrypted = ""
    elif client_secret:
        provider.secret_env = ""
        provider.secret_encrypted = crypto.encrypt(client_secret)
    elif not provider.secret_encrypted:
        raise InvalidInput(
            _("Enter the client secret, or the name of the environment variable that holds it."),
            field="client_secret",
        )
    else:
        provider.secret_env = ""  # keep the stored secret
    provider.enabled = enabled
    provider.require_email_verified = require_email_verified
    domains = _clean_domains(council=council, domains=vouched_domains)
    provider.save()
    VouchedDomain.objects.filter(provider=provider).exclude(domain__in=domains).delete()
    for domain in domains:
        VouchedDomain.objects.get_or_create(provider=provider, domain=domain)
    changes = activity_changes(before=before, after=_provider_facts(provider))
    if client_secret:
        changes["secret_replaced"] = True  # never the secret itself
    if changes:
        activity_record(
            actor=actor,
            action=ActivityAction.COUNCIL_SSO_CHANGED
            if before
            else ActivityAction.COUNCIL_SSO_CONFIGURED,
            council=council,
            details=changes,
        )
    security_event(
        "sso_provider_saved",
        actor_id=actor.pk,
        council=council.code,
        enabled=enabled,
        issuer=provider.issuer,
        domains=[d.domain for d in domains],
    )
    return provider


@transaction.atomic
def identity_provider_set_enabled(
    *, actor: User, provider: CouncilIdentityProvider, enabled: bool
) -> CouncilIdentityProvider:
    """Turn sign-in through a council's provider off (or on again), keeping its settings."""
    _require_organiser(actor)
    provider = CouncilIdentityProvider.objects.select_for_update().get(pk=provider.pk)
    if provider.enabled != enabled:
        activity_record(
            actor=actor,
            action=ActivityAction.COUNCIL_SSO_CHANGED
            if enabled
            else ActivityAction.COUNCIL_SSO_REMOVED,
            council=provider.council,
            details={"enabled": {"before": provider.enabled, "after": enabled}},
        )
    provider.enabled = enabled
    provider.save(update_fields=["enabled", "updated_at"])
    security_event(
        "sso_provider_enabled" if enabled else "sso_provider_disabled",
        actor_id=actor.pk,
        council=provider.council.code,
    )
    return provider


# --- Sign-ins ---------------------------------------------------------------------------------


def lapse_reason_domain(provider: CouncilIdentityProvider) -> str:
    return _(
        "%(council)s’s sign-in service no longer vouches for your email address, so your "
        "membership of %(council)s has ended."
    ) % {"council": provider.council.display_name}


def lapse_reason_gone(provider: CouncilIdentityProvider) -> str:
    return _(
        "%(council)s’s sign-in service says your account there no longer exists, so your "
        "membership of %(council)s has ended."
    ) % {"council": provider.council.display_name}


@transaction.atomic
def council_sign_in_record(
    *,
    provider: CouncilIdentityProvider,
    user: User,
    subject: str,
    email: str,
    refresh_token: str = "",
) -> CouncilSignIn:
    """A person signed in through their council's provider, which vouched for their address:
    verify their membership at once and remember the link (and refresh token, encrypted)."""
    membership = council_services.membership_vouch(user=user, council=provider.council)
    link, _created = CouncilSignIn.objects.select_for_update().get_or_create(
        provider=provider,
        subject=subject,
        defaults={"user": user, "email": email, "last_signed_in_at": timezone.now()},
    )
    link.user = user
    link.email = email
    link.membership = membership
    link.last_signed_in_at = timezone.now()
    if refresh_token:
        link.refresh_token_encrypted = crypto.encrypt(refresh_token)
    link.save()
    security_event(
        "sso_sign_in", member_id=user.pk, council=provider.council.code, membership_id=membership.pk
    )
    return link


@transaction.atomic
def council_sign_in_lapse(*, link: CouncilSignIn, reason: str) -> bool:
    """The provider no longer vouches for the person: end the membership it verified, and forget
    the refresh token. True if a membership ended."""
    link = CouncilSignIn.objects.select_for_update().get(pk=link.pk)
    link.refresh_token_encrypted = ""
    link.save(update_fields=["refresh_token_encrypted"])
    if link.membership_id is None:
        return False
    return council_services.membership_lapse(membership=link.membership, reason=reason) is not None


class ProviderUnreachable(Exception):
    """The provider did not answer, or answered with something other than a refusal."""


def _token_endpoint(provider: CouncilIdentityProvider, session: requests.Session) -> str:
    response = session.get(f"{provider.issuer}/.well-known/openid-configuration")
    response.raise_for_status()
    return response.json()["token_endpoint"]


def council_sign_in_check(*, link: CouncilSignIn, timeout: float) -> str | None:
    """Ask the provider (refresh grant) whether the person's account still stands.

    Returns the lapse reason if the membership ended, None otherwise. ``invalid_grant`` means
    the account (or its grant) is gone: the membership lapses. A provider that is down, or any
    other answer, changes nothing (raised as ProviderUnreachable for the caller to log)."""
    provider = link.provider
    try:
        refresh_token = crypto.decrypt(link.refresh_token_encrypted)
    except crypto.SecretUnreadable:
        return None
    if not refresh_token:
        return None
    try:
        with requests.Session() as session:
            session.request = _with_timeout(session.request, timeout)
            response = session.post(
                _token_endpoint(provider, session),
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": refresh_token,
                    "client_id": provider.client_id,
                    "client_secret": provider.client_secret(),
                },
            )
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise ProviderUnreachable(str(exc)) from exc
    if response.status_code == 200:
        new_token = _json(response).get("refresh_token")
        with transaction.atomic():
            link = CouncilSignIn.objects.select_for_update().get(pk=link.pk)
            if new_token:  # providers that rotate refresh tokens send a new one each time
                link.refresh_token_encrypted = crypto.encrypt(new_token)
            link.last_checked_at = timezone.now()
            link.save(update_fields=["refresh_token_encrypted", "last_checked_at"])
        return None
    if response.status_code in (400, 401) and _json(response).get("error") == "invalid_grant":
        reason = lapse_reason_gone(provider)
        return reason if council_sign_in_lapse(link=link, reason=reason) else None
    raise ProviderUnreachable(f"HTTP {response.status_code}")


def _json(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _with_timeout(request, timeout: float):
    def call(*args, **kwargs):
        kwargs.setdefault("timeout", timeout)
        return request(*args, **kwargs)

    return call
