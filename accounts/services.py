"""Writes for people's accounts: personal API tokens (Wagtail's hashed APIToken model)."""

import datetime as dt
import time

from allauth.usersessions.models import UserSession
from django.db import transaction
from django.db.models import CASCADE, F, Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import APIToken

from core.errors import Conflict, InvalidInput, NotAllowed
from core.security import client_ip, security_event
from councils.models import Membership, MembershipRole, MembershipStatus
from projects.models import Project, TeamMembership, TeamStatus, Update
from projects.models import State as ProjectState
from projects.services.projects import public_name
from projects.services.totals import recalculate_totals

from .models import NotificationFrequency, TokenAccess, TokenTerms, User

MAX_ACTIVE_TOKENS = 20
# How a deleted account is named, everywhere (``User.get_full_name`` too).
FORMER_OFFICER = gettext_lazy("a former officer")
# In each session: when its row in allauth.usersessions was last refreshed (a Unix time).
SEEN_KEY = "_pipeline_seen"
# How long a new token may last, in days (None: until revoked).
TOKEN_LIFETIMES = (30, 90, 365)


def default_token_name() -> str:
    """The name of a token made without one (through the API), so it can be told apart on the
    tokens page."""
    return _("Made with the API on %(date)s") % {
        "date": date_format(timezone.localtime(), "j F Y, H:i")
    }


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    access: str = TokenAccess.WRITE,
    expires_in_days: int | None = None,
) -> tuple[APIToken, str]:
    """A new token and its full value, which is shown once and never stored (only a hash is).
    Its terms (read-only or read-write, an expiry) are made with it, in the same transaction."""
    name = name.strip()
    if access not in TokenAccess.values:
        raise InvalidInput(
            _("Choose whether the token may only read, or read and write."), field="access"
        )
    if expires_in_days is not None and expires_in_days not in TOKEN_LIFETIMES:
        raise InvalidInput(
            _("Choose when the token expires: after 30, 90 or 365 days, or never."),
            field="expires_in_days",
        )
    if not name:
        raise InvalidInput(_("Give the token a name, like “Finance report script”."), field="name")
    if len(name) > 80:
        raise InvalidInput(_("The name must be 80 characters or fewer."), field="name")
    if APIToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise Conflict(_("You have 20 active tokens; revoke one first."), field="name")
    token, plaintext = APIToken.create_token(user=user, name=name)
    token.terms = TokenTerms.objects.create(
        token=token,
        access=access,
        expires_at=(
            timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
        ),
    )
    security_event(
        "api_token_created",
        owner_id=user.pk,
        token_id=token.pk,
        prefix=token.prefix,
        access=access,
        expires_in_days=expires_in_days,
    )
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


# --- Signed-in browsers (allauth.usersessions) -------------------------------------------------


def user_session_record(*, request: HttpRequest) -> None:
    """Record or refresh this browser's row: address, browser, last seen. Skipped when the
    address cannot be told (no request from a browser does that)."""
    if client_ip(request) is not None:
        UserSession.objects.create_from_request(request)
    # Stamped either way, so that a sign-in without an address (a test's force_login) does not
    # make the next request look again.
    request.session[SEEN_KEY] = time.time()


@transaction.atomic
def user_session_end(*, user: User, request: HttpRequest, pk: int) -> None:
    """Sign one of the person's browsers out: its session is deleted from the session store
    (the database, and the cache in front of it under cached_db), so its cookie opens nothing.
    Not this browser: that is what "Sign out" is for."""
    session = UserSession.objects.filter(user=user, pk=pk).first()
    if session is None:
        raise Conflict(_("That browser has already been signed out."))
    if session.session_key == request.session.session_key:
        raise Conflict(_("Use “Sign out” to sign this browser out."))
    session.end()
    security_event("session_ended", owner_id=user.pk, session_id=pk)


@transaction.atomic
def user_sessions_end_others(*, user: User, request: HttpRequest) -> int:
    """Sign every browser of the person out but this one; how many were."""
    current = request.session.session_key
    ended = 0
    for session in UserSession.objects.filter(user=user).exclude(session_key=current):
        session.end()
        ended += 1
    security_event("sessions_ended", owner_id=user.pk, count=ended)
    return ended


# --- Deleting an account -----------------------------------------------------------------------


def account_deletion_refusals(*, user: User) -> list[str]:
    """Why the person cannot delete their account yet (empty when they can): others rely on
    them. Their projects and councils are not handed to anyone without that person's say."""
    reasons = []
    if user.is_staff or user.is_superuser or user.is_organiser:
        reasons.append(
            _(
                "You are a Pipeline organiser. Ask another organiser to remove your organiser "
                "access first."
            )
        )
    live = Project.objects.filter(
        owner=user, state__in=(ProjectState.SEEKING_SUPPORT, ProjectState.IN_DELIVERY)
    ).order_by("title")
    for project in live:
        reasons.append(
            _(
                "You own “%(project)s”, which councils are supporting or delivering. Close it, "
                "or ask an organiser to make someone else its owner."
            )
            % {"project": project.title}
        )
    admin_of = Membership.objects.filter(
        user=user, status=MembershipStatus.VERIFIED, role=MembershipRole.ADMIN
    ).select_related("council")
    for membership in admin_of:
        council = membership.council
        others = Membership.objects.filter(council=council, status=MembershipStatus.VERIFIED)
        others = others.exclude(user=user)
        if not others.filter(role=MembershipRole.ADMIN).exists() and others.exists():
            reasons.append(
                _(
                    "You are the only admin of %(council)s. Make another member an admin "
                    "first, so that someone can still approve its members."
                )
                % {"council": council.display_name}
            )
    return reasons


def _former_officer_in_updates(*, user: User, name: str) -> None:
    """Automatic timeline entries name people in their text ("Ann Jones accepted the
    pledge…"): name the person there as everywhere else, in each project's language."""
    if not name:
        return
    touched = (
        Q(author=user)
        | Q(project__team__user=user)
        | Q(project__pledges__pledged_by=user)
        | Q(project__owner=user)
    )
    updates = (
        Update.objects.filter(touched)
        .filter(Q(title__contains=name) | Q(body__contains=name))
        .select_related("project")
        .distinct()
    )
    for update in updates:
        with translation.override(update.project.language):
            replacement = str(FORMER_OFFICER)
        title, body = (text.replace(name, replacement) for text in (update.title, update.body))
        update.title = Truncator(capfirst(title) if title.startswith(replacement) else title)
        update.title = update.title.chars(150)
        update.body = capfirst(body) if body.startswith(replacement) else body
        update.save(update_fields=["title", "body"])


@transaction.atomic
def account_delete(*, user: User, password: str, confirmation: str) -> User:
    """Delete the person's account, keeping the public record of what councils committed.

    Every pledge, ledger event, update and decision record stays as it was, so no total or
    history changes; the person is named "A former officer" wherever they were named
    (``User.get_full_name``, and the text of automatic timeline entries). Everything that is
    only theirs goes: sessions, tokens, email addresses, memberships, follows, team roles,
    notifications, emails waiting to be sent (every row that would be deleted with the
    account). The account row itself is kept, because the record refers to it, but holds
    nothing about them: no name, no email address, no usable password, never active again.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.deleted_at is not None:
        raise Conflict(_("This account has already been deleted."))
    if not password or not user.check_password(password):
        raise InvalidInput(_("Enter your current password"), field="password")
    if confirmation.strip().lower() != user.email.lower():
        raise InvalidInput(
            _("Type your email address exactly as shown, to confirm"), field="confirmation"
        )
    refusals = account_deletion_refusals(user=user)
    if refusals:
        raise Conflict(refusals[0])

    _former_officer_in_updates(user=user, name=public_name(user))
    api_tokens_revoke_all(user=user, reason="account_deleted")
    for session in UserSession.objects.filter(user=user):
        session.end()  # deleted from the store: that browser is signed out at once
    partner_projects = set(
        TeamMembership.objects.filter(user=user, status=TeamStatus.ACTIVE, council__isnull=False)
        .exclude(council_id=F("project__lead_council_id"))
        .values_list("project_id", flat=True)
    )
    # What is only the person's: every row that points at the account and would go with it.
    for relation in User._meta.related_objects:
        if relation.on_delete is CASCADE and not relation.many_to_many:
            relation.related_model._base_manager.filter(**{relation.field.name: user}).delete()
    user.groups.clear()
    user.user_permissions.clear()
    # A team member's council stops counting as a partner, as when someone leaves a team.
    for project in Project.objects.select_for_update(of=("self",)).filter(pk__in=partner_projects):
        recalculate_totals(project)

    user.first_name = user.last_name = user.job_title = ""
    user.email = f"deleted-{user.pk}@deleted.invalid"  # unique, and never delivered
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.notification_frequency = NotificationFrequency.NEVER
    user.last_login = None
    user.deleted_at = timezone.now()
    user.save()
    security_event("account_deleted", owner_id=user.pk)
    return user


@transaction.atomic
def second_factor_reset(*, user: User) -> int:
    """Remove all of a person's two-factor authenticators (an operator's last resort when both
    the phone and the recovery codes are lost); logged. Returns how many were removed."""
    from allauth.mfa.models import Authenticator

    removed, _ = Authenticator.objects.filter(user=user).delete()
    security_event("second_factor_reset", user_id=user.pk, removed=removed)
    return removed
