"""GOV.UK Frontend's patterns working in the browser: error summaries, pagination, and every flow
with JavaScript turned off."""

import re

from projects.models import Phase, Pledge, Project, State
from tests.factories import CouncilFactory, ProjectFactory, published_project, verified_member
from tests.factories.accounts import PASSWORD

from .conftest import (
    axe_violations,
    describe,
    follow,
    sign_in,
    structure_problems,
    submit,
)

SUMMARY_LINKS = """() => [...document.querySelectorAll(".govuk-error-summary__list a")].map(a => {
  const id = decodeURIComponent(a.getAttribute("href").replace(/^#/, ""));
  const field = document.getElementById(id);
  const group = field && field.closest(".govuk-form-group--error");
  return {
    text: a.innerText.trim(),
    id,
    control: field ? field.tagName.toLowerCase() : null,
    message: group?.querySelector(".govuk-error-message")?.innerText || "",
  };
})"""


def check_error_summary(page, expected_ids: set[str]) -> None:
    """GOV.UK's error summary: focused on load, each link names a field's error and, followed,
    puts focus in that field."""
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')"), (
        f"the error summary on {page.url} did not take focus when the page loaded"
    )
    assert page.title().startswith("Error: ")
    links = page.evaluate(SUMMARY_LINKS)
    assert {link["id"] for link in links} == expected_ids, links
    texts = [link["text"] for link in links]
    assert len(set(texts)) == len(texts), (
        f"links with the same words go to different fields: {texts}"
    )
    for n, link in enumerate(links):
        assert link["control"] in {"input", "select", "textarea"}, link
        assert link["text"] in link["message"], link
        page.locator(".govuk-error-summary__list a").nth(n).click()
        assert page.evaluate("document.activeElement.id") == link["id"], link
    assert not axe_violations(page), describe(axe_violations(page))
    assert not structure_problems(page)


def test_error_summaries_link_to_their_fields_and_take_focus(new_page):
    project = published_project(lead_council=CouncilFactory(short_name="Hackney"))
    cardiff = CouncilFactory(short_name="Cardiff")
    pledger = verified_member(cardiff)
    page = new_page()

    page.goto("/accounts/login/")
    submit(page, "Sign In")
    check_error_summary(page, {"id_login", "id_password"})

    page.goto("/accounts/signup/")
    submit(page, "Sign Up")
    check_error_summary(
        page, {"id_first_name", "id_last_name", "id_email", "id_password1", "id_password2"}
    )

    sign_in(page, pledger.email, PASSWORD)
    page.goto(f"{project.get_absolute_url()}pledge/")
    submit(page, "Continue")
    check_error_summary(page, {"id_towards_0", "id_amount"})

    page.get_by_label("Staff time for the project as a whole").check()
    page.get_by_label("How much?").fill("a lot")
    submit(page, "Continue")
    check_error_summary(page, {"id_amount"})

    # The conditions: each checkbox reveals its number, whose error links to it.
    page.get_by_label("Only if other councils pledge too").check()
    page.get_by_label("Match what other councils give").check()
    page.get_by_label("What percentage will you match?").fill("150")
    submit(page, "Continue")
    check_error_summary(page, {"id_amount", "id_min_other_councils", "id_match_percent"})

    page.goto("/projects/new/")
    submit(page, "Save and continue")
    check_error_summary(page, {"id_title", "id_summary"})

    draft = ProjectFactory(lead_council=cardiff, owner=pledger)
    page.goto(f"/projects/{draft.slug}/needs/")
    submit(page, "Add need")
    check_error_summary(page, {"id_kind_0", "id_amount"})

    page.goto(f"/projects/{draft.slug}/edit/details/")
    page.get_by_label("Code repository (optional)").fill("not a web address")
    page.get_by_label("Month").fill("13")
    page.get_by_label("Year").fill("2030")
    submit(page, "Save and continue")
    check_error_summary(page, {"id_code_url", "id_pledging_deadline_day"})
    assert not page.js_errors


def test_listing_pagination_keeps_the_filters(new_page):
    for n in range(23):
        ProjectFactory(published=True, phase=Phase.BETA, title=f"Beta service {n:02}")
    ProjectFactory(published=True, phase=Phase.ALPHA)
    page = new_page()

    page.goto("/projects/?phase=beta")
    pagination = page.locator("nav.govuk-pagination[aria-label=Pagination]")
    assert pagination.locator("a[rel=prev]").count() == 0
    following = pagination.locator("a[rel=next]").get_attribute("href")
    assert following.startswith("?") and "phase=beta" in following and "cursor=" in following
    pagination.get_by_role("link", name="Next page").click()
    page.wait_for_url("**/projects/?*cursor=*")
    assert page.locator(".pipeline-card").count() == 3
    assert "phase=beta" in page.url
    assert pagination.locator("a[rel=next]").count() == 0
    assert pagination.locator("a[rel=prev]").count() == 1
    assert not axe_violations(page), describe(axe_violations(page))
    assert not structure_problems(page)


def test_propose_and_pledge_without_javascript(new_page):
    """Progressive enhancement: with JavaScript off, a person proposes and publishes a project,
    then pledges to another one, meeting and correcting an error on the way. Nothing here may
    call page.evaluate: with JavaScript off it waits for ever."""
    other = published_project(lead_council=CouncilFactory(short_name="Hackney"))
    person = verified_member(CouncilFactory(short_name="Cardiff"))
    page = new_page(javascript=False)

    sign_in(page, person.email, PASSWORD)
    assert "js-enabled" not in page.locator("body").get_attribute("class")
    page.get_by_role("link", name="Projects", exact=True).first.click()
    follow(page, "Propose a project")
    page.get_by_label("Project name").fill("Book a tip visit")
    page.get_by_label("Summary").fill("Residents book a slot at the household waste tip.")
    submit(page, "Save and continue")
    page.get_by_label("What problem does it solve?").fill("Queues at the tip on Saturdays.")
    page.get_by_label("Who are the users?").fill("Residents with a car full of waste.")
    submit(page, "Save and continue")
    page.get_by_label("Money").check()
    page.get_by_label("How much?").fill("25000")
    submit(page, "Add need")
    submit(page, "Continue")
    submit(page, "Save and continue")
    page.wait_for_url("**/check/")
    submit(page, "Publish project")
    page.wait_for_url("**/projects/book-a-tip-visit/")
    assert page.locator(".govuk-notification-banner--success").count() == 1
    assert Project.objects.get(slug="book-a-tip-visit").state == State.SEEKING_SUPPORT

    page.goto(other.get_absolute_url())
    follow(page, "Pledge support")
    submit(page, "Continue")
    assert page.locator(".govuk-error-summary").count() == 1
    assert page.title().startswith("Error: ")
    page.locator(".govuk-error-summary__list a").first.click()  # a plain in-page link
    assert page.url.endswith("#id_towards_0")
    page.get_by_label("Money for the project as a whole").check()
    page.get_by_label("How much?").fill("750")
    submit(page, "Continue")
    page.wait_for_url(re.compile(r"/pledge/check/"))  # keeps the #fragment
    submit(page, "Make pledge")
    page.wait_for_url(re.compile(r"/pledges/\d+/confirmation/"))  # keeps the #fragment
    assert page.locator(".govuk-panel--confirmation h1").inner_text() == "Pledge made"
    assert Pledge.objects.get(project=other).amount == 75_000
    # (No axe-core here: it is JavaScript, and this page has none; the sweep covers the page.)
