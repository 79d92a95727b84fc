"""A person using only a keyboard signs in and pledges support, seeing where focus is throughout.

Only Tab, Shift+Tab, Space, Enter and typing are used. Every element that takes focus must
show GOV.UK's focus style (the yellow #ffdd00 outline, background or shadow; for radios and
checkboxes, the ring around the control drawn on its label).
"""

from urllib.parse import urlsplit

import pytest

from projects.models import Pledge
from tests.factories import CouncilFactory, published_project, verified_member
from tests.factories.accounts import PASSWORD

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const yellow = "rgb(255, 221, 0)";
  const shows = (st) =>
    (st.outlineStyle !== "none" && st.outlineColor === yellow) ||
    st.boxShadow.includes(yellow) ||
    st.backgroundColor === yellow;
  let visible = shows(getComputedStyle(el));
  const choice = el.matches(".govuk-radios__input, .govuk-checkboxes__input");
  if (!visible && choice && el.labels.length) {
    visible = shows(getComputedStyle(el.labels[0], "::before"));
  }
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 60),
    visible,
    shown: box.width > 1 && box.height > 1,
    inMain: !!document.querySelector("main")?.contains(el),
  };
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def press(page, key: str) -> dict:
    page.keyboard.press(key)
    now = focused(page)
    assert now is not None, f"{key} left nothing focused on {page.url}"
    assert now["visible"], f"focus is not visible on {now} ({page.url})"
    assert now["shown"], f"the focused element is not on screen: {now}"
    return now


def tab_to(page, *, text: str | None = None, id: str | None = None, limit: int = 60) -> dict:
    """Press Tab until the element with this text or id has focus, checking every stop."""
    for _ in range(limit):
        now = press(page, "Tab")
        if (text is not None and now["text"] == text) or (id is not None and now["id"] == id):
            return now
    pytest.fail(f"{limit} presses of Tab never reached {text or id!r} on {page.url}")


def wait_for_path(page, path: str) -> None:
    page.wait_for_url(lambda url: urlsplit(url).path == path)


def test_pledge_with_the_keyboard_alone(new_page):
    project = published_project(lead_council=CouncilFactory(short_name="Hackney"))
    pledger = verified_member(CouncilFactory(short_name="Cardiff"))
    page = new_page()
    page.goto(project.get_absolute_url())

    # The skip link is the first tab stop, and it moves focus to the main content.
    first = press(page, "Tab")
    assert (first["tag"], first["text"]) == ("a", "Skip to main content")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    assert press(page, "Tab")["inMain"], "after the skip link, Tab starts inside <main>"

    # Sign in.
    page.keyboard.press("Shift+Tab")
    tab_to(page, text="Sign in to follow this project")
    page.keyboard.press("Enter")
    wait_for_path(page, "/accounts/login/")
    tab_to(page, id="id_login")
    page.keyboard.type(pledger.email)
    tab_to(page, id="id_password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    wait_for_path(page, project.get_absolute_url())

    # Pledge £500 toward the first need.
    tab_to(page, text="Pledge support")
    page.keyboard.press("Enter")
    wait_for_path(page, f"{project.get_absolute_url()}pledge/")
    radio = tab_to(page, id="id_towards_0")
    page.keyboard.press("Space")
    assert page.locator("#id_towards_0").is_checked()
    assert press(page, "Tab")["id"] == "id_amount"
    page.keyboard.type("500")
    assert press(page, "Shift+Tab")["id"] == radio["id"], "Shift+Tab goes back to the choice"
    assert press(page, "Tab")["id"] == "id_amount"
    assert page.locator("#id_amount").input_value() == "500"
    assert press(page, "Tab")["id"] == "id_role"
    # The optional conditions: two checkboxes whose questions stay hidden until chosen.
    assert press(page, "Tab")["id"] == "id_only_if_others"
    assert press(page, "Tab")["id"] == "id_match"
    assert press(page, "Tab")["id"] == "id_note"
    page.keyboard.type("Our developer can start in March.")
    assert press(page, "Tab")["id"] == "id_private_note"
    assert press(page, "Tab")["text"] == "Continue"
    page.keyboard.press("Enter")

    # Check your answers, then make it.
    page.wait_for_url(lambda url: urlsplit(url).path.endswith("/pledge/check/"))
    tab_to(page, text="Make pledge")
    page.keyboard.press("Enter")

    page.wait_for_url(lambda url: urlsplit(url).path.endswith("/confirmation/"))
    assert page.locator(".govuk-panel--confirmation h1").inner_text() == "Pledge made"
    pledge = Pledge.objects.get(project=project)
    assert (pledge.kind, pledge.amount, pledge.council.short_name) == ("money", 50_000, "Cardiff")
    assert pledge.note == "Our developer can start in March."
    assert not page.js_errors
