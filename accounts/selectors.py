"""Reads about a person's own account: their signed-in browsers and their tokens."""

import re
from dataclasses import dataclass
from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import APIToken

from councils.models import Membership
from projects.models import Follow, Pledge, PledgeEvent, TagFollow, TeamMembership, Update

from .models import User

# The first that matches names the browser: Edge and Opera say "Chrome" too, and Chrome says
# "Safari", so the more specific come first.
BROWSERS = (
    (r"Edg(e|A|iOS)?/", "Microsoft Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"SamsungBrowser/", "Samsung Internet"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
)
SYSTEMS = (
    (r"iPhone", "iPhone"),
    (r"iPad", "iPad"),
    (r"Android", "Android"),
    (r"CrOS", "ChromeOS"),
    (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"Linux", "Linux"),
)


def device_description(user_agent: str) -> str:
    """A browser's User-Agent in plain words: "Firefox on Windows"."""
    browser = next((name for pattern, name in BROWSERS if re.search(pattern, user_agent)), None)
    system = next((name for pattern, name in SYSTEMS if re.search(pattern, user_agent)), None)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return browser or system
    return _("An unknown browser or program")


@dataclass(frozen=True)
class SessionRow:
    pk: int
    device: str
    ip: str
    last_seen_at: datetime
    created_at: datetime
    is_current: bool


def user_sessions_list(*, user: User, request: HttpRequest) -> list[SessionRow]:
    """The person's signed-in browsers, this one first, then the most recently seen. Rows of
    sessions that have ended (signed out, expired) are dropped on the way."""
    current = request.session.session_key
    rows = [
        SessionRow(
            pk=s.pk,
            device=device_description(s.user_agent),
            ip=s.ip,
            last_seen_at=s.last_seen_at,
            created_at=s.created_at,
            is_current=s.session_key == current,
        )
        for s in UserSession.objects.purge_and_list(user)
    ]
    return sorted(rows, key=lambda r: (not r.is_current, -r.last_seen_at.timestamp()))


def user_api_tokens_list(*, user: User) -> QuerySet[APIToken]:
    """Every token the person made, live ones first, with their terms."""
    return (
        APIToken.objects.filter(user=user)
        .select_related("terms")
        .order_by("revoked_at", "-created")
    )


# --- Download my data ---------------------------------------------------------------------------


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _council(council) -> dict | None:
    if council is None:
        return None
    return {"id": council.pk, "name": council.short_name, "slug": council.slug}


def _project(project) -> dict:
    return {"id": project.pk, "title": project.title, "slug": project.slug}


def user_data_export(*, user: User) -> dict:
    """Everything Pipeline holds about the person, as one JSON-ready dict: their account and
    email addresses, notification preferences, council memberships, follows, team roles,
    updates written, pledges made and the ledger events they recorded, tokens and signed-in
    browsers. Amounts are as stored: pence for money, half-days for staff time.

    One query per list, however much there is (tests/accounts/test_my_data.py counts them)."""
    memberships = Membership.objects.filter(user=user).select_related("council")
    follows = Follow.objects.filter(user=user).select_related("project").order_by("created_at")
    areas = TagFollow.objects.filter(user=user).select_related("area").order_by("area__name")
    team = TeamMembership.objects.filter(user=user).select_related("project", "council")
    updates = Update.objects.filter(author=user).select_related("project").order_by("created_at")
    pledges = (
        Pledge.objects.filter(pledged_by=user)
        .select_related("project", "council")
        .order_by("created_at", "pk")
    )
    events = (
        PledgeEvent.objects.filter(actor=user)
        .select_related("pledge__project", "pledge__council")
        .order_by("created_at", "pk")
    )
    return {
        "format": "pipeline-personal-data/1",
        "exported_at": timezone.now().isoformat(),
        "account": {
            "id": user.pk,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "job_title": user.job_title,
            "email": user.email,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "email_addresses": [
                {"email": a.email, "verified": a.verified, "primary": a.primary}
                for a in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
            ],
        },
        "notification_preferences": {
            "frequency": user.notification_frequency,
            "language": user.language,
            "service_areas_followed": [f.area.name for f in areas],
        },
        "memberships": [
            {
                "council": _council(m.council),
                "role": m.role,
                "status": m.status,
                "message": m.message,
                "reason": m.reason,
                "created_at": _when(m.created_at),
                "decided_at": _when(m.decided_at),
            }
            for m in memberships
        ],
        "follows": [
            {"project": _project(f.project), "created_at": _when(f.created_at)} for f in follows
        ],
        "team_roles": [
            {
                "project": _project(t.project),
                "council": _council(t.council),
                "role": t.role,
                "status": t.status,
                "message": t.message,
                "created_at": _when(t.created_at),
                "decided_at": _when(t.decided_at),
                "ended_at": _when(t.ended_at),
            }
            for t in team
        ],
        "updates_written": [
            {
                "id": u.pk,
                "project": _project(u.project),
                "title": u.title,
                "body": u.body,
                "from_phase": u.from_phase,
                "to_phase": u.to_phase,
                "created_at": _when(u.created_at),
            }
            for u in updates
        ],
        "pledges_made": [
            {
                "id": p.pk,
                "project": _project(p.project),
                "council": _council(p.council),
                "kind": p.kind,
                "role": p.role,
                "amount": p.amount,
                "amount_unit": "pence" if p.kind == "money" else "half_days",
                "matched_amount": p.matched_amount,
                "match_percent": p.match_percent,
                "min_other_councils": p.min_other_councils,
                "amends": p.amends_id,
                "note": p.note,
                "private_note": p.private_note,
                "state": p.state,
                "created_at": _when(p.created_at),
                "offered_at": _when(p.offered_at),
                "state_changed_at": _when(p.state_changed_at),
            }
            for p in pledges
        ],
        "ledger_events_recorded": [
            {
                "pledge": e.pledge_id,
                "project": _project(e.pledge.project),
                "council": _council(e.pledge.council),
                "sequence": e.sequence,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
                "private_note": e.private_note,
                "created_at": _when(e.created_at),
            }
            for e in events
        ],
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "access": getattr(getattr(t, "terms", None), "access", "write"),
                "expires_at": _when(getattr(getattr(t, "terms", None), "expires_at", None)),
                "created": _when(t.created),
                "last_used_at": _when(t.last_used_at),
                "revoked_at": _when(t.revoked_at),
            }
            for t in user_api_tokens_list(user=user)
        ],
        "sessions": [
            {
                "ip": s.ip,
                "user_agent": s.user_agent,
                "created_at": _when(s.created_at),
                "last_seen_at": _when(s.last_seen_at),
            }
            for s in UserSession.objects.filter(user=user).order_by("created_at")
        ],
    }
