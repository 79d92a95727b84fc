"""allauth's adapter, where Pipeline differs from allauth's defaults."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from core.cache import cache_required

CONFIRMED = "account/messages/email_confirmed.txt"
SIGNED_IN = "account/messages/logged_in.txt"


class AccountAdapter(DefaultAccountAdapter):
    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        """One banner when confirming an address also signs the person in: "You have confirmed
        …" says it, and the header shows they are signed in (two green banners said it twice)."""
        if message_template == SIGNED_IN and getattr(request, "_pipeline_confirmed", False):
            return
        if message_template == CONFIRMED:
            request._pipeline_confirmed = True
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Count the attempt toward the failed sign-in limits (per address and per account),
        which must hold: if the cache that counts them does not answer, refuse (503) rather
        than let password guesses through unlimited. Every other limit lets requests through
        while the cache is down (``core.cache``). The API's token exchange signs in here
        too."""
        with cache_required():
            super().pre_authenticate(request, **credentials)
