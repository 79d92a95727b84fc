"""The funder pages: the public list and a funder's page, joining, and its admins' members
page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import MembershipStatus
from funding.models import CallStatus, FunderDomain, FunderMembership, FunderRole
from mail.models import Delivery
from tests.factories import (
    CallFactory,
    FunderFactory,
    FunderMembershipFactory,
    OrganiserFactory,
    UserFactory,
    funder_member,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def funder():
    funder = FunderFactory(
        name="Department for Digital Things",
        name_cy="Adran Pethau Digidol",
        slug="ddt",
        description="We fund **shared** services.",
        website="https://ddt.gov.uk",
    )
    FunderDomain.objects.create(funder=funder, domain="ddt.gov.uk")
    return funder


@pytest.fixture
def admin(funder):
    return funder_member(funder, role=FunderRole.ADMIN)


def test_the_funders_list_counts_public_calls_in_constant_queries(client, funder):
    CallFactory(funder=funder)
    CallFactory(funder=funder, status=CallStatus.DRAFT, published_at=None)
    client.get("/funding/funders/")
    with CaptureQueriesContext(connection) as one:
        response = client.get("/funding/funders/")
    for _ in range(6):
        CallFactory(funder=FunderFactory())
    with CaptureQueriesContext(connection) as many:
        client.get("/funding/funders/")

    assert "Department for Digital Things Government department 1" in text(response)
    assert len(one) == len(many)


def test_a_funders_page_shows_its_drafts_to_its_members_only(client, funder):
    CallFactory(funder=funder, title="Public round")
    CallFactory(funder=funder, title="Secret round", status=CallStatus.DRAFT, published_at=None)

    public = text(client.get("/funding/funders/ddt/"))
    client.force_login(funder_member(funder))
    member = text(client.get("/funding/funders/ddt/"))

    assert "Public round" in public and "Secret round" not in public
    assert "<strong>shared</strong>" in client.get("/funding/funders/ddt/").content.decode()
    assert "Public round" in member and "Secret round" in member
    assert "Leave this funder" in member
    assert "Create a call" not in member


def test_joining_at_the_funders_domain_verifies_at_once(client, funder):
    person = UserFactory(email="ann@ddt.gov.uk")
    client.force_login(person)

    page = text(client.get("/funding/funders/ddt/join/"))
    response = client.post("/funding/funders/ddt/join/", follow=True)

    assert "joining verifies you straight away" in page
    assert "You are now a verified member of Department for Digital Things." in text(response)
    assert FunderMembership.objects.get(user=person).status == MembershipStatus.VERIFIED


def test_joining_from_elsewhere_waits_and_a_second_try_is_explained(client, funder):
    client.force_login(UserFactory(email="sam@example.org"))

    first = client.post("/funding/funders/ddt/join/", follow=True)
    again = client.post("/funding/funders/ddt/join/")

    assert "Your request to join Department for Digital Things has been sent" in text(first)
    assert again.status_code == 200
    assert "already a member of Department for Digital Things" in text(again)


def test_joining_needs_a_sign_in(client, funder):
    response = client.post("/funding/funders/ddt/join/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not FunderMembership.objects.exists()


def test_an_admin_approves_refuses_changes_roles_and_removes(client, funder, admin):
    waiting = FunderMembershipFactory(funder=funder, status=MembershipStatus.PENDING)
    other = FunderMembershipFactory(funder=funder, status=MembershipStatus.PENDING)
    member = funder_member(funder).funder_memberships.get()
    client.force_login(admin)

    page = text(client.get("/funding/funders/ddt/members/"))
    approved = client.post(f"/funding/funders/ddt/members/{waiting.pk}/approve/", follow=True)
    refuse_form = client.get(f"/funding/funders/ddt/members/{other.pk}/refuse/")
    no_reason = client.post(f"/funding/funders/ddt/members/{other.pk}/refuse/", {"reason": ""})
    refused = client.post(
        f"/funding/funders/ddt/members/{other.pk}/refuse/", {"reason": "Not staff"}, follow=True
    )
    role = client.post(
        f"/funding/funders/ddt/members/{member.pk}/role/", {"role": "assessor"}, follow=True
    )
    removed = client.post(f"/funding/funders/ddt/members/{member.pk}/remove/", follow=True)

    assert "Members and requests" in page and "ddt.gov.uk" in page
    assert "is now a verified member. We have emailed them." in text(approved)
    assert refuse_form.status_code == 200
    assert "Enter a reason; the person will see it" in text(no_reason)
    assert "We have emailed them your reason." in text(refused)
    assert "role is now: Assessor." in text(role)
    assert "was removed." in text(removed)
    statuses = dict(FunderMembership.objects.values_list("pk", "status"))
    assert statuses[waiting.pk] == MembershipStatus.VERIFIED
    assert statuses[other.pk] == MembershipStatus.REFUSED
    assert statuses[member.pk] == MembershipStatus.LEFT
    assert Delivery.objects.filter(kind="funder_membership").count() == 2


def test_the_last_admin_is_told_why_they_cannot_step_down(client, funder, admin):
    own = admin.funder_memberships.get()
    client.force_login(admin)

    response = client.post(
        f"/funding/funders/ddt/members/{own.pk}/role/", {"role": "member"}, follow=True
    )

    assert "would have no admin left. Make someone else an admin first." in text(response)
    own.refresh_from_db()
    assert own.role == FunderRole.ADMIN


@pytest.mark.parametrize("role", [FunderRole.MEMBER, FunderRole.ASSESSOR, FunderRole.MODERATOR])
def test_members_who_are_not_admins_cannot_manage_members(client, funder, role):
    waiting = FunderMembershipFactory(funder=funder, status=MembershipStatus.PENDING)
    client.force_login(funder_member(funder, role=role))

    assert client.get("/funding/funders/ddt/members/").status_code == 403
    assert client.post(f"/funding/funders/ddt/members/{waiting.pk}/approve/").status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == MembershipStatus.PENDING


def test_another_funders_admin_cannot_act_on_this_funders_members(client, funder):
    waiting = FunderMembershipFactory(funder=funder, status=MembershipStatus.PENDING)
    elsewhere = FunderFactory(slug="elsewhere")
    client.force_login(funder_member(elsewhere, role=FunderRole.ADMIN))

    # Through its own funder's address: the membership is not there.
    assert (
        client.post(f"/funding/funders/elsewhere/members/{waiting.pk}/approve/").status_code == 404
    )
    assert client.post(f"/funding/funders/ddt/members/{waiting.pk}/approve/").status_code == 403


def test_an_admin_without_a_second_factor_is_sent_to_set_it_up(client, funder):
    client.force_login(
        FunderMembershipFactory(funder=funder, role=FunderRole.ADMIN, enrolled=False).user
    )
    response = client.get("/funding/funders/ddt/members/")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/"


def test_organisers_manage_any_funders_members(client, funder):
    waiting = FunderMembershipFactory(funder=funder, status=MembershipStatus.PENDING)
    client.force_login(OrganiserFactory())

    assert client.get("/funding/funders/ddt/members/").status_code == 200
    client.post(f"/funding/funders/ddt/members/{waiting.pk}/approve/")
    client.post(f"/funding/funders/ddt/members/{waiting.pk}/role/", {"role": "admin"})

    waiting.refresh_from_db()
    assert (waiting.status, waiting.role) == (MembershipStatus.VERIFIED, FunderRole.ADMIN)


def test_funder_pages_in_welsh(client, funder):
    listing = text(client.get("/cy/funding/funders/"))
    page = text(client.get("/cy/funding/funders/ddt/"))

    assert "Cyllidwyr" in listing and "Adran Pethau Digidol" in listing
    assert "Adran o’r llywodraeth" in listing
    assert "Ei alwadau" in page
