"""allauth's account events that change what Pipeline allows."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import ngettext

from .services import api_tokens_revoke_all, user_session_record


@receiver(user_logged_in, dispatch_uid="accounts.record_session")
def record_session(sender, request, user, **kwargs) -> None:
    """Every sign-in, however it happens, lists its browser on the Sessions and tokens page."""
    if request is not None and hasattr(request, "session"):
        user_session_record(request=request)


@receiver(password_changed, dispatch_uid="accounts.revoke_tokens.changed")
@receiver(password_set, dispatch_uid="accounts.revoke_tokens.set")
@receiver(password_reset, dispatch_uid="accounts.revoke_tokens.reset")
def revoke_tokens_with_the_old_password(sender, request, user, **kwargs) -> None:
    """A changed, set or reset password revokes the person's API tokens (and says so)."""
    reason = {
        password_changed: "password_changed",
        password_set: "password_set",
        password_reset: "password_reset",
    }.get(kwargs.get("signal"), "password_changed")
    revoked = api_tokens_revoke_all(user=user, reason=reason)
    if revoked and request is not None:
        messages.info(
            request,
            ngettext(
                "Your API token was revoked because your password changed. "
                "Create a new one on the API tokens page.",
                "Your %(count)s API tokens were revoked because your password changed. "
                "Create new ones on the API tokens page.",
                revoked,
            )
            % {"count": revoked},
        )
