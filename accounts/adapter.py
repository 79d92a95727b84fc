"""allauth's adapter, where Pipeline differs from allauth's defaults."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.cache import cache_required

from .mfa import user_needs_second_factor

CONFIRMED = "account/messages/email_confirmed.txt"
SIGNED_IN = "account/messages/logged_in.txt"
# Turning on a first authenticator makes recovery codes too; "New recovery codes made. Your
# old ones no longer work." beside it spoke of old codes nobody ever had.
FIRST_FACTOR_ON = {"mfa/messages/totp_activated.txt", "mfa/messages/webauthn_added.txt"}
CODES_MADE = "mfa/messages/recovery_codes_generated.txt"
SIGN_IN_PROMPT = _(
    "You are an organiser, council admin or approver. Set up two-factor authentication "
    "before you use those powers: it keeps your account safe if your password is ever stolen."
)


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
        if message_template == CODES_MADE and getattr(request, "_pipeline_factor_on", False):
            return
        if message_template in FIRST_FACTOR_ON:
            request._pipeline_factor_on = True
        # A council sign-in runs in the default language (sso.views); its banners are for the
        # language the person began in.
        with translation.override(getattr(request, "sso_language", None) or get_language()):
            super().add_message(
                request, level, message_template, message_context, extra_tags, message
            )

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Count the attempt toward the failed sign-in limits (per address and per account),
        which must hold: if the cache that counts them does not answer, refuse (503) rather
        than let password guesses through unlimited. Every other limit lets requests through
        while the cache is down (``core.cache``). The API's token exchange signs in here
        too."""
        with cache_required():
            super().pre_authenticate(request, **credentials)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Organisers, council admins and approvers who have not set up two-factor
        authentication go to set it up first (allauth itself asks the enrolled for a code)."""
        if user_needs_second_factor(user=request.user):
            with translation.override(getattr(request, "sso_language", None) or get_language()):
                messages.warning(request, str(SIGN_IN_PROMPT))
            return reverse("mfa_index")
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    """allauth's two-factor messages, worded to say what to do next."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _(
            "The code is not right. Enter the code your authenticator app shows now, or an "
            "unused recovery code"
        ),
    }
