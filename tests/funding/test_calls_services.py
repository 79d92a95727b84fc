"""Drafting, changing and publishing calls: who may, what is checked, and what is fixed once a
call has opened."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from accounts.mfa import SecondFactorRequired
from activity.models import ActivityAction, ActivityEntry
from core.errors import Conflict, InvalidInput, NotAllowed
from funding.models import Call, CallQuestion, CallStatus, Criterion, FunderRole
from funding.services import calls as services
from tests.factories import (
    CallFactory,
    CommitmentFactory,
    CouncilFactory,
    FunderFactory,
    FunderMembershipFactory,
    OrganiserFactory,
    ServiceAreaFactory,
    UserFactory,
    funder_member,
    verified_member,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def fields(**overrides) -> dict:
    now = timezone.now()
    values = {
        "title": "Local Digital Fund, round 9",
        "summary": "Money for councils that build together.",
        "description": "Read the **prospectus**.",
        "language": "en",
        "budget": 500_000_00,
        "max_award": 80_000_00,
        "opens_at": now + 7 * DAY,
        "closes_at": now + 35 * DAY,
        "decision_expected_on": (now + 60 * DAY).date(),
        "min_partners": 2,
        "nations": ["England", "Wales"],
        "council_types": [],
        "service_areas": [],
        "phases": ["discovery"],
        "required_commitments": [],
        "awards_per_service_area": 1,
    }
    values.update(overrides)
    return values


QUESTIONS = [
    {"text": "What problem will you solve?", "guidance": "", "word_limit": 300, "required": True},
    {"text": "Who will use it?", "guidance": "Name them", "word_limit": 200, "required": False},
]
CRITERIA = [
    {"title": "Need and impact", "description": "", "weight": 60},
    {"title": "Collaboration", "description": "Real partners", "weight": 40},
]


@pytest.fixture
def funder():
    return FunderFactory(name="Department for Digital Things")


@pytest.fixture
def admin(funder):
    return funder_member(funder, role=FunderRole.ADMIN)


@pytest.fixture
def draft(funder, admin):
    return services.call_create(
        actor=admin, funder=funder, fields=fields(), questions=QUESTIONS, criteria=CRITERIA
    )


# --- drafting -----------------------------------------------------------------------------


def test_a_funder_admin_drafts_a_call_with_rules_questions_and_criteria(funder, admin):
    area = ServiceAreaFactory(name="Waste", slug="waste")
    declaration = CommitmentFactory()
    CouncilFactory(authority_type="UA", authority_type_name="Unitary authority")

    call = services.call_create(
        actor=admin,
        funder=funder,
        fields=fields(
            service_areas=[area], required_commitments=[declaration], council_types=["UA"]
        ),
        questions=QUESTIONS,
        criteria=CRITERIA,
    )

    assert call.status == CallStatus.DRAFT and call.published_at is None
    assert call.slug == "local-digital-fund-round-9"
    assert call.created_by == admin
    assert list(call.service_areas.all()) == [area]
    assert list(call.required_commitments.all()) == [declaration]
    assert call.council_types == ["UA"]
    assert list(call.questions.values_list("position", "text", "word_limit", "required")) == [
        (1, "What problem will you solve?", 300, True),
        (2, "Who will use it?", 200, False),
    ]
    assert list(call.criteria.values_list("position", "title", "weight")) == [
        (1, "Need and impact", 60),
        (2, "Collaboration", 40),
    ]
    # The same title again: another address.
    again = services.call_create(actor=admin, funder=funder, fields=fields())
    assert again.slug == "local-digital-fund-round-9-2"


def test_who_may_draft_a_call(funder):
    organiser = OrganiserFactory()
    for person in (
        UserFactory(),
        verified_member(admin=True),  # a council admin
        funder_member(funder, role=FunderRole.MEMBER),
        funder_member(funder, role=FunderRole.ASSESSOR),
        funder_member(funder, role=FunderRole.MODERATOR),
        funder_member(role=FunderRole.ADMIN),  # another funder's admin
    ):
        with pytest.raises(NotAllowed):
            services.call_create(actor=person, funder=funder, fields=fields())
    unenrolled = FunderMembershipFactory(funder=funder, role=FunderRole.ADMIN, enrolled=False).user
    with pytest.raises(SecondFactorRequired):
        services.call_create(actor=unenrolled, funder=funder, fields=fields())
    with pytest.raises(SecondFactorRequired):
        services.call_create(actor=OrganiserFactory(enrolled=False), funder=funder, fields=fields())
    assert not Call.objects.exists()

    assert services.call_create(actor=organiser, funder=funder, fields=fields()).pk


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"max_award": 600_000_00}, "max_award", "cannot be more than the budget (£500,000)"),
        ({"budget": 0}, "budget", "more than £0"),
        ({"budget": 10**12}, "budget", "£1,000,000,000 or less"),
        ({"max_award": 20_000_000_00, "budget": 50_000_000_00}, "max_award", "£10,000,000"),
        (
            {"closes_at": timezone.now() + 3 * DAY, "opens_at": timezone.now() + 7 * DAY},
            "closes_at",
            "close after it opens",
        ),
        (
            {"opens_at": timezone.now() - 9 * DAY, "closes_at": timezone.now() - DAY},
            "closes_at",
            "in the future",
        ),
        (
            {"decision_expected_on": timezone.localdate()},
            "decision_expected_on",
            "before the call closes",
        ),
        ({"title": "  "}, "title", "title"),
        ({"summary": "x" * 301}, "summary", "300"),
        ({"min_partners": 51}, "min_partners", "0 to 50"),
        ({"awards_per_service_area": 0}, "awards_per_service_area", "1 to 100"),
        ({"nations": ["Atlantis"]}, "nations", "list"),
        ({"council_types": ["XYZ"]}, "council_types", "list"),
        ({"phases": ["retired"]}, "phases", "list"),
        ({"language": "fr"}, "language", "English or Welsh"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(funder, admin, overrides, field, words):
    with pytest.raises(InvalidInput) as refused:
        services.call_create(actor=admin, funder=funder, fields=fields(**overrides))
    assert refused.value.field == field
    assert words in refused.value.message
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    ("questions", "criteria", "words"),
    [
        ([{"text": " ", "word_limit": 10}], [], "Question 1: enter the question"),
        ([{"text": "Why?", "word_limit": 0}], [], "word limit must be from 1"),
        ([], [{"title": "Need", "weight": 0}], "Criterion 1: the weight must be"),
        ([], [{"title": "Need", "weight": -5}], "Criterion 1: the weight must be"),
        ([], [{"title": "", "weight": 5}], "Criterion 1: enter what assessors score"),
    ],
)
def test_bad_questions_and_criteria_are_refused(funder, admin, questions, criteria, words):
    with pytest.raises(InvalidInput) as refused:
        services.call_create(
            actor=admin, funder=funder, fields=fields(), questions=questions, criteria=criteria
        )
    assert words in refused.value.message


# --- changing a draft -----------------------------------------------------------------------


def test_questions_change_in_place_are_reordered_removed_and_added(draft, admin):
    first, second = draft.questions.order_by("position")

    services.call_update(
        actor=admin,
        call=draft,
        fields={"title": "Round 9, revised"},
        questions=[
            {"id": second.pk, "text": "Who are the users?", "word_limit": 100, "required": True},
            {"text": "How will you share it?", "word_limit": 250, "required": True},
        ],
        criteria=[{"id": c.pk, **CRITERIA[i]} for i, c in enumerate(draft.criteria.all())],
    )

    draft.refresh_from_db()
    assert draft.title == "Round 9, revised"
    assert draft.slug == "local-digital-fund-round-9"  # addresses do not move
    rows = list(CallQuestion.objects.filter(call=draft).values_list("pk", "position", "text"))
    assert rows[0] == (second.pk, 1, "Who are the users?")
    assert rows[1][1:] == (2, "How will you share it?")
    assert not CallQuestion.objects.filter(pk=first.pk).exists()
    assert not ActivityEntry.objects.exists(), "a draft's changes are nobody else's business"


def test_another_calls_question_cannot_be_edited_through_this_one(draft, admin):
    other = CallFactory()
    with pytest.raises(InvalidInput):
        services.call_update(
            actor=admin,
            call=draft,
            fields={},
            questions=[{"id": other.questions.first().pk, "text": "Hijacked", "word_limit": 5}],
        )
    assert other.questions.first().text == "What problem will you solve?"


# --- publishing ----------------------------------------------------------------------------


def test_publishing_needs_a_question_a_criterion_and_a_future_closing_time(funder, admin):
    empty = services.call_create(actor=admin, funder=funder, fields=fields())

    with pytest.raises(Conflict) as refused:
        services.call_publish(actor=admin, call=empty)

    assert "Add at least one question" in refused.value.message
    assert "Add at least one assessment criterion" in refused.value.message
    empty.refresh_from_db()
    assert empty.status == CallStatus.DRAFT

    services.call_update(
        actor=admin, call=empty, fields={}, questions=QUESTIONS[:1], criteria=CRITERIA[:1]
    )
    with time_machine.travel(empty.closes_at + DAY), pytest.raises(Conflict) as refused:
        services.call_publish(actor=admin, call=empty)
    assert "Move the closing time into the future" in refused.value.message
    assert "Add at least one" not in refused.value.message


def test_a_funder_admin_publishes_and_it_is_logged(draft, admin):
    call = services.call_publish(actor=admin, call=draft)

    assert call.status == CallStatus.PUBLISHED and call.published_at is not None
    (entry,) = ActivityEntry.objects.filter(action=ActivityAction.CALL_PUBLISHED)
    assert entry.target == "Local Digital Fund, round 9 (Department for Digital Things)"
    with pytest.raises(Conflict):
        services.call_publish(actor=admin, call=call)


def test_only_the_funders_admins_and_organisers_publish(draft, funder):
    for person in (
        UserFactory(),
        funder_member(funder, role=FunderRole.MODERATOR),
        funder_member(role=FunderRole.ADMIN),
    ):
        with pytest.raises(NotAllowed):
            services.call_publish(actor=person, call=draft)
    assert services.call_publish(actor=OrganiserFactory(), call=draft).status == "published"


# --- what is fixed once a call opens ---------------------------------------------------------


def test_before_it_opens_a_published_call_may_change_and_the_change_is_logged(draft, admin):
    services.call_publish(actor=admin, call=draft)

    services.call_update(actor=admin, call=draft, fields={"min_partners": 3})

    draft.refresh_from_db()
    assert draft.min_partners == 3
    (entry,) = ActivityEntry.objects.filter(action=ActivityAction.CALL_CHANGED)
    assert entry.details == {"changed": ["min_partners"]}


def test_once_open_only_the_description_and_decision_date_change(draft, admin):
    services.call_publish(actor=admin, call=draft)
    with time_machine.travel(draft.opens_at + DAY):
        for change in (
            {"min_partners": 0},
            {"title": "Another"},
            {"closes_at": draft.closes_at + 7 * DAY},
            {"budget": 1_000_000_00},
            {"nations": []},
            {"service_areas": [ServiceAreaFactory()]},
        ):
            with pytest.raises(Conflict) as refused:
                services.call_update(actor=admin, call=draft, fields=change)
            assert "can no longer change" in refused.value.message
        with pytest.raises(Conflict):
            services.call_update(actor=admin, call=draft, fields={}, questions=QUESTIONS[:1])
        with pytest.raises(Conflict):
            services.call_update(
                actor=admin, call=draft, fields={}, criteria=[{**CRITERIA[0], "weight": 99}]
            )

        later = draft.decision_expected_on + 30 * DAY
        services.call_update(
            actor=admin,
            call=draft,
            fields={"description": "Now with FAQs.", "decision_expected_on": later},
            # The same questions and criteria, sent again as a form would: no change.
            questions=QUESTIONS,
            criteria=CRITERIA,
        )

    draft.refresh_from_db()
    assert draft.description == "Now with FAQs."
    assert draft.decision_expected_on == later
    assert draft.min_partners == 2 and draft.title == "Local Digital Fund, round 9"
    assert Criterion.objects.filter(call=draft).count() == 2
    (entry,) = ActivityEntry.objects.filter(action=ActivityAction.CALL_CHANGED)
    assert set(entry.details) == {"description", "decision_expected_on"}


def test_a_decided_call_does_not_change(admin, funder):
    call = CallFactory(
        funder=funder, status=CallStatus.DECIDED, decided_at=timezone.now(), description="Old"
    )
    with pytest.raises(Conflict):
        services.call_update(actor=admin, call=call, fields={"description": "New"})
