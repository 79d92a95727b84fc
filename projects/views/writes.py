"""One way for the site's writing views to hand a form to a service: once, within the limit.

``perform`` runs a write (a service call) so that a form sent twice does it once and shows the
first result (``projects.services.submissions``), and so that when the person has reached the
rate limit for this kind of write the form comes back with what they typed and a clear error
(``core.security``: only accepted writes count).
"""

import uuid
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.mfa import SecondFactorRequired
from core.errors import ServiceError
from core.forms import add_service_error
from core.security import note_refusal

from ..services.submissions import submission_once, submission_result
from ..templatetags.submissions import FIELD


class RateLimited(ServiceError):
    """Over the write rate limit: shown on the form like any refusal, with status 429."""

    status_code = 429
    default_code = "throttled"


def submission_key(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def _repeat(request: HttpRequest, url: str) -> HttpResponse:
    text = _("You had already sent this form, so nothing was done twice. This is the result.")
    waiting = messages.get_messages(request)
    if not any(str(message) == text for message in waiting):  # said once, however many repeats
        messages.info(request, text)
    waiting.used = False  # reading them here is not showing them
    request.write_accepted = False  # nothing new was written: not counted against the limit
    return redirect(url or "/")


def already_done(request: HttpRequest) -> HttpResponse | None:
    """The way to the first result, when this form was sent before."""
    url = submission_result(actor=request.user, key=submission_key(request))
    return None if url is None else _repeat(request, url)


def perform(
    request: HttpRequest,
    write: Callable[[], str],
    *,
    form: forms.Form | None = None,
    done: str = "",
    error_url: str = "",
) -> HttpResponse | None:
    """Do ``write`` (returns its result's address) once; redirect there with ``done``.

    A refusal goes on ``form`` (return None: show the form again, ``form_status`` gives the
    status) or, for a button without a form, into a message on ``error_url``.
    """
    repeat = already_done(request)
    if repeat is not None:
        return repeat
    try:
        limited = getattr(request, "rate_limited", "")
        if limited:
            raise RateLimited(limited)
        result = submission_once(actor=request.user, key=submission_key(request), write=write)
    except SecondFactorRequired:
        raise  # to the set-up page, with the reason (accounts.middleware)
    except ServiceError as exc:
        if form is None:
            note_refusal(exc)
            messages.error(request, exc.message)
            return redirect(error_url)
        add_service_error(form, exc)
        form.status = exc.status_code if isinstance(exc, RateLimited) else 200
        return None
    if result.repeated:
        return _repeat(request, result.url)
    request.write_accepted = True
    if done:
        messages.success(request, done)
    return redirect(result.url)


def form_status(form: forms.Form | None) -> int:
    """200, or 429 when the form came back because of the rate limit."""
    return getattr(form, "status", 200)
