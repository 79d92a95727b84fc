"""The organisers' Wagtail admin: listings, moderation actions through the services, a read-only
ledger, public bodies, membership decisions and dashboard panels; everyone else is refused."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from councils.models import Council, Membership, MembershipStatus, Nation
from projects.models import PledgeState, Project, State
from projects.services import pledge_award
from tests.factories import (
    CouncilFactory,
    FunderFactory,
    MembershipFactory,
    OrganiserFactory,
    ProjectFactory,
    UserFactory,
    make_pledge,
    published_project,
)

pytestmark = pytest.mark.django_db

PROJECTS = "/cms-admin/snippets/projects/project/"
LISTINGS = [
    PROJECTS,
    "/cms-admin/councils/",
    "/cms-admin/memberships/",
    "/cms-admin/pledges/",
    "/cms-admin/pledge_events/",
]


@pytest.fixture
def organiser():
    return OrganiserFactory()


@pytest.fixture
def organiser_client(client, organiser):
    client.force_login(organiser)
    return client


def wagtail_editor():
    """May open the Wagtail admin (and edit pages, say) but is not in the Organisers group."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def world():
    project = published_project(title="Book a bulky waste collection")
    pledge = make_pledge(project, state=PledgeState.ACCEPTED)
    pending = MembershipFactory(status=MembershipStatus.PENDING)
    return {"project": project, "pledge": pledge, "membership": pending}


# --- listings -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTINGS)
def test_organisers_see_each_listing(organiser_client, world, url):
    response = organiser_client.get(url)

    assert response.status_code == 200


def test_listings_show_the_objects(organiser_client, world):
    assert "Book a bulky waste collection" in organiser_client.get(PROJECTS).content.decode()
    assert (
        world["membership"].user.email
        in organiser_client.get("/cms-admin/memberships/").content.decode()
    )
    pledges = organiser_client.get("/cms-admin/pledges/").content.decode()
    assert world["pledge"].council.short_name in pledges


def test_project_listing_filters_and_search(organiser_client, world):
    published_project(title="Hidden thing", is_hidden=True, hidden_reason="Spam")
    ProjectFactory(title="Draft thing", state=State.DRAFT)

    hidden = organiser_client.get(PROJECTS, {"is_hidden": "true"}).content.decode()
    drafts = organiser_client.get(PROJECTS, {"state": "draft"}).content.decode()
    searched = organiser_client.get(PROJECTS, {"q": "bulky"}).content.decode()

    assert "Hidden thing" in hidden and "Book a bulky" not in hidden
    assert "Draft thing" in drafts and "Hidden thing" not in drafts
    assert "Book a bulky" in searched and "Draft thing" not in searched


def test_dormant_filter_finds_projects_quiet_for_90_days(organiser_client):
    quiet = published_project(title="Quiet project")
    Project.objects.filter(pk=quiet.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=91)
    )
    published_project(title="Busy project")

    html = organiser_client.get(PROJECTS, {"dormant": "true"}).content.decode()

    assert "Quiet project" in html
    assert "Busy project" not in html


@pytest.mark.parametrize("url", LISTINGS)
def test_listing_queries_do_not_grow_with_rows(organiser_client, url):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert organiser_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    project = published_project()
    make_pledge(project, state=PledgeState.FULFILLED)
    MembershipFactory(status=MembershipStatus.PENDING)
    count()
    one = count()
    for _ in range(5):
        project = published_project()
        make_pledge(project, state=PledgeState.FULFILLED)
        MembershipFactory(status=MembershipStatus.PENDING)

    assert count() == one


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTINGS)
def test_signed_in_people_who_are_not_organisers_are_refused(client, world, url):
    client.force_login(UserFactory())

    response = client.get(url)

    assert response.status_code in (302, 403)
    assert "/login" in response["Location"]


@pytest.mark.parametrize("url", [*LISTINGS, "/cms-admin/snippets/projects/project/hide/1/"])
def test_wagtail_users_outside_the_organisers_group_are_refused(client, world, url):
    client.force_login(wagtail_editor())
    url = url.replace("/1/", f"/{world['project'].pk}/")

    response = client.get(url)

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("wagtailadmin_home")


def test_a_wagtail_user_outside_the_group_cannot_hide_by_posting(client, world):
    client.force_login(wagtail_editor())
    project = world["project"]

    client.post(f"{PROJECTS}hide/{project.pk}/", {"reason": "Spam"})

    assert not Project.objects.get(pk=project.pk).is_hidden


def test_the_admin_menu_offers_organiser_screens_to_organisers_only(client, organiser, world):
    client.force_login(organiser)
    assert PROJECTS in client.get("/cms-admin/").content.decode()

    client.force_login(wagtail_editor())
    assert PROJECTS not in client.get("/cms-admin/").content.decode()


# --- the ledger is read-only ----------------------------------------------------------------


def test_pledges_and_ledger_events_cannot_be_added_edited_or_deleted(organiser_client, world):
    pledge = world["pledge"]
    event = pledge.events.first()
    for url in [
        "/cms-admin/pledges/new/",
        f"/cms-admin/pledges/edit/{pledge.pk}/",
        f"/cms-admin/pledges/delete/{pledge.pk}/",
        "/cms-admin/pledge_events/new/",
        f"/cms-admin/pledge_events/edit/{event.pk}/",
        f"/cms-admin/pledge_events/delete/{event.pk}/",
    ]:
        assert organiser_client.get(url).status_code == 302, url
        assert organiser_client.post(url, {"note": "changed"}).status_code == 302, url

    assert pledge.events.count() == 2
    listing = organiser_client.get("/cms-admin/pledges/").content.decode()
    assert "/cms-admin/pledges/new/" not in listing
    assert f"/cms-admin/pledges/edit/{pledge.pk}/" not in listing


def test_a_pledge_shows_its_ledger(organiser_client, world):
    pledge = world["pledge"]

    html = organiser_client.get(f"/cms-admin/pledges/inspect/{pledge.pk}/").content.decode()

    assert "Ledger" in html
    assert "Offered" in html and "Accepted" in html


def test_a_move_by_pipeline_is_shown_as_such_in_the_ledger(organiser_client, world):
    from projects import services
    from projects.models import Kind
    from tests.factories import CouncilFactory, verified_member

    council = CouncilFactory()
    waiting = services.pledge_offer(
        actor=verified_member(council),
        project=world["project"],
        council=council,
        kind=Kind.MONEY,
        amount=100,
        min_other_councils=1,
    )
    assert waiting.state == PledgeState.OFFERED  # met at once by the accepted pledge's council
    inspect = organiser_client.get(f"/cms-admin/pledges/inspect/{waiting.pk}/").content.decode()
    listing = organiser_client.get("/cms-admin/pledge_events/").content.decode()
    for html in (inspect, listing):
        assert "Pipeline (automatic)" in html
        assert "Conditional: waiting for other councils" in html


def test_a_pledge_shows_its_governance_in_words(organiser_client, world):
    """Sign-off, the council's decision and the amendment links read as sentences with links,
    not raw values."""
    from projects import services
    from tests.factories import CouncilFactory, approver, verified_member

    project = world["project"]
    partner = CouncilFactory(short_name="Partnerton", money_limit=100_000)
    pledger, signer = verified_member(partner), approver(partner)
    signer.first_name, signer.last_name = "Grace", "Hopper"
    signer.save()
    pledge = make_pledge(project, council=partner, actor=pledger, amount=500_000, state="pending")
    services.pledge_approve(actor=signer, pledge=pledge)
    services.pledge_record_decision(
        actor=signer,
        pledge=pledge,
        title="Cabinet minute 12",
        decided_on=datetime.date(2026, 3, 1),
        url="https://partnerton.gov.uk/minutes/12",
    )
    amendment = services.pledge_amend(actor=signer, pledge=pledge, amount=600_000, note="More")
    html = organiser_client.get(f"/cms-admin/pledges/inspect/{pledge.pk}/").content.decode()
    assert "Signed off by Grace Hopper on" in html
    assert "Cabinet minute 12, 1 March 2026" in html
    assert f"Pledge {amendment.pk} of £6,000 (change proposed)" in html
    assert f"/cms-admin/pledges/inspect/{amendment.pk}/" in html
    services.pledge_accept(actor=project.owner, pledge=amendment)
    html = organiser_client.get(f"/cms-admin/pledges/inspect/{pledge.pk}/").content.decode()
    assert "Replaced by an amendment" in html
    assert f"Pledge {amendment.pk} of £6,000, accepted on" in html
    html = organiser_client.get(f"/cms-admin/pledges/inspect/{amendment.pk}/").content.decode()
    assert f"Pledge {pledge.pk} of £5,000" in html
    assert "Not needed: within the council’s delegated limit" in html
    assert "None recorded" in html
    listing = organiser_client.get("/cms-admin/pledges/").content.decode()
    assert "True" not in listing and "False" not in listing


# --- moderation through the admin -----------------------------------------------------------


def test_an_organiser_hides_a_project_with_a_reason_and_the_owner_is_emailed(
    organiser_client, world, django_capture_on_commit_callbacks
):
    project = world["project"]
    url = f"{PROJECTS}hide/{project.pk}/"
    assert "Reason" in organiser_client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(url, {"reason": "Duplicate of another project"})

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.is_hidden
    assert project.hidden_reason == "Duplicate of another project"
    assert mail.outbox[-1].to == [project.owner.email]


def test_hiding_without_a_reason_shows_an_error_and_changes_nothing(organiser_client, world):
    project = world["project"]

    response = organiser_client.post(f"{PROJECTS}hide/{project.pk}/", {"reason": ""})

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Project.objects.get(pk=project.pk).is_hidden


def test_an_organiser_restores_features_and_unfeatures(organiser_client, world):
    project = world["project"]
    organiser_client.post(f"{PROJECTS}feature/{project.pk}/")
    assert Project.objects.get(pk=project.pk).is_featured

    organiser_client.post(f"{PROJECTS}unfeature/{project.pk}/")
    assert not Project.objects.get(pk=project.pk).is_featured

    organiser_client.post(f"{PROJECTS}hide/{project.pk}/", {"reason": "Spam"})
    organiser_client.post(f"{PROJECTS}restore/{project.pk}/")
    assert not Project.objects.get(pk=project.pk).is_hidden


def test_a_refused_action_is_shown_not_a_server_error(organiser_client):
    draft = ProjectFactory(state=State.DRAFT)

    response = organiser_client.post(f"{PROJECTS}feature/{draft.pk}/")

    assert response.status_code == 200
    assert "Only a published project can be featured" in response.content.decode()


def test_the_project_listing_offers_the_right_actions(organiser_client, world):
    project = world["project"]

    html = organiser_client.get(PROJECTS).content.decode()

    assert f"{PROJECTS}hide/{project.pk}/" in html
    assert f"{PROJECTS}feature/{project.pk}/" in html
    assert f"{PROJECTS}restore/{project.pk}/" not in html
    assert f"{PROJECTS}edit/{project.pk}/" not in html  # owners edit projects, not the admin


# --- memberships ----------------------------------------------------------------------------


def test_the_membership_listing_offers_approve_and_refuse_only_while_pending(
    organiser_client, world
):
    membership = world["membership"]
    approve = f"/cms-admin/memberships/approve/{membership.pk}/"
    refuse = f"/cms-admin/memberships/refuse/{membership.pk}/"

    html = organiser_client.get("/cms-admin/memberships/").content.decode()
    assert approve in html and refuse in html

    organiser_client.post(approve)
    html = organiser_client.get("/cms-admin/memberships/").content.decode()
    assert approve not in html and refuse not in html


def test_the_inspect_view_of_a_request_offers_approve_and_refuse_while_pending(
    organiser_client, world
):
    membership = world["membership"]
    inspect = f"/cms-admin/memberships/inspect/{membership.pk}/"
    approve = f"/cms-admin/memberships/approve/{membership.pk}/"
    refuse = f"/cms-admin/memberships/refuse/{membership.pk}/"

    html = organiser_client.get(inspect).content.decode()
    assert approve in html and refuse in html

    organiser_client.post(approve)
    html = organiser_client.get(inspect).content.decode()
    assert approve not in html and refuse not in html


def test_deciding_in_the_admin_says_what_was_decided_and_emails_the_person(
    organiser_client, world, django_capture_on_commit_callbacks
):
    membership = world["membership"]
    person, council = membership.user.get_full_name(), membership.council.short_name
    mail.outbox.clear()

    confirm = organiser_client.get(f"/cms-admin/memberships/approve/{membership.pk}/")
    with django_capture_on_commit_callbacks(execute=True):
        done = organiser_client.post(
            f"/cms-admin/memberships/approve/{membership.pk}/", follow=True
        )

    assert f"Approve {person}’s request to join {council}?" in confirm.content.decode()
    html = done.content.decode()
    assert f"{person} is now a verified member of {council}. We have emailed them." in html
    assert "Approved:" not in html
    assert [m.to for m in mail.outbox] == [[membership.user.email]]


def test_an_organiser_approves_a_membership(organiser_client, organiser, world):
    membership = world["membership"]

    response = organiser_client.post(f"/cms-admin/memberships/approve/{membership.pk}/")

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.VERIFIED
    assert membership.decided_by == organiser


def test_an_organiser_refuses_a_membership_with_a_reason(organiser_client, world):
    membership = world["membership"]
    url = f"/cms-admin/memberships/refuse/{membership.pk}/"

    organiser_client.post(url, {"reason": ""})
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.PENDING

    organiser_client.post(url, {"reason": "Not a council email address"})
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.REFUSED
    assert membership.reason == "Not a council email address"


def test_deciding_twice_is_shown_as_a_conflict(organiser_client, world):
    membership = world["membership"]
    organiser_client.post(f"/cms-admin/memberships/approve/{membership.pk}/")

    response = organiser_client.post(
        f"/cms-admin/memberships/refuse/{membership.pk}/", {"reason": "Changed my mind"}
    )

    assert response.status_code == 200
    assert "already been decided" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.VERIFIED


# --- councils and public bodies -------------------------------------------------------------


def test_an_organiser_adds_a_public_body(organiser_client):
    response = organiser_client.post(
        "/cms-admin/councils/new/",
        {
            "name": "Greater London Authority",
            "short_name": "GLA",
            "name_cy": "",
            "nation": Nation.ENGLAND,
            "region": "London",
            "website": "https://www.london.gov.uk",
        },
    )

    assert response.status_code == 302
    body = Council.objects.get(short_name="GLA")
    assert body.on_register is False
    assert body.code.startswith("PB-")


def test_a_bad_public_body_is_refused_on_the_form(organiser_client):
    response = organiser_client.post(
        "/cms-admin/councils/new/",
        {"name": "Body", "short_name": "Body", "nation": Nation.ENGLAND, "website": "nope"},
    )

    assert response.status_code == 200
    assert not Council.objects.filter(short_name="Body").exists()


def test_register_councils_cannot_be_edited_but_public_bodies_can(organiser_client):
    council = CouncilFactory(short_name="Hackney")
    body = CouncilFactory(short_name="Old name", on_register=False)

    assert organiser_client.get(f"/cms-admin/councils/edit/{council.pk}/").status_code == 404
    response = organiser_client.post(
        f"/cms-admin/councils/edit/{body.pk}/",
        {"name": "Body", "short_name": "New name", "nation": Nation.WALES, "website": ""},
    )

    assert response.status_code == 302
    assert Council.objects.get(pk=body.pk).short_name == "New name"
    assert Council.objects.get(pk=council.pk).short_name == "Hackney"


def test_inspecting_a_register_council_offers_no_edit_link_a_public_body_does(organiser_client):
    council = CouncilFactory(short_name="Hackney")
    body = CouncilFactory(short_name="A body", on_register=False)

    register_page = organiser_client.get(f"/cms-admin/councils/inspect/{council.pk}/")
    body_page = organiser_client.get(f"/cms-admin/councils/inspect/{body.pk}/")

    assert register_page.status_code == body_page.status_code == 200
    assert f"/cms-admin/councils/edit/{council.pk}/" not in register_page.content.decode()
    assert f"/cms-admin/councils/edit/{body.pk}/" in body_page.content.decode()


# --- dashboard panels -----------------------------------------------------------------------


PANEL_HEADINGS = [
    "Memberships awaiting approval",
    "Newly proposed projects",
    "Dormant projects",
    "Recent pledges",
]


def test_organisers_see_the_dashboard_panels(organiser_client, world):
    quiet = published_project(title="Quiet project")
    Project.objects.filter(pk=quiet.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=120)
    )

    html = organiser_client.get("/cms-admin/").content.decode()

    for heading in PANEL_HEADINGS:
        assert heading in html
    assert world["membership"].user.email in html
    assert "Quiet project" in html
    assert world["pledge"].council.short_name in html


def test_a_funders_award_among_the_recent_pledges_is_named_by_its_funder(
    organiser_client, organiser, world
):
    """An award has a funder and no council: the dashboard was a 500 while one was among the
    newest pledges."""
    funder = FunderFactory(name="Local Digital Fund")
    pledge_award(actor=organiser, project=world["project"], funder=funder, amount=5_000_00)

    response = organiser_client.get("/cms-admin/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Local Digital Fund → Book a bulky waste collection" in html
    assert world["pledge"].council.short_name in html  # the council's pledge beside it


def test_other_wagtail_users_do_not_see_the_panels(client, world):
    client.force_login(wagtail_editor())

    html = client.get("/cms-admin/").content.decode()

    for heading in PANEL_HEADINGS:
        assert heading not in html


def test_the_dashboard_runs_the_same_queries_for_few_and_many_rows(organiser_client):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert organiser_client.get("/cms-admin/").status_code == 200
        return len(ctx.captured_queries)

    def add_one():
        project = published_project()
        Project.objects.filter(pk=project.pk).update(
            last_activity_at=timezone.now() - datetime.timedelta(days=100)
        )
        make_pledge(project)
        MembershipFactory(status=MembershipStatus.PENDING)

    add_one()
    count()
    one = count()
    for _ in range(7):
        add_one()

    assert count() == one
