"""Awards in the ledger, through the services: the award plan (tranches adding up to the award),
the funder's pledges made when the decisions are published, and their release, at once, from a
milestone, from a phase, or by hand; the ledger stays reconciled throughout."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from activity.models import ActivityAction, ActivityEntry
from core.errors import Conflict, InvalidInput, NotAllowed
from delivery.services import milestone_mark_done
from funding.models import AwardTranche, DecisionOutcome
from funding.services import assessment as services
from funding.services.awards import award_tranche_release
from projects import services as project_services
from projects.ledger import check_ledger
from projects.models import Kind, Phase, Pledge, PledgeEvent, PledgeState
from tests.factories import CouncilFactory, MilestoneFactory, make_pledge, verified_member

from .assessment_world import make_assessment_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = make_assessment_world()
    w.project = w.application.project
    w.milestone = MilestoneFactory(project=w.project, title="Private beta opens")
    return w


def _decide(w, amount=60_000_00, tranches=None, user=None, application=None):
    application = application or w.application
    user = user or w.users["moderator"]
    services.application_shortlist(actor=user, application=application, shortlisted=True)
    return services.application_decide(
        actor=user,
        application=application,
        outcome=DecisionOutcome.FUND,
        award_amount=amount,
        feedback="Strong partnership.",
        tranches=tranches,
    )


def _publish(w):
    services.application_decide(
        actor=w.users["moderator"],
        application=w.other_application,
        outcome=DecisionOutcome.NOT_FUND,
        feedback="Not enough evidence of need.",
    )
    services.call_publish_decisions(actor=w.users["moderator"], call=w.call)
    w.project.refresh_from_db()


def _plan(w):
    """£30,000 on award, £20,000 at the milestone, £10,000 in beta."""
    return [
        {"amount": 30_000_00},
        {"amount": 20_000_00, "milestone": w.milestone.pk},
        {"amount": 10_000_00, "phase": Phase.BETA},
    ]


def _states(w):
    return [
        (t.amount, t.state)
        for t in AwardTranche.objects.filter(application=w.application)
        .select_related("pledge")
        .order_by("position")
    ]


# --- constraints ------------------------------------------------------------------------------


def test_a_pledge_comes_from_a_council_or_a_funder_never_both_or_neither(w):
    pledge = make_pledge(w.project)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.filter(pk=pledge.pk).update(funder=w.funder)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.filter(pk=pledge.pk).update(council=None)


def test_an_award_is_plain_money(w):
    pledge = project_services.pledge_award(
        actor=w.users["moderator"], project=w.project, funder=w.funder, amount=1_000_00
    )
    for change in (
        {"kind": Kind.TIME, "amount": 10},
        {"match_percent": 50, "matched_amount": 0},
        {"private_note": "secret"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Pledge.objects.filter(pk=pledge.pk).update(**change)


def test_the_database_keeps_tranches_positive_and_tied_to_one_thing(w):
    _decide(w, tranches=[{"amount": 60_000_00}])
    tranche = AwardTranche.objects.get(application=w.application)
    for change in (
        {"amount": 0},
        {"amount": -5},
        {"phase": Phase.IDEA},
        {"milestone": w.milestone, "phase": Phase.BETA},
        {"position": tranche.position},  # a second row in the same place
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            if "position" in change:
                AwardTranche.objects.create(application=w.application, amount=1, **change)
            else:
                AwardTranche.objects.filter(pk=tranche.pk).update(**change)


# --- planning ---------------------------------------------------------------------------------


def test_without_a_plan_the_whole_award_is_one_tranche_released_on_award(w):
    _decide(w)
    assert _states(w) == [(60_000_00, "planned")]
    _publish(w)
    assert _states(w) == [(60_000_00, "released")]
    pledge = AwardTranche.objects.get(application=w.application).pledge
    assert (pledge.funder, pledge.council, pledge.state) == (w.funder, None, PledgeState.FULFILLED)
    assert [e.to_state for e in pledge.events.order_by("sequence")] == [
        PledgeState.OFFERED,
        PledgeState.ACCEPTED,
        PledgeState.FULFILLED,
    ]
    assert w.project.money_fulfilled == 60_000_00
    assert check_ledger() == []


@pytest.mark.parametrize(
    "tranches, field",
    [
        ([{"amount": 30_000_00}, {"amount": 20_000_00}], "tranches"),  # £50,000 of £60,000
        ([{"amount": 60_000_00}, {"amount": 1}], "tranches"),  # a penny over
        ([{"amount": 0}, {"amount": 60_000_00}], "tranche_1_amount"),
        ([{"amount": "60000"}], "tranche_1_amount"),
        ([{"amount": 60_000_00, "phase": "retired"}], "tranche_1_when"),
        ([{"amount": 60_000_00, "milestone": 999_999}], "tranche_1_when"),
        ([{"amount": 60_000_00, "milestone": "x"}], "tranche_1_when"),
        ([{"amount": 10_00}] * 6 + [{"amount": 59_930_00}], "tranches"),  # seven tranches
    ],
)
def test_the_tranches_must_add_up_to_the_award(w, tranches, field):
    with pytest.raises(InvalidInput) as caught:
        _decide(w, tranches=tranches)
    assert caught.value.field == field
    assert not AwardTranche.objects.exists()


def test_a_milestone_of_another_project_is_refused(w):
    elsewhere = MilestoneFactory()
    with pytest.raises(InvalidInput):
        _decide(w, tranches=[{"amount": 60_000_00, "milestone": elsewhere.pk}])


def test_changing_the_decision_replaces_the_plan_and_not_funding_drops_it(w):
    _decide(w, tranches=_plan(w))
    assert len(_states(w)) == 3
    _decide(w, amount=50_000_00, tranches=[{"amount": 50_000_00, "phase": Phase.ALPHA}])
    assert _states(w) == [(50_000_00, "planned")]
    services.application_decide(
        actor=w.users["moderator"],
        application=w.application,
        outcome=DecisionOutcome.NOT_FUND,
        feedback="On reflection, no.",
    )
    assert not AwardTranche.objects.exists()


@pytest.mark.parametrize("role", ["assessor", "member", "other_funder", "applicant", "organiser"])
def test_only_the_funders_moderators_plan_an_award(w, role):
    services.application_shortlist(
        actor=w.users["moderator"], application=w.application, shortlisted=True
    )
    with pytest.raises(NotAllowed):
        services.application_decide(
            actor=w.users[role],
            application=w.application,
            outcome=DecisionOutcome.FUND,
            award_amount=60_000_00,
            feedback="Yes.",
            tranches=[{"amount": 60_000_00}],
        )
    assert not AwardTranche.objects.exists()


# --- publishing and release -------------------------------------------------------------------


def test_tranches_become_the_funders_pledges_and_count_in_the_totals(w):
    other = CouncilFactory()
    make_pledge(w.project, council=other, amount=5_000_00, state=PledgeState.ACCEPTED)
    w.project.refresh_from_db()
    partners_before = w.project.partner_count
    _decide(w, tranches=_plan(w))
    _publish(w)
    assert _states(w) == [(30_000_00, "released"), (20_000_00, "awarded"), (10_000_00, "awarded")]
    # Awarded counts as accepted, released as fulfilled, like a council's pledges.
    assert w.project.money_accepted == 5_000_00 + 30_000_00
    assert w.project.money_fulfilled == 30_000_00
    assert w.project.partner_count == partners_before  # a funder is not a partner council
    assert check_ledger() == []


def test_marking_the_milestone_done_releases_its_tranche_once(w):
    _decide(w, tranches=_plan(w))
    _publish(w)
    owner = w.project.owner
    milestone_mark_done(actor=owner, milestone=w.milestone)
    assert _states(w)[1] == (20_000_00, "released")
    # Correcting the date is no second release.
    milestone_mark_done(
        actor=owner, milestone=w.milestone, done_on=timezone.localdate() - datetime.timedelta(1)
    )
    tranche = AwardTranche.objects.get(application=w.application, position=2)
    assert tranche.pledge.events.filter(to_state=PledgeState.FULFILLED).count() == 1
    entries = ActivityEntry.objects.filter(action=ActivityAction.FUNDING_TRANCHE_RELEASED)
    # Logged under whoever reached the milestone (publication itself is logged as such).
    assert list(entries.values_list("actor", flat=True)) == [owner.pk]
    w.project.refresh_from_db()
    assert w.project.money_fulfilled == 50_000_00
    assert check_ledger() == []


def test_entering_the_phase_or_a_later_one_releases_its_tranche_once(w):
    _decide(w, tranches=_plan(w))
    _publish(w)
    owner = w.project.owner
    project_services.project_set_phase(actor=owner, project=w.project, phase=Phase.ALPHA)
    assert _states(w)[2] == (10_000_00, "awarded")
    project_services.project_set_phase(actor=owner, project=w.project, phase=Phase.LIVE)
    assert _states(w)[2] == (10_000_00, "released")
    project_services.project_set_phase(actor=owner, project=w.project, phase=Phase.BETA)
    project_services.project_set_phase(actor=owner, project=w.project, phase=Phase.LIVE)
    tranche = AwardTranche.objects.get(application=w.application, position=3)
    assert tranche.pledge.events.filter(to_state=PledgeState.FULFILLED).count() == 1
    assert check_ledger() == []


def test_what_is_already_reached_at_publication_is_released_then(w):
    milestone_mark_done(actor=w.project.owner, milestone=w.milestone)
    project_services.project_set_phase(actor=w.project.owner, project=w.project, phase=Phase.BETA)
    _decide(w, tranches=_plan(w))
    _publish(w)
    assert [state for _amount, state in _states(w)] == ["released"] * 3
    assert w.project.money_fulfilled == 60_000_00
    assert check_ledger() == []


def test_a_moderator_releases_a_tranche_by_hand_once(w):
    _decide(w, tranches=_plan(w))
    tranche = AwardTranche.objects.get(application=w.application, position=3)
    with pytest.raises(Conflict):  # not published yet
        award_tranche_release(actor=w.users["moderator"], tranche=tranche)
    _publish(w)
    tranche.refresh_from_db()
    for role in ("assessor", "member", "other_funder", "applicant", "organiser"):
        with pytest.raises(NotAllowed):
            award_tranche_release(actor=w.users[role], tranche=tranche)
    award_tranche_release(actor=w.users["admin"], tranche=tranche, note="Beta funded early")
    assert _states(w)[2] == (10_000_00, "released")
    entry = ActivityEntry.objects.get(
        action=ActivityAction.FUNDING_TRANCHE_RELEASED, actor=w.users["admin"]
    )
    assert entry.reason == "Beta funded early" and entry.details["by_hand"] is True
    with pytest.raises(Conflict):
        award_tranche_release(actor=w.users["admin"], tranche=tranche)
    # Reaching beta later releases nothing more.
    project_services.project_set_phase(actor=w.project.owner, project=w.project, phase=Phase.BETA)
    assert tranche.pledge.events.filter(to_state=PledgeState.FULFILLED).count() == 1
    assert check_ledger() == []


# --- the council-only flows -------------------------------------------------------------------


def test_council_flows_refuse_an_award(w):
    _decide(w, tranches=_plan(w))
    _publish(w)
    pledge = AwardTranche.objects.get(application=w.application, position=2).pledge
    owner = w.project.owner
    organiser = w.users["organiser"]
    with pytest.raises((Conflict, NotAllowed)):
        project_services.pledge_withdraw(actor=organiser, pledge=pledge, reason="No")
    with pytest.raises(Conflict):
        project_services.pledge_fulfil(actor=owner, pledge=pledge)
    with pytest.raises(Conflict):
        project_services.pledge_amend(actor=organiser, pledge=pledge, amount=1_00, note="Less")
    with pytest.raises(Conflict):
        project_services.pledge_record_decision(
            actor=organiser,
            pledge=pledge,
            title="Cabinet",
            decided_on=timezone.localdate(),
            url="https://example.org/d",
        )
    pledge.refresh_from_db()
    assert pledge.state == PledgeState.ACCEPTED
    assert check_ledger() == []


def test_a_match_never_matches_an_award_nor_does_a_condition_count_the_funder(w):
    matcher = CouncilFactory()
    match = project_services.pledge_offer(
        actor=verified_member(matcher),
        project=w.project,
        council=matcher,
        kind=Kind.MONEY,
        amount=10_000_00,
        match_percent=50,
    )
    waiting_council = CouncilFactory()
    waiting = project_services.pledge_offer(
        actor=verified_member(waiting_council),
        project=w.project,
        council=waiting_council,
        kind=Kind.MONEY,
        amount=1_000_00,
        min_other_councils=2,  # the matcher is one other council; the funder is not another
    )
    _decide(w)
    _publish(w)
    match.refresh_from_db()
    waiting.refresh_from_db()
    assert match.matched_amount == 0
    assert waiting.state == PledgeState.CONDITIONAL
    assert check_ledger() == []


def test_check_ledger_finds_an_award_moved_out_of_its_states(w):
    _decide(w, tranches=_plan(w))
    _publish(w)
    pledge = AwardTranche.objects.get(application=w.application, position=3).pledge
    # Something other than the services withdraws it, with a ledger event that would be a
    # lifecycle move for a council's pledge.
    PledgeEvent.objects.create(
        pledge=pledge,
        sequence=3,
        actor=w.users["organiser"],
        from_state=PledgeState.ACCEPTED,
        to_state=PledgeState.WITHDRAWN,
    )
    Pledge.objects.filter(pk=pledge.pk).update(state=PledgeState.WITHDRAWN)
    found = [str(m) for m in check_ledger()]
    message = f"pledge {pledge.pk} (an award) state: stored withdrawn, ledger says accepted or"
    assert f"{message} fulfilled" in found
