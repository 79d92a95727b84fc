"""Suggesting that two similar bids combine, answering, and the combination itself: who may,
in which states, what moves (followers, pledges with their ledger events, partner councils),
that the ledger check stays clean, and that nothing is half-done or done twice."""

import pytest

from accounts.mfa import SecondFactorRequired
from activity.models import ActivityAction, ActivityEntry
from core.errors import Conflict, InvalidInput, NotAllowed
from funding.models import (
    ApplicationPartner,
    ApplicationState,
    CombineState,
    CombineSuggestion,
    PartnerState,
)
from funding.services import combining
from funding.services.combining import (
    combine_agree,
    combine_decline,
    combine_withdraw,
)
from mail.models import Delivery
from projects.ledger import check_ledger
from projects.models import Follow, Pledge, PledgeEvent, PledgeState, Project
from projects.services.combine import project_combine
from tests.factories import (
    ApplicationPartnerFactory,
    CallFactory,
    CouncilFactory,
    approver,
    make_pledge,
)

from .assessment_world import submitted
from .combining_world import make_combining_world, suggest

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_combining_world()


def _both_agree(w, suggestion):
    combine_agree(actor=w.users["lead_approver"], suggestion=suggestion)
    return combine_agree(actor=w.users["borough_approver"], suggestion=suggestion)


# --- suggesting -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["moderator", "organiser"])
def test_organisers_and_the_funders_moderators_suggest(w, who):
    suggestion = suggest(w, actor=w.users[who], note="Both want a missed-bin form")
    assert suggestion.state == CombineState.SUGGESTED
    assert suggestion.similarity is not None and suggestion.similarity > 0
    entry = ActivityEntry.objects.get(action=ActivityAction.COMBINE_SUGGESTED)
    assert entry.actor == w.users[who] and "Missed bin reporting" in entry.target


@pytest.mark.parametrize(
    "who", ["assessor", "other_funder", "lead_approver", "borough_member", "stranger"]
)
def test_nobody_else_suggests(w, who):
    with pytest.raises(NotAllowed):
        suggest(w, actor=w.users[who])
    assert not CombineSuggestion.objects.exists()


def test_a_moderator_without_a_second_factor_is_sent_to_set_one_up(w):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=w.users["moderator"]).delete()
    with pytest.raises(SecondFactorRequired):
        suggest(w)


def test_both_lead_councils_officers_are_emailed(w):
    suggestion = suggest(w)
    told = set(Delivery.objects.filter(kind="combine_suggestion").values_list("user_id", flat=True))
    assert told == {w.users["lead_approver"].pk, w.users["borough_approver"].pk}
    assert all(
        key.startswith(f"combine:{suggestion.pk}:suggested:")
        for key in Delivery.objects.filter(kind="combine_suggestion").values_list("key", flat=True)
    )


def test_one_live_suggestion_per_pair_whichever_way_round(w):
    suggest(w)
    with pytest.raises(Conflict):
        suggest(w, continuing=w.absorbed, absorbed=w.continuing)
    assert CombineSuggestion.objects.count() == 1


def test_a_pair_can_be_suggested_again_once_declined(w):
    first = suggest(w)
    combine_decline(actor=w.users["borough_approver"], suggestion=first, reason="Different users")
    again = suggest(w, continuing=w.absorbed, absorbed=w.continuing)
    assert again.state == CombineState.SUGGESTED


def test_the_database_refuses_a_second_live_suggestion_for_a_pair(w):
    from django.db import IntegrityError, transaction

    suggest(w)
    with pytest.raises(IntegrityError), transaction.atomic():
        CombineSuggestion.objects.create(call=w.call, continuing=w.absorbed, absorbed=w.continuing)


def test_bad_pairs_are_refused(w):
    with pytest.raises(InvalidInput):
        suggest(w, absorbed=w.continuing)
    other_call_bid = submitted(CallFactory(funder=w.funder))
    with pytest.raises(InvalidInput):
        suggest(w, absorbed=other_call_bid)
    w.parking_bid.state = ApplicationState.WITHDRAWN
    w.parking_bid.save()
    with pytest.raises(Conflict):
        suggest(w, absorbed=w.parking_bid)


def test_a_note_over_2000_characters_is_refused(w):
    with pytest.raises(InvalidInput) as exc:
        suggest(w, note="x" * 2001)
    assert exc.value.field == "note"


# --- answering --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead_member", "partner_approver", "moderator", "organiser"])
def test_only_the_lead_councils_officers_with_authority_agree(w, who):
    suggestion = suggest(w)
    with pytest.raises(NotAllowed):
        combine_agree(actor=w.users[who], suggestion=suggestion)
    with pytest.raises(NotAllowed):
        combine_decline(actor=w.users[who], suggestion=suggestion, reason="No")


def test_an_approver_without_a_second_factor_cannot_answer(w):
    suggestion = suggest(w)
    bare = approver(w.lead, enrolled=False)
    with pytest.raises(SecondFactorRequired):
        combine_agree(actor=bare, suggestion=suggestion)


def test_one_agreement_waits_for_the_other_and_cannot_be_given_twice(w):
    suggestion = suggest(w)
    suggestion = combine_agree(actor=w.users["lead_approver"], suggestion=suggestion)
    assert suggestion.state == CombineState.SUGGESTED
    assert suggestion.continuing_agreed_by == w.users["lead_approver"]
    assert suggestion.absorbed_agreed_at is None
    with pytest.raises(Conflict):
        combine_agree(actor=approver(w.lead), suggestion=suggestion)
    assert Project.objects.get(pk=w.absorbed.project.pk).combined_into is None


def test_declining_needs_a_reason_and_closes_the_suggestion(w):
    suggestion = suggest(w)
    with pytest.raises(InvalidInput):
        combine_decline(actor=w.users["borough_approver"], suggestion=suggestion, reason=" ")
    suggestion = combine_decline(
        actor=w.users["borough_approver"], suggestion=suggestion, reason="Different users"
    )
    assert suggestion.state == CombineState.DECLINED and suggestion.reason == "Different users"
    with pytest.raises(Conflict):
        combine_agree(actor=w.users["lead_approver"], suggestion=suggestion)
    assert ActivityEntry.objects.filter(action=ActivityAction.COMBINE_DECLINED).count() == 1


def test_the_suggester_side_withdraws_a_waiting_suggestion(w):
    suggestion = suggest(w)
    with pytest.raises(NotAllowed):
        combine_withdraw(actor=w.users["lead_approver"], suggestion=suggestion)
    suggestion = combine_withdraw(actor=w.users["organiser"], suggestion=suggestion)
    assert suggestion.state == CombineState.WITHDRAWN
    with pytest.raises(Conflict):
        combine_withdraw(actor=w.users["moderator"], suggestion=suggestion)


# --- combining --------------------------------------------------------------------------------


def test_both_agreeing_combines_the_bids_and_projects(w):
    continuing, absorbed = w.continuing.project, w.absorbed.project
    moving = {w.pledges[PledgeState.ACCEPTED].pk, w.pledges[PledgeState.CONDITIONAL].pk}
    moving |= {w.amended.pk, w.proposed.pk}
    suggestion = _both_agree(w, suggest(w))

    assert suggestion.state == CombineState.ACCEPTED and suggestion.combined_at
    absorbed.refresh_from_db()
    assert absorbed.combined_into == continuing
    # The joining bid is withdrawn, naming the one it joined.
    w.absorbed.refresh_from_db()
    assert w.absorbed.state == ApplicationState.WITHDRAWN
    assert "Report a missed bin collection" in w.absorbed.withdrawn_reason
    # Followers: once each.
    followers = list(Follow.objects.filter(project=continuing).values_list("user_id", flat=True))
    assert sorted(followers) == sorted([w.both.pk, w.only_absorbed.pk])
    # Pledges still in play (with the amendment and its original) moved; the declined one stayed.
    assert set(Pledge.objects.filter(project=continuing).values_list("pk", flat=True)) == moving
    declined = w.pledges[PledgeState.DECLINED]
    assert Pledge.objects.get(pk=declined.pk).project == absorbed
    moved = Pledge.objects.get(pk=w.pledges[PledgeState.ACCEPTED].pk)
    assert moved.state == PledgeState.ACCEPTED and moved.need is None
    move = moved.events.order_by("-sequence").first()
    assert move.is_move and (move.moved_from, move.moved_to) == (absorbed, continuing)
    assert move.from_state == move.to_state == PledgeState.ACCEPTED
    # Totals follow the pledges; the ledger check agrees with every total.
    continuing.refresh_from_db()
    assert continuing.money_accepted == 2_000_00
    assert Project.objects.get(pk=absorbed.pk).money_accepted == 0
    assert check_ledger() == []
    # Partners: the joining bid's lead and its confirmed partner, confirmed.
    confirmed = set(
        ApplicationPartner.objects.filter(
            application=w.continuing, state=PartnerState.CONFIRMED
        ).values_list("council__slug", flat=True)
    )
    assert confirmed == {"boroughton", "partnerton"}
    assert ActivityEntry.objects.filter(action=ActivityAction.BIDS_COMBINED).count() == 1
    told = Delivery.objects.filter(key__startswith=f"combine:{suggestion.pk}:combined:")
    assert told.count() == 2


def test_partners_already_in_the_continuing_bid_are_not_added_twice(w):
    ApplicationPartnerFactory(
        application=w.continuing,
        council=w.partner,
        state=PartnerState.CONFIRMED,
        decided_at=w.continuing.submitted_at,
        contribution="Our own words",
    )
    _both_agree(w, suggest(w))
    rows = ApplicationPartner.objects.filter(application=w.continuing, council=w.partner)
    assert rows.count() == 1 and rows.get().contribution == "Our own words"


def test_other_suggestions_about_the_joining_bid_are_withdrawn(w):
    suggestion = suggest(w)
    other = suggest(w, continuing=w.parking_bid, absorbed=w.absorbed)
    _both_agree(w, suggestion)
    other.refresh_from_db()
    assert other.state == CombineState.WITHDRAWN


def test_a_bid_withdrawn_meanwhile_stops_the_combination(w):
    suggestion = suggest(w)
    combine_agree(actor=w.users["lead_approver"], suggestion=suggestion)
    w.absorbed.state = ApplicationState.WITHDRAWN
    w.absorbed.save()
    with pytest.raises(Conflict):
        combine_agree(actor=w.users["borough_approver"], suggestion=suggestion)
    suggestion.refresh_from_db()
    assert suggestion.absorbed_agreed_at is None
    assert Project.objects.get(pk=w.absorbed.project.pk).combined_into is None


def test_a_failure_part_way_rolls_everything_back(w, monkeypatch):
    suggestion = suggest(w)
    combine_agree(actor=w.users["lead_approver"], suggestion=suggestion)
    events = PledgeEvent.objects.count()

    def broken(**kwargs):
        raise RuntimeError("the partner step failed")

    monkeypatch.setattr(combining, "_partners_join", broken)
    with pytest.raises(RuntimeError):
        combine_agree(actor=w.users["borough_approver"], suggestion=suggestion)
    suggestion.refresh_from_db()
    assert suggestion.state == CombineState.SUGGESTED and suggestion.absorbed_agreed_at is None
    assert Project.objects.get(pk=w.absorbed.project.pk).combined_into is None
    assert PledgeEvent.objects.count() == events
    assert Pledge.objects.filter(project=w.continuing.project).count() == 0
    assert Follow.objects.filter(project=w.continuing.project).count() == 1
    w.absorbed.refresh_from_db()
    assert w.absorbed.state == ApplicationState.SUBMITTED
    assert check_ledger() == []


def test_combining_twice_does_nothing_twice(w):
    suggestion = _both_agree(w, suggest(w))
    counts = (
        PledgeEvent.objects.count(),
        Follow.objects.count(),
        ApplicationPartner.objects.count(),
        ActivityEntry.objects.count(),
    )
    # Agreeing again is refused; combining the projects again moves nothing.
    with pytest.raises(Conflict):
        combine_agree(actor=w.users["borough_approver"], suggestion=suggestion)
    assert (
        project_combine(
            actor=w.users["lead_approver"],
            absorbed=w.absorbed.project,
            continuing=w.continuing.project,
        )
        == []
    )
    assert counts == (
        PledgeEvent.objects.count(),
        Follow.objects.count(),
        ApplicationPartner.objects.count(),
        ActivityEntry.objects.count(),
    )
    assert check_ledger() == []


def test_one_officer_of_both_leads_agrees_for_both_and_combines(w):
    both = approver(w.lead)
    from tests.factories import MembershipFactory

    MembershipFactory(user=both, council=w.borough, role="approver")
    suggestion = combine_agree(actor=both, suggestion=suggest(w))
    assert suggestion.state == CombineState.ACCEPTED


# --- the ledger understands moves -------------------------------------------------------------


def test_the_ledger_check_finds_a_moved_pledge_that_is_not_where_its_move_took_it(w):
    _both_agree(w, suggest(w))
    pledge = w.pledges[PledgeState.ACCEPTED]
    Pledge.objects.filter(pk=pledge.pk).update(project=w.absorbed.project)
    found = [str(m) for m in check_ledger()]
    assert any(f"pledge {pledge.pk} project" in line for line in found)


def test_the_database_refuses_a_move_event_that_changes_state_or_goes_nowhere(w):
    from django.db import IntegrityError, transaction

    pledge = w.pledges[PledgeState.ACCEPTED]
    with pytest.raises(IntegrityError), transaction.atomic():
        PledgeEvent.objects.create(
            pledge=pledge,
            sequence=99,
            actor=w.users["lead_approver"],
            from_state=PledgeState.ACCEPTED,
            to_state=PledgeState.FULFILLED,
            moved_from=w.absorbed.project,
            moved_to=w.continuing.project,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PledgeEvent.objects.create(
            pledge=pledge,
            sequence=99,
            actor=w.users["lead_approver"],
            from_state=PledgeState.ACCEPTED,
            to_state=PledgeState.ACCEPTED,
        )


def test_a_moved_conditional_pledge_is_offered_when_the_new_project_meets_its_condition(w):
    # Only Partnerton pledges to the joining project; another council pledges to the
    # continuing one, so there Thirdham's "two other councils" is met.
    continuing = w.continuing.project
    make_pledge(continuing, council=CouncilFactory(), amount=100)
    from projects.services import pledge_offer

    waiting = pledge_offer(
        actor=w.pledges[PledgeState.CONDITIONAL].pledged_by,
        project=w.absorbed.project,
        council=w.third,
        kind="money",
        amount=900,
        min_other_councils=2,
    )
    assert waiting.state == PledgeState.CONDITIONAL  # only Partnerton pledges there so far
    _both_agree(w, suggest(w))
    waiting.refresh_from_db()
    assert waiting.project == continuing
    assert waiting.state == PledgeState.OFFERED and waiting.condition_met_at is not None
    assert check_ledger() == []


# --- the emails as sent -----------------------------------------------------------------------


def test_the_emails_say_what_happened_in_each_persons_language(
    w, django_capture_on_commit_callbacks
):
    from django.core import mail

    w.users["borough_approver"].language = "cy"
    w.users["borough_approver"].save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = suggest(w, note="Both want a missed-bin form")
    sent = {m.to[0]: m for m in mail.outbox}
    english = sent[w.users["lead_approver"].email]
    assert "Combine Missed bin reporting with Report a missed bin collection?" in english.subject
    assert "Both want a missed-bin form" in english.body
    assert f"/funding/combining/{suggestion.pk}/" in english.body
    welsh = sent[w.users["borough_approver"].email]
    assert "Cyfuno Missed bin reporting â Report a missed bin collection?" in welsh.subject
    assert f"/cy/funding/combining/{suggestion.pk}/" in welsh.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _both_agree(w, suggestion)
    combined = {m.to[0]: m for m in mail.outbox if "Report a missed bin collection" in m.subject}
    assert set(combined) == {w.users["lead_approver"].email, w.users["borough_approver"].email}
    assert "is combined into" in combined[w.users["lead_approver"].email].subject
    assert "wedi’i gyfuno i mewn i" in combined[w.users["borough_approver"].email].subject
