"""Keeps the list of a person's signed-in browsers (allauth.usersessions) up to date; sends
organisers without a second factor from Wagtail's admin to set one up, and turns a refused
privileged power (``SecondFactorRequired``) that no view handled into the same, rather than an
error page."""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .mfa import ORGANISE, POWERS, SecondFactorRequired, user_has_second_factor
from .services import SEEN_KEY, user_session_record


class SessionActivityMiddleware:
    """Refresh the session's row (address, browser, last seen) at most once every
    ``SESSION_ACTIVITY_SECONDS``: allauth's own tracking writes on every request. The time of
    the last refresh is kept in the session, so other requests cost no query at all. A session
    whose row is missing (signed in before sessions were listed) gets one here."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        # Only a session someone signed in with (the cheap check first: no query).
        if session is not None and session.session_key and SESSION_KEY in session:
            seen = session.get(SEEN_KEY)
            stale = not isinstance(seen, int | float)
            stale = stale or time.time() - seen >= settings.SESSION_ACTIVITY_SECONDS
            if stale and request.user.is_authenticated:
                user_session_record(request=request)
        return self.get_response(request)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            request.path.startswith(reverse("wagtailadmin_home"))
            and user is not None
            and user.is_authenticated
            and user.is_organiser
            and not user_has_second_factor(user=user)
        ):
            messages.error(request, str(POWERS[ORGANISE]))
            return redirect("mfa_index")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, SecondFactorRequired) or request.path.startswith("/api/"):
            return None  # the API answers 403 with the reason (core.api.exceptions)
        messages.error(request, exception.message)
        return redirect("mfa_index")
