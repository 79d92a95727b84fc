"""Organiser moderation: feature, hide with a reason, restore; public bodies off the register.

A hidden project leaves the listings, site search and the API, and comes back when restored.
Only organisers may do any of it, whatever the way in.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core import mail

from core.errors import Conflict, InvalidInput, NotAllowed
from councils.models import Council, Nation
from projects import services
from projects.models import Project, State
from tests.factories import (
    CouncilFactory,
    OrganiserFactory,
    ProjectFactory,
    UserFactory,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser():
    return OrganiserFactory()


@pytest.fixture
def project():
    return published_project(
        title="Book a bulky waste collection",
        description="Residents choose a slot for their mattress and fridge freezer.",
    )


def wagtail_editor_without_organisers_group():
    """Can open the Wagtail admin, but is not an organiser."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def non_organisers(project):
    return {
        "owner": project.owner,
        "lead council admin": verified_member(project.lead_council, admin=True),
        "another council's member": verified_member(),
        "wagtail editor": wagtail_editor_without_organisers_group(),
        "staff": UserFactory(is_staff=True),
    }


def present_everywhere(client, project) -> dict[str, bool]:
    """Where the public can find the project: listing, search, API list, API detail."""
    listing = client.get("/projects/").content.decode()
    search = client.get("/search/", {"q": "mattress"}).content.decode()
    api_list = client.get("/api/v1/projects/").json()
    api_detail = client.get(f"/api/v1/projects/{project.slug}/")
    return {
        "listing": project.title in listing,
        "search": project.title in search,
        "api list": project.slug in [p["slug"] for p in api_list["results"]],
        "api detail": api_detail.status_code == 200,
    }


# --- hide and restore -----------------------------------------------------------------------


def test_hidden_project_leaves_listings_search_and_api_and_comes_back_when_restored(
    client, organiser, project
):
    everywhere = {"listing": True, "search": True, "api list": True, "api detail": True}
    assert present_everywhere(client, project) == everywhere

    services.project_hide(actor=organiser, project=project, reason="Duplicate of another")

    assert present_everywhere(client, project) == dict.fromkeys(everywhere, False)
    assert client.get(f"/api/v1/projects/{project.slug}/").status_code == 404

    services.project_restore(actor=organiser, project=project)

    assert present_everywhere(client, project) == everywhere


def test_the_lead_councils_members_still_see_a_hidden_project_and_why(client, organiser, project):
    services.project_hide(actor=organiser, project=project, reason="Contains personal data")
    member = verified_member(project.lead_council)
    client.force_login(member)

    response = client.get(project.get_absolute_url())

    assert response.status_code == 200
    assert "Contains personal data" in response.content.decode()


def test_hiding_emails_the_owner_the_reason(organiser, project):
    # The email is recorded in the hiding transaction (tests/mail: a rollback sends nothing).
    services.project_hide(actor=organiser, project=project, reason="Duplicate of another")

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [project.owner.email]
    assert "hidden" in email.subject
    assert "Duplicate of another" in email.body
    assert project.get_absolute_url() in email.body


def test_restoring_emails_the_owner(django_capture_on_commit_callbacks, organiser, project):
    services.project_hide(actor=organiser, project=project, reason="Duplicate")
    with django_capture_on_commit_callbacks(execute=True):
        services.project_restore(actor=organiser, project=project)

    assert mail.outbox[-1].to == [project.owner.email]
    assert "visible again" in mail.outbox[-1].subject


def test_hiding_needs_a_reason(organiser, project):
    for reason in ("", "   "):
        with pytest.raises(InvalidInput) as error:
            services.project_hide(actor=organiser, project=project, reason=reason)
        assert error.value.field == "reason"
    with pytest.raises(InvalidInput):
        services.project_hide(actor=organiser, project=project, reason="x" * 2001)

    project.refresh_from_db()
    assert not project.is_hidden


def test_hiding_twice_or_restoring_a_visible_project_is_a_conflict(organiser, project):
    with pytest.raises(Conflict):
        services.project_restore(actor=organiser, project=project)
    services.project_hide(actor=organiser, project=project, reason="Spam")
    with pytest.raises(Conflict):
        services.project_hide(actor=organiser, project=project, reason="Spam again")

    project.refresh_from_db()
    assert project.hidden_reason == "Spam"


def test_hiding_stops_featuring_and_restoring_clears_the_reason(organiser, project):
    services.project_feature(actor=organiser, project=project)
    services.project_hide(actor=organiser, project=project, reason="Spam")
    project.refresh_from_db()
    assert project.is_hidden and not project.is_featured

    services.project_restore(actor=organiser, project=project)
    project.refresh_from_db()
    assert not project.is_hidden
    assert project.hidden_reason == ""
    assert not project.is_featured


# --- feature --------------------------------------------------------------------------------


def test_an_organiser_features_and_unfeatures_a_project(organiser, project):
    services.project_feature(actor=organiser, project=project)
    assert Project.objects.get(pk=project.pk).is_featured

    services.project_unfeature(actor=organiser, project=project)
    assert not Project.objects.get(pk=project.pk).is_featured


def test_hidden_or_draft_projects_cannot_be_featured(organiser, project):
    draft = ProjectFactory(state=State.DRAFT)
    with pytest.raises(Conflict):
        services.project_feature(actor=organiser, project=draft)

    services.project_hide(actor=organiser, project=project, reason="Spam")
    with pytest.raises(Conflict):
        services.project_feature(actor=organiser, project=project)

    assert not Project.objects.filter(is_featured=True).exists()


# --- only organisers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        lambda actor, project: services.project_feature(actor=actor, project=project),
        lambda actor, project: services.project_unfeature(actor=actor, project=project),
        lambda actor, project: services.project_hide(actor=actor, project=project, reason="x"),
        lambda actor, project: services.project_restore(actor=actor, project=project),
    ],
    ids=["feature", "unfeature", "hide", "restore"],
)
def test_only_organisers_may_moderate(action, project):
    Project.objects.filter(pk=project.pk).update(is_featured=True)
    people = {**non_organisers(project), "anonymous": AnonymousUser(), "nobody": None}
    for who, person in people.items():
        with pytest.raises(NotAllowed):
            action(person, project)
            pytest.fail(f"{who} was allowed")

    after = Project.objects.get(pk=project.pk)
    assert (after.is_featured, after.is_hidden, after.hidden_reason) == (True, False, "")
    assert mail.outbox == []


def test_a_superuser_counts_as_an_organiser(project):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    services.project_hide(actor=superuser, project=project, reason="Spam")
    assert Project.objects.get(pk=project.pk).is_hidden


# --- public bodies --------------------------------------------------------------------------


def test_an_organiser_adds_a_public_body_that_is_not_on_the_register(organiser):
    body = services.public_body_add(
        actor=organiser,
        name="Greater London Authority",
        short_name="GLA",
        nation=Nation.ENGLAND,
        website="https://www.london.gov.uk",
    )

    assert body.on_register is False
    assert body.slug == "gla"
    assert body.code.startswith("PB-")
    assert Council.objects.get(pk=body.pk).short_name == "GLA"


def test_public_body_codes_and_slugs_stay_unique(organiser):
    first = services.public_body_add(
        actor=organiser, name="Transport body", short_name="Transport", nation=Nation.ENGLAND
    )
    second = services.public_body_add(
        actor=organiser, name="Transport body two", short_name="Transport", nation=Nation.WALES
    )

    assert first.slug != second.slug
    assert first.code != second.code


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "", "short_name": "X", "nation": Nation.ENGLAND}, "name"),
        ({"name": "X", "short_name": " ", "nation": Nation.ENGLAND}, "short_name"),
        ({"name": "X", "short_name": "X", "nation": "Atlantis"}, "nation"),
        (
            {"name": "X", "short_name": "X", "nation": Nation.ENGLAND, "website": "javascript:1"},
            "website",
        ),
        ({"name": "X" * 201, "short_name": "X", "nation": Nation.ENGLAND}, "name"),
    ],
)
def test_public_body_input_is_checked(organiser, values, field):
    with pytest.raises(InvalidInput) as error:
        services.public_body_add(actor=organiser, **values)

    assert error.value.field == field
    assert not Council.objects.filter(on_register=False).exists()


def test_only_organisers_add_public_bodies(project):
    for person in non_organisers(project).values():
        with pytest.raises(NotAllowed):
            services.public_body_add(
                actor=person, name="Body", short_name="Body", nation=Nation.ENGLAND
            )
    assert not Council.objects.filter(on_register=False).exists()


def test_register_councils_are_not_edited_by_hand(organiser):
    council = CouncilFactory(short_name="Hackney")
    with pytest.raises(Conflict):
        services.public_body_update(actor=organiser, council=council, short_name="Hacked")
    assert Council.objects.get(pk=council.pk).short_name == "Hackney"

    body = services.public_body_add(
        actor=organiser, name="Body", short_name="Body", nation=Nation.ENGLAND
    )
    services.public_body_update(actor=organiser, council=body, short_name="Better name")
    assert Council.objects.get(pk=body.pk).short_name == "Better name"
