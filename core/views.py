import datetime

from django.conf import settings
from django.contrib.staticfiles.finders import find
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from .api.exceptions import too_large_message

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
    """Anything under /api/ that no route serves. An address missing only its final slash
    (``DELETE /api/v1/pledges/1``) is a 308 to the real one, which keeps the method and body,
    rather than a 404 that says nothing of the route's methods."""
    with_slash = f"{request.path_info}/"
    if not request.path_info.endswith("/") and _serves_api(with_slash):
        location = f"{request.path}/"
        if request.META.get("QUERY_STRING"):
            location += f"?{request.META['QUERY_STRING']}"
        response = _api_error(308, "moved", f"API addresses end with a slash: {location}")
        response["Location"] = location
        return response
    return _api_error(404, "not_found", "Not found.")


def _serves_api(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.url_name != "api_not_found"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Requests Django refuses before a view runs: too large, too many fields, a bad host."""
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent):
        message = _(
            "What you sent is too large for Pipeline to read. Shorten the text and try again."
        )
    else:
        message = _("Pipeline could not read this request.")
    if request.path.startswith(API_PREFIX):
        if isinstance(exception, RequestDataTooBig):
            return _api_error(413, "too_large", too_large_message())
        return _api_error(400, "bad_request", message)
    return render(request, "400.html", {"reason": message}, status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(500, "error", "Something went wrong on our side; try again later.")
    return render(request, "500.html", status=500)


# What every page links to: if these are not where they are served from (collectstatic has not
# run, or failed, so there is no manifest), every HTML page is a 500.
PAGE_ASSETS = ("css/pipeline.css", "js/pipeline.js", "images/favicon.svg")


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False
    return True


def _static_files_present() -> bool:
    """Each page asset is in the manifest and on disk (production), or found where ``runserver``
    serves it from (dev and tests, which do not collect static files)."""
    storage = staticfiles_storage
    hashed = hasattr(storage, "stored_name")  # the manifest storage production uses
    for name in PAGE_ASSETS:
        try:
            stored = storage.stored_name(name) if hashed else name
        except ValueError:  # not in the manifest: collectstatic has not run, or failed
            return False
        if not storage.exists(stored) and (hashed or not find(name)):
            return False
    return True


def _cache_answers() -> bool:
    try:
        cache.set("healthz", "1", 5)
        return cache.get("healthz") == "1"
    except Exception:  # noqa: BLE001 - any failure means not answering
        return False


@never_cache
@require_GET
def healthz_live(request: HttpRequest) -> JsonResponse:
    """For a process supervisor: the process answers. Nothing else is asked, so a database or
    cache outage never gets healthy servers restarted."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def healthz_ready(request: HttpRequest) -> JsonResponse:
    """For load balancers: can this server serve pages? The database must answer and the
    static files be in place (503 otherwise). A cache that is down is reported but does not
    count: pages are rendered without it (``core.cache``), and taking every server out of
    the pool because Redis is down would turn a slower site into no site."""
    checks = {
        "database": "ok" if _database_answers() else "error",
        "static": "ok" if _static_files_present() else "error",
        "cache": "ok" if _cache_answers() else "error",
    }
    ready = checks["database"] == "ok" and checks["static"] == "ok"
    status = ("ok" if checks["cache"] == "ok" else "degraded") if ready else "error"
    return JsonResponse({"status": status, **checks}, status=200 if ready else 503)


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
