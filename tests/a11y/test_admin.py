"""axe-core finds no WCAG 2.2 A or AA violation on the organisers' activity log in the Wagtail
admin, in English and in Welsh: the listing (with its filters open), and an entry."""

import pytest
from django.db import transaction
from wagtail.users.models import UserProfile

from activity.models import ActivityAction, ActivityEntry
from activity.services import activity_record
from tests.factories import CouncilFactory, OrganiserFactory, published_project
from tests.factories.accounts import PASSWORD

from .conftest import axe_results, describe, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_the_activity_log_passes_axe(new_page, language, subtests):
    organiser = OrganiserFactory(email="olu@example.org")
    UserProfile.objects.update_or_create(user=organiser, defaults={"preferred_language": language})
    council = CouncilFactory(short_name="Guildford")
    project = published_project(title="Parking permits", lead_council=council)
    with transaction.atomic():
        activity_record(
            actor=organiser,
            action=ActivityAction.COUNCIL_LIMITS_CHANGED,
            council=council,
            details={"money_limit": {"before": None, "after": 250_000}},
        )
        activity_record(
            actor=organiser, action=ActivityAction.PROJECT_HIDDEN, project=project, reason="Spam"
        )
    entry = ActivityEntry.objects.filter(action=ActivityAction.COUNCIL_LIMITS_CHANGED).get()
    page = new_page()
    sign_in(page, organiser.email, PASSWORD)

    for name, path in [
        ("listing", "/cms-admin/activity/"),
        ("filtered", "/cms-admin/activity/?action=project_hidden&council=" + str(council.pk)),
        ("entry", f"/cms-admin/activity/inspect/{entry.pk}/"),
    ]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        if name == "listing":
            page.locator("#filters-drilldown .w-dropdown__toggle").first.click()
            page.locator("#filters-drilldown .w-dropdown__content").first.wait_for()
        violations = axe_results(page)["violations"]
        with subtests.test(msg=f"{name} ({language})"):
            assert not violations, f"{page.url}\n{describe(violations)}"
