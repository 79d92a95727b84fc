"""Each sign-in tells Pipeline something about the council's provider's view of the person."""

import logging

from allauth.account.signals import user_logged_in
from django.conf import settings
from django.contrib import messages
from django.dispatch import receiver

from . import selectors, services

logger = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="sso.on_sign_in")
def on_sign_in(sender, request, user, sociallogin=None, **kwargs) -> None:
    """Through a council's provider: verify the membership it vouches for. With a password: ask
    each provider that vouched for the person whether their account there still stands."""
    if sociallogin is not None:
        provider = selectors.identity_provider_by_provider_id(
            provider_id=sociallogin.account.provider
        )
        if provider is None:
            return
        token = getattr(sociallogin, "token", None)
        services.council_sign_in_record(
            provider=provider,
            user=user,
            subject=sociallogin.account.uid,
            email=(sociallogin.email_addresses[0].email if sociallogin.email_addresses else "")
            or user.email,
            refresh_token=getattr(token, "token_secret", "") or "",
        )
        return
    for link in selectors.council_sign_ins_to_check(user=user):
        try:
            reason = services.council_sign_in_check(
                link=link, timeout=settings.SOCIALACCOUNT_REQUESTS_TIMEOUT
            )
        except services.ProviderUnreachable as exc:
            # A provider that is down ends nothing; the next sign-in asks again.
            logger.warning("could not ask %s about a sign-in: %s", link.provider, exc)
            continue
        if reason and request is not None:
            messages.warning(request, reason)
