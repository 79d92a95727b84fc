"""Maker teams, following, updates, digests, tag matching, dormancy, adoption, demand, feeds."""

import datetime
import html

import pytest
import time_machine
from defusedxml import ElementTree as ET
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import NotificationFrequency
from core.errors import Conflict, InvalidInput, NotAllowed
from projects import selectors
from projects.models import (
    Follow,
    Notification,
    Phase,
    PledgeState,
    Project,
    State,
    TagFollow,
    TeamStatus,
)
from projects.services import people
from tests.factories import (
    CouncilFactory,
    OrganiserFactory,
    ServiceAreaFactory,
    UserFactory,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


# --- teams ----------------------------------------------------------------------------------


def test_join_lifecycle_and_partner_count(on_commit):
    project = published_project()
    council = CouncilFactory()
    person = verified_member(council)
    mail.outbox.clear()
    membership = on_commit(
        people.team_request_join, actor=person, project=project, role="developer", council=council
    )
    assert mail.outbox[-1].to == [project.owner.email]
    assert membership.status == TeamStatus.REQUESTED

    with pytest.raises(Conflict):
        people.team_request_join(actor=person, project=project, role="designer")
    with pytest.raises(NotAllowed):
        people.team_approve(actor=person, membership=membership)

    on_commit(people.team_approve, actor=project.owner, membership=membership)
    assert mail.outbox[-1].to == [person.email]
    project.refresh_from_db()
    assert project.partner_count == 1  # an active team member's council is a partner

    with pytest.raises(Conflict, match="already been decided"):
        people.team_decline(actor=project.owner, membership=membership)

    people.team_set_role(actor=project.owner, membership=membership, role="designer")
    membership.refresh_from_db()
    assert membership.role == "designer"

    people.team_leave(actor=person, membership=membership)
    membership.refresh_from_db()
    project.refresh_from_db()
    assert membership.status == TeamStatus.LEFT
    assert project.partner_count == 0
    # Having left, the person may ask again.
    people.team_request_join(actor=person, project=project, role="developer")


def test_owner_removes_a_member_and_others_cannot():
    project = published_project()
    member = UserFactory()
    membership = people.team_request_join(actor=member, project=project, role="developer")
    people.team_approve(actor=project.owner, membership=membership)
    with pytest.raises(NotAllowed):
        people.team_leave(actor=UserFactory(), membership=membership)
    people.team_leave(actor=project.owner, membership=membership)
    membership.refresh_from_db()
    assert membership.status == TeamStatus.REMOVED


def test_joining_a_closed_project_is_refused():
    project = published_project()
    Project.objects.filter(pk=project.pk).update(state=State.CLOSED)
    with pytest.raises(Conflict, match="not taking new members"):
        people.team_request_join(actor=UserFactory(), project=project, role="developer")


def test_joining_for_a_council_you_do_not_belong_to_is_refused():
    project = published_project()
    with pytest.raises(NotAllowed):
        people.team_request_join(
            actor=UserFactory(), project=project, role="developer", council=CouncilFactory()
        )


def test_team_shows_on_project_page_and_join_works_without_javascript(client):
    project = published_project()
    council = CouncilFactory(short_name="Swansea")
    person = verified_member(council, first_name="Ceri", last_name="Morgan")
    client.force_login(person)
    response = client.post(
        reverse("projects:join", args=[project.slug]),
        {"role": "user_researcher", "council": council.pk, "message": "I can help"},
    )
    assert response.status_code == 302
    client.force_login(project.owner)
    team_page = client.get(reverse("projects:team", args=[project.slug])).content.decode()
    assert "Ceri Morgan" in team_page
    membership = person.team_memberships.get()
    client.post(reverse("projects:team_action", args=[membership.pk, "approve"]))
    page = client.get(project.get_absolute_url()).content.decode()
    team = page[page.index('id="team"') : page.index('id="updates"')]
    assert "Ceri Morgan" in team and "User researcher" in team and "Swansea" in team
    # Approving twice gives a message, not an error page.
    response = client.post(
        reverse("projects:team_action", args=[membership.pk, "approve"]), follow=True
    )
    assert "This request has already been decided" in response.content.decode()


def test_empty_join_form_shows_errors(client):
    project = published_project()
    client.force_login(UserFactory())
    response = client.post(reverse("projects:join", args=[project.slug]), {})
    assert b"Choose the role you would take" in response.content


# --- following ------------------------------------------------------------------------------


def test_follow_is_one_click_and_unique(client):
    project = published_project()
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("projects:follow", args=[project.slug]))
    assert Follow.objects.filter(user=user, project=project).count() == 1
    # A second click (a double click, or Back and again) shows it followed, not an error.
    response = client.post(reverse("projects:follow", args=[project.slug]), follow=True)
    assert b"You follow this project." in response.content
    assert b"There is a problem" not in response.content
    assert b"Unfollow" in response.content
    assert Follow.objects.filter(user=user, project=project).count() == 1
    client.post(reverse("projects:follow", args=[project.slug]), {"action": "unfollow"})
    assert not Follow.objects.filter(user=user).exists()
    response = client.post(
        reverse("projects:follow", args=[project.slug]), {"action": "unfollow"}, follow=True
    )
    assert b"You no longer follow this project." in response.content
    assert b"Follow this project" in response.content


def test_following_a_draft_is_refused():
    project = published_project()
    Project.objects.filter(pk=project.pk).update(state=State.DRAFT)
    project.refresh_from_db()
    with pytest.raises(Conflict):
        people.follow_project(actor=UserFactory(), project=project)


# --- updates and who hears of them ------------------------------------------------------------


def _person(frequency: str, **kwargs):
    return UserFactory(notification_frequency=frequency, **kwargs)


def test_update_routing_by_preference(on_commit):
    project = published_project()
    at_once, daily, weekly, never = (
        _person(NotificationFrequency.IMMEDIATE),
        _person(NotificationFrequency.DAILY),
        _person(NotificationFrequency.WEEKLY),
        _person(NotificationFrequency.NEVER),
    )
    for user in (at_once, daily, weekly, never):
        Follow.objects.create(user=user, project=project)
    partner = CouncilFactory()
    partner_member = verified_member(
        partner, notification_frequency=NotificationFrequency.IMMEDIATE
    )
    make_pledge(project, council=partner, state=PledgeState.ACCEPTED)
    mail.outbox.clear()

    on_commit(
        people.update_post,
        actor=project.owner,
        project=project,
        title="Alpha done",
        body="We **passed**.",
    )

    assert sorted(m.to[0] for m in mail.outbox) == sorted([at_once.email, partner_member.email])
    assert "Alpha done" in mail.outbox[0].subject
    assert not Notification.objects.filter(user=never).exists()
    assert Notification.objects.filter(user=daily, sent_at__isnull=True).count() == 1
    assert Notification.objects.filter(user=weekly, sent_at__isnull=True).count() == 1
    assert not Notification.objects.filter(user=project.owner).exists()  # the author is not told


def test_empty_update_is_refused_and_nothing_is_saved():
    project = published_project()
    with pytest.raises(InvalidInput) as error:
        people.update_post(actor=project.owner, project=project, title="Hello", body="   ")
    assert error.value.field == "body"
    assert not project.updates.exists()


def test_only_the_team_posts_updates():
    project = published_project()
    with pytest.raises(NotAllowed):
        people.update_post(actor=UserFactory(), project=project, title="x", body="y")
    member = UserFactory()
    membership = people.team_request_join(actor=member, project=project, role="developer")
    people.team_approve(actor=project.owner, membership=membership)
    update = people.update_post(
        actor=member, project=project, title="x", body="y", to_phase="alpha"
    )
    project.refresh_from_db()
    assert project.phase == Phase.ALPHA
    assert (update.from_phase, update.to_phase) == ("idea", "alpha")


def test_digest_sends_once_with_everything_new(on_commit):
    project = published_project(title="Bins", slug="bins")
    daily = _person(NotificationFrequency.DAILY)
    Follow.objects.create(user=daily, project=project)
    on_commit(
        people.update_post, actor=project.owner, project=project, title="First news", body="a"
    )
    on_commit(
        people.update_post, actor=project.owner, project=project, title="Second news", body="b"
    )
    mail.outbox.clear()

    call_command("send_digests", "daily")
    assert [m.to for m in mail.outbox] == [[daily.email]]
    assert "First news" in mail.outbox[0].body and "Second news" in mail.outbox[0].body
    assert "2 new items" in mail.outbox[0].subject

    mail.outbox.clear()
    call_command("send_digests", "daily")
    assert mail.outbox == []  # running it twice sends nothing
    call_command("send_digests", "weekly")
    assert mail.outbox == []  # nobody weekly has anything new


def test_digest_is_in_the_persons_language(on_commit):
    project = published_project()
    reader = _person(NotificationFrequency.WEEKLY, language="cy")
    Follow.objects.create(user=reader, project=project)
    on_commit(people.update_post, actor=project.owner, project=project, title="Newyddion", body="a")
    mail.outbox.clear()
    call_command("send_digests", "weekly")
    assert len(mail.outbox) == 1  # content checked in the Welsh translation tests


# --- interest matching ------------------------------------------------------------------------


def test_new_project_in_a_followed_area_reaches_people_and_council_members(on_commit):
    area = ServiceAreaFactory(name="Parking", slug="parking")
    fan = _person(NotificationFrequency.IMMEDIATE)
    TagFollow.objects.create(user=fan, area=area)
    council = CouncilFactory()
    council_member = verified_member(council, notification_frequency=NotificationFrequency.DAILY)
    TagFollow.objects.create(council=council, area=area)
    uninterested = _person(NotificationFrequency.IMMEDIATE)
    TagFollow.objects.create(
        user=uninterested, area=ServiceAreaFactory(name="Libraries", slug="libraries")
    )

    project = published_project(service_areas=[area])
    Project.objects.filter(pk=project.pk).update(state=State.DRAFT)
    mail.outbox.clear()
    on_commit(people_publish, project)

    assert [m.to for m in mail.outbox if fan.email in m.to] == [[fan.email]]
    assert not any(uninterested.email in m.to for m in mail.outbox)
    assert Notification.objects.filter(
        user=council_member, kind="new_project", sent_at__isnull=True
    ).exists()


def people_publish(project):
    from projects.services import project_set_state

    return project_set_state(actor=project.owner, project=project, state=State.SEEKING_SUPPORT)


def test_tag_follow_for_a_council_needs_membership():
    area = ServiceAreaFactory(name="Housing", slug="housing")
    with pytest.raises(NotAllowed):
        people.tag_follow(actor=UserFactory(), area=area, council=CouncilFactory())
    council = CouncilFactory()
    people.tag_follow(actor=verified_member(council), area=area, council=council)
    with pytest.raises(Conflict):
        people.tag_follow(actor=verified_member(council), area=area, council=council)


# --- dormancy -------------------------------------------------------------------------------


def test_dormancy_threshold_at_the_boundary(client):
    project = published_project()
    now = timezone.now()
    Project.objects.filter(pk=project.pk).update(last_activity_at=now - datetime.timedelta(days=90))
    with time_machine.travel(now - datetime.timedelta(seconds=1), tick=False):
        assert not Project.objects.get(pk=project.pk).is_dormant
        assert not Project.objects.dormant().exists()
    with time_machine.travel(now + datetime.timedelta(seconds=1), tick=False):
        assert Project.objects.get(pk=project.pk).is_dormant
        assert list(Project.objects.dormant()) == [project]
        assert b"No recent activity" in client.get(project.get_absolute_url()).content
        assert project.title.encode() in client.get("/projects/?dormant=on").content


def test_dormant_owner_is_nudged_once_and_an_update_clears_it():
    project = published_project()
    Project.objects.filter(pk=project.pk).update(
        last_activity_at=timezone.now() - datetime.timedelta(days=120)
    )
    mail.outbox.clear()
    call_command("send_digests", "daily")
    assert [m.to for m in mail.outbox] == [[project.owner.email]]
    assert "no update for 90 days" in mail.outbox[0].body
    mail.outbox.clear()
    call_command("send_digests", "daily")
    assert mail.outbox == []
    people.update_post(actor=project.owner, project=project, title="Back", body="Still going")
    project.refresh_from_db()
    assert not project.is_dormant and project.dormancy_nudged_at is None


# --- adoption and demand ---------------------------------------------------------------------


def test_adoption_only_for_live_projects_and_shown_on_both_pages(client):
    project = published_project()
    council = CouncilFactory(short_name="Adoptshire")
    member = verified_member(council)
    today = timezone.localdate()
    with pytest.raises(Conflict, match="live"):
        people.adoption_record(actor=member, project=project, council=council, adopted_on=today)
    Project.objects.filter(pk=project.pk).update(phase=Phase.LIVE)
    project.refresh_from_db()
    with pytest.raises(NotAllowed):
        people.adoption_record(
            actor=UserFactory(), project=project, council=council, adopted_on=today
        )
    people.adoption_record(actor=member, project=project, council=council, adopted_on=today)
    with pytest.raises(Conflict):
        people.adoption_record(actor=member, project=project, council=council, adopted_on=today)
    assert "Adoptshire" in client.get(project.get_absolute_url()).content.decode()
    assert project.title in client.get(council.get_absolute_url()).content.decode()


def test_we_need_this_too_counts_sorts_and_notifies(client, on_commit):
    first = published_project(title="Blue badges", slug="blue-badges")
    second = published_project(title="Zebra crossings", slug="zebra")
    councils = [CouncilFactory() for _ in range(2)]
    members = [
        verified_member(c, notification_frequency=NotificationFrequency.IMMEDIATE) for c in councils
    ]
    for council, member in zip(councils, members, strict=True):
        people.demand_signal_record(actor=member, project=first, council=council)
    with pytest.raises(Conflict):
        people.demand_signal_record(actor=members[0], project=first, council=councils[0])
    first.refresh_from_db()
    assert first.demand_count == 2
    listing = client.get("/projects/?sort=most_needed").content.decode()
    assert listing.index("Blue badges") < listing.index("Zebra crossings")

    # Back in seeking support after delivery: the councils that need it hear.
    Project.objects.filter(pk=first.pk).update(state=State.IN_DELIVERY)
    mail.outbox.clear()
    on_commit(people_publish, first)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in members)
    assert second.demand_count == 0


def test_demand_only_in_idea_or_discovery():
    project = published_project()
    Project.objects.filter(pk=project.pk).update(phase=Phase.BETA)
    project.refresh_from_db()
    council = CouncilFactory()
    with pytest.raises(Conflict):
        people.demand_signal_record(
            actor=verified_member(council), project=project, council=council
        )


# --- similar projects -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "said"),
    [
        (
            State.SEEKING_SUPPORT,
            "Recorded: Cardiff needs this too. The project is seeking support now, so you can "
            "also pledge money or staff time.",
        ),
        (
            State.IN_DELIVERY,
            "Recorded: Cardiff needs this too. The project team can see it, and your "
            "council’s members will hear if it seeks support again.",
        ),
    ],
)
def test_we_need_this_too_is_worded_for_where_the_project_is(client, state, said):
    """It never promises news "when this project seeks support" of a project that already
    seeks it."""
    project = published_project(phase=Phase.IDEA)
    Project.objects.filter(pk=project.pk).update(state=state)
    council = CouncilFactory(short_name="Cardiff")
    client.force_login(verified_member(council))
    url = reverse("projects:demand", args=[project.slug])
    form = client.get(url).content.decode()
    assert "when the project starts seeking support" not in form
    response = client.post(url, {"council": council.pk}, follow=True)
    page = response.content.decode()
    assert said in page
    assert "when this project seeks support" not in page


def test_we_need_this_too_shows_it_was_said_and_can_be_taken_back(client):
    project = published_project(phase=Phase.DISCOVERY)
    council = CouncilFactory(short_name="Cardiff")
    client.force_login(verified_member(council))
    demand_url = reverse("projects:demand", args=[project.slug])
    assert demand_url in client.get(project.get_absolute_url()).content.decode()

    client.post(demand_url, {"council": council.pk})
    page = client.get(project.get_absolute_url()).content.decode()
    assert f'href="{demand_url}"' not in page  # no longer offered
    assert "You said Cardiff needs this too." in page and "Take it back" in page
    project.refresh_from_db()
    assert project.demand_count == 1

    take_back = reverse("projects:demand_withdraw", args=[project.slug])
    for _ in range(2):  # a second click finds it taken back already: no error
        response = client.post(take_back, {"council": council.pk}, follow=True)
        assert b"Taken back: Cardiff no longer says it needs this." in response.content
        assert b"There is a problem" not in response.content
    project.refresh_from_db()
    assert project.demand_count == 0
    assert f'href="{demand_url}"' in client.get(project.get_absolute_url()).content.decode()


def test_we_need_this_too_is_not_offered_to_the_lead_council(client):
    project = published_project(phase=Phase.IDEA)
    client.force_login(verified_member(project.lead_council))
    page = client.get(project.get_absolute_url()).content.decode()
    assert reverse("projects:demand", args=[project.slug]) not in page
    assert "leads this project. Support comes from other councils." in page
    response = client.get(reverse("projects:demand", args=[project.slug]))
    assert response.status_code == 403
    assert b"leads this project" in response.content


def test_only_a_member_of_the_council_can_take_its_need_back():
    project = published_project(phase=Phase.IDEA)
    council = CouncilFactory()
    people.demand_signal_record(actor=verified_member(council), project=project, council=council)
    with pytest.raises(NotAllowed):
        people.demand_signal_withdraw(
            actor=verified_member(CouncilFactory()), project=project, council=council
        )
    assert project.demand_signals.count() == 1


def test_similar_projects_are_shown_while_proposing(client):
    area = ServiceAreaFactory(name="Waste", slug="waste")
    published_project(title="Bulky waste collection booking", slug="bulky", service_areas=[area])
    published_project(title="Library e-books", slug="ebooks")
    council = CouncilFactory()
    officer = verified_member(council)
    client.force_login(officer)
    client.post(
        "/projects/new/",
        {
            "lead_council": council.pk,
            "title": "Book bulky waste",
            "summary": "Collections",
            "service_areas": ["waste"],
        },
    )
    draft = Project.objects.get(title="Book bulky waste")
    page = client.get(reverse("projects:edit", args=[draft.slug, "problem"])).content.decode()
    assert "Has someone already done this?" in page
    assert "Bulky waste collection booking" in page
    assert "Library e-books" not in page


# --- feeds ----------------------------------------------------------------------------------


def _items(client, url: str, atom: bool) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    if atom:
        ns = {"a": "http://www.w3.org/2005/Atom"}
        assert root.tag == "{http://www.w3.org/2005/Atom}feed"
        titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
        return [html.unescape(t) for t in titles]  # feeds escape user text once more
    assert root.tag == "rss" and root.get("version") == "2.0"
    return [html.unescape(i.findtext("title")) for i in root.find("channel").findall("item")]


def test_feeds_are_valid_rss_and_atom_with_the_right_items(client):
    area = ServiceAreaFactory(name="Parking", slug="parking")
    council = CouncilFactory(short_name="Feedshire")
    shown = published_project(
        title="Permits <&> more", slug="permits", lead_council=council, service_areas=[area]
    )
    other = published_project(title="Elsewhere", slug="elsewhere")
    hidden = published_project(
        title="Hidden one", slug="hidden", lead_council=council, service_areas=[area]
    )
    Project.objects.filter(pk=hidden.pk).update(is_hidden=True, hidden_reason="Spam")
    people.update_post(actor=shown.owner, project=shown, title="We launched", body="Hooray")

    for atom in (False, True):
        suffix = "atom/" if atom else ""
        assert set(_items(client, f"/projects/feed/{suffix}", atom)) == {shown.title, other.title}
        assert _items(client, f"/projects/areas/parking/feed/{suffix}", atom) == [shown.title]
        assert _items(client, f"/councils/{council.slug}/feed/{suffix}", atom) == [shown.title]
        assert _items(client, f"/projects/permits/updates/feed/{suffix}", atom) == ["We launched"]
    assert client.get("/projects/hidden/updates/feed/").status_code == 404


# --- My Pipeline ----------------------------------------------------------------------------


def test_dashboard_shows_what_waits_with_constant_queries(client):
    council = CouncilFactory()
    owner = verified_member(council, admin=True)
    client.force_login(owner)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/my-pipeline/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    client.get("/my-pipeline/")  # fills the caches (locales, the navigation)

    def add_one():
        project = published_project(lead_council=council, owner=owner)
        make_pledge(project)
        people.team_request_join(actor=UserFactory(), project=project, role="developer")
        Follow.objects.create(user=owner, project=published_project())
        from tests.factories import MembershipFactory

        MembershipFactory(council=council, status="pending")

    add_one()
    before = queries()
    for _ in range(5):
        add_one()
    assert queries() == before
    page = client.get("/my-pipeline/").content.decode()
    assert "Offers waiting for your decision" in page
    assert "Requests to join your teams" in page
    assert "People asking to join your council" in page


def test_dashboard_shows_a_councils_newest_pledges_and_links_to_all_of_them(client):
    council = CouncilFactory()
    officer = verified_member(council)
    project = published_project()
    for pence in range(100, 100 + selectors.DASHBOARD_COUNCIL_PLEDGES + 5):
        make_pledge(project, council=council, amount=pence * 100)
    client.force_login(officer)

    page = client.get("/my-pipeline/").content.decode()

    newest, oldest = selectors.DASHBOARD_COUNCIL_PLEDGES + 104, 100
    assert f"£{newest:,}<" in page and f"£{oldest:,}<" not in page
    assert f"These are the {selectors.DASHBOARD_COUNCIL_PLEDGES} newest pledges." in page
    assert f'href="/councils/{council.slug}/pledges.csv"' in page
    # The CSV holds the council's public pledges, and says so.
    assert f"All of {council.display_name}'s public pledges (CSV)" in html.unescape(page)


def test_an_officer_sees_offers_on_their_own_projects_and_no_one_elses(client):
    council = CouncilFactory()
    officer = verified_member(council)
    theirs = published_project(lead_council=council, owner=officer, title="Their own")
    colleagues = published_project(lead_council=council, title="A colleague's")
    make_pledge(theirs, amount=123_400)
    make_pledge(colleagues, amount=567_800)
    client.force_login(officer)

    page = client.get("/my-pipeline/").content.decode()

    assert "£1,234<" in page and "£5,678<" not in page


def test_organiser_sees_every_offer_waiting(client):
    project = published_project()
    make_pledge(project)
    client.force_login(OrganiserFactory())
    assert project.title in client.get("/my-pipeline/").content.decode()


def test_notification_links_go_to_the_sites_own_address(on_commit, settings):
    settings.PIPELINE_BASE_URL = "https://pipeline.example.gov.uk:8443"
    project = published_project()
    reader = UserFactory(notification_frequency=NotificationFrequency.IMMEDIATE, language="cy")
    people.follow_project(actor=reader, project=project)
    mail.outbox.clear()

    on_commit(people.update_post, actor=project.owner, project=project, title="Beta", body="Live.")

    (message,) = mail.outbox
    assert f"https://pipeline.example.gov.uk:8443/cy/projects/{project.slug}/" in message.body
    assert "127.0.0.1" not in message.body and "testserver" not in message.body
