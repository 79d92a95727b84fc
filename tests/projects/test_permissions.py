"""Who may do what to a project, checked through the services (which enforce it) and the
permission functions (which views and templates ask)."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from core.errors import NotAllowed
from councils.models import Membership, MembershipRole, MembershipStatus
from projects import selectors, services
from projects.models import Kind, Need, Phase, Pledge, PledgeEvent, PledgeState, Project, State
from projects.permissions import (
    user_can_manage_project,
    user_can_view_project,
    user_can_withdraw_pledge,
)
from tests.factories import (
    CouncilFactory,
    MembershipFactory,
    NeedFactory,
    OrganiserFactory,
    ProjectFactory,
    UserFactory,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db

ACTORS = [
    "no_membership",
    "pending_member",
    "other_council_member",
    "lead_member",
    "lead_admin",
    "owner",
    "pledging_council_member",
    "organiser",
]
MANAGERS = {"lead_admin", "owner", "organiser"}
LEAD_COUNCIL = {"lead_member", "lead_admin", "owner", "organiser"}
PLEDGERS = {"pledging_council_member", "organiser"}

MANAGE_MESSAGE = "Only the project's owner, an admin of Leadshire or an organiser may do this."


@pytest.fixture
def world():
    lead = CouncilFactory(short_name="Leadshire")
    partner = CouncilFactory(short_name="Partnerton")
    other = CouncilFactory(short_name="Elsewhere")
    project = published_project(lead_council=lead)
    pending = UserFactory()
    for council in (lead, partner):
        MembershipFactory(user=pending, council=council, status=MembershipStatus.PENDING)
    pledger = verified_member(partner)
    w = SimpleNamespace(
        lead=lead,
        partner=partner,
        project=project,
        pledger=pledger,
        spare_need=NeedFactory(project=project, amount=100),
        offered=make_pledge(project, council=partner, actor=pledger, amount=1_000),
        accepted=make_pledge(
            project, council=partner, actor=pledger, amount=2_000, state="accepted"
        ),
        actors={
            "no_membership": UserFactory(),
            "pending_member": pending,
            "other_council_member": verified_member(other),
            "lead_member": verified_member(lead),
            "lead_admin": verified_member(lead, admin=True),
            "owner": project.owner,
            "pledging_council_member": pledger,
            "organiser": OrganiserFactory(),
        },
    )
    return w


def state_of_everything(w) -> dict:
    return {
        "projects": list(Project.objects.order_by("pk").values()),
        "needs": list(Need.objects.order_by("pk").values()),
        "pledges": list(Pledge.objects.order_by("pk").values()),
        "events": PledgeEvent.objects.count(),
    }


def pledge_state(pledge) -> str:
    return Pledge.objects.get(pk=pledge.pk).state


# Each action: (who may, how to do it, what a person sees once it is done, field, refusal text)
ACTIONS = {
    "create project": (
        LEAD_COUNCIL,
        lambda w, a: services.project_create(
            actor=a, lead_council=w.lead, title="Parking permits", summary="Apply online"
        ),
        lambda w: Project.objects.filter(title="Parking permits", lead_council=w.lead).exists(),
        "lead_council",
        "You can only propose projects for a council you are a verified member of.",
    ),
    "update": (
        MANAGERS,
        lambda w, a: services.project_update(actor=a, project=w.project, title="Renamed"),
        lambda w: Project.objects.get(pk=w.project.pk).title == "Renamed",
        None,
        MANAGE_MESSAGE,
    ),
    "set state": (
        MANAGERS,
        lambda w, a: services.project_set_state(
            actor=a, project=w.project, state=State.IN_DELIVERY
        ),
        lambda w: Project.objects.get(pk=w.project.pk).state == State.IN_DELIVERY,
        None,
        MANAGE_MESSAGE,
    ),
    "set phase": (
        MANAGERS,
        lambda w, a: services.project_set_phase(actor=a, project=w.project, phase=Phase.ALPHA),
        lambda w: Project.objects.get(pk=w.project.pk).phase == Phase.ALPHA,
        None,
        MANAGE_MESSAGE,
    ),
    "add need": (
        MANAGERS,
        lambda w, a: services.need_add(
            actor=a, project=w.project, kind=Kind.TIME, amount=6, role="designer"
        ),
        lambda w: w.project.needs.filter(role="designer").exists(),
        None,
        MANAGE_MESSAGE,
    ),
    "remove need": (
        MANAGERS,
        lambda w, a: services.need_remove(actor=a, need=w.spare_need),
        lambda w: not Need.objects.filter(pk=w.spare_need.pk).exists(),
        None,
        MANAGE_MESSAGE,
    ),
    "offer": (
        PLEDGERS,
        lambda w, a: services.pledge_offer(
            actor=a, project=w.project, council=w.partner, kind=Kind.MONEY, amount=777
        ),
        lambda w: Pledge.objects.filter(amount=777, council=w.partner).exists(),
        "council",
        "Only verified members of Partnerton can pledge for it.",
    ),
    "accept": (
        MANAGERS,
        lambda w, a: services.pledge_accept(actor=a, pledge=w.offered),
        lambda w: pledge_state(w.offered) == PledgeState.ACCEPTED,
        None,
        MANAGE_MESSAGE,
    ),
    "decline": (
        MANAGERS,
        lambda w, a: services.pledge_decline(actor=a, pledge=w.offered),
        lambda w: pledge_state(w.offered) == PledgeState.DECLINED,
        None,
        MANAGE_MESSAGE,
    ),
    "fulfil": (
        MANAGERS,
        lambda w, a: services.pledge_fulfil(actor=a, pledge=w.accepted),
        lambda w: pledge_state(w.accepted) == PledgeState.FULFILLED,
        None,
        MANAGE_MESSAGE,
    ),
    "withdraw offered": (
        PLEDGERS,
        lambda w, a: services.pledge_withdraw(actor=a, pledge=w.offered, reason="No budget"),
        lambda w: pledge_state(w.offered) == PledgeState.WITHDRAWN,
        None,
        "Only verified members of Partnerton can withdraw its pledge.",
    ),
    "withdraw accepted": (
        PLEDGERS,
        lambda w, a: services.pledge_withdraw(actor=a, pledge=w.accepted, reason="No budget"),
        lambda w: pledge_state(w.accepted) == PledgeState.WITHDRAWN,
        None,
        "Only verified members of Partnerton can withdraw its pledge.",
    ),
}


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_permission_table(world, action, actor_name):
    allowed, do, done, field, message = ACTIONS[action]
    actor = world.actors[actor_name]
    assert not done(world)
    if actor_name in allowed:
        do(world, actor)
        assert done(world)
    else:
        before = state_of_everything(world)
        with pytest.raises(NotAllowed) as excinfo:
            do(world, actor)
        assert (excinfo.value.field, excinfo.value.message) == (field, message)
        assert excinfo.value.status_code == 403
        assert state_of_everything(world) == before
        assert not done(world)


@pytest.mark.parametrize("actor_name", ACTORS)
def test_permission_functions_agree_with_the_services(world, actor_name):
    actor = world.actors[actor_name]
    assert user_can_manage_project(actor, world.project) is (actor_name in MANAGERS)
    assert user_can_withdraw_pledge(actor, world.offered) is (actor_name in PLEDGERS)
    assert user_can_view_project(actor, world.project) is True


@pytest.mark.parametrize("actor_name", ACTORS)
@pytest.mark.parametrize("hidden", [False, True], ids=["draft", "hidden"])
def test_drafts_and_hidden_projects_are_seen_by_the_lead_council_and_organisers(
    world, actor_name, hidden
):
    if hidden:
        Project.objects.filter(pk=world.project.pk).update(is_hidden=True, hidden_reason="Spam")
    else:
        Project.objects.filter(pk=world.project.pk).update(state=State.DRAFT)
    project = Project.objects.get(pk=world.project.pk)
    actor = world.actors[actor_name]
    may = actor_name in LEAD_COUNCIL
    assert user_can_view_project(actor, project) is may
    found = selectors.project_for_page(slug=project.slug, user=actor)
    assert (found == project) if may else (found is None)


@pytest.mark.parametrize("user", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_anonymous_visitors_read_published_projects_only(world, user):
    project = world.project
    assert user_can_view_project(user, project)
    assert selectors.project_for_page(slug=project.slug, user=user) == project
    assert not user_can_manage_project(user, project)
    assert not user_can_withdraw_pledge(user, world.offered)
    draft = ProjectFactory(lead_council=world.lead)
    assert not user_can_view_project(user, draft)
    assert selectors.project_for_page(slug=draft.slug, user=user) is None


@pytest.mark.parametrize(
    "status", [MembershipStatus.PENDING, MembershipStatus.LEFT, MembershipStatus.REFUSED]
)
def test_an_owner_who_is_no_longer_a_verified_member_cannot_manage(world, status):
    Membership.objects.filter(user=world.project.owner, council=world.lead).update(status=status)
    owner = world.project.owner
    assert not user_can_manage_project(owner, world.project)
    with pytest.raises(NotAllowed):
        services.project_update(actor=owner, project=world.project, title="Renamed")
    with pytest.raises(NotAllowed):
        services.pledge_accept(actor=owner, pledge=world.offered)
    assert pledge_state(world.offered) == PledgeState.OFFERED
    assert Project.objects.get(pk=world.project.pk).title != "Renamed"


def test_an_admin_whose_membership_is_pending_cannot_manage(world):
    admin = UserFactory()
    MembershipFactory(
        user=admin, council=world.lead, role=MembershipRole.ADMIN, status=MembershipStatus.PENDING
    )
    assert not user_can_manage_project(admin, world.project)
    with pytest.raises(NotAllowed):
        services.pledge_decline(actor=admin, pledge=world.offered)
    assert pledge_state(world.offered) == PledgeState.OFFERED


def test_an_admin_of_the_pledging_council_cannot_accept_its_own_pledge(world):
    admin = verified_member(world.partner, admin=True)
    with pytest.raises(NotAllowed):
        services.pledge_accept(actor=admin, pledge=world.offered)
    assert pledge_state(world.offered) == PledgeState.OFFERED


def test_a_member_of_another_council_pledges_for_their_own_council_not_for_others(world):
    member = world.actors["other_council_member"]
    other = member.memberships.get().council
    pledge = services.pledge_offer(
        actor=member, project=world.project, council=other, kind=Kind.MONEY, amount=5
    )
    assert pledge.council == other
    with pytest.raises(NotAllowed):
        services.pledge_withdraw(actor=world.pledger, pledge=pledge, reason="Not ours")
    assert pledge_state(pledge) == PledgeState.OFFERED


def test_any_verified_member_of_the_pledging_council_may_withdraw_its_pledge(world):
    colleague = verified_member(world.partner)
    services.pledge_withdraw(actor=colleague, pledge=world.offered, reason="Council decision")
    event = world.offered.events.last()
    assert (event.actor, event.to_state, event.note) == (
        colleague,
        PledgeState.WITHDRAWN,
        "Council decision",
    )


def test_the_owner_cannot_withdraw_a_partners_pledge(world):
    with pytest.raises(NotAllowed):
        services.pledge_withdraw(actor=world.project.owner, pledge=world.offered, reason="Nope")
    assert pledge_state(world.offered) == PledgeState.OFFERED


def test_an_organiser_may_lead_a_project_for_any_council():
    council = CouncilFactory()
    organiser = OrganiserFactory()
    project = services.project_create(
        actor=organiser, lead_council=council, title="Shared forms", summary="Forms"
    )
    assert project.owner == organiser
    assert user_can_manage_project(organiser, project)
    # A project can also be pledged to by the organiser for another council.
    published = published_project(lead_council=council)
    other = CouncilFactory()
    pledge = services.pledge_offer(
        actor=organiser, project=published, council=other, kind=Kind.TIME, amount=2
    )
    assert pledge.council == other


# --- what a page offers, and why not (the same rules the services apply) --------------------

NOT_A_MEMBER = "Only verified members of a council other than the lead one can do this."
LEADS = "Your council, Leadshire, leads this project. Support comes from other councils."
# Waiting at Leadshire too, which cannot make them a supporter: only Partnerton is named.
WAITING = "Your request to join Partnerton is waiting for a council admin or an organiser."
PAGE_PLEDGE = {  # None: "Pledge support" is offered
    "no_membership": NOT_A_MEMBER,
    "pending_member": WAITING,
    "other_council_member": None,
    "lead_member": LEADS,
    "lead_admin": LEADS,
    "owner": LEADS,
    "pledging_council_member": None,
    "organiser": NOT_A_MEMBER,
}


@pytest.mark.parametrize("actor_name", ACTORS)
def test_the_project_page_offers_pledging_only_to_those_who_may_and_says_why_not(
    world, actor_name, client
):
    actor = world.actors[actor_name]
    client.force_login(actor)
    page = client.get(world.project.get_absolute_url()).content.decode()
    pledge_url = f'href="/projects/{world.project.slug}/pledge/"'
    why = PAGE_PLEDGE[actor_name]
    if why is None:
        assert pledge_url in page
    else:
        assert pledge_url not in page
        assert why in page
        # and the pledge page itself says the same, instead of "Join your council first"
        response = client.get(f"/projects/{world.project.slug}/pledge/")
        assert response.status_code == 403
        if "leads this project" in why:
            assert why in response.content.decode()
            assert "Join your council first" not in response.content.decode()


def test_someone_waiting_to_join_another_council_is_told_it_waits_not_asked_to_join_again(
    world, client
):
    newcomer = UserFactory()
    farshire = CouncilFactory(short_name="Farshire")
    MembershipFactory(user=newcomer, council=farshire, status=MembershipStatus.PENDING)
    client.force_login(newcomer)
    waiting = "Your request to join Farshire is waiting for a council admin or an organiser."

    page = client.get(world.project.get_absolute_url()).content.decode()
    pledge_page = client.get(f"/projects/{world.project.slug}/pledge/")
    propose_page = client.get("/projects/new/")

    assert waiting in page and "Join your council</a>" not in page
    assert pledge_page.status_code == 403 and waiting in pledge_page.content.decode()
    assert "Join your council first" not in pledge_page.content.decode()
    assert propose_page.status_code == 403
    propose = propose_page.content.decode()
    assert "Your request to join Farshire is waiting for a council admin" in propose
    assert "Join another council" in propose


def test_the_verdict_is_the_services_rule(world):
    """A lead-council member refused on the page is refused by the service the same way."""
    from projects.permissions import may_pledge

    member = world.actors["lead_member"]
    assert not may_pledge(member, world.project)
    with pytest.raises(Exception, match="Leadshire leads this project"):
        services.pledge_offer(
            actor=member, project=world.project, council=world.lead, kind=Kind.MONEY, amount=5
        )
    assert may_pledge(world.pledger, world.project).councils == (world.partner,)


def test_the_owner_is_not_offered_their_own_maker_team(world, client):
    from core.errors import Conflict
    from projects.services import people

    owner = world.actors["owner"]
    client.force_login(owner)
    page = client.get(world.project.get_absolute_url()).content.decode()
    assert "Join the maker team" not in page
    assert "You own this project, so you lead its team already." in page
    response = client.get(f"/projects/{world.project.slug}/join/")
    assert response.status_code == 403
    assert b"You own this project" in response.content
    assert b"If you think you should" not in response.content  # nobody can grant it
    assert f'href="{world.project.get_absolute_url()}"'.encode() in response.content
    with pytest.raises(Conflict, match="You own this project"):
        people.team_request_join(actor=owner, project=world.project, role="developer")
    # Anyone else signed in is offered it.
    client.force_login(world.actors["lead_member"])
    assert "Join the maker team" in client.get(world.project.get_absolute_url()).content.decode()


# --- private notes: the pledging and the lead council only ----------------------------------

SECRET, DECISION_SECRET = "SECRET-cost-code-DIG-42", "SECRET-decision-reason"
SEES_PRIVATE = {"lead_member", "lead_admin", "owner", "pledging_council_member"}


@pytest.fixture
def noted(world):
    pledge = services.pledge_offer(
        actor=world.pledger,
        project=world.project,
        council=world.partner,
        kind=Kind.MONEY,
        amount=12_300,
        note="Public: from our digital budget",
        private_note=SECRET,
    )
    services.pledge_accept(
        actor=world.project.owner, pledge=pledge, note="Thanks", private_note=DECISION_SECRET
    )
    world.noted = pledge
    # A second one still waiting, for the Manage page's offers.
    services.pledge_offer(
        actor=world.pledger,
        project=world.project,
        council=world.partner,
        kind=Kind.MONEY,
        amount=45_600,
        private_note=SECRET,
    )
    return world


PLACES = {
    "pledge page and history": lambda w: f"/projects/pledges/{w.noted.pk}/",
    "manage page": lambda w: f"/projects/{w.project.slug}/manage/",
    "council CSV": lambda w: f"/councils/{w.partner.slug}/pledges.csv",
    "API pledge": lambda w: f"/api/v1/pledges/{w.noted.pk}/",
    "API pledges": lambda w: f"/api/v1/pledges/?project={w.project.slug}",
    "API CSV": lambda w: f"/api/v1/pledges.csv?project={w.project.slug}",
    "project page": lambda w: w.project.get_absolute_url(),
}
# Where the two councils read their private notes; everywhere else they are never shown.
PRIVATE_PLACES = {"pledge page and history", "manage page", "council CSV"}


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize("actor_name", ["anonymous", *ACTORS])
def test_private_notes_permission_matrix(noted, client, place, actor_name):
    if actor_name != "anonymous":
        client.force_login(noted.actors[actor_name])
    response = client.get(PLACES[place](noted))
    if response.status_code != 200:  # the manage page is for managers only
        assert place == "manage page" and response.status_code in (302, 403)
        return
    body = _body(response)
    shown = actor_name in SEES_PRIVATE and place in PRIVATE_PLACES
    assert (SECRET in body) is shown, f"{actor_name} on the {place}"
    if place == "pledge page and history":
        assert (DECISION_SECRET in body) is shown
        assert "Public: from our digital budget" in body  # the public note, for everyone
    if place == "council CSV" and shown:
        assert (
            response["Cache-Control"].startswith("private")
            or "private" in response["Cache-Control"]
        )
