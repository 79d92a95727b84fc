"""Production smoke test: the site run the way production runs it, over real HTTP.

Production settings, ``collectstatic`` into a directory of its own, gunicorn on the loopback
and WhiteNoise serving the static files; requests carry ``X-Forwarded-Proto: https`` as the
TLS-terminating proxy's would. The test suite's own client cannot see what broke here before:
it uses test settings, which neither hash static files nor need a manifest, so every HTML page
could be a 500 in production while the suite passed.

The server's database is a copy of the suite's freshly migrated test database (migrating a new
one takes half a minute): SQLite's backup API, or PostgreSQL's ``CREATE DATABASE … TEMPLATE``.
The steps that must happen in order happen in the ``site`` fixture, which records what it saw;
each test then checks one thing. ``make smoke`` runs just these (about 30 s).
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection, connections

from .test_settings import PROJECT_DIR

# django_db so that the suite sets up its test database even when these run alone.
pytestmark = [pytest.mark.production, pytest.mark.django_db]

HOST = "127.0.0.1"
YEAR = 365 * 24 * 3600
FOOTER_PAGES = ("/about/", "/accessibility/", "/privacy/", "/terms/")
PUBLIC_PAGES = (
    "/",
    "/projects/",
    "/projects/?phase=beta",
    "/projects/areas/",
    "/councils/",
    "/news/",
    "/collections/",
    "/search/?q=waste",
    "/projects/feed/",
    *FOOTER_PAGES,
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/api/v1/docs/",
    "/api/v1/schema/",
    "/api/v1/projects/",
    "/cy/",
    "/cy/projects/",
    "/cy/councils/",
    "/cy/accessibility/",
    "/cy/accounts/login/",
)
# Pages found by following links, so that a real project, council and news post are fetched.
LINKED = {
    "/projects/": r'href="(/projects/(?!new/|areas/|feed/)[a-z0-9-]+/)"',
    "/councils/": r'href="(/councils/[a-z0-9-]+/)"',
    "/news/": r'href="(/news/[a-z0-9-]+/)"',
    "/collections/": r'href="(/collections/[a-z0-9-]+/)"',
}
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to check, not to follow


OPENER = urllib.request.build_opener(NoRedirects)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Site:
    base: str
    env: dict[str, str]
    log: Path
    seen: dict[str, object] = field(default_factory=dict)

    def get(self, path: str) -> Answer:
        request = urllib.request.Request(  # noqa: S310 - our own server on the loopback
            self.base + path, headers={"X-Forwarded-Proto": "https"}
        )
        try:
            with OPENER.open(request, timeout=30) as response:
                status, headers, raw = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, raw = error.code, error.headers, error.read()
        return Answer(
            status, {k.lower(): v for k, v in headers.items()}, raw.decode("utf-8", "replace")
        )

    def manage(self, *args: str) -> None:
        started = time.monotonic()
        result = subprocess.run(  # noqa: S603 - fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stderr[-3000:]}"
        self.seen[f"{args[0]} seconds"] = round(time.monotonic() - started, 1)

    def wait_until(self, path: str, status: int, seconds: float = 60) -> Answer:
        deadline = time.monotonic() + seconds
        while True:
            try:
                answer = self.get(path)
                if answer.status == status:
                    return answer
            except OSError:
                answer = None  # not listening yet
            if time.monotonic() > deadline:
                got = answer.status if answer else "no answer"
                pytest.fail(f"{path} never answered {status} (last: {got})\n{self.log_tail()}")
            time.sleep(0.2)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _copy_of_test_database(tmp: Path):
    """A database URL for a copy of the migrated test database, and a function dropping it."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp / "site.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        with target:
            connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}", lambda: None
    if connection.vendor != "postgresql":
        pytest.fail(f"no way to copy a {connection.vendor} database for the smoke test")
    source = settings["NAME"]
    copy = f"{source}_smoke"
    connections.close_all()  # a template must have no other sessions
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [source],
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')

    def drop() -> None:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')

    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    address = f"{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}"
    return f"postgres://{credentials}@{address}/{copy}", drop


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("production")
    with django_db_blocker.unblock():
        database_url, drop_database = _copy_of_test_database(tmp)
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "DJANGO_ENV_FILE": "",  # read no .env: only what is set here
        "DJANGO_SETTINGS_MODULE": "pipeline.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    site = Site(base=f"http://{HOST}:{port}", env=env, log=tmp / "gunicorn.log")
    with site.log.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "pipeline.wsgi",
                f"--bind={HOST}:{port}",
                "--workers=2",
                "--timeout=60",
                "--graceful-timeout=5",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        # 1. Deployed without collectstatic: the process is alive but must not be sent traffic.
        site.wait_until("/healthz/live", 200)
        site.seen["before"] = {
            path: site.get(path).status for path in ("/healthz/ready", "/healthz/live", "/")
        }
        # 2. collectstatic, then a graceful reload (HUP), as a deploy does.
        site.manage("collectstatic", "--noinput", "-v0")
        server.send_signal(signal.SIGHUP)
        site.wait_until("/healthz/ready", 200)
        # 3. A site with nothing in it but what migrate made.
        site.seen["fresh"] = {
            prefix + path: site.get(prefix + path).status
            for prefix in ("", "/cy")
            for path in FOOTER_PAGES
        }
        # 4. Then content, so that every kind of page has something to show.
        site.manage("load_demo", "--force")
        print(f"\nProduction smoke test: {site.seen}")
        yield site
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        with django_db_blocker.unblock():
            drop_database()


def test_a_server_without_its_static_files_is_alive_but_not_ready(site):
    assert site.seen["before"] == {"/healthz/ready": 503, "/healthz/live": 200, "/": 500}


def test_a_freshly_migrated_site_has_the_pages_its_footer_links_to(site):
    assert site.seen["fresh"] == {
        prefix + path: 200 for prefix in ("", "/cy") for path in FOOTER_PAGES
    }


def _public_pages(site: Site) -> dict[str, Answer]:
    answers = {path: site.get(path) for path in PUBLIC_PAGES}
    for listing, pattern in LINKED.items():
        found = re.search(pattern, answers[listing].body)
        assert found, f"no link matching {pattern} on {listing}"
        answers[found.group(1)] = site.get(found.group(1))
    return answers


def test_every_public_page_answers_200(site):
    answers = _public_pages(site)
    failed = {path: a.status for path, a in answers.items() if a.status != 200}

    assert not failed, f"{failed}\n{site.log_tail()}"
    assert len(answers) == len(PUBLIC_PAGES) + len(LINKED)
    for path in ("/", "/accounts/login/", "/cy/"):
        assert 'class="govuk-footer"' in answers[path].body, path
    # The HTTPS the proxy vouched for: HSTS on every answer; and the policy on every page.
    assert all("strict-transport-security" in a.headers for a in answers.values())
    pages = [a for a in answers.values() if a.headers["content-type"].startswith("text/html")]
    assert all("'unsafe-inline'" not in a.headers["content-security-policy"] for a in pages)
    assert all("<style" not in a.body for a in pages)


def test_hashed_static_files_are_served_with_a_year_of_immutable_caching(site):
    pages = {path: site.get(path).body for path in ("/", "/api/v1/docs/", "/accounts/login/")}
    urls = sorted(
        {
            url
            for body in pages.values()
            for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', body)
        }
    )
    assert any(url.endswith(".css") for url in urls) and any(url.endswith(".js") for url in urls)

    for url in urls:
        answer = site.get(url)
        assert answer.status == 200, url
        assert HASHED.search(url), f"{url} is not a hashed (manifest) name"
        cache_control = answer.headers.get("cache-control", "")
        max_age = int(re.search(r"max-age=(\d+)", cache_control).group(1))
        assert max_age >= YEAR and "immutable" in cache_control, (url, cache_control)


def test_the_stylesheet_is_pipelines_own_not_govuks(site):
    """No crown and no GDS Transport: they belong to GOV.UK alone (design guide §4)."""
    stylesheet = re.search(r'href="(/static/css/pipeline\.[0-9a-f]{12}\.css)"', site.get("/").body)
    css = site.get(stylesheet.group(1)).body

    assert "govuk-crest" not in css and "GDS Transport" not in css
    assert "system-ui" in css
