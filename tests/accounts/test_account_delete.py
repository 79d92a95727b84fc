"""Delete my account: the person goes, the public record of what councils committed stays
exactly as it was, with "a former officer" where it named them."""

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from wagtail.models import APIToken

from accounts.models import User
from accounts.services import account_delete, api_token_create
from core.errors import Conflict, InvalidInput
from councils.models import Membership, MembershipRole
from projects.models import Follow, Pledge, PledgeEvent, Project, State, TeamMembership, Update
from projects.services import people
from tests.factories import (
    CouncilFactory,
    OrganiserFactory,
    UserFactory,
    make_pledge,
    published_project,
    verified_member,
)
from tests.factories.accounts import PASSWORD
from tests.pipeline.test_translations import compiled_locale, welsh_catalogues  # noqa: F401

pytestmark = pytest.mark.django_db

TOTALS = (
    "money_offered",
    "money_accepted",
    "money_fulfilled",
    "half_days_offered",
    "half_days_accepted",
    "half_days_fulfilled",
    "partner_count",
)


def _totals(project: Project) -> dict:
    project.refresh_from_db()
    return {name: getattr(project, name) for name in TOTALS}


def _ledger(council) -> list:
    return list(
        PledgeEvent.objects.filter(pledge__council=council)
        .order_by("pk")
        .values_list("pk", "pledge_id", "sequence", "from_state", "to_state", "actor_id", "note")
    )


def _pledges(council) -> list:
    return list(
        Pledge.objects.filter(council=council)
        .order_by("pk")
        .values_list("pk", "amount", "state", "kind", "pledged_by_id")
    )


@pytest.fixture
def world():
    """Ann Jones pledges for Cardiff to Leadshire's project: one pledge accepted (which the
    timeline tells in words that name the owner), one offered; she follows and joins the team."""
    project = published_project()
    cardiff = CouncilFactory(short_name="Cardiff")
    ann = verified_member(cardiff, first_name="Ann", last_name="Jones")
    verified_member(cardiff, admin=True)  # someone else runs Cardiff
    accepted = make_pledge(project, council=cardiff, actor=ann, amount=120_000, state="accepted")
    offered = make_pledge(project, council=cardiff, actor=ann, kind="time", amount=10)
    Follow.objects.create(user=ann, project=project)
    people.team_request_join(actor=ann, project=project, role="developer")
    membership = TeamMembership.objects.get(user=ann)
    people.team_approve(actor=project.owner, membership=membership)
    project.refresh_from_db()
    return {"project": project, "cardiff": cardiff, "ann": ann, "pledges": [accepted, offered]}


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _delete(user):
    return account_delete(user=user, password=PASSWORD, confirmation=user.email)


def test_totals_and_history_are_the_same_after(world):
    project, cardiff = world["project"], world["cardiff"]
    before = (_totals(project), _ledger(cardiff), _pledges(cardiff))
    _delete(world["ann"])
    assert (_totals(project), _ledger(cardiff), _pledges(cardiff)) == before
    cardiff_page = Client().get(cardiff.get_absolute_url())
    assert "£1,200" in cardiff_page.content.decode()


def test_the_name_is_gone_from_every_page_and_payload(world, client):
    project, ann, (accepted, offered) = world["project"], world["ann"], world["pledges"]
    people.update_post(actor=ann, project=project, title="Sprint notes", body="Going well.")
    pages = [
        project.get_absolute_url(),
        reverse("projects:pledge_detail", args=[accepted.pk]),
        reverse("projects:pledge_detail", args=[offered.pk]),
        world["cardiff"].get_absolute_url(),
    ]
    apis = [
        f"/api/v1/projects/{project.slug}/",
        f"/api/v1/projects/{project.slug}/updates/",
        f"/api/v1/projects/{project.slug}/team/",
        f"/api/v1/pledges/{accepted.pk}/",
        "/api/v1/pledges/",
        "/api/v1/pledges.csv",
    ]
    owner = Client()
    owner.force_login(project.owner)
    before = "".join(_text(owner.get(u)) for u in pages + apis)
    assert "Ann Jones" in before, "the test shows the name before"
    assert Update.objects.filter(body__contains="Ann Jones").exists(), "and the timeline too"
    _delete(ann)
    after = "".join(_text(owner.get(u)) for u in pages + apis)
    after += _text(owner.get(reverse("projects:manage", args=[project.slug])))
    assert "Ann Jones" not in after
    assert "A former officer" in after
    assert ann.email not in after
    # The pledge still says whose council made it.
    pledge_page = owner.get(reverse("projects:pledge_detail", args=[accepted.pk])).content
    assert "A former officer, <a" in pledge_page.decode()
    # The timeline's own words ("Ann Jones joined the team…") name her no more.
    assert not Update.objects.filter(body__contains="Ann Jones").exists()
    assert not Update.objects.filter(title__contains="Ann Jones").exists()
    assert Update.objects.filter(author=ann, title="Sprint notes").exists(), "updates stay"


def test_everything_only_theirs_goes_and_they_are_signed_out_everywhere(world):
    ann = world["ann"]
    _, plaintext = api_token_create(user=ann, name="Script")
    browser = Client(HTTP_USER_AGENT="Firefox/133.0")
    assert (
        browser.post(
            reverse("account_login"), {"login": ann.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert UserSession.objects.filter(user=ann).exists()
    unlisted = Client()
    unlisted.force_login(ann)  # a session with no row in the list (no address at sign-in)
    _delete(ann)
    ann.refresh_from_db()
    assert browser.get(reverse("accounts:profile")).status_code == 302, "signed out"
    assert unlisted.get(reverse("accounts:profile")).status_code == 302, "that one too"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get("/api/v1/follows/").status_code == 401
    for model in (Membership, Follow, TeamMembership, EmailAddress, UserSession, APIToken):
        assert not model.objects.filter(user=ann).exists(), model
    assert (ann.first_name, ann.last_name, ann.job_title) == ("", "", "")
    assert ann.email.endswith("@deleted.invalid")
    assert not ann.is_active and not ann.has_usable_password()
    assert ann.deleted_at is not None
    assert ann.get_full_name() == "A former officer"
    assert Pledge.objects.filter(pledged_by=ann).count() == 2


def test_the_same_email_can_sign_up_again(world, client):
    ann = world["ann"]
    email = ann.email
    _delete(ann)
    response = client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": "a-fresh-long-passphrase",
            "password2": "a-fresh-long-passphrase",
            "first_name": "Ann",
            "last_name": "Jones",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    fresh = User.objects.get(email=email)
    assert fresh.pk != ann.pk and fresh.deleted_at is None
    assert not fresh.pledges_made.exists(), "the new account starts empty"


def test_the_page_asks_for_the_password_and_the_typed_email(world, client):
    ann = world["ann"]
    client.force_login(ann)
    url = reverse("accounts:account_delete")
    page = client.get(url).content.decode()
    assert "a former officer" in page and ann.email in page
    wrong = client.post(url, {"password": "nope", "confirmation": ann.email})
    assert "Enter your current password" in wrong.content.decode()
    typo = client.post(url, {"password": PASSWORD, "confirmation": "ann@example"})
    assert "Type your email address exactly as shown, to confirm" in typo.content.decode()
    empty = client.post(url, {})
    assert empty.content.decode().count("govuk-error-message") == 2
    ann.refresh_from_db()
    assert ann.deleted_at is None and ann.is_active
    done = client.post(url, {"password": PASSWORD, "confirmation": ann.email.upper()}, follow=True)
    assert "Your account has been deleted." in done.content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 302
    ann.refresh_from_db()
    assert ann.deleted_at is not None


def test_someone_with_no_password_is_told_to_set_one_first(client):
    """An officer who only ever signed in through their council has no password to give."""
    officer = UserFactory()
    officer.set_unusable_password()
    officer.save()
    client.force_login(officer)
    url = reverse("accounts:account_delete")

    page = client.get(url).content.decode()

    assert "you have no Pipeline password yet" in page
    assert f'href="{reverse("account_set_password")}?next={url}"' in page
    assert 'name="password"' not in page


def test_the_only_admin_of_a_council_with_members_is_refused(client):
    council = CouncilFactory(short_name="Swansea")
    admin = verified_member(council, admin=True)
    verified_member(council)
    with pytest.raises(Conflict, match="only admin of Swansea"):
        _delete(admin)
    client.force_login(admin)
    page = client.get(reverse("accounts:account_delete")).content.decode()
    assert "You are the only admin of Swansea" in page and 'type="password"' not in page
    # Another admin: now they may go.
    Membership.objects.filter(council=council, role=MembershipRole.MEMBER).update(
        role=MembershipRole.ADMIN
    )
    _delete(admin)


def test_an_admin_alone_in_their_council_may_go():
    _delete(verified_member(admin=True))


def test_the_owner_of_a_live_project_is_refused_until_it_closes():
    project = published_project()
    with pytest.raises(Conflict, match=project.title):
        _delete(project.owner)
    Project.objects.filter(pk=project.pk).update(state=State.CLOSED)
    _delete(project.owner)
    assert Client().get(project.get_absolute_url()).status_code in (200, 404)


def test_organisers_are_refused():
    with pytest.raises(Conflict, match="organiser"):
        _delete(OrganiserFactory())


def test_the_service_checks_password_and_confirmation():
    user = UserFactory()
    with pytest.raises(InvalidInput) as refused:
        account_delete(user=user, password="wrong", confirmation=user.email)
    assert refused.value.field == "password"
    with pytest.raises(InvalidInput) as refused:
        account_delete(user=user, password=PASSWORD, confirmation="someone@else.org")
    assert refused.value.field == "confirmation"
    _delete(user)
    with pytest.raises(Conflict):
        account_delete(user=user, password=PASSWORD, confirmation=user.email)


@pytest.mark.usefixtures("welsh_catalogues")
def test_a_welsh_projects_timeline_names_a_former_officer_in_welsh():
    project = published_project(language="cy")
    ann = verified_member(CouncilFactory(), first_name="Ann", last_name="Jones")
    people.team_request_join(actor=ann, project=project, role="developer")
    people.team_approve(actor=project.owner, membership=TeamMembership.objects.get(user=ann))
    entry = Update.objects.get(project=project, body__contains="Ann Jones")
    _delete(ann)
    entry.refresh_from_db()
    assert "Ann Jones" not in entry.body
    assert "yn-swyddog" in entry.body, entry.body  # "cyn-swyddog", or capitalised to start


def test_the_profile_says_when_there_is_no_password(client):
    """An officer made by their council's sign-in has no password: the profile does not show
    dots as if there were one."""
    officer = UserFactory()
    officer.set_unusable_password()
    officer.save()
    client.force_login(officer)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert "Not set. You sign in with your council’s account." in page
    assert "••••••••" not in page
