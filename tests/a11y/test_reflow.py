"""Reflow (WCAG 1.4.10): at 320 by 640 CSS pixels, like 1280 pixels zoomed to 400%, the busiest
pages never scroll sideways. A table wider than that scrolls inside its own box, which is a named
region a keyboard can reach (Tab) and scroll (arrow keys), showing GOV.UK's focus style."""

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.services import api_token_create
from councils.models import Council
from demo.councils import DEMO_PASSWORD

from .conftest import sign_in

PLEDGER = "rhian.evans@example.com"
WIDTH, HEIGHT = 320, 640

PAGE_WIDTH = "() => document.documentElement.scrollWidth"
# Every table scroll box: its name (from the caption), whether it is wider than it shows, and
# whether it is in the tab order.
SCROLL_BOXES = """() => [...document.querySelectorAll(".pipeline-table-scroll")].map((box, n) => {
  const caption = document.getElementById(box.getAttribute("aria-labelledby"));
  return {
    n,
    role: box.getAttribute("role"),
    name: caption ? caption.textContent.trim() : null,
    holdsItsTable: !!(caption && box.contains(caption)),
    scrolls: box.scrollWidth > box.clientWidth,
    tabindex: box.getAttribute("tabindex"),
    visible: box.checkVisibility(),
  };
})"""
FOCUS_SHOWN = """(n) => {
  const box = document.querySelectorAll(".pipeline-table-scroll")[n];
  const style = getComputedStyle(box);
  return {
    focused: document.activeElement === box,
    outline: style.outlineStyle !== "none" && style.outlineColor === "rgb(255, 221, 0)",
    scrollLeft: box.scrollLeft,
  };
}"""


@pytest.fixture
def demo_data():
    call_command("load_demo", force=True, stdout=io.StringIO())


def narrow(page) -> None:
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})


def reach_by_tab(page, n: int, limit: int = 200) -> None:
    """Tab from the top of the page until scroll box ``n`` has focus."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUS_SHOWN, n)["focused"]:
            return
    pytest.fail(f"Tab never reached table scroll box {n} on {page.url}")


def check_page(page, path: str) -> list[dict]:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    # Open every <details> (the charts' tables are inside them), so their tables count too.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.wait_for_timeout(50)  # the toggle events that follow
    width = page.evaluate(PAGE_WIDTH)
    assert width <= WIDTH, f"{path} is {width}px wide at {WIDTH}px: it scrolls sideways"
    boxes = page.evaluate(SCROLL_BOXES)
    for box in boxes:
        assert box["role"] == "region" and box["name"], (path, box)
        assert box["holdsItsTable"], (path, box)
        assert box["visible"], (path, box)
        if box["scrolls"]:
            assert box["tabindex"] == "0", (path, box)
            reach_by_tab(page, box["n"])
            before = page.evaluate(FOCUS_SHOWN, box["n"])
            assert before["outline"], f"focus is not shown on {box['name']!r} ({path})"
            page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "(n) => document.querySelectorAll('.pipeline-table-scroll')[n].scrollLeft > 0",
                arg=box["n"],
            )
    return boxes


def test_the_busiest_pages_reflow_at_320_pixels(new_page, demo_data, subtests):
    council = Council.objects.get(code="CRF").get_absolute_url()
    pages = {
        "Home": "/",
        "Welsh home": "/cy/",
        "Project page": "/projects/book-a-bulky-waste-collection/",
        "Welsh project page": "/cy/projects/trwyddedau-parcio-i-breswylwyr/",
        "Council page": council,
        "Council directory": "/councils/",
        "Project listing": "/projects/",
        "Accessibility statement": "/accessibility/",
    }
    signed_in = {
        "My Pipeline": "/my-pipeline/",
        "Your profile": "/accounts/profile/",
        "Manage a project": "/projects/trwyddedau-parcio-i-breswylwyr/manage/",
        "Council members": f"{council}members/",
        # Its Sign out and Revoke buttons hold visually hidden text.
        "Sessions and tokens": "/accounts/security/",
        "Delete your account": "/accounts/delete/",
    }
    api_token_create(user=User.objects.get(email=PLEDGER), name="Nightly export to our BI tool")
    page = new_page()
    narrow(page)
    scrolling = []
    for name, path in pages.items():
        with subtests.test(msg=name):
            scrolling += [box for box in check_page(page, path) if box["scrolls"]]
    sign_in(page, PLEDGER, DEMO_PASSWORD)
    for name, path in signed_in.items():
        with subtests.test(msg=name):
            scrolling += [box for box in check_page(page, path) if box["scrolls"]]

    # The check of keyboard scrolling above must have had something to scroll.
    assert scrolling, "no table was wider than 320px: the scroll boxes went untested"


def test_a_table_that_fits_is_not_a_tab_stop(new_page, demo_data):
    page = new_page()
    page.goto("/councils/")

    boxes = page.evaluate(SCROLL_BOXES)

    assert boxes and all(not box["scrolls"] for box in boxes)
    assert all(box["tabindex"] is None for box in boxes)  # JavaScript took them out


def test_without_javascript_every_table_box_stays_focusable(new_page, demo_data):
    page = new_page(javascript=False)
    narrow(page)
    page.goto("/councils/")

    boxes = page.evaluate(SCROLL_BOXES)

    assert boxes and all(box["tabindex"] == "0" for box in boxes)
