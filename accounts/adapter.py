"""allauth's adapter, where Pipeline differs from allauth's defaults."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

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
