"""Security logging and write rate limits.

**Logging.** ``security_event()`` writes one JSON object per line to the ``pipeline.security``
logger: the event's name, when, who (user id), from where (client IP), the request (method and
path) and the event's own fields. Failed sign-ins, refused actions, API token creation and
revocation, membership decisions and rate-limit refusals are logged. Passwords, tokens and
email addresses are never written: a failed sign-in records the address's domain and a short
hash of it, so repeated attempts on one account can be seen without keeping what was typed.

**Rate limits.** ``PIPELINE_RATE_LIMITS`` (settings, with ``RATE_LIMIT_<SCOPE>`` environment
overrides) says how many writes each person (or, signed out, each IP address) may make in a
window: ``"30/h"``, ``"5/10m"``. Counters live in the default cache, which is Redis when
``CACHE_URL``/``REDIS_URL`` is set, so a limit holds across app servers and workers.
``RequestGuardMiddleware`` applies them to the web forms listed in ``WEB_WRITE_SCOPES``,
counting only accepted writes (``write_accepted``): a form refused for its input, or sent again
and shown its first result, never counts. Over the limit, a view marked
``@limit_shown_in_form`` shows its form again with what was typed and the error (status 429);
any other gets a 429 page in the site's layout. ``WriteRateThrottle`` applies them to the API
routes in ``API_WRITE_SCOPES`` (a 429 in the API's error shape with ``Retry-After``). Sign-up
and sign-in are limited by allauth's own ``ACCOUNT_RATE_LIMITS``, in the same cache. While the
cache does not answer these limits let requests through (``core.cache``), except failed
sign-ins and token requests, which must be counted: those answer 503 until it is back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from .cache import CacheUnavailable
from .cache import count as counter
from .errors import NotAllowed, ServiceError
from .text import clean_form_data

logger = logging.getLogger("pipeline.security")

_current_request: ContextVar[HttpRequest | None] = ContextVar("pipeline_request", default=None)

# Web form (URL name) → rate-limit scope; POSTs only.
WEB_WRITE_SCOPES = {
    "projects:pledge_check": "pledge",
    "projects:join": "join",
    "councils:join": "join",
    "councils:join_this": "join",
    "projects:update_new": "update",
    "accounts:api_tokens": "token",
    "accounts:security": "token",  # Sessions and tokens: the token form
}
# API route (URL name) → scope; unsafe methods only. The token exchange
# (``api:token``) has DRF's ``token`` throttle per address instead: it has no user yet.
API_WRITE_SCOPES = {
    "api:pledge-list": "pledge",
    "api:project-team": "join",
    "api:project-updates": "update",
}

NUL = "\x00"
# Seconds to wait before trying sign-in again while the cache does not answer.
UNAVAILABLE_RETRY_AFTER = 30


# --- logging --------------------------------------------------------------------------------


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, as allauth sees it, so every rate limit and log line agrees.

    With ``ALLAUTH_TRUSTED_PROXY_COUNT`` (``DJANGO_TRUSTED_PROXY_COUNT``) at 0 it is the
    connection's address and ``X-Forwarded-For`` is ignored: anyone can send that header. With
    N trusted proxies it is the Nth address from the right of ``X-Forwarded-For``, the one the
    outermost trusted proxy saw; what the client wrote to the left of it is ignored.
    """
    if request is None:
        return None
    try:
        from allauth.core.internal.httpkit import get_client_ip

        return get_client_ip(request)
    except Exception:  # noqa: BLE001 - a log line must never break a request
        return request.META.get("REMOTE_ADDR")


def _request_fields(request: HttpRequest | None) -> dict:
    if request is None:
        return {}
    user = None
    for candidate in (request, getattr(request, "_request", None)):  # DRF's, then Django's
        try:
            user = getattr(candidate, "user", None)
        except Exception:  # noqa: BLE001 - authentication itself failed
            user = None
        if user is not None and user.is_authenticated:
            break
    user_id = user.pk if user is not None and user.is_authenticated else None
    if user_id is None:  # e.g. a session write refused for CSRF: DRF has unset the user
        session = getattr(getattr(request, "_request", request), "session", None)
        user_id = session.get(SESSION_KEY) if session is not None else None
    return {
        "user_id": int(user_id) if user_id is not None else None,
        "ip": client_ip(request),
        "method": request.method,
        "path": request.path,
    }


def security_event(
    event: str, *, level: int = logging.INFO, request: HttpRequest | None = None, **fields
) -> dict:
    """Log one security event as a JSON object; returns the record (handy in tests)."""
    request = request or _current_request.get()
    record = {
        "event": event,
        "at": timezone.now().isoformat(),
        **_request_fields(request),
        **fields,
    }
    logger.log(level, json.dumps(record, default=str), extra={"security": record})
    return record


def email_fingerprint(email: str) -> dict:
    """An address's domain and a short hash: enough to group attempts, not to read it."""
    email = (email or "").strip().lower()
    domain = email.rsplit("@", 1)[-1] if "@" in email else ""
    digest = hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()[:16]
    return {"email_domain": domain, "email_hash": digest}


@receiver(user_login_failed, dispatch_uid="core.security.login_failed")
def _log_login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    email = credentials.get("email") or credentials.get("username") or ""
    security_event(
        "login_failed", level=logging.WARNING, request=request, **email_fingerprint(str(email))
    )


def note_refusal(error: ServiceError, *, request: HttpRequest | None = None) -> None:
    """Log a service's refusal (``NotAllowed``) where a way in (form, page, API) handles it."""
    if isinstance(error, NotAllowed):
        security_event(
            "action_refused",
            level=logging.WARNING,
            request=request,
            code=error.code,
            reason=error.message,
        )


# --- rate limits ----------------------------------------------------------------------------

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\w*\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"30/h"`` → (30, 3600); ``"5/10m"`` → (5, 600)."""
    match = _RATE.match(rate or "")
    if not match:
        raise ValueError(f"Not a rate: {rate!r} (use e.g. '30/h' or '5/10m')")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _SECONDS[unit]


def rate_identity(request: HttpRequest, user=None) -> str:
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request) or 'unknown'}"


def _window(scope: str, identity: str) -> tuple[int, int, str, int] | None:
    """(limit, period, cache key, seconds until the window ends) now, or None if unlimited."""
    rate = settings.PIPELINE_RATE_LIMITS.get(scope)
    if not rate:
        return None
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    retry_after = max(1, math.ceil((window + 1) * period - now))
    return limit, period, f"pipeline:ratelimit:{scope}:{identity}:{window}", retry_after


def _cache_down(scope: str, exc: Exception) -> tuple[bool, int]:
    """The cache is down: let writes through, loudly."""
    security_event(
        "rate_limit_unavailable", level=logging.ERROR, scope=scope, error=repr(exc)[:200]
    )
    return True, 0


def consume(scope: str, identity: str) -> tuple[bool, int]:
    """Count one write in ``scope`` for ``identity``: (allowed, seconds until the window ends).

    A fixed window per scope and identity; the counter is one cache key incremented atomically
    (Redis ``INCR``), so several app servers share it.
    """
    window = _window(scope, identity)
    if window is None:
        return True, 0
    limit, period, key, retry_after = window
    try:
        count = counter(cache, key, period + 1)
    except CacheUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001
        return _cache_down(scope, exc)
    return count <= limit, retry_after


def peek(scope: str, identity: str) -> tuple[bool, int]:
    """Whether one more write in ``scope`` is allowed, without counting it (see ``consume``)."""
    window = _window(scope, identity)
    if window is None:
        return True, 0
    limit, _period, key, retry_after = window
    try:
        count = cache.get(key) or 0
    except Exception as exc:  # noqa: BLE001
        return _cache_down(scope, exc)
    return count < limit, retry_after


def rate_limit_message(retry_after: int) -> str:
    minutes = max(1, math.ceil(retry_after / 60))
    return _(
        "You have sent this form too many times in a short time. Try again in %(minutes)s minutes."
    ) % {"minutes": minutes}


def write_accepted(request: HttpRequest, response: HttpResponse) -> bool:
    """Did this form post write something? A view says so in ``request.write_accepted`` (one
    that shows its result in place, or knows a repeat wrote nothing); otherwise an accepted form
    redirects and a refused one is shown again with its errors."""
    said = getattr(request, "write_accepted", None)
    return said if said is not None else 300 <= response.status_code < 400


def limit_shown_in_form(view: Callable) -> Callable:
    """Mark a view that shows the write rate limit on its own form (``request.rate_limited``,
    the message) instead of the 429 page, so that what was typed is kept."""
    view.rate_limit_in_form = True
    return view


def rate_limited_on_form(request: HttpRequest, form) -> bool:
    """For a view marked ``limit_shown_in_form`` that has no ``perform``: put the limit's
    message on ``form`` when this post is over it, and say so (the view answers 429)."""
    message = getattr(request, "rate_limited", "")
    if message:
        form.add_error(None, message)
    return bool(message)


def _web_429(request: HttpRequest, scope: str, retry_after: int) -> HttpResponse:
    response = render(
        request,
        "429.html",
        {"reason": rate_limit_message(retry_after), "rate_limited": True},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def _has_nul(data) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in data.lists())


def _posted_form(request: HttpRequest):
    """The form a browser posted, or None. The API reads JSON itself (StrictJSONParser refuses
    NUL and cleans text there) and answers 415 to forms."""
    if request.method != "POST" or request.path.startswith("/api/"):
        return None
    try:
        return request.POST
    except MultiPartParserError:  # the view answers for a malformed form, as before
        return None


def _refusal(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """The API's JSON error shape under /api/, else the site's page for ``status``."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"status": status, "code": code, "message": message, "errors": {}}, status=status
        )
    return render(request, f"{status}.html", {"reason": message}, status=status)


class RequestGuardMiddleware:
    """Remembers the request for security log records; refuses NUL characters in query strings
    and form fields (PostgreSQL cannot store them: a 400, not a 500); removes bidirectional
    control characters from form fields (``core.text``); applies the write rate limits of
    ``WEB_WRITE_SCOPES`` to form posts."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
            if getattr(request, "write_scope", None) and write_accepted(request, response):
                consume(request.write_scope, rate_identity(request))
            if response.status_code == 429 and getattr(request, "rate_limited", ""):
                response["Retry-After"] = str(request.rate_limit_retry_after)
            return response
        finally:
            _current_request.reset(token)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        form = _posted_form(request)
        if _has_nul(request.GET) or (form is not None and _has_nul(form)):
            return _refusal(
                request,
                400,
                "invalid",
                _("The request contains a NUL character (\\x00), which is not allowed."),
            )
        if form is not None:
            request.POST = clean_form_data(form)
        if request.method != "POST" or request.resolver_match is None:
            return None
        scope = WEB_WRITE_SCOPES.get(request.resolver_match.view_name)
        if scope is None:
            return None
        request.write_scope = scope
        allowed, retry_after = peek(scope, rate_identity(request))
        if allowed:
            return None
        security_event("rate_limited", level=logging.WARNING, request=request, scope=scope)
        if getattr(view_func, "rate_limit_in_form", False):
            request.rate_limited = rate_limit_message(retry_after)
            request.rate_limit_retry_after = retry_after
            return None
        return _web_429(request, scope, retry_after)

    def process_exception(self, request: HttpRequest, exception: Exception):
        """A limit that must hold could not be counted (``core.cache.cache_required``):
        sign-in and token issue are refused until the cache answers again."""
        if not isinstance(exception, CacheUnavailable):
            return None
        response = _refusal(
            request,
            503,
            "unavailable",
            _(
                "Pipeline cannot count sign-in attempts at the moment, and that count keeps "
                "accounts safe from password guessing, so it is not signing anyone in."
            ),
        )
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
        return response


class ClientAddressThrottle:
    """DRF's throttles key signed-out clients on ``client_ip``: on their own (``NUM_PROXIES``
    unset) they keyed on the whole client-supplied ``X-Forwarded-For``, so a new value each
    time passed every limit."""

    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"


class WindowRateThrottle(ClientAddressThrottle):
    """DRF's rate throttles for reads, counted as the write limits are (``consume``): one
    counter per client and fixed window, added to atomically in one round trip. DRF's own keep
    the time of every request in the window as one list, read and written back whole on each
    request (600 entries for a busy signed-in reader), and two app servers can each write
    theirs over the other's."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        self.retry_after = max(1, math.ceil((window + 1) * self.duration - now))
        return counter(self.cache, f"{self.key}:{window}", self.duration + 1) <= self.num_requests

    def wait(self) -> float | None:
        return self.retry_after


class AnonRateThrottle(WindowRateThrottle, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(WindowRateThrottle, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(ClientAddressThrottle, throttling.ScopedRateThrottle):
    pass


class WriteRateThrottle(BaseThrottle):
    """DRF throttle for the writes in ``API_WRITE_SCOPES``, sharing the web forms' counters
    (one person's pledges count once, whether made on the site or through the API)."""

    def __init__(self):
        self.retry_after: int | None = None

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS or request.resolver_match is None:
            return True
        scope = API_WRITE_SCOPES.get(request.resolver_match.view_name)
        if scope is None:
            return True
        allowed, retry_after = consume(scope, rate_identity(request, request.user))
        if not allowed:
            self.retry_after = retry_after
            security_event("rate_limited", level=logging.WARNING, request=request, scope=scope)
        return allowed

    def wait(self) -> float | None:
        return self.retry_after
