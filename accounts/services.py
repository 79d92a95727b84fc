"""Writes for people's accounts: personal API tokens (Wagtail's hashed APIToken model)."""

from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from wagtail.models import APIToken

from core.errors import Conflict, InvalidInput, NotAllowed
from core.security import security_event

from .models import User

MAX_ACTIVE_TOKENS = 20


def default_token_name() -> str:
    """The name of a token made without one (through the API), so it can be told apart on the
    tokens page."""
    return _("Made with the API on %(date)s") % {
        "date": date_format(timezone.localtime(), "j F Y, H:i")
    }


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[APIToken, str]:
    """A new token and its full value, which is shown once and never stored (only a hash is)."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the token a name, like “Finance report script”."), field="name")
    if len(name) > 80:
        raise InvalidInput(_("The name must be 80 characters or fewer."), field="name")
    if APIToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise Conflict(_("You have 20 active tokens; revoke one first."), field="name")
    token, plaintext = APIToken.create_token(user=user, name=name)
    security_event("api_token_created", owner_id=user.pk, token_id=token.pk, prefix=token.prefix)
    return token, plaintext


@transaction.atomic
def api_token_revoke(*, user: User, token: APIToken) -> APIToken:
    if token.user_id != user.pk:
        raise NotAllowed(_("You can only revoke your own tokens."))
    if token.revoked_at is not None:
        raise Conflict(_("This token was already revoked."))
    token.revoke()
    security_event("api_token_revoked", owner_id=user.pk, token_id=token.pk, prefix=token.prefix)
    return token


@transaction.atomic
def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every active token of ``user``; how many were. A new password ends every way in
    the old one opened: a token made by someone who knew it must stop working too."""
    tokens = list(APIToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    now = timezone.now()
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        security_event(
            "api_token_revoked",
            owner_id=user.pk,
            token_id=token.pk,
            prefix=token.prefix,
            reason=reason,
        )
    return len(tokens)


@transaction.atomic
def second_factor_reset(*, user: User) -> int:
    """Remove all of a person's two-factor authenticators (an operator's last resort when both
    the phone and the recovery codes are lost); logged. Returns how many were removed."""
    from allauth.mfa.models import Authenticator

    removed, _ = Authenticator.objects.filter(user=user).delete()
    security_event("second_factor_reset", user_id=user.pk, removed=removed)
    return removed
