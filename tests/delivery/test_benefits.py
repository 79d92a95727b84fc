"""Benefits through the service and the selectors: who may record them, what is refused, exact
pence, one record per adoption, and roll-ups that count each council once in constant queries."""

import pytest
from django.db import IntegrityError, transaction

from core.errors import Conflict, InvalidInput, NotAllowed
from delivery import services
from delivery.models import MAX_HOURS_SAVED, MAX_PEOPLE_SERVED, Benefit, Confidence
from delivery.selectors import (
    benefit_savings_chart,
    benefits_by_project,
    council_benefits,
    national_benefit_totals,
    project_benefits,
)
from projects.models import MAX_MONEY_PENCE, Phase, Project
from tests.factories import (
    AdoptionFactory,
    BenefitFactory,
    CouncilFactory,
    OrganiserFactory,
    UserFactory,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


def _record(adoption, actor=None, **kwargs):
    values = {
        "confidence": Confidence.MEDIUM,
        "cashable_savings": 1_234_599,
        "hours_saved": 250,
        "people_served": 12_000,
        "non_cashable": "  Fewer complaints.  ",
        "evidence_url": "https://example.gov.uk/evidence",
    }
    values.update(kwargs)
    actor = actor or verified_member(adoption.council)
    return services.benefit_record(actor=actor, adoption=adoption, **values)


def test_a_member_of_the_adopting_council_records_exact_benefits():
    adoption = AdoptionFactory()
    member = verified_member(adoption.council)
    benefit, created = _record(adoption, member)
    assert created
    benefit.refresh_from_db()
    assert benefit.cashable_savings == 1_234_599  # £12,345.99, to the penny
    assert benefit.hours_saved == 250
    assert benefit.people_served == 12_000
    assert benefit.non_cashable == "Fewer complaints."
    assert benefit.recorded_by == member == benefit.updated_by
    assert benefit.adoption == adoption


def test_recording_again_updates_the_one_record_and_keeps_who_first_recorded_it():
    adoption = AdoptionFactory()
    first, second = verified_member(adoption.council), verified_member(adoption.council)
    benefit, _ = _record(adoption, first)
    again, created = _record(adoption, second, cashable_savings=0, confidence=Confidence.LOW)
    assert not created
    assert again.pk == benefit.pk
    assert Benefit.objects.count() == 1
    again.refresh_from_db()
    assert again.cashable_savings == 0
    assert again.recorded_by == first
    assert again.updated_by == second
    assert again.updated_at >= again.recorded_at


def test_an_organiser_may_record_for_any_adopting_council():
    benefit, _ = _record(AdoptionFactory(), OrganiserFactory())
    assert benefit.pk


@pytest.mark.parametrize("who", ["stranger", "other_council", "lead_council", "pending"])
def test_nobody_else_may_record_them(who):
    adoption = AdoptionFactory()
    actor = {
        "stranger": lambda: UserFactory(),
        "other_council": lambda: verified_member(CouncilFactory()),
        "lead_council": lambda: adoption.project.owner,
        "pending": lambda: _pending(adoption.council),
    }[who]()
    with pytest.raises(NotAllowed):
        _record(adoption, actor)
    assert not Benefit.objects.exists()


def _pending(council):
    from councils.models import MembershipStatus
    from tests.factories import MembershipFactory

    return MembershipFactory(council=council, status=MembershipStatus.PENDING).user


def test_a_hidden_project_takes_no_benefits():
    adoption = AdoptionFactory()
    Project.objects.filter(pk=adoption.project_id).update(is_hidden=True, hidden_reason="Spam")
    with pytest.raises(Conflict):
        _record(adoption)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cashable_savings": -1}, "cashable_savings"),
        ({"cashable_savings": MAX_MONEY_PENCE + 1}, "cashable_savings"),
        ({"cashable_savings": 12.5}, "cashable_savings"),  # never a float
        ({"hours_saved": MAX_HOURS_SAVED + 1}, "hours_saved"),
        ({"hours_saved": True}, "hours_saved"),
        ({"people_served": MAX_PEOPLE_SERVED + 1}, "people_served"),
        ({"people_served": -5}, "people_served"),
        ({"non_cashable": "x" * 5_001}, "non_cashable"),
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url"),
        ({"evidence_url": "https://example.gov.uk/" + "a" * 500}, "evidence_url"),
        ({"confidence": "certain"}, "confidence"),
        # High confidence needs evidence others can check.
        ({"confidence": Confidence.HIGH, "evidence_url": ""}, "evidence_url"),
        # Something must be said.
        (
            {"cashable_savings": 0, "hours_saved": 0, "people_served": 0, "non_cashable": " "},
            "cashable_savings",
        ),
    ],
)
def test_bad_figures_are_refused_with_the_field_named(changes, field):
    adoption = AdoptionFactory()
    with pytest.raises(InvalidInput) as caught:
        _record(adoption, **changes)
    assert caught.value.field == field
    assert not Benefit.objects.exists()


def test_the_largest_figures_are_accepted():
    benefit, _ = _record(
        AdoptionFactory(),
        cashable_savings=MAX_MONEY_PENCE,
        hours_saved=MAX_HOURS_SAVED,
        people_served=MAX_PEOPLE_SERVED,
    )
    assert benefit.cashable_savings == MAX_MONEY_PENCE


@pytest.mark.parametrize(
    "values",
    [
        {"cashable_savings": -1},
        {"hours_saved": MAX_HOURS_SAVED + 1},
        {"people_served": -1},
        {"confidence": "certain"},
        {"confidence": Confidence.HIGH, "evidence_url": ""},
        {"cashable_savings": 0, "hours_saved": 0, "people_served": 0, "non_cashable": ""},
    ],
)
def test_the_database_holds_the_rules_too(values):
    with pytest.raises(IntegrityError), transaction.atomic():
        BenefitFactory(**values)


def test_one_benefit_per_adoption_in_the_database():
    benefit = BenefitFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        BenefitFactory(adoption=benefit.adoption)


# --- roll-ups ---------------------------------------------------------------------------------


def _project_with_benefits(n: int, **project_kwargs):
    project = published_project(phase=Phase.LIVE, **project_kwargs)
    for i in range(n):
        BenefitFactory(
            adoption=AdoptionFactory(project=project),
            cashable_savings=100_001 * (i + 1),
            hours_saved=10 * (i + 1),
            people_served=1_000,
        )
    return project


def test_a_projects_totals_add_up_every_councils_latest_figures():
    project = _project_with_benefits(3)
    AdoptionFactory(project=project)  # adopted, not reported: counts for nothing
    result = project_benefits(project=project)
    assert result.totals.cashable_savings == 100_001 + 200_002 + 300_003
    assert result.totals.hours_saved == 60
    assert result.totals.people_served == 3_000
    assert result.totals.councils == 3
    assert [b.cashable_savings for b in result.benefits] == [300_003, 200_002, 100_001]


def test_who_may_record_on_the_project_page():
    project = _project_with_benefits(1)
    adoption = AdoptionFactory(project=project)
    member = verified_member(adoption.council)
    assert project_benefits(project=project, user=member).recordable == [adoption]
    assert len(project_benefits(project=project, user=OrganiserFactory()).recordable) == 2
    assert project_benefits(project=project, user=UserFactory()).recordable == []


@pytest.mark.parametrize("rows", [1, 20])
def test_a_projects_benefits_take_one_query_however_many(rows, django_assert_num_queries):
    project = _project_with_benefits(rows)
    with django_assert_num_queries(1):
        result = project_benefits(project=project)
        [b.adoption.council.display_name for b in result.benefits]
        [b.updated_by.get_full_name() for b in result.benefits]
    assert len(result.benefits) == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_a_councils_benefits_take_one_query_however_many(rows, django_assert_num_queries):
    council = CouncilFactory()
    for _ in range(rows):
        BenefitFactory(adoption=AdoptionFactory(council=council))
    with django_assert_num_queries(1):
        result = council_benefits(council=council)
        [(b.adoption.project.title, b.adoption.project.slug) for b in result.benefits]
    assert len(result.benefits) == rows
    assert result.totals.cashable_savings == rows * 1_250_050


@pytest.mark.parametrize("projects", [1, 15])
def test_the_national_figures_take_two_queries_however_many(projects, django_assert_num_queries):
    for _ in range(projects):
        _project_with_benefits(2)
    with django_assert_num_queries(2):
        totals = national_benefit_totals()
        rows = benefits_by_project()
        benefit_savings_chart(rows)
    assert totals.projects == projects == len(rows)
    assert totals.councils == 2 * projects
    assert totals.cashable_savings == sum(r.cashable_savings for r in rows)
    assert totals.cashable_savings == projects * (100_001 + 200_002)


def test_hidden_and_draft_projects_stay_out_of_the_public_figures():
    shown = _project_with_benefits(1)
    hidden = _project_with_benefits(2)
    Project.objects.filter(pk=hidden.pk).update(is_hidden=True, hidden_reason="Spam")
    totals = national_benefit_totals()
    assert totals.projects == 1
    assert totals.cashable_savings == 100_001
    assert [r.slug for r in benefits_by_project()] == [shown.slug]
    hidden_council = hidden.adoptions.first().council
    assert council_benefits(council=hidden_council).benefits == []


def test_the_chart_shows_the_top_projects_by_savings_with_exact_amounts():
    big = _project_with_benefits(2, title="Big saver")
    _project_with_benefits(1, title="Small saver")
    nothing = published_project(phase=Phase.LIVE, title="Only words")
    BenefitFactory(
        adoption=AdoptionFactory(project=nothing), cashable_savings=0, non_cashable="Happier staff"
    )
    chart = benefit_savings_chart(benefits_by_project(), top=5)
    assert [bar.label for bar in chart.bars] == ["Big saver", "Small saver"]
    assert chart.bars[0].display == "£3,000.03"
    assert big.pk
    assert benefit_savings_chart([], top=5) is None
