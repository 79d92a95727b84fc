"""Hardened responses: the home page's headers under production settings score A+ (≥ 100) by
the HTTP Observatory's rules, and the public pages carry no inline script or style (the CSP
refuses them, so they would silently not run)."""

import importlib
import re
from html.parser import HTMLParser

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from .observatory import Report, score
from .world import make_world

pytestmark = pytest.mark.django_db
HOST = "pipeline.example.org"

# The settings production.py changes, taken from production.py itself.
PRODUCTION_KEYS = (
    "DEBUG",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
    "PERMISSIONS_POLICY",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SAMESITE",
)


@pytest.fixture
def production():
    prod = importlib.import_module("pipeline.settings.production")
    values = {key: getattr(prod, key) for key in PRODUCTION_KEYS}
    with override_settings(**values, ALLOWED_HOSTS=[HOST]):
        yield values


def _report(response) -> Report:
    set_cookies = [m.OutputString() for m in response.cookies.values()]
    return score(
        response.headers,
        set_cookies,
        response.content.decode(),
        https=True,
        host=HOST,
    )


def test_production_settings_are_what_the_issue_asks(production):
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and production["SECURE_HSTS_PRELOAD"]
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SESSION_COOKIE_HTTPONLY"] and production["CSRF_COOKIE_HTTPONLY"]
    assert production["SESSION_COOKIE_SAMESITE"] == production["CSRF_COOKIE_SAMESITE"] == "Lax"


def test_the_home_page_scores_a_plus_on_the_observatory(production):
    client = Client(HTTP_HOST=HOST)
    response = client.get("/", secure=True)
    assert response.status_code == 200
    report = _report(response)
    print(f"\nObservatory: {report}")
    assert report.grade == "A+", str(report)
    assert report.score >= 100, str(report)
    assert all(r.modifier >= 0 for r in report.results), str(report)


def test_each_header_is_there_and_strict(production):
    response = Client(HTTP_HOST=HOST).get("/", secure=True)
    h = response.headers
    assert h["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "same-origin"
    assert "camera=()" in h["Permissions-Policy"] and "geolocation=()" in h["Permissions-Policy"]
    csp = h["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert h["X-Frame-Options"] == "DENY"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_signed_in_cookies_are_secure_httponly_and_samesite(production):
    """A signed-in response sets the session and CSRF cookies; the scorer gives them +5."""
    from tests.factories import UserFactory
    from tests.factories.accounts import PASSWORD

    user = UserFactory()
    client = Client(HTTP_HOST=HOST)
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]  # what __Host- requires
    page = client.get(reverse("accounts:profile"), secure=True)
    csrf = page.cookies.get("__Host-csrftoken") or client.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"
    cookies = _report(response).results[1]
    assert cookies.expectation == "cookies-secure-with-httponly-sessions-and-samesite"


def test_the_language_cookie_is_secure_httponly_and_samesite(production):
    from django.conf import settings

    response = Client(HTTP_HOST=HOST).post(
        "/i18n/setlang/", {"language": "cy", "next": "/"}, secure=True
    )

    assert response.status_code == 302 and response["Location"] == "/cy/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "cy"
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


# X-Frame-Options and the policy's frame-ancestors, saying the same thing.
FRAMING = {"DENY": "frame-ancestors 'none'", "SAMEORIGIN": "frame-ancestors 'self'"}


def _framing(response) -> tuple[str, str]:
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    return response["X-Frame-Options"], next(d for d in directives if d.startswith("frame-"))


def test_both_framing_headers_refuse_framing_in_production(production):
    for path in ("/", "/accounts/login/", "/api/v1/docs/", "/cy/councils/"):
        assert _framing(Client(HTTP_HOST=HOST).get(path, secure=True)) == (
            "DENY",
            FRAMING["DENY"],
        ), path


def test_both_framing_headers_agree_without_production_settings(client):
    frame_options, frame_ancestors = _framing(client.get("/"))
    assert FRAMING[frame_options] == frame_ancestors


def test_the_api_docs_page_needs_nothing_the_policy_refuses(production):
    client = Client(HTTP_HOST=HOST)
    response = client.get("/api/v1/docs/", secure=True)
    html = response.content.decode()

    assert response.status_code == 200
    assert inline_code(html) == []
    assert '<html lang="en">' in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    script = re.search(r'<script src="(/api/v1/docs/\?[^"]*script=[^"]*)"', html).group(1)
    init = client.get(script.replace("&amp;", "&"), secure=True)
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()


def test_the_wagtail_admin_can_still_frame_its_previews(production):
    """Wagtail's preview panel frames /cms-admin/…/preview/, which answers with the page it
    previews: both headers allow the admin (same origin) to frame it, and only it."""
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    from cms.models import StandardPage
    from tests.factories import OrganiserFactory

    page = StandardPage.objects.get(slug="about", locale__language_code="en-gb")
    client = Client(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="https")  # as the proxy sends
    client.force_login(OrganiserFactory())
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    form = nested_form_data(
        {
            "title": "About Pipeline",
            "slug": "about",
            "summary": "Previewed",
            "body": streamfield([("rich_text", rich_text("<p>A previewed change</p>"))]),
        }
    )

    assert client.post(url, form).json()["is_valid"] is True
    preview = client.get(url)

    assert preview.status_code == 200 and "A previewed change" in preview.content.decode()
    assert _framing(preview) == ("SAMEORIGIN", FRAMING["SAMEORIGIN"])


def test_the_scorer_can_fail():
    """Guard the guard: a response with none of the headers scores an F-ish grade."""
    from django.http import HttpResponse

    bare = HttpResponse("<html><script src='http://cdn.example.com/x.js'></script></html>")
    bare.set_cookie("sessionid", "x")
    report = _report(bare)
    assert report.score < 50 and report.grade not in ("A+", "A"), str(report)
    assert {r.expectation for r in report.results} >= {
        "csp-not-implemented",
        "hsts-not-implemented",
        "x-frame-options-not-implemented",
        "cookies-session-without-secure-flag",
    }


# --- no inline script or style on public pages -----------------------------------------------


class _Inline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        data_only = attrs.get("type") in ("application/json", "application/ld+json")
        if tag == "script" and not attrs.get("src") and not data_only:
            self.problems.append(f"<script> without src: {attrs}")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name == "style":
                self.problems.append(f"<{tag} style=…> inline style")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")


def inline_code(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.problems


PAGES = [
    ("anonymous", "/"),
    ("anonymous", "/projects/"),
    ("anonymous", "/projects/?phase=discovery&sort=closing"),
    ("anonymous", "/projects/shared-waste/"),
    ("anonymous", "/projects/areas/"),
    ("anonymous", "/councils/"),
    ("anonymous", "/councils/leadshire/"),
    ("anonymous", "/search/?q=waste"),
    ("anonymous", "/accounts/login/"),
    ("anonymous", "/accounts/signup/"),
    ("anonymous", "/accounts/password/reset/"),
    ("anonymous", "/cy/projects/shared-waste/"),
    ("anonymous", "/no-such-page/"),
    ("owner", "/my-pipeline/"),
    ("owner", "/projects/shared-waste/manage/"),
    ("owner", "/projects/shared-waste/team/"),
    ("owner", "/projects/draft-idea/draft/"),
    ("owner", "/projects/draft-idea/check/"),
    ("owner", "/projects/shared-waste/edit/about/"),
    ("owner", "/projects/shared-waste/needs/"),
    ("owner", "/projects/shared-waste/updates/new/"),
    ("pledger", "/projects/shared-waste/pledge/"),
    ("pledger", "/accounts/profile/"),
    ("pledger", "/accounts/security/"),
    ("pledger", "/accounts/delete/"),
    ("organiser", "/councils/leadshire/members/"),
]


def test_public_and_signed_in_pages_have_no_inline_script_or_style():
    w = make_world()
    pledge = f"/projects/pledges/{w.offered.pk}/"
    problems = {}
    for role, path in [*PAGES, ("anonymous", pledge), ("pledger", pledge + "withdraw/")]:
        client = Client()
        if role != "anonymous":
            client.force_login(w.users[role])
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert response["Content-Type"].startswith("text/html")
        found = inline_code(response.content.decode())
        if found:
            problems[path] = found
    assert not problems, problems


def test_the_inline_check_finds_inline_code():
    html = (
        "<script>alert(1)</script><script src='/static/x.js'></script>"
        "<a href='javascript:alert(1)' onclick='x()' style='color:red'>x</a><style>p{}</style>"
    )
    assert len(inline_code(html)) == 5
