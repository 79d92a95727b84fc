from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    """Turns off browser features Pipeline never uses (camera, location, payment…)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PreviewFramingMiddleware:
    """Lets Wagtail's preview panel frame the page it previews.

    Production refuses all framing, in X-Frame-Options (DENY) and in the Content Security
    Policy (frame-ancestors 'none') alike. Wagtail renders a preview through the middleware as
    a request for the page itself (``request.is_preview``) and answers it to the admin with
    X-Frame-Options: SAMEORIGIN; this makes the policy say the same for that response only.
    Goes after django-csp's middleware, so it sees the response first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "is_preview", False):
            response._csp_replace = {"frame-ancestors": ["'self'"]}
        return response
