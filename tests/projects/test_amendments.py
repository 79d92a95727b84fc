"""Amendments: the pledging council proposes a changed amount, the owner accepts or declines it,
and the ledger links the replacement to the original. No pledge is edited in place."""

from types import SimpleNamespace

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import Conflict, InvalidInput, NotAllowed
from mail.models import Delivery
from projects import services
from projects.ledger import check_ledger
from projects.models import Kind, Need, Pledge, PledgeEvent, PledgeState, Project
from tests.factories import (
    CouncilFactory,
    OrganiserFactory,
    approver,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A partner council (limit £20,000) that offered £10,000 toward a project's money need."""
    lead = CouncilFactory(short_name="Leadshire")
    partner = CouncilFactory(short_name="Partnerton", money_limit=2_000_000)
    project = published_project(lead_council=lead, title="Bin collection finder")
    need = project.needs.get(kind=Kind.MONEY)
    pledger = verified_member(partner)
    pledge = services.pledge_offer(
        actor=pledger,
        project=project,
        council=partner,
        kind=Kind.MONEY,
        amount=1_000_000,
        need=need,
    )
    return SimpleNamespace(
        lead=lead,
        partner=partner,
        project=project,
        need=need,
        owner=project.owner,
        pledger=pledger,
        approver=approver(partner),
        pledge=pledge,
    )


def amend(w, amount: int = 1_200_000, *, actor=None, pledge=None, note="Cabinet added budget"):
    return services.pledge_amend(
        actor=actor or w.pledger, pledge=pledge or w.pledge, amount=amount, note=note
    )


def totals(project: Project) -> tuple[int, int]:
    project.refresh_from_db()
    return project.money_offered, project.money_accepted


def state_of(pledge: Pledge) -> str:
    return Pledge.objects.values_list("state", flat=True).get(pk=pledge.pk)


def keys(pledge: Pledge) -> set[tuple[str, int]]:
    return set(
        Delivery.objects.filter(key__startswith=f"pledge:{pledge.pk}:").values_list(
            "key", "user_id"
        )
    )


def test_a_proposed_change_waits_and_the_original_keeps_counting(world):
    amendment = amend(world)
    assert amendment.state == PledgeState.PROPOSED
    assert amendment.amends == world.pledge
    assert (amendment.amount, amendment.need, amendment.council) == (
        1_200_000,
        world.need,
        world.partner,
    )
    assert amendment.offered_at is not None  # the lead council sees it
    assert state_of(world.pledge) == PledgeState.OFFERED
    assert totals(world.project) == (1_000_000, 0)
    event = amendment.events.get()
    assert (event.to_state, event.linked_pledge_id) == (PledgeState.PROPOSED, world.pledge.pk)
    assert keys(amendment) == {(f"pledge:{amendment.pk}:proposed", world.owner.pk)}
    assert check_ledger() == []


@pytest.mark.parametrize("original_state", [PledgeState.OFFERED, PledgeState.ACCEPTED])
def test_accepting_the_change_replaces_the_original_in_one_step(world, original_state):
    if original_state == PledgeState.ACCEPTED:
        services.pledge_accept(actor=world.owner, pledge=world.pledge)
    amendment = amend(world)
    amendment = services.pledge_accept(actor=world.owner, pledge=amendment, note="Thank you")
    assert amendment.state == original_state  # offered stays offered, accepted stays accepted
    assert state_of(world.pledge) == PledgeState.SUPERSEDED
    expected = (1_200_000, 0) if original_state == PledgeState.OFFERED else (0, 1_200_000)
    assert totals(world.project) == expected
    world.need.refresh_from_db()
    assert world.need.offered + world.need.accepted == 1_200_000
    superseded = world.pledge.events.last()
    taken = amendment.events.last()
    assert (superseded.to_state, superseded.linked_pledge_id) == (
        PledgeState.SUPERSEDED,
        amendment.pk,
    )
    assert (taken.from_state, taken.to_state, taken.linked_pledge_id) == (
        PledgeState.PROPOSED,
        original_state,
        world.pledge.pk,
    )
    assert (f"pledge:{amendment.pk}:amendment_accepted", world.pledger.pk) in keys(amendment)
    assert check_ledger() == []


def test_the_replacement_goes_on_like_any_pledge_and_can_be_changed_again(world):
    amendment = services.pledge_accept(actor=world.owner, pledge=amend(world))
    services.pledge_accept(actor=world.owner, pledge=amendment)
    again = amend(world, 900_000, pledge=amendment, note="Spend reduced")
    again = services.pledge_accept(actor=world.owner, pledge=again)
    assert state_of(amendment) == PledgeState.SUPERSEDED
    assert totals(world.project) == (0, 900_000)
    services.pledge_fulfil(actor=world.owner, pledge=again)
    assert check_ledger() == []


def test_declining_the_change_leaves_the_original_as_it_was(world):
    amendment = services.pledge_decline(actor=world.owner, pledge=amend(world), note="Not now")
    assert amendment.state == PledgeState.DECLINED
    assert state_of(world.pledge) == PledgeState.OFFERED
    assert totals(world.project) == (1_000_000, 0)
    assert (f"pledge:{amendment.pk}:amendment_declined", world.pledger.pk) in keys(amendment)
    # The original can be changed again now that nothing is waiting.
    assert amend(world, 800_000).state == PledgeState.PROPOSED
    assert check_ledger() == []


def test_the_pledging_council_may_withdraw_its_proposal(world):
    amendment = services.pledge_withdraw(actor=world.pledger, pledge=amend(world), reason="Typo")
    assert amendment.state == PledgeState.WITHDRAWN
    assert state_of(world.pledge) == PledgeState.OFFERED
    assert (f"pledge:{amendment.pk}:amendment_withdrawn", world.owner.pk) in keys(amendment)
    assert check_ledger() == []


def test_only_one_open_proposal_per_pledge(world):
    amend(world)
    with pytest.raises(Conflict) as excinfo:
        amend(world, 1_100_000)
    assert excinfo.value.field == "amount"
    assert world.pledge.amendments.count() == 1


def test_the_database_refuses_a_second_live_amendment(world):
    first = amend(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(
            project=world.project,
            council=world.partner,
            pledged_by=world.pledger,
            kind=Kind.MONEY,
            amount=3,
            amends=world.pledge,
            state=PledgeState.PROPOSED,
            offered_at=timezone.now(),
        )
    assert list(world.pledge.amendments.all()) == [first]


@pytest.mark.parametrize(
    ("amount", "error", "field"),
    [
        (1_000_000, InvalidInput, "amount"),  # the same amount
        (0, InvalidInput, "amount"),
        (10_000_000 * 100 + 1, InvalidInput, "amount"),
    ],
)
def test_bad_amounts_are_refused_by_field(world, amount, error, field):
    with pytest.raises(error) as excinfo:
        amend(world, amount)
    assert excinfo.value.field == field
    assert not world.pledge.amendments.exists()


def test_a_reason_is_needed(world):
    with pytest.raises(InvalidInput) as excinfo:
        amend(world, note="   ")
    assert excinfo.value.field == "note"


def test_only_the_pledging_councils_members_may_propose(world):
    for outsider in (verified_member(world.lead), verified_member(CouncilFactory()), world.owner):
        with pytest.raises(NotAllowed):
            amend(world, actor=outsider)
    assert amend(world, actor=OrganiserFactory()).state == PledgeState.PROPOSED


def test_the_owner_decides_and_the_pledger_cannot_accept_their_own_change(world):
    amendment = amend(world)
    with pytest.raises(NotAllowed):
        services.pledge_accept(actor=world.pledger, pledge=amendment)
    with pytest.raises(NotAllowed):
        services.pledge_decline(actor=world.pledger, pledge=amendment)
    assert state_of(amendment) == PledgeState.PROPOSED


@pytest.mark.parametrize(
    "state", [PledgeState.DECLINED, PledgeState.WITHDRAWN, PledgeState.FULFILLED]
)
def test_only_offered_or_accepted_pledges_can_change(state):
    project = published_project()
    council = CouncilFactory()
    member = verified_member(council)
    pledge = make_pledge(project, council=council, actor=member, state=state)
    with pytest.raises(Conflict) as excinfo:
        services.pledge_amend(actor=member, pledge=pledge, amount=5, note="More")
    assert excinfo.value.field == "state"


def test_an_over_limit_change_waits_for_an_approver_first(world):
    amendment = amend(world, 2_500_000)
    assert amendment.state == PledgeState.PENDING
    assert amendment.offered_at is None
    approver_keys = keys(amendment)
    assert approver_keys == {
        (f"pledge:{amendment.pk}:pending:{world.approver.pk}", world.approver.pk)
    }
    # The lead council cannot decide it yet.
    with pytest.raises(NotAllowed):
        services.pledge_accept(actor=world.owner, pledge=amendment)
    amendment = services.pledge_approve(actor=world.approver, pledge=amendment)
    assert amendment.state == PledgeState.PROPOSED  # a change proposed, never an offer
    assert amendment.offered_at is not None
    assert (f"pledge:{amendment.pk}:approved", world.pledger.pk) in keys(amendment)
    assert (f"pledge:{amendment.pk}:proposed", world.owner.pk) in keys(amendment)
    assert totals(world.project) == (1_000_000, 0)
    services.pledge_accept(actor=world.owner, pledge=amendment)
    assert totals(world.project) == (2_500_000, 0)
    assert check_ledger() == []


def test_an_approvers_own_over_limit_change_goes_straight_to_the_owner(world):
    assert amend(world, 2_500_000, actor=world.approver).state == PledgeState.PROPOSED


def test_a_refused_change_never_reaches_the_owner(world):
    amendment = amend(world, 2_500_000)
    services.pledge_refuse(actor=world.approver, pledge=amendment, reason="Over budget")
    assert state_of(amendment) == PledgeState.REFUSED
    assert state_of(world.pledge) == PledgeState.OFFERED
    assert (f"pledge:{amendment.pk}:refused", world.pledger.pk) in keys(amendment)
    assert not any(user == world.owner.pk for _key, user in keys(amendment))
    assert check_ledger() == []


@pytest.mark.parametrize("end", ["decline", "withdraw"])
def test_a_proposal_closes_when_its_original_ends(world, end):
    amendment = amend(world)
    if end == "decline":
        services.pledge_decline(actor=world.owner, pledge=world.pledge)
    else:
        services.pledge_withdraw(actor=world.pledger, pledge=world.pledge, reason="Budget cut")
    assert state_of(amendment) == PledgeState.WITHDRAWN
    assert "Closed" in amendment.events.last().note
    assert totals(world.project) == (0, 0)
    assert check_ledger() == []


def test_no_change_grows_a_pledge_to_a_met_need(world):
    services.need_mark_met(actor=world.owner, need=world.need)
    with pytest.raises(Conflict):
        amend(world, 1_100_000)
    assert amend(world, 900_000).state == PledgeState.PROPOSED


def test_staff_time_changes_in_half_days():
    project = published_project()
    council = CouncilFactory()
    member = verified_member(council)
    need = project.needs.get(kind=Kind.TIME)
    pledge = make_pledge(
        project, council=council, actor=member, kind=Kind.TIME, amount=6, need=need
    )
    amendment = services.pledge_amend(actor=member, pledge=pledge, amount=9, note="A third person")
    services.pledge_accept(actor=project.owner, pledge=amendment)
    project.refresh_from_db()
    assert project.half_days_offered == 9
    assert Need.objects.get(pk=need.pk).offered == 9
    assert check_ledger() == []


# --- check_ledger catches a broken amendment -----------------------------------------------


def test_a_superseded_pledge_without_a_replacement_is_reported(world):
    amend(world)
    pledge = world.pledge
    PledgeEvent.objects.create(
        pledge=pledge,
        sequence=2,
        actor=world.owner,
        from_state=PledgeState.OFFERED,
        to_state=PledgeState.SUPERSEDED,
    )
    Pledge.objects.filter(pk=pledge.pk).update(state=PledgeState.SUPERSEDED)
    services.recalculate_totals(world.project)
    found = [str(m) for m in check_ledger()]
    assert found == [
        f"pledge {pledge.pk} replacement: stored [], ledger says exactly one, for a superseded "
        "pledge"
    ]


def test_a_replacement_whose_original_still_counts_is_reported(world):
    """Both the original and its replacement counting would double the total: reported."""
    amendment = amend(world)
    PledgeEvent.objects.create(
        pledge=amendment,
        sequence=2,
        actor=world.owner,
        from_state=PledgeState.PROPOSED,
        to_state=PledgeState.OFFERED,
        linked_pledge=world.pledge,
    )
    Pledge.objects.filter(pk=amendment.pk).update(state=PledgeState.OFFERED)
    services.recalculate_totals(world.project)
    found = [str(m) for m in check_ledger()]
    assert found == [
        f"pledge {world.pledge.pk} replacement: stored [{amendment.pk}], ledger says exactly "
        "one, for a superseded pledge"
    ]


def test_an_amendment_to_another_councils_pledge_or_never_proposed_is_reported(world):
    other = CouncilFactory()
    forged = Pledge.objects.create(
        project=world.project,
        need=world.need,
        council=other,
        pledged_by=world.pledger,
        kind=Kind.MONEY,
        amount=5,
        amends=world.pledge,
        state=PledgeState.OFFERED,
        offered_at=timezone.now(),
    )
    PledgeEvent.objects.create(pledge=forged, sequence=1, actor=world.pledger, to_state="offered")
    services.recalculate_totals(world.project)
    found = [str(m) for m in check_ledger()]
    what = f"pledge {forged.pk} (amends {world.pledge.pk})"
    assert f"{what} first state: stored offered, ledger says proposed" in found
    assert f"{what} first event link: stored None, ledger says {world.pledge.pk}" in found
    assert any(line.startswith(f"{what} project, need, council, kind, role") for line in found)


# --- emails, sent by the workers once the change is committed --------------------------------


def test_the_owner_and_the_pledger_are_emailed_in_their_language(
    world, django_capture_on_commit_callbacks
):
    from django.core import mail

    world.pledger.language = "cy"
    world.pledger.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        amendment = amend(world)
    assert [m.to for m in mail.outbox] == [[world.owner.email]]
    proposed = mail.outbox[0]
    assert "Partnerton proposes a change to its pledge to Bin collection finder" in (
        proposed.subject
    )
    assert "from £10,000 to £12,000" in proposed.body
    assert "Cabinet added budget" in proposed.body
    assert amendment.get_absolute_url() in proposed.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_accept(actor=world.owner, pledge=amendment)
    assert [m.to for m in mail.outbox] == [[world.pledger.email]]
    accepted = mail.outbox[0]
    assert "Cafodd y newid i’ch addewid i Bin collection finder ei dderbyn" in accepted.subject
    assert "mae bellach yn £12,000 yn lle £10,000" in accepted.body
