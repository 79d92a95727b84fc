"""Reads for councils' sign-in providers."""

from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .models import PROVIDER_ID_PREFIX, CouncilIdentityProvider, CouncilSignIn

User = get_user_model()


def identity_provider_list_enabled() -> QuerySet[CouncilIdentityProvider]:
    """Providers people may sign in through now, with their councils (the sign-in page)."""
    return (
        CouncilIdentityProvider.objects.enabled()
        .select_related("council")
        .prefetch_related("vouched__domain")
        .order_by("council__short_name", "pk")
    )


def identity_provider_by_provider_id(*, provider_id: str) -> CouncilIdentityProvider | None:
    """The enabled provider allauth knows as ``council-<slug>``, or None."""
    if not provider_id.startswith(PROVIDER_ID_PREFIX):
        return None
    slug = provider_id.removeprefix(PROVIDER_ID_PREFIX)
    return identity_provider_list_enabled().filter(council__slug=slug).first()


def council_sign_ins_to_check(*, user: User) -> QuerySet[CouncilSignIn]:
    """The person's links to enabled providers that still vouch for a membership and whose
    refresh token can be asked about it."""
    return (
        CouncilSignIn.objects.filter(
            user=user,
            provider__in=CouncilIdentityProvider.objects.enabled(),
            membership__status="verified",
        )
        .exclude(refresh_token_encrypted="")
        .select_related("provider__council", "membership")
    )


def identity_provider_origins() -> list[str]:
    """The origins of the enabled providers' issuers, which the sign-in page's forms may send
    people on to (its Content-Security-Policy form-action)."""
    origins = []
    for issuer in CouncilIdentityProvider.objects.enabled().values_list("issuer", flat=True):
        parts = urlsplit(issuer)
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.netloc and origin not in origins:
            origins.append(origin)
    return origins
