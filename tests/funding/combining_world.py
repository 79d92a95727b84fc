"""An open call with similar bids, the people around them, and pledges and followers on the
bid that would join another: for the similar-bids and combining tests."""

from types import SimpleNamespace

from funding.models import ApplicationState, FunderRole
from funding.services.combining import combine_suggest
from projects.models import Follow, PledgeState
from projects.services import pledge_amend
from tests.factories import (
    CallFactory,
    CouncilFactory,
    FunderFactory,
    OrganiserFactory,
    ServiceAreaFactory,
    UserFactory,
    approver,
    funder_member,
    make_pledge,
    published_project,
    verified_member,
)

from .assessment_world import submitted


def bid(call, council, title: str, summary: str, *, areas=(), **kwargs):
    """A submitted bid to ``call`` by ``council`` with a project of these words."""
    project = published_project(
        lead_council=council, title=title, summary=summary, service_areas=list(areas)
    )
    return submitted(call, project=project, summary=kwargs.pop("bid_summary", summary), **kwargs)


def make_combining_world() -> SimpleNamespace:
    """Leadshire's and Boroughton's bids to report missed bins are alike (waste); Thirdham's
    parking permits bid is not. Boroughton's would join Leadshire's: Partnerton confirmed its
    part in it and pledged to its project, which has followers."""
    w = SimpleNamespace()
    w.funder = FunderFactory(name="Department for Digital Places", slug="ddp")
    w.waste = ServiceAreaFactory(name="Waste", slug="waste")
    w.parking = ServiceAreaFactory(name="Parking", slug="parking")
    w.call = CallFactory(funder=w.funder, title="Local Digital Fund 10", slug="ldf-10")
    w.lead = CouncilFactory(short_name="Leadshire", slug="leadshire")
    w.borough = CouncilFactory(short_name="Boroughton", slug="boroughton")
    w.partner = CouncilFactory(short_name="Partnerton", slug="partnerton")
    w.third = CouncilFactory(short_name="Thirdham", slug="thirdham")
    w.continuing = bid(
        w.call,
        w.lead,
        "Report a missed bin collection",
        "Residents report missed bin collections online and crews see them on rounds",
        areas=[w.waste],
    )
    w.absorbed = bid(
        w.call,
        w.borough,
        "Missed bin reporting",
        "An online form for residents to report a missed bin collection to the crews",
        areas=[w.waste],
        partners=[w.partner],
    )
    w.parking_bid = bid(
        w.call,
        w.third,
        "Parking permit renewals",
        "Renew resident parking permits online with payment",
        areas=[w.parking],
    )
    w.users = {
        "moderator": funder_member(w.funder, FunderRole.MODERATOR, first_name="Meg"),
        "assessor": funder_member(w.funder, FunderRole.ASSESSOR, first_name="Asha"),
        "other_funder": funder_member(FunderFactory(), FunderRole.MODERATOR),
        "organiser": OrganiserFactory(),
        "lead_approver": approver(w.lead, first_name="Lee"),
        "borough_approver": approver(w.borough, first_name="Bo"),
        "lead_member": verified_member(w.lead),
        "borough_member": verified_member(w.borough),
        "partner_approver": approver(w.partner),
        "stranger": UserFactory(),
    }
    w.pledger = verified_member(w.partner)
    project = w.absorbed.project
    w.pledges = {
        PledgeState.ACCEPTED: make_pledge(
            project,
            council=w.partner,
            actor=w.pledger,
            amount=2_000_00,
            state=PledgeState.ACCEPTED,
            need=project.needs.get(kind="money"),
        ),
        PledgeState.DECLINED: make_pledge(
            project, council=w.partner, actor=w.pledger, amount=300, state=PledgeState.DECLINED
        ),
        PledgeState.CONDITIONAL: make_pledge(
            project, council=w.third, amount=700, state=PledgeState.CONDITIONAL
        ),
    }
    w.amended = make_pledge(project, council=w.third, amount=400)
    w.proposed = pledge_amend(
        actor=w.amended.pledged_by, pledge=w.amended, amount=450, note="Budget grew"
    )
    # Two followers: one follows both projects already, one only the joining one.
    w.both = UserFactory()
    w.only_absorbed = UserFactory()
    Follow.objects.create(project=w.continuing.project, user=w.both)
    Follow.objects.create(project=project, user=w.both)
    Follow.objects.create(project=project, user=w.only_absorbed)
    assert w.absorbed.state == ApplicationState.SUBMITTED
    return w


def suggest(w, **kwargs):
    kwargs.setdefault("actor", w.users["moderator"])
    kwargs.setdefault("continuing", w.continuing)
    kwargs.setdefault("absorbed", w.absorbed)
    return combine_suggest(**kwargs)


def add_matrix_combining(w) -> None:
    """For the site-wide permission matrices: on the closed call ``w.call`` (with Leadshire's
    ``w.application``), Partnerton's similar bid and a suggestion that it join Leadshire's
    (``combine_suggestion``), and a third council's bid (``combine_third``) to suggest anew."""
    from funding.models import CombineSuggestion

    w.combine_bid = bid(
        w.call, w.partner, "Partnerton missed bins", "Report a missed bin collection"
    )
    w.combine_third = bid(
        w.call, CouncilFactory(short_name="Thirdham"), "Thirdham bins", "Report a missed bin"
    )
    w.combine_suggestion = CombineSuggestion.objects.create(
        call=w.call,
        continuing=w.application,
        absorbed=w.combine_bid,
        suggested_by=w.users["organiser"],
    )
