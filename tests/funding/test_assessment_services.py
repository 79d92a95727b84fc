"""Assessment and decisions, through the services: conflicts of interest, scoring, exact
weighted totals, shortlisting, decisions within the money, and publishing them."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.mfa import SecondFactorRequired
from activity.models import ActivityAction, ActivityEntry
from core.errors import Conflict, InvalidInput, NotAllowed
from funding.models import (
    ApplicationState,
    Assessment,
    CallStatus,
    Decision,
    DecisionOutcome,
    FunderRole,
    PartnerState,
    Score,
)
from funding.selectors import assessment as selectors
from funding.services import assessment as services
from mail.models import Delivery
from tests.factories import (
    ApplicationPartnerFactory,
    CouncilFactory,
    FunderMembershipFactory,
    MembershipFactory,
    ServiceAreaFactory,
    funder_member,
)

from .assessment_world import closed_call, make_assessment_world, pending_member_of, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_assessment_world()


def _criteria(call):
    return list(call.criteria.order_by("position"))


def score_all(user, application, values, *, submit=True):
    criteria = _criteria(application.call)
    return services.assessment_save(
        actor=user,
        application=application,
        scores={c.pk: (v, f"Because {v}") for c, v in zip(criteria, values, strict=True)},
        submit=submit,
    )


# --- conflicts of interest ---------------------------------------------------------------------


def _assessor_in(w, council, *, pending=False):
    user = funder_member(w.funder, FunderRole.ASSESSOR)
    status = "pending" if pending else "verified"
    MembershipFactory(user=user, council=council, status=status)
    return user


@pytest.mark.parametrize(
    ("where", "pending", "words"),
    [
        ("lead", False, "the lead council"),
        ("lead", True, "the lead council"),
        ("partner", False, "a partner council"),
        ("partner", True, "a partner council"),
        ("invited", False, "a partner council"),
    ],
)
def test_an_assessor_never_scores_a_bid_from_their_own_council(w, where, pending, words):
    council = getattr(w, where)
    user = _assessor_in(w, council, pending=pending)

    with pytest.raises(NotAllowed) as refused:
        score_all(user, w.application, [3, 3])
    assert words in refused.value.message
    assert council.short_name in refused.value.message
    assert not Score.objects.exists()
    row = next(r for r in selectors.assessment_queue(call=w.call, user=user) if r.conflicts)
    assert row.application == w.application and row.status == "conflict"
    # The other application is offered as usual.
    score_all(user, w.other_application, [2, 2])


def test_a_council_that_declined_to_partner_is_no_conflict(w):
    declined = CouncilFactory()
    ApplicationPartnerFactory(
        application=w.application,
        council=declined,
        state=PartnerState.DECLINED,
        decided_at=timezone.now(),
    )
    user = _assessor_in(w, declined)
    assert score_all(user, w.application, [1, 1]).submitted_at is not None


def test_a_refused_or_former_membership_is_no_conflict(w):
    user = funder_member(w.funder, FunderRole.ASSESSOR)
    MembershipFactory(user=user, council=w.lead, status="left")
    assert score_all(user, w.application, [4, 4]).submitted_at is not None


def test_declaring_a_conflict_takes_the_assessor_off_and_their_scores_out(w):
    asha = w.users["assessor"]
    score_all(asha, w.application, [4, 4])
    with pytest.raises(InvalidInput):
        services.assessment_declare_conflict(actor=asha, application=w.application, reason=" ")

    services.assessment_declare_conflict(
        actor=asha, application=w.application, reason="I advised Leadshire on the bid"
    )

    assessment = Assessment.objects.get(assessor=asha)
    assert assessment.submitted_at is None and not assessment.scores.exists()
    with pytest.raises(NotAllowed) as refused:
        score_all(asha, w.application, [1, 1])
    assert "I advised Leadshire on the bid" in refused.value.message
    row = selectors.moderation_board(call=w.call).rows[0]
    assert row.columns == [] and row.declared == 1
    with pytest.raises(Conflict):
        services.assessment_declare_conflict(actor=asha, application=w.application, reason="Again")


def test_a_conflict_found_after_submitting_keeps_the_scores_out_of_the_total(w):
    asha, bryn = w.users["assessor"], w.users["assessor2"]
    score_all(asha, w.application, [4, 4])
    score_all(bryn, w.application, [0, 0])
    MembershipFactory(user=bryn, council=w.invited, status="pending")

    row = next(
        r
        for r in selectors.moderation_board(call=w.call).rows
        if r.application.pk == w.application.pk
    )

    assert [c.assessor for c in row.counted] == [asha]
    assert row.percentage == Decimal("100.0")
    assert "Invitedham" in next(c for c in row.columns if c.assessor == bryn).conflicts[0]


def test_a_pending_member_of_the_lead_council_is_conflicted(w):
    user = pending_member_of(w.lead)
    FunderMembershipFactory(user=user, funder=w.funder, role=FunderRole.ASSESSOR)
    assert selectors.application_conflicts(user=user, application=w.application)


# --- who may assess ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "admin", "other_funder", "organiser", "applicant"])
def test_only_assessors_and_moderators_of_the_funder_score(w, role):
    with pytest.raises(NotAllowed):
        score_all(w.users[role], w.other_application, [2, 2])


def test_moderators_may_score_too(w):
    assert score_all(w.users["moderator"], w.other_application, [2, 2]).submitted_at


def test_scoring_needs_a_second_factor(w):
    with pytest.raises(SecondFactorRequired):
        score_all(w.users["no_second_factor"], w.other_application, [2, 2])


# --- scoring ----------------------------------------------------------------------------------


def test_save_as_you_go_then_submit_with_every_criterion_scored(w):
    asha = w.users["assessor"]
    need, collaboration = _criteria(w.call)
    services.assessment_save(
        actor=asha, application=w.application, scores={need.pk: (3, "Clear problem")}
    )
    with pytest.raises(InvalidInput) as refused:
        services.assessment_save(actor=asha, application=w.application, scores={}, submit=True)
    assert refused.value.field == f"score_{collaboration.pk}"
    assert Assessment.objects.get().submitted_at is None

    services.assessment_save(
        actor=asha,
        application=w.application,
        scores={collaboration.pk: (2, "")},
        submit=True,
    )
    assessment = Assessment.objects.get()
    assert assessment.submitted_at is not None
    assert {s.criterion_id: (s.score, s.comment) for s in assessment.scores.all()} == {
        need.pk: (3, "Clear problem"),
        collaboration.pk: (2, ""),
    }
    with pytest.raises(Conflict):
        services.assessment_save(actor=asha, application=w.application, scores={need.pk: (4, "")})


@pytest.mark.parametrize("bad", [-1, 5, 2.5, "3", True, None])
def test_scores_outside_0_to_4_are_refused(w, bad):
    need = _criteria(w.call)[0]
    # A comment without a score would be lost: refused too.
    scores = {need.pk: (None, "Good")} if bad is None else {need.pk: (bad, "")}
    with pytest.raises(InvalidInput) as refused:
        services.assessment_save(
            actor=w.users["assessor"], application=w.application, scores=scores
        )
    assert refused.value.field == f"score_{need.pk}"


def test_a_criterion_of_another_call_is_refused(w):
    elsewhere = closed_call()
    with pytest.raises(InvalidInput) as refused:
        services.assessment_save(
            actor=w.users["assessor"],
            application=w.application,
            scores={elsewhere.criteria.first().pk: (2, "")},
        )
    assert refused.value.field == "scores"


def test_the_database_refuses_scores_out_of_range_and_twice(w):
    assessment = Assessment.objects.create(application=w.application, assessor=w.users["assessor"])
    need = _criteria(w.call)[0]
    with transaction.atomic(), pytest.raises(IntegrityError):
        Score.objects.create(assessment=assessment, criterion=need, score=5)
    Score.objects.create(assessment=assessment, criterion=need, score=4)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Score.objects.create(assessment=assessment, criterion=need, score=1)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Assessment.objects.create(application=w.application, assessor=w.users["assessor"])
    with transaction.atomic(), pytest.raises(IntegrityError):
        Assessment.objects.filter(pk=assessment.pk).update(conflict_declared_at=timezone.now())


def test_scoring_starts_when_the_call_closes(w):
    open_call = closed_call(funder=w.funder, closes_at=timezone.now() + datetime.timedelta(days=3))
    application = submitted(open_call)
    with pytest.raises(Conflict) as refused:
        score_all(w.users["assessor"], application, [2, 2])
    assert refused.value.code == "not_closed"
    assert selectors.assessment_stage(open_call) == "not_yet"


# --- weighted totals ----------------------------------------------------------------------------


def test_weighted_total_is_exact():
    # 60 and 40: (3×60 + 2×40) / (4 × 100) = 260/400
    assert selectors.weighted_total({1: 3, 2: 2}, {1: 60, 2: 40}) == Fraction(13, 20)
    assert selectors.as_percentage(Fraction(13, 20)) == Decimal("65.0")
    # Thirds round half up to one place, exactly: 2/12 = 16.66… → 16.7; 1/8 = 12.5
    assert selectors.as_percentage(
        selectors.weighted_total({1: 1, 2: 1, 3: 0}, {1: 1, 2: 1, 3: 1})
    ) == Decimal("16.7")
    assert selectors.as_percentage(Fraction(1, 8)) == Decimal("12.5")
    assert selectors.as_percentage(Fraction(1, 2000)) == Decimal("0.1")  # 0.05 → 0.1
    assert selectors.as_percentage(Fraction(1, 3000)) == Decimal("0.0")
    assert selectors.weighted_total({1: 3}, {1: 60, 2: 40}) is None


def test_the_board_averages_assessors_exactly(w):
    call = closed_call(criteria=[("Need", 1), ("Team", 1), ("Value", 1)])
    application = submitted(call)
    people = [funder_member(call.funder, FunderRole.ASSESSOR) for _ in range(3)]
    for person, values in zip(people, [[4, 4, 4], [1, 1, 0], [0, 0, 0]], strict=True):
        score_all(person, application, values)

    row = selectors.moderation_board(call=call).rows[0]

    # (12/12 + 2/12 + 0) / 3 = 14/36 = 38.88… → 38.9
    assert row.total == Fraction(14, 36)
    assert row.percentage == Decimal("38.9")
    assert row.total_spread == Decimal("100.0")
    assert [line.spread for line in row.criteria] == [4, 4, 4]
    assert row.criteria[0].wide and "0 to 4" in row.criteria[0].spread_words


# --- shortlist and decisions -----------------------------------------------------------------


def test_moderators_shortlist_and_take_off(w):
    meg = w.users["moderator"]
    services.application_shortlist(actor=meg, application=w.application, shortlisted=True)
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.SHORTLISTED
    services.application_shortlist(actor=meg, application=w.application, shortlisted=False)
    w.application.refresh_from_db()
    assert w.application.state == ApplicationState.SUBMITTED
    entries = ActivityEntry.objects.filter(action=ActivityAction.FUNDING_SHORTLIST_CHANGED)
    assert entries.count() == 2
    with pytest.raises(NotAllowed):
        services.application_shortlist(
            actor=w.users["assessor"], application=w.application, shortlisted=True
        )


def _fund(w, application, amount, user=None):
    services.application_shortlist(
        actor=user or w.users["moderator"], application=application, shortlisted=True
    )
    return services.application_decide(
        actor=user or w.users["moderator"],
        application=application,
        outcome=DecisionOutcome.FUND,
        award_amount=amount,
        feedback="Strong partnership.",
    )


def test_funding_needs_the_shortlist_and_feedback(w):
    meg = w.users["moderator"]
    with pytest.raises(Conflict):
        services.application_decide(
            actor=meg,
            application=w.application,
            outcome=DecisionOutcome.FUND,
            award_amount=10_000_00,
            feedback="Good",
        )
    services.application_shortlist(actor=meg, application=w.application, shortlisted=True)
    with pytest.raises(InvalidInput) as refused:
        services.application_decide(
            actor=meg,
            application=w.application,
            outcome=DecisionOutcome.FUND,
            award_amount=10_000_00,
            feedback="   ",
        )
    assert refused.value.field == "feedback"
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (60_000_01, "£60,000 asked for"),
        (0, "more than zero"),
        (None, "Enter the amount"),
    ],
)
def test_an_award_is_within_what_was_asked(w, amount, words):
    with pytest.raises(InvalidInput) as refused:
        _fund(w, w.application, amount)
    assert refused.value.field == "award_amount"
    assert words in refused.value.message


def test_an_award_is_within_the_maximum(w):
    w.application.amount_requested = 90_000_00
    w.application.save()
    with pytest.raises(InvalidInput) as refused:
        _fund(w, w.application, 85_000_00)
    assert "maximum of £80,000" in refused.value.message


def test_the_awards_stay_within_the_budget(w):
    w.call.budget = 100_000_00
    w.call.save()
    _fund(w, w.application, 60_000_00)
    with pytest.raises(InvalidInput) as refused:
        _fund(w, w.other_application, 50_000_00)
    assert "over the call’s budget of £100,000" in refused.value.message
    assert "£40,000" in refused.value.message
    assert _fund(w, w.other_application, 40_000_00).award_amount == 40_000_00
    # Changing the first decision counts only once.
    assert _fund(w, w.application, 60_000_00).award_amount == 60_000_00


def test_taking_a_funded_bid_off_the_shortlist_asks_to_change_the_decision(w):
    _fund(w, w.application, 50_000_00)
    with pytest.raises(Conflict):
        services.application_shortlist(
            actor=w.users["admin"], application=w.application, shortlisted=False
        )


def test_the_board_counts_the_money_and_warns_per_service_area(w):
    area = ServiceAreaFactory(name="Waste")
    w.call.awards_per_service_area = 1
    w.call.budget = 100_000_00
    w.call.save()
    for application in (w.application, w.other_application):
        application.project.service_areas.add(area)
    _fund(w, w.application, 50_000_00)
    board = selectors.moderation_board(call=w.call)
    assert board.funded_total == 50_000_00 and board.warnings == []

    services.application_shortlist(
        actor=w.users["moderator"], application=w.other_application, shortlisted=True
    )
    board = selectors.moderation_board(call=w.call)

    assert board.funded_total == 50_000_00
    assert board.shortlist_total == 110_000_00  # 50,000 decided + 60,000 asked
    assert board.over_budget and board.over_by == 10_000_00
    assert [w.text for w in board.warnings] == [
        "Waste: 2 bids would be funded, and this call funds at most 1 in one service area."
    ]
    services.application_decide(
        actor=w.users["moderator"],
        application=w.other_application,
        outcome=DecisionOutcome.NOT_FUND,
        feedback="Too close to another bid",
    )
    board = selectors.moderation_board(call=w.call)
    assert board.warnings == [] and not board.over_budget


# --- publishing -------------------------------------------------------------------------------


def test_decisions_stay_private_until_published(w):
    _fund(w, w.application, 55_000_00)
    services.application_decide(
        actor=w.users["admin"],
        application=w.other_application,
        outcome=DecisionOutcome.NOT_FUND,
        feedback="Not enough evidence of need.",
    )
    w.application.refresh_from_db()
    # The public row says nothing yet.
    assert w.application.state == ApplicationState.SHORTLISTED
    assert w.application.award_amount is None and w.application.feedback == ""
    assert not Delivery.objects.filter(kind="funding_decision").exists()

    services.call_publish_decisions(actor=w.users["moderator"], call=w.call)

    w.application.refresh_from_db()
    w.other_application.refresh_from_db()
    w.call.refresh_from_db()
    assert w.call.status == CallStatus.DECIDED and w.call.decided_at
    assert (w.application.state, w.application.award_amount) == (ApplicationState.FUNDED, 55_000_00)
    assert w.application.feedback == "Strong partnership."
    assert w.other_application.state == ApplicationState.NOT_FUNDED
    assert w.other_application.feedback == "Not enough evidence of need."
    assert (
        ActivityEntry.objects.filter(action=ActivityAction.FUNDING_DECISIONS_PUBLISHED).count() == 1
    )
    assert (
        ActivityEntry.objects.filter(action=ActivityAction.FUNDING_DECISION_RECORDED).count() == 2
    )
    # Nothing changes after publication.
    with pytest.raises(Conflict):
        score_all(w.users["assessor"], w.other_application, [1, 1])
    with pytest.raises(Conflict):
        services.call_publish_decisions(actor=w.users["moderator"], call=w.call)


def test_publishing_tells_the_lead_team_and_the_partner_councils(w, mailoutbox):
    _fund(w, w.application, 55_000_00)
    services.application_decide(
        actor=w.users["moderator"],
        application=w.other_application,
        outcome=DecisionOutcome.NOT_FUND,
        feedback="Not this time.",
    )
    services.call_publish_decisions(actor=w.users["moderator"], call=w.call)

    confirmer = w.application.partners.get(council=w.partner).decided_by
    told = {
        (d.user_id, d.params["application"])
        for d in Delivery.objects.filter(kind="funding_decision")
    }
    # The bid's author is the project's owner here; the invited partner has not confirmed, so
    # nobody there speaks for it yet.
    assert {t for t in told if t[1] == w.application.pk} == {
        (w.application.project.owner_id, w.application.pk),
        (confirmer.pk, w.application.pk),
    }
    subjects = {m.subject for m in mailoutbox}
    assert any("Funded: your application to Local Digital Fund 9" in s for s in subjects)
    funded = next(m for m in mailoutbox if "Funded" in m.subject)
    assert "£55,000" in funded.body and "Strong partnership." in funded.body


def test_publishing_needs_every_application_decided(w):
    _fund(w, w.application, 55_000_00)
    with pytest.raises(Conflict) as refused:
        services.call_publish_decisions(actor=w.users["moderator"], call=w.call)
    assert "1 still" in refused.value.message
    with pytest.raises(NotAllowed):
        services.call_publish_decisions(actor=w.users["assessor"], call=w.call)


def test_a_withdrawn_bid_is_left_out(w):
    _fund(w, w.application, 55_000_00)
    w.other_application.state = ApplicationState.WITHDRAWN
    w.other_application.withdrawn_at = timezone.now()
    w.other_application.save()
    published = services.call_publish_decisions(actor=w.users["moderator"], call=w.call)
    assert published == [w.application]


def test_the_decision_table_keeps_its_rules(w):
    with transaction.atomic(), pytest.raises(IntegrityError):
        Decision.objects.create(application=w.application, outcome="fund", feedback="x")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Decision.objects.create(
            application=w.application, outcome="not_fund", award_amount=5, feedback="x"
        )
    with transaction.atomic(), pytest.raises(IntegrityError):
        Decision.objects.create(application=w.application, outcome="not_fund", feedback="")


def test_other_councils_in_the_world_are_not_a_conflict(w):
    user = funder_member(w.funder, FunderRole.ASSESSOR)
    MembershipFactory(user=user, council=CouncilFactory())
    assert selectors.application_conflicts(user=user, application=w.application) == []
