"""axe-core finds no WCAG 2.2 A or AA violation on the single sign-on pages, in both languages:
the sign-in page with its council buttons, a council's provider that cannot be reached, and
allauth's error and cancelled pages (in Pipeline's GOV.UK style)."""

import pytest

from sso import services
from tests.factories.accounts import OrganiserFactory
from tests.factories.councils import CouncilDomainFactory, CouncilFactory
from tests.servers import free_port

from .conftest import axe_results, describe, structure_problems, submit


@pytest.fixture
def council_with_provider():
    council = CouncilFactory(short_name="Oidcshire", name_cy="Sir Oidc", slug="oidcshire")
    domain = CouncilDomainFactory(council=council, domain="oidcshire.gov.uk")
    services.identity_provider_save(
        actor=OrganiserFactory(),
        council=council,
        issuer=f"http://127.0.0.1:{free_port()}/o",  # nothing answers there
        client_id="pipeline",
        secret_env="",
        client_secret="secret",
        vouched_domains=[domain.domain],
        allow_loopback=True,
    )
    return council


def _check(page, subtests, name: str) -> None:
    results = axe_results(page)
    problems = structure_problems(page)
    with subtests.test(msg=name):
        assert not results["violations"], f"{page.url}\n{describe(results['violations'])}"
        assert not problems, (page.url, problems)


@pytest.mark.parametrize(
    ("prefix", "button"), [("", "Sign in with Oidcshire"), ("/cy", "Sir Oidc")]
)
def test_sso_pages_pass_axe(new_page, council_with_provider, subtests, prefix, button):
    page = new_page()
    page.goto(f"{prefix}/accounts/login/")
    assert page.get_by_role("button", name=button).count() == 1
    _check(page, subtests, f"{prefix} sign in with a council")

    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert page.locator("h1").count() == 1
    _check(page, subtests, f"{prefix} council's sign-in service down")

    for path, status in (("3rdparty/login/error/", 401), ("3rdparty/login/cancelled/", 200)):
        response = page.goto(f"{prefix}/accounts/{path}")
        assert response is not None and response.status == status
        page.js_errors.clear()
        _check(page, subtests, f"{prefix} {path}")


def test_the_sign_in_button_works_without_javascript(new_page, council_with_provider):
    page = new_page(javascript=False)
    page.goto("/accounts/login/")
    submit(page, "Sign in with Oidcshire")
    assert "We could not reach Oidcshire" in page.locator("h1").inner_text()
