"""Sends organisers without a second factor from Wagtail's admin to set one up, and turns a
refused privileged power (``SecondFactorRequired``) that no view handled into the same, rather
than an error page."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .mfa import ORGANISE, POWERS, SecondFactorRequired, user_has_second_factor


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
