"""Accessibility tests in real headless Chromium (Debian's ``chromium`` package) with Playwright.

One browser serves the whole package: it starts before the first test here and closes after the
last. It is package-scoped rather than session-scoped because Playwright's sync API keeps an
asyncio event loop running in the main thread while it is open, and Django refuses ORM calls
from a thread with a running loop; the browser (and ``DJANGO_ALLOW_ASYNC_UNSAFE``, which lets
these tests and the live server's flush work alongside it) must not outlive this package and
leak into the rest of the suite.

Without Chromium the tests fail in CI (``CI`` is set; ``.ci/run`` installs Chromium) and are
skipped elsewhere, with a warning at the end of the run saying so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PIPELINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# axe-core rule tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
INSTALL_HINT = "`make chromium` installs it (apt-get, as root; .ci/run does this in CI)"

_missing: list[str] = []


def _browser_problem() -> str | None:
    try:
        import axe_playwright_python  # noqa: F401
        import playwright  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install -e '.[dev]')"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium is not at {CHROMIUM}: {INSTALL_HINT}"
    return None


def pytest_terminal_summary(terminalreporter) -> None:
    if _missing:
        terminalreporter.write_sep("!", "ACCESSIBILITY TESTS DID NOT RUN", red=True, bold=True)
        terminalreporter.write_line(f"tests/a11y were skipped: {_missing[0]}", red=True)


@pytest.fixture(scope="package")
def browser(django_db_setup, django_db_blocker) -> Iterator:
    """One headless Chromium for every test in tests/a11y."""
    from django.db import connections

    # What the migrations made (Wagtail's root and home pages, locales, groups), serialized by
    # Django when it made the test database, for serialized rollback to put back after each
    # test empties the database. Read before Playwright starts: see below.
    migrated = getattr(connections["default"], "_test_serialized_contents", None)
    problem = _browser_problem()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the accessibility tests: {problem}", pytrace=False)
        _missing.append(problem)
        pytest.skip(f"NOT TESTED FOR ACCESSIBILITY: {problem}")

    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    # With Playwright's event loop running in this thread, Django's connection handler gives it
    # other connection objects, which lack the copy: without this, serialized rollback silently
    # did nothing, and every test after the first found no pages, locales or groups.
    if migrated is not None:
        connections["default"]._test_serialized_contents = migrated
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
        # The last test's flush skipped post_migrate (Django does, with serialized rollback), so
        # the database has no content types, permissions or pages. Put them back, with the ids
        # Django's content type cache still holds: the transactional tests that run after this
        # package (the concurrency tests) otherwise fail on foreign keys to content types.
        if migrated is not None:
            with django_db_blocker.unblock():
                connections["default"].creation.deserialize_db_from_string(migrated)


@pytest.fixture
def new_page(browser, live_server, django_db_serialized_rollback):
    """``new_page()`` opens a tab in a fresh context (its own cookies) on the live server.

    ``new_page(javascript=False)`` is a browser with JavaScript turned off. The live server
    needs a transactional database, which is emptied after each test; what the migrations made
    (Wagtail's root and home page, locales, groups) is put back before the next one.
    """
    contexts = []

    def open_page(*, javascript: bool = True):
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=javascript,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if msg.type == "error" else None,
        )
        page.js_errors = errors
        return page

    yield open_page
    for context in contexts:
        context.close()


def axe_results(page) -> dict:
    """axe-core's WCAG 2.2 A and AA results for the page as it is now: ``violations``, and
    ``incomplete`` for what it could not decide (a person has to check those)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations", "incomplete"],
        },
    )
    return results.response


def axe_violations(page) -> list[dict]:
    return axe_results(page)["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def submit(page, button: str) -> None:
    """Press a form's button and wait for the page the server answers with, even at the same
    address (a form with errors), so that nothing reads the old page instead."""
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def follow(page, link: str) -> None:
    """Follow a link and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("link", name=link).click()


def sign_in(page, email: str, password: str, *, on_code_page=None) -> None:
    """Sign in; for a person with two-factor authentication, also enter the code their app
    would show (``on_code_page(page)`` first, to check that page)."""
    page.goto("/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    submit(page, "Sign In")
    if page.url.rstrip("/").endswith("/2fa/authenticate"):
        from accounts.models import User
        from tests.accounts.totp import current_code_for

        if on_code_page is not None:
            on_code_page(page)
        page.fill("#id_code", current_code_for(User.objects.get(email__iexact=email)))
        submit(page, "Continue")
    assert page.locator("form[action$='/accounts/logout/']").count() == 1, page.url


# Checks axe-core does not make (or only reports as undecided): ids and the references to them,
# one h1, headers in every table, a page title, and the page's language.
STRUCTURE_JS = """() => {
  const problems = [];
  const ids = new Map();
  for (const el of document.querySelectorAll("[id]")) ids.set(el.id, (ids.get(el.id) || 0) + 1);
  for (const [id, n] of ids) if (n > 1) problems.push(`id "${id}" is used ${n} times`);
  for (const attr of ["aria-labelledby", "aria-describedby", "aria-controls"]) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const ref of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!ids.has(ref)) problems.push(`${attr}="${ref}" points at no element`);
      }
    }
  }
  for (const label of document.querySelectorAll("label[for]")) {
    if (!ids.has(label.htmlFor)) problems.push(`<label for="${label.htmlFor}"> labels nothing`);
  }
  for (const a of document.querySelectorAll('a[href^="#"]')) {
    const id = decodeURIComponent(a.getAttribute("href").slice(1));
    if (id && !ids.has(id)) problems.push(`link to #${id} leads nowhere`);
  }
  const h1s = document.querySelectorAll("h1").length;
  if (h1s !== 1) problems.push(`${h1s} h1 headings (want 1)`);
  for (const table of document.querySelectorAll("table")) {
    if (!table.querySelector("th[scope]")) problems.push("a table without scoped headers");
    if (!table.querySelector("caption")) problems.push("a table without a caption");
  }
  if (!/^\\S.* – Pipeline$/.test(document.title)) problems.push(`title "${document.title}"`);
  if (document.querySelector(".govuk-error-summary") && !/^(Error|Gwall): /.test(document.title)) {
    problems.push(`an error summary but the title "${document.title}" does not say Error`);
  }
  const lang = document.documentElement.lang;
  const welsh = location.pathname.startsWith("/cy/");
  if (lang !== (welsh ? "cy" : "en-GB")) problems.push(`<html lang="${lang}">`);
  return problems;
}"""


def structure_problems(page) -> list[str]:
    return page.evaluate(STRUCTURE_JS)
