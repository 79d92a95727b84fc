"""Conditional and match pledges: waiting for other councils, matching what they give, lapsing."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail

from core.errors import Conflict, InvalidInput
from mail.models import Delivery
from projects import services
from projects.ledger import check_ledger
from projects.models import Kind, Pledge, PledgeEvent, PledgeState, Project, State
from projects.services.pledges import pledges_lapse_overdue
from tests.factories import (
    CouncilFactory,
    approver,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db

CONDITIONAL, OFFERED, ACCEPTED, LAPSED = (
    PledgeState.CONDITIONAL,
    PledgeState.OFFERED,
    PledgeState.ACCEPTED,
    PledgeState.LAPSED,
)


@pytest.fixture
def world():
    """A published project (deadline 31 March 2027) led by Leadshire; Cardiff and Powys pledge."""
    lead = CouncilFactory(short_name="Leadshire")
    project = published_project(
        lead_council=lead, title="Bin collection finder", pledging_deadline=date(2027, 3, 31)
    )
    cardiff = CouncilFactory(short_name="Cardiff")
    powys = CouncilFactory(short_name="Powys")
    return SimpleNamespace(
        project=project,
        owner=project.owner,
        cardiff=cardiff,
        powys=powys,
        cardiff_member=verified_member(cardiff),
        powys_member=verified_member(powys),
    )


def offer(w, council, amount: int, *, kind: str = Kind.MONEY, **conditions) -> Pledge:
    member = w.cardiff_member if council == w.cardiff else w.powys_member
    return services.pledge_offer(
        actor=member, project=w.project, council=council, kind=kind, amount=amount, **conditions
    )


def totals(project: Project) -> dict:
    return Project.objects.values(
        "money_offered",
        "money_accepted",
        "money_fulfilled",
        "money_conditional",
        "money_matched",
        "half_days_offered",
        "half_days_accepted",
        "half_days_conditional",
        "half_days_matched",
    ).get(pk=project.pk)


def moves(pledge: Pledge) -> list[tuple[str, str, int | None]]:
    return list(
        PledgeEvent.objects.filter(pledge=pledge)
        .order_by("sequence")
        .values_list("from_state", "to_state", "actor_id")
    )


def keys(pledge: Pledge) -> set[tuple[str, int]]:
    return set(
        Delivery.objects.filter(key__startswith=f"pledge:{pledge.pk}:").values_list(
            "key", "user_id"
        )
    )


# --- waiting for other councils ---------------------------------------------------------------


def test_a_conditional_pledge_waits_on_the_table_apart_from_the_offered_totals(world):
    w = world
    pledge = offer(w, w.cardiff, 2_000_000, min_other_councils=2)

    assert pledge.state == CONDITIONAL
    assert pledge.is_public  # the lead council and the public see it
    assert pledge.condition_status == "waiting"
    row = totals(w.project)
    assert (row["money_offered"], row["money_conditional"]) == (0, 2_000_000)
    need = w.project.needs.get(kind=Kind.MONEY)
    assert (need.offered, need.conditional) == (0, 0)  # made to the project, not this need
    # The owner hears of a conditional offer; nobody can accept it yet.
    assert keys(pledge) == {(f"pledge:{pledge.pk}:conditional", w.owner.pk)}
    with pytest.raises(Conflict):
        services.pledge_accept(actor=w.owner, pledge=pledge)
    assert check_ledger() == []


def test_the_write_that_meets_the_condition_makes_it_an_offer_once_by_pipeline(world):
    w = world
    pledge = offer(w, w.cardiff, 2_000_000, min_other_councils=2)
    offer(w, w.powys, 500_000)
    assert Pledge.objects.get(pk=pledge.pk).state == CONDITIONAL  # one other council is not two
    third = make_pledge(w.project, amount=300_000)  # a second other council: met

    pledge.refresh_from_db()
    assert pledge.state == OFFERED
    assert pledge.condition_status == "met"
    assert pledge.condition_met_at is not None
    assert moves(pledge) == [("", CONDITIONAL, w.cardiff_member.pk), (CONDITIONAL, OFFERED, None)]
    row = totals(w.project)
    assert (row["money_offered"], row["money_conditional"]) == (2_800_000, 0)
    # Both sides hear, once each.
    assert keys(pledge) == {
        (f"pledge:{pledge.pk}:conditional", w.owner.pk),
        (f"pledge:{pledge.pk}:condition_met:{w.owner.pk}", w.owner.pk),
        (f"pledge:{pledge.pk}:condition_met:{w.cardiff_member.pk}", w.cardiff_member.pk),
    }
    # It is now an offer like any other: withdrawing what met it does not undo it.
    services.pledge_withdraw(actor=third.pledged_by, pledge=third, reason="Budget cut")
    make_pledge(w.project, amount=100)
    pledge.refresh_from_db()
    assert pledge.state == OFFERED
    assert [m[1] for m in moves(pledge)].count(OFFERED) == 1
    services.pledge_accept(actor=w.owner, pledge=pledge)
    assert totals(w.project)["money_accepted"] == 2_000_000
    assert check_ledger() == []


def test_a_condition_met_already_when_pledged_is_an_offer_at_once(world):
    w = world
    make_pledge(w.project, council=w.powys, actor=w.powys_member, amount=100)
    pledge = offer(w, w.cardiff, 1_000, min_other_councils=1)
    assert pledge.state == OFFERED
    assert moves(pledge) == [("", CONDITIONAL, w.cardiff_member.pk), (CONDITIONAL, OFFERED, None)]
    assert check_ledger() == []


def test_two_councils_each_waiting_for_one_other_meet_each_others_condition(world):
    w = world
    first = offer(w, w.cardiff, 1_000, min_other_councils=1)
    assert first.state == CONDITIONAL
    second = offer(w, w.powys, 2_000, min_other_councils=1)
    first.refresh_from_db()
    assert (first.state, second.state) == (OFFERED, OFFERED)
    assert totals(w.project)["money_offered"] == 3_000
    assert check_ledger() == []


def test_only_other_councils_live_pledges_count(world):
    w = world
    # Declined and withdrawn before it was made: while they were offered they would have met it.
    make_pledge(w.project, amount=100, state=PledgeState.DECLINED)
    make_pledge(w.project, amount=100, state=PledgeState.WITHDRAWN)
    pledge = offer(w, w.cardiff, 1_000, min_other_councils=1)
    offer(w, w.cardiff, 5_000)  # its own council's pledge
    waiting_for_sign_off = CouncilFactory(money_limit=1)
    services.pledge_offer(
        actor=verified_member(waiting_for_sign_off),
        project=w.project,
        council=waiting_for_sign_off,
        kind=Kind.MONEY,
        amount=100,
    )
    assert Pledge.objects.get(pk=pledge.pk).state == CONDITIONAL
    assert check_ledger() == []


def test_the_pledger_can_withdraw_a_waiting_pledge(world):
    w = world
    pledge = offer(w, w.cardiff, 1_000, min_other_councils=3)
    pledge = services.pledge_withdraw(actor=w.cardiff_member, pledge=pledge, reason="Changed plan")
    assert pledge.state == PledgeState.WITHDRAWN
    assert pledge.condition_status == "not_met"
    assert totals(w.project)["money_conditional"] == 0
    make_pledge(w.project, amount=100)
    make_pledge(w.project, amount=100)
    make_pledge(w.project, amount=100)
    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.WITHDRAWN
    assert check_ledger() == []


@pytest.mark.parametrize(
    ("conditions", "field", "message"),
    [
        ({"min_other_councils": 0}, "min_other_councils", "between 1 and 50"),
        ({"min_other_councils": 51}, "min_other_councils", "between 1 and 50"),
        ({"min_other_councils": True}, "min_other_councils", "between 1 and 50"),
        ({"match_percent": 0}, "match_percent", "between 1 and 100"),
        ({"match_percent": 101}, "match_percent", "between 1 and 100"),
        ({"match_percent": 50.5}, "match_percent", "between 1 and 100"),
    ],
)
def test_conditions_out_of_range_are_refused_with_the_field(world, conditions, field, message):
    with pytest.raises(InvalidInput) as excinfo:
        offer(world, world.cardiff, 1_000, **conditions)
    assert excinfo.value.field == field
    assert message in str(excinfo.value.message)
    assert not Pledge.objects.exists()


# --- lapsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [State.CLOSED, State.COMPLETED])
def test_closing_the_project_lapses_waiting_pledges_by_pipeline(world, state):
    w = world
    pledge = offer(w, w.cardiff, 1_000, min_other_councils=2)
    if state == State.COMPLETED:
        services.project_set_state(actor=w.owner, project=w.project, state=State.IN_DELIVERY)
    services.project_set_state(actor=w.owner, project=w.project, state=state)

    pledge.refresh_from_db()
    assert pledge.state == LAPSED
    assert pledge.condition_status == "lapsed"
    assert moves(pledge)[-1] == (CONDITIONAL, LAPSED, None)
    assert totals(w.project)["money_conditional"] == 0
    assert {
        (f"pledge:{pledge.pk}:lapsed:{w.owner.pk}", w.owner.pk),
        (f"pledge:{pledge.pk}:lapsed:{w.cardiff_member.pk}", w.cardiff_member.pk),
    } <= keys(pledge)
    with pytest.raises(Conflict):
        services.pledge_withdraw(actor=w.cardiff_member, pledge=pledge, reason="Too late")
    assert check_ledger() == []


def test_the_scheduler_lapses_waiting_pledges_once_the_deadline_has_passed(world):
    w = world
    with time_machine.travel(date(2027, 3, 30), tick=False):
        pledge = offer(w, w.cardiff, 1_000, min_other_councils=2)
    with time_machine.travel(date(2027, 3, 31), tick=False):  # the deadline day: still open
        assert pledges_lapse_overdue() == 0
        assert Pledge.objects.get(pk=pledge.pk).state == CONDITIONAL
    with time_machine.travel(date(2027, 4, 1), tick=False):
        assert check_ledger()  # overdue and still waiting: the check says so
        assert scheduled_lapse_task().call() == 1  # what the scheduler queues every hour
        assert pledges_lapse_overdue() == 0  # a second run finds nothing to do
        assert Pledge.objects.get(pk=pledge.pk).state == LAPSED
        assert [m[1] for m in moves(pledge)] == [CONDITIONAL, LAPSED]
        assert check_ledger() == []


def scheduled_lapse_task():
    from django.conf import settings
    from django.utils.module_loading import import_string

    job = settings.PIPELINE_SCHEDULE["lapse-conditional-pledges"]
    assert job["cron"] == "5 * * * *"
    return import_string(job["task"])


def test_a_lapse_email_tells_each_side_in_their_words(world, on_commit):
    w = world
    pledge = offer(w, w.cardiff, 1_000_000, min_other_councils=2, match_percent=50)
    mail.outbox.clear()
    on_commit(services.project_set_state, actor=w.owner, project=w.project, state=State.CLOSED)
    sent = {m.to[0]: m for m in mail.outbox if "lapsed" in m.subject}
    assert set(sent) == {w.owner.email, w.cardiff_member.email}
    body = sent[w.cardiff_member.email].body
    assert "The conditional pledge of £10,000 from Cardiff to Bin collection finder has lapsed" in (
        body
    )
    assert "only if at least 2 other councils also pledge" in body
    assert "Match: 50% of what other councils' accepted pledges give, up to £10,000." in body
    assert pledge.get_absolute_url() in body


def test_a_condition_met_email_asks_the_owner_to_decide(world, on_commit):
    w = world
    offer(w, w.cardiff, 1_000, min_other_councils=1)
    mail.outbox.clear()
    on_commit(offer, w, w.powys, 500)
    met = {m.to[0]: m.body for m in mail.outbox if m.subject.find("Condition met") >= 0}
    assert set(met) == {w.owner.email, w.cardiff_member.email}
    assert "Accept or decline it" in met[w.owner.email]
    assert "waiting for the project team" in met[w.cardiff_member.email]


# --- matching ---------------------------------------------------------------------------------


def test_a_match_follows_other_councils_accepted_pledges_rounded_down_within_its_cap(world):
    w = world
    match = offer(w, w.powys, 1_500_000, match_percent=50)  # 50% of the others, up to £15,000
    assert (match.state, match.matched_amount) == (OFFERED, 0)
    other = make_pledge(w.project, amount=1_000_001)
    assert Pledge.objects.get(pk=match.pk).matched_amount == 0  # offered only: not matched yet
    services.pledge_accept(actor=w.owner, pledge=other)
    assert Pledge.objects.get(pk=match.pk).matched_amount == 500_000  # floor(£10,000.01 / 2)
    row = totals(w.project)
    assert (row["money_accepted"], row["money_offered"], row["money_matched"]) == (
        1_000_001,
        0,
        500_000,
    )
    big = make_pledge(w.project, amount=3_000_000, state=ACCEPTED)
    assert Pledge.objects.get(pk=match.pk).matched_amount == 1_500_000  # the cap
    offer(w, w.powys, 100_000)  # Powys's own pledge is not matched
    own = Pledge.objects.filter(council=w.powys, match_percent__isnull=True).get()
    services.pledge_accept(actor=w.owner, pledge=own)
    assert Pledge.objects.get(pk=match.pk).matched_amount == 1_500_000
    services.pledge_withdraw(actor=big.pledged_by, pledge=big, reason="Budget cut")
    assert Pledge.objects.get(pk=match.pk).matched_amount == 500_000  # follows a withdrawal
    assert totals(w.project)["money_matched"] == 500_000
    assert check_ledger() == []


def test_matches_do_not_match_each_other_and_keep_to_their_kind(world):
    w = world
    cardiff_match = offer(w, w.cardiff, 100_000, match_percent=100)
    powys_match = offer(w, w.powys, 100_000, match_percent=100)
    services.pledge_accept(actor=w.owner, pledge=cardiff_match)
    services.pledge_accept(actor=w.owner, pledge=powys_match)
    make_pledge(w.project, kind=Kind.TIME, amount=8, state=ACCEPTED)  # four days of staff time
    assert Pledge.objects.get(pk=cardiff_match.pk).matched_amount == 0
    days = offer(w, w.cardiff, 6, kind=Kind.TIME, match_percent=25)
    assert Pledge.objects.get(pk=days.pk).matched_amount == 2  # a day: 25% of four
    assert totals(w.project)["half_days_matched"] == 2
    assert check_ledger() == []


def test_a_fulfilled_match_keeps_what_it_gave_and_one_giving_nothing_cannot_be(world):
    w = world
    match = offer(w, w.powys, 1_500_000, match_percent=50)
    match = services.pledge_accept(actor=w.owner, pledge=match)
    with pytest.raises(Conflict, match="gives nothing yet"):
        services.pledge_fulfil(actor=w.owner, pledge=match)
    other = make_pledge(w.project, amount=1_000_000, state=ACCEPTED)
    match = services.pledge_fulfil(actor=w.owner, pledge=match)
    assert (match.state, match.matched_amount) == (PledgeState.FULFILLED, 500_000)
    services.pledge_withdraw(actor=other.pledged_by, pledge=other, reason="Budget cut")
    assert Pledge.objects.get(pk=match.pk).matched_amount == 500_000  # paid: it stays
    assert totals(w.project)["money_matched"] == 500_000
    assert check_ledger() == []


def test_the_finance_managers_example_from_the_readme(world):
    """README, "Conditional and match pledges": the numbers worked through there."""
    w = world
    gwynedd = CouncilFactory(short_name="Gwynedd")
    cardiff = offer(w, w.cardiff, 2_000_000, min_other_councils=2)
    powys = offer(w, w.powys, 1_500_000, match_percent=50)
    assert totals(w.project)["money_conditional"] == 2_000_000
    g = make_pledge(w.project, council=gwynedd, amount=1_200_000)
    cardiff.refresh_from_db()
    assert cardiff.state == OFFERED  # Powys and Gwynedd pledge: two other councils
    services.pledge_accept(actor=w.owner, pledge=g)
    assert Pledge.objects.get(pk=powys.pk).matched_amount == 600_000
    services.pledge_accept(actor=w.owner, pledge=cardiff)
    assert Pledge.objects.get(pk=powys.pk).matched_amount == 1_500_000  # 50% of £32,000: capped
    services.pledge_accept(actor=w.owner, pledge=powys)
    row = totals(w.project)
    assert (row["money_accepted"], row["money_matched"], row["money_conditional"]) == (
        3_200_000,
        1_500_000,
        0,
    )
    services.pledge_withdraw(actor=g.pledged_by, pledge=g, reason="Budget cut")
    assert Pledge.objects.get(pk=powys.pk).matched_amount == 1_000_000  # 50% of £20,000
    assert check_ledger() == []


# --- sign-off ---------------------------------------------------------------------------------


def test_a_conditional_pledge_over_the_limit_is_signed_off_first(world):
    w = world
    limited = CouncilFactory(short_name="Wrexham", money_limit=100_000)
    member, boss = verified_member(limited), approver(limited)
    pledge = services.pledge_offer(
        actor=member,
        project=w.project,
        council=limited,
        kind=Kind.MONEY,
        amount=500_000,
        min_other_councils=1,
    )
    assert pledge.state == PledgeState.PENDING
    assert totals(w.project)["money_conditional"] == 0  # inside the council: counted nowhere
    pledge = services.pledge_approve(actor=boss, pledge=pledge)
    assert pledge.state == CONDITIONAL
    assert pledge.offered_at is not None
    offer(w, w.cardiff, 100)
    pledge.refresh_from_db()
    assert [m[:2] for m in moves(pledge)] == [
        ("", PledgeState.PENDING),
        (PledgeState.PENDING, CONDITIONAL),
        (CONDITIONAL, OFFERED),
    ]
    assert check_ledger() == []


def test_signing_off_a_pledge_whose_condition_is_met_makes_it_an_offer(world):
    w = world
    limited = CouncilFactory(money_limit=100_000)
    pledge = services.pledge_offer(
        actor=verified_member(limited),
        project=w.project,
        council=limited,
        kind=Kind.MONEY,
        amount=500_000,
        min_other_councils=1,
    )
    offer(w, w.cardiff, 100)
    assert Pledge.objects.get(pk=pledge.pk).state == PledgeState.PENDING
    pledge = services.pledge_approve(actor=approver(limited), pledge=pledge)
    assert pledge.state == OFFERED
    assert pledge.condition_met_at is not None
    assert check_ledger() == []


# --- the ledger check ---------------------------------------------------------------------


def test_check_ledger_finds_a_match_off_its_formula_and_a_condition_left_waiting(world):
    w = world
    match = offer(w, w.powys, 1_500_000, match_percent=50)
    waiting = offer(w, w.cardiff, 1_000, min_other_councils=3)
    make_pledge(w.project, amount=1_000_000, state=ACCEPTED)
    assert check_ledger() == []
    Pledge.objects.filter(pk=match.pk).update(matched_amount=400_000)
    found = {m.what for m in check_ledger()}
    assert f"pledge {match.pk} matched_amount" in found
    Pledge.objects.filter(pk=match.pk).update(matched_amount=500_000)
    assert check_ledger() == []
    # Conditions nobody settled (writes that bypassed the services): met, then overdue.
    Pledge.objects.filter(pk=waiting.pk).update(min_other_councils=2)
    found = {(m.what, m.ledger) for m in check_ledger()}
    assert found == {(f"pledge {waiting.pk} state", "offered (condition met)")}
    Project.objects.filter(pk=w.project.pk).update(pledging_deadline=date.today() - timedelta(1))
    found = {(m.what, m.ledger) for m in check_ledger()}
    assert found == {(f"pledge {waiting.pk} state", "lapsed (project over)")}


def test_a_welsh_reader_hears_of_the_condition_met_in_welsh(world, on_commit):
    w = world
    w.cardiff_member.language = "cy"
    w.cardiff_member.save(update_fields=["language"])
    offer(w, w.cardiff, 1_000, min_other_councils=1)
    mail.outbox.clear()
    on_commit(offer, w, w.powys, 500)
    (welsh,) = [m for m in mail.outbox if m.to == [w.cardiff_member.email]]
    assert "Amod wedi’i fodloni" in welsh.subject
    assert "Amod: dim ond os bydd o leiaf 1 cyngor arall yn addo i’r prosiect hwn hefyd." in (
        welsh.body
    )
