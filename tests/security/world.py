"""A realistic little world for the security tests: councils, people in every role, and projects
in the states the pages deal with.

- Leadshire leads ``project`` (published, in discovery, with a money and a time need, pledges
  from Partnerton in every state, a waiting team request, an update and a follower), ``live``
  (published, live, for adoption) and ``draft`` (a draft ready to publish).
- People, one per role the permission matrices check:

  anonymous    nobody signed in
  pending      signed in, asked to join Leadshire, not yet verified
  other        a verified member of Elsewhere, a council with nothing to do with these projects
  lead_member  a verified member of Leadshire (the owning council), not the owner, not an admin
  pledger      a verified member of Partnerton, the pledging council
  owner        the projects' owner, a verified member of Leadshire
  organiser    LocalGov Digital staff

  and, for the web matrix's extra column (``APPROVER_ROLES``):

  approver     a verified approver of Partnerton: signs off its pledges over its delegated limit
               (£500 of money here), one of which (``waiting``) awaits approval
"""

import datetime
from types import SimpleNamespace

from allauth.usersessions.models import UserSession
from django.test import Client
from django.utils import timezone
from wagtail.models import APIToken

from councils.models import Commitment, MembershipRole, MembershipStatus
from funding.models import CallStatus, PartnerState
from projects import services
from projects.models import (
    Follow,
    Phase,
    PledgeState,
    Project,
    Role,
    State,
    Update,
)
from projects.services import people
from tests.factories import (
    ApplicationFactory,
    ApplicationPartnerFactory,
    CallFactory,
    CommitmentFactory,
    CouncilCommitmentFactory,
    CouncilFactory,
    FunderFactory,
    FunderMembershipFactory,
    MembershipFactory,
    MilestoneFactory,
    NeedFactory,
    OrganiserFactory,
    ProjectFactory,
    ServiceAreaFactory,
    UserFactory,
    approver,
    make_pledge,
    published_project,
    verified_member,
)
from tests.funding.applying import add_matrix_bid
from tests.funding.combining_world import add_matrix_combining

# A pledge in each state of the ordinary lifecycle (a conditional one is made apart).
LIFECYCLE_STATES = (
    PledgeState.OFFERED,
    PledgeState.ACCEPTED,
    PledgeState.DECLINED,
    PledgeState.WITHDRAWN,
    PledgeState.FULFILLED,
)

ROLES = ("anonymous", "pending", "other", "lead_member", "pledger", "owner", "organiser")
APPROVER_ROLES = (*ROLES, "approver")


def make_world(**text) -> SimpleNamespace:
    """Everything above; ``text`` overrides user-written fields (the hostile-text tests)."""
    t = SimpleNamespace(
        title="Shared waste collection",
        summary="Bin rounds planned together",
        description="We will **share** a service.",
        problem="Each council builds its own.",
        users="Residents and crews",
        outcomes="Fewer missed bins",
        need="Developer time",
        note="From our digital budget",
        reason="Budget moved",
        update_title="Discovery started",
        update_body="We met *five* councils.",
        message="I can help with research",
        first_name="Ada",
        last_name="Lovelace",
        job_title="Digital officer",
        council="Leadshire",
    )
    for key, value in text.items():
        setattr(t, key, value)
    w = SimpleNamespace(text=t)
    w.lead = CouncilFactory(short_name=t.council, name=f"{t.council} Council", slug="leadshire")
    w.partner = CouncilFactory(short_name="Partnerton", slug="partnerton", money_limit=50_000)
    w.elsewhere = CouncilFactory(short_name="Elsewhere", slug="elsewhere")
    w.area = ServiceAreaFactory(name="Waste", slug="waste")
    owner = verified_member(
        w.lead, first_name=t.first_name, last_name=t.last_name, job_title=t.job_title
    )
    w.project = published_project(
        lead_council=w.lead,
        owner=owner,
        title=t.title,
        slug="shared-waste",
        summary=t.summary,
        description=t.description,
        problem=t.problem,
        users=t.users,
        outcomes=t.outcomes,
        phase=Phase.DISCOVERY,
        service_areas=[w.area],
    )
    w.project.needs.filter(kind="time").update(description=t.need)
    w.money_need = w.project.needs.get(kind="money")
    w.spare_need = NeedFactory(project=w.project, amount=100, description=t.need)
    w.live = published_project(
        lead_council=w.lead, owner=owner, title="Live thing", slug="live-thing", phase=Phase.LIVE
    )
    w.draft = ProjectFactory(
        lead_council=w.lead,
        owner=owner,
        title="Draft idea",
        slug="draft-idea",
        summary="Not yet public",
        problem="A problem",
        users="Some users",
    )
    NeedFactory(project=w.draft)

    w.milestone = MilestoneFactory(project=w.project, created_by=owner, title="Alpha assessment")

    w.users = {
        "pending": UserFactory(),
        "other": verified_member(w.elsewhere),
        "lead_member": verified_member(w.lead),
        "pledger": verified_member(w.partner),
        "owner": owner,
        "organiser": OrganiserFactory(),
        "approver": approver(w.partner),
    }
    w.pending_membership = MembershipFactory(
        user=w.users["pending"], council=w.lead, status=MembershipStatus.PENDING, message=t.message
    )
    w.lead_membership = w.users["lead_member"].memberships.get(council=w.lead)
    assert w.lead_membership.role == MembershipRole.MEMBER

    pledger = w.users["pledger"]
    w.pledges = {
        state: make_pledge(
            w.project,
            council=w.partner,
            actor=pledger,
            amount=1_000 * (i + 1),
            state=state,
            note=t.note,
        )
        for i, state in enumerate(LIFECYCLE_STATES)
    }
    w.offered = w.pledges[PledgeState.OFFERED]
    w.accepted = w.pledges[PledgeState.ACCEPTED]
    # A second offer to withdraw, so accept and withdraw rows do not act on the same pledge.
    w.to_withdraw = make_pledge(w.project, council=w.partner, actor=pledger, amount=500)
    # Waiting for 50 other councils: public, withdrawable by its council, not yet to decide.
    w.conditional = make_pledge(
        w.project, council=w.partner, actor=pledger, amount=700, state=PledgeState.CONDITIONAL
    )
    # Over Partnerton's limit: it waits for the approver; the lead council does not see it.
    w.waiting = make_pledge(
        w.project, council=w.partner, actor=pledger, amount=100_000, state=PledgeState.PENDING
    )
    # A change Partnerton proposed to another offer, waiting for the owner's answer.
    w.amended = make_pledge(w.project, council=w.partner, actor=pledger, amount=300)
    w.proposed = services.pledge_amend(
        actor=pledger, pledge=w.amended, amount=400, note="Budget grew"
    )
    w.joiner = verified_member(w.partner)
    w.team_request = people.team_request_join(
        actor=w.joiner, project=w.project, role=Role.DEVELOPER, message=t.message
    )
    w.update = Update.objects.create(
        project=w.project,
        author=owner,
        title=t.update_title,
        body=t.update_body,
        created_at=timezone.now() - datetime.timedelta(hours=1),
    )
    Follow.objects.create(project=w.project, user=w.users["other"])
    w.token = APIToken.create_token(user=owner, name="Finance script")[0]
    # The owner is also signed in on a phone (Sessions and tokens lists it).
    phone = Client()
    phone.force_login(owner)
    w.owner_session = UserSession.objects.create(
        user=owner, session_key=phone.session.session_key, ip="198.51.100.1", user_agent="Safari"
    )
    # Funding: a closed call with the project's application submitted (assessment is open).
    from tests.funding.assessment_world import matrix_call

    w.call, w.application = matrix_call(project=w.project)
    # Funding: a funder (none of the roles above belongs to it) with an open call and a draft,
    # a request to join it and a verified member; Leadshire signed the Local Digital
    # Declaration and may record one more commitment.
    w.funder = FunderFactory(name="Department for Testing", slug="dft")
    w.open_call = CallFactory(funder=w.funder, slug="open-call")
    w.draft_call = CallFactory(
        funder=w.funder, slug="draft-call", status=CallStatus.DRAFT, published_at=None
    )
    w.funder_request = FunderMembershipFactory(funder=w.funder, status=MembershipStatus.PENDING)
    w.funder_membership = FunderMembershipFactory(funder=w.funder)
    w.signed = CouncilCommitmentFactory(council=w.lead, commitment=CommitmentFactory())
    w.charter = Commitment.objects.create(name="Service Standard", slug="service-standard")
    Project.objects.filter(pk=w.project.pk).update(state=State.SEEKING_SUPPORT)
    for name in ("project", "live", "draft"):
        getattr(w, name).refresh_from_db()
    _funding_partners(w)
    add_matrix_bid(w)  # funding applications: a call and Partnerton's draft bid to it
    add_matrix_combining(w)  # similar bids: Partnerton's bid suggested to join Leadshire's
    return w


def _funding_partners(w) -> None:
    """Leadshire's draft bid with ``project`` to an open call, Partnerton invited
    (``partners_bid``); and its bid to another call in which Partnerton has confirmed its part
    (``partners_confirmed_bid``)."""
    w.partners_bid = ApplicationFactory(project=w.project)
    ApplicationPartnerFactory(
        application=w.partners_bid, council=w.partner, invited_by=w.users["owner"]
    )
    w.partners_confirmed_bid = ApplicationFactory(project=w.project)
    ApplicationPartnerFactory(
        application=w.partners_confirmed_bid,
        council=w.partner,
        invited_by=w.users["owner"],
        state=PartnerState.CONFIRMED,
        decided_by=w.users["approver"],
        decided_at=timezone.now(),
    )
