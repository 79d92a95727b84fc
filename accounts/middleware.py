"""Keeps the list of a person's signed-in browsers (allauth.usersessions) up to date."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

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
