import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

API_PREFIX = "/api/"


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    """The API's one error shape, for errors Django raises before DRF is reached."""
    return JsonResponse(
        {"status": status, "code": code, "message": message, "errors": {}}, status=status
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A path under /api/ that matches no route (``/api/v1/follows/not a slug/``) is answered
    # as the API answers, not with the site's HTML page.
    if request.path.startswith(API_PREFIX):
        return _api_error(404, "not_found", "Not found.")
    return render(request, "404.html", status=404)


@csrf_exempt
def api_not_found(request: HttpRequest) -> JsonResponse:
    return _api_error(404, "not_found", "Not found.")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Requests Django refuses before a view runs: too large, too many fields, a bad host."""
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        message = _(
            "What you sent is too large for Pipeline to read. Shorten the text and try again."
        )
    else:
        message = _("Pipeline could not read this request.")
    if request.path.startswith(API_PREFIX):
        return _api_error(400, "bad_request", message)
    return render(request, "400.html", {"reason": message}, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(500, "error", "Something went wrong on our side; try again later.")
    return render(request, "500.html", status=500)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: is the database answering, and the cache?"""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means not healthy
        checks["database"] = "error"
    try:
        cache.set("healthz", "1", 5)
        checks["cache"] = "ok" if cache.get("healthz") == "1" else "error"
    except Exception:  # noqa: BLE001
        checks["cache"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def to_account_page(name: str):
    """A view sending people to one of allauth's pages, keeping ``next``.

    Wagtail's admin has its own sign-in and password-reset forms, which skip allauth's login
    throttling and rate limits; they send people to allauth's pages instead.
    """

    def view(request: HttpRequest) -> HttpResponse:
        url = reverse(name)
        next_url = request.GET.get("next")
        if next_url:
            url = f"{url}?{urlencode({'next': next_url})}"  # allauth checks it is ours
        return redirect(url)

    return view


# --- files that crawlers, browsers and security researchers look for at fixed addresses ------


def _text(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, template, context, content_type="text/plain; charset=utf-8")


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    return _text(request, "robots.txt", {"base_url": settings.PIPELINE_BASE_URL})


@require_GET
def security_txt(request: HttpRequest) -> HttpResponse:
    """RFC 9116. Expires is renewed as the site runs: half a year ahead, at midnight UTC."""
    today = timezone.now().astimezone(datetime.UTC).replace(hour=0, minute=0, second=0)
    expires = (today + datetime.timedelta(days=182)).replace(microsecond=0)
    return _text(
        request,
        "security.txt",
        {
            "base_url": settings.PIPELINE_BASE_URL,
            "contact": settings.PIPELINE_SECURITY_CONTACT,
            "expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    )


@require_GET
def security_policy(request: HttpRequest) -> HttpResponse:
    """The policy security.txt points to, in English and then in Welsh."""
    parts = []
    for language in ("en-gb", "cy"):
        with translation.override(language):
            parts.append(
                render_to_string(
                    "security_policy.txt", {"contact": settings.PIPELINE_SECURITY_CONTACT}
                ).strip()
            )
    return HttpResponse("\n\n".join(parts) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; the icon is an SVG."""
    return redirect(static("images/favicon.svg"))
