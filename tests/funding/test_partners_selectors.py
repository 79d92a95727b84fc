"""The consortium builder: councils ranked by evidence, each with the reasons the lead sees;
who is never suggested; and a fixed number of queries however many councils there are."""

import datetime

import pytest
from django.utils import timezone

from councils.models import Nation
from funding.models import PartnerState
from funding.selectors.partners import (
    COMMITMENT_POINTS,
    DEMAND_POINTS,
    SIMILAR_SIZE_POINTS,
    Evidence,
    consortium_suggestions,
)
from projects.models import DemandSignal, Follow, PledgeState, State
from tests.factories import (
    ApplicationFactory,
    ApplicationPartnerFactory,
    CallFactory,
    CommitmentFactory,
    CouncilCommitmentFactory,
    CouncilFactory,
    MembershipFactory,
    ProjectFactory,
    ServiceAreaFactory,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


def unlike(**kwargs):
    """A council unlike the lead: another type, another region (no evidence of its own)."""
    kwargs.setdefault("authority_type", "CTY")
    kwargs.setdefault("authority_type_name", "County")
    kwargs.setdefault("region", "North West")
    return CouncilFactory(**kwargs)


def make_bid(**call_kwargs):
    """Leadshire (a non-metropolitan district in the South East) bids with its waste project."""
    waste = ServiceAreaFactory(name="Waste and recycling", slug="waste-and-recycling")
    lead = CouncilFactory(short_name="Leadshire", slug="leadshire")
    project = published_project(
        lead_council=lead, title="Report a missed bin", slug="report-a-missed-bin"
    )
    project.service_areas.set([waste])
    application = ApplicationFactory(project=project, call=CallFactory(**call_kwargs))
    return application, waste


def reasons(suggestion) -> list[str]:
    return [r.text for r in suggestion.reasons]


def by_council(suggestions) -> dict:
    return {s.council.short_name: s for s in suggestions}


def test_explicit_demand_is_shown_with_its_date_and_ranks_first():
    application, _waste = make_bid()
    said = unlike(short_name="Kent")
    followed = unlike(short_name="Surrey")
    DemandSignal.objects.create(
        project=application.project,
        council=said,
        recorded_by=verified_member(said),
        created_at=timezone.make_aware(datetime.datetime(2026, 3, 3, 11, 0)),
    )
    Follow.objects.create(project=application.project, user=verified_member(followed))

    suggestions = consortium_suggestions(application)

    assert [s.council.short_name for s in suggestions] == ["Kent", "Surrey"]
    assert reasons(suggestions[0]) == ["Said “we need this too” on 3 March 2026"]
    assert suggestions[0].reasons[0].kind == Evidence.DEMAND
    assert suggestions[0].score == DEMAND_POINTS


def test_officers_following_count_only_verified_members_of_the_council():
    application, _waste = make_bid()
    council = unlike(short_name="Surrey")
    for _ in range(2):
        Follow.objects.create(project=application.project, user=verified_member(council))
    pending = MembershipFactory(council=council, status="pending").user
    Follow.objects.create(project=application.project, user=pending)
    alone = unlike(short_name="Hampshire")
    Follow.objects.create(project=application.project, user=verified_member(alone))

    found = by_council(consortium_suggestions(application))

    assert reasons(found["Surrey"]) == ["2 officers follow this project"]
    assert reasons(found["Hampshire"]) == ["1 officer follows this project"]
    assert found["Surrey"].score > found["Hampshire"].score


def test_same_service_area_counts_published_projects_led_and_pledged_to():
    application, waste = make_bid()
    leader = unlike(short_name="Medway")
    for i in range(2):
        published_project(lead_council=leader, title=f"Bins {i}", service_areas=[waste])
    ProjectFactory(lead_council=leader, title="A draft", service_areas=[waste])  # not public
    pledger = unlike(short_name="Kent")
    officer = verified_member(pledger)
    for i in range(3):
        other = published_project(lead_council=unlike(), title=f"Waste {i}", service_areas=[waste])
        make_pledge(other, council=pledger, actor=officer)
    housing = ServiceAreaFactory(name="Housing", slug="housing")
    elsewhere = unlike(short_name="Luton")
    published_project(lead_council=elsewhere, service_areas=[housing])

    found = by_council(consortium_suggestions(application))

    assert reasons(found["Medway"]) == ["Leads 2 projects in Waste and recycling"]
    assert reasons(found["Kent"]) == ["Pledged to 3 projects in Waste and recycling"]
    assert "Luton" not in found
    assert {r.kind for r in found["Kent"].reasons} == {Evidence.SERVICE_AREA}


def test_similar_councils_by_type_and_region_and_no_population():
    application, _waste = make_bid()
    CouncilFactory(short_name="Twin")  # the factory's type and region: Leadshire's
    CouncilFactory(short_name="Neighbour", authority_type="CTY", authority_type_name="County")
    unlike(short_name="Stranger")

    found = by_council(consortium_suggestions(application))

    assert reasons(found["Twin"]) == [
        "Same type as Leadshire (Non-metropolitan district) and in the same region (South East)"
    ]
    assert reasons(found["Neighbour"]) == ["In the same region as Leadshire (South East)"]
    assert found["Twin"].score > found["Neighbour"].score
    assert "Stranger" not in found


def test_worked_together_either_way_and_in_earlier_bids():
    application, _waste = make_bid()
    lead = application.lead_council
    # Kent pledged to Leadshire's project; Leadshire pledged to Medway's; Luton and Leadshire
    # were confirmed partners in another bid.
    kent = unlike(short_name="Kent")
    make_pledge(application.project, council=kent, state=PledgeState.ACCEPTED)
    medway = unlike(short_name="Medway")
    medways = published_project(lead_council=medway, title="Book a tip visit")
    make_pledge(medways, council=lead, actor=application.project.owner)
    luton = unlike(short_name="Luton")
    earlier = ApplicationFactory(project=published_project(lead_council=luton, title="Permits"))
    ApplicationPartnerFactory(
        application=earlier,
        council=lead,
        state=PartnerState.CONFIRMED,
        decided_at=timezone.now(),
    )
    # Declined pledges and unconfirmed partnerships are no work together.
    dover = unlike(short_name="Dover")
    make_pledge(application.project, council=dover, state=PledgeState.DECLINED)
    ApplicationPartnerFactory(application=earlier, council=unlike(short_name="Ashford"))

    found = by_council(consortium_suggestions(application))

    assert reasons(found["Kent"]) == [
        "Worked with Leadshire before: pledged to its project “Report a missed bin”"
    ]
    assert reasons(found["Medway"]) == ["Leadshire pledged to its project “Book a tip visit”"]
    assert reasons(found["Luton"]) == ["Partners with Leadshire in an earlier bid, for “Permits”"]
    assert {s.reasons[0].kind for s in found.values()} == {Evidence.WORKED_TOGETHER}
    assert "Dover" not in found and "Ashford" not in found


def test_evidence_ranks_demand_then_follows_then_work_then_areas_then_similarity():
    application, waste = make_bid()
    demand = unlike(short_name="A demand")
    DemandSignal.objects.create(
        project=application.project, council=demand, recorded_by=verified_member(demand)
    )
    follows = unlike(short_name="B follows")
    for _ in range(5):  # many followers still rank below one explicit demand
        Follow.objects.create(project=application.project, user=verified_member(follows))
    worked = unlike(short_name="C worked")
    make_pledge(application.project, council=worked)
    areas = unlike(short_name="D areas")
    for i in range(6):  # many projects in the area still rank below having worked together
        published_project(lead_council=areas, title=f"Area {i}", service_areas=[waste])
    CouncilFactory(short_name="E similar")

    names = [s.council.short_name for s in consortium_suggestions(application)]

    assert names == ["A demand", "B follows", "C worked", "D areas", "E similar"]


def test_councils_that_meet_the_calls_commitments_are_marked_and_rank_higher():
    declaration = CommitmentFactory()
    application, _waste = make_bid()
    application.call.required_commitments.set([declaration])
    signed = CouncilFactory(short_name="Signed")
    CouncilCommitmentFactory(council=signed, commitment=declaration)
    CouncilFactory(short_name="Unsigned")

    suggestions = consortium_suggestions(application)
    found = by_council(suggestions)

    assert [s.council.short_name for s in suggestions] == ["Signed", "Unsigned"]
    assert found["Signed"].meets_commitments is True
    assert found["Signed"].commitments_text == "Signed the Local Digital Declaration"
    assert found["Signed"].score == found["Unsigned"].score + COMMITMENT_POINTS
    assert found["Unsigned"].meets_commitments is False
    assert "Has not recorded signing: Local Digital Declaration" in (
        found["Unsigned"].commitments_text
    )


def test_no_commitment_asked_means_no_mark():
    application, _waste = make_bid()
    CouncilFactory(short_name="Twin")
    (suggestion,) = consortium_suggestions(application)
    assert suggestion.meets_commitments is None and suggestion.commitments_text == ""


def test_never_the_lead_ended_councils_bodies_off_the_register_or_councils_in_the_bid():
    application, _waste = make_bid()
    ended = unlike(short_name="Ended", end_date=datetime.date(2023, 3, 31))
    body = unlike(short_name="Fire authority", on_register=False)
    invited = unlike(short_name="Invited")
    confirmed = unlike(short_name="Confirmed")
    declined = unlike(short_name="Declined")
    wanted = unlike(short_name="Wanted")
    for council in (ended, body, invited, confirmed, declined, wanted):
        DemandSignal.objects.create(
            project=application.project, council=council, recorded_by=application.created_by
        )
    ApplicationPartnerFactory(application=application, council=invited)
    ApplicationPartnerFactory(
        application=application,
        council=confirmed,
        state=PartnerState.CONFIRMED,
        decided_at=timezone.now(),
    )
    ApplicationPartnerFactory(
        application=application,
        council=declined,
        state=PartnerState.DECLINED,
        decided_at=timezone.now(),
    )
    # Leadshire's own officers follow its project: no reason to suggest Leadshire.
    Follow.objects.create(project=application.project, user=application.project.owner)
    # Ending in the future is still current.
    later = unlike(short_name="Ends later", end_date=timezone.localdate() + datetime.timedelta(1))
    DemandSignal.objects.create(
        project=application.project, council=later, recorded_by=application.created_by
    )

    names = {s.council.short_name for s in consortium_suggestions(application)}

    assert names == {"Wanted", "Ends later"}


def test_only_published_visible_projects_count():
    application, waste = make_bid()
    council = unlike(short_name="Hidden work")
    published_project(
        lead_council=council, service_areas=[waste], is_hidden=True, hidden_reason="Spam"
    )
    closed_draft = ProjectFactory(lead_council=council, service_areas=[waste], state=State.DRAFT)
    assert closed_draft.state == State.DRAFT
    assert consortium_suggestions(application) == []


def test_the_limit_keeps_the_best():
    application, _waste = make_bid()
    for i in range(5):
        CouncilFactory(short_name=f"Twin {i}")
    best = unlike(short_name="Best")
    DemandSignal.objects.create(
        project=application.project, council=best, recorded_by=verified_member(best)
    )
    suggestions = consortium_suggestions(application, limit=3)
    assert [s.council.short_name for s in suggestions] == ["Best", "Twin 0", "Twin 1"]


def _evidence_for(application, waste, n: int) -> None:
    """``n`` councils with every kind of evidence, and ``n`` with none."""
    declaration = CommitmentFactory()
    application.call.required_commitments.set([declaration])
    for i in range(n):
        council = CouncilFactory(short_name=f"Council {i}")
        officer = verified_member(council)
        DemandSignal.objects.create(
            project=application.project, council=council, recorded_by=officer
        )
        Follow.objects.create(project=application.project, user=officer)
        make_pledge(application.project, council=council, actor=officer)
        published_project(lead_council=council, service_areas=[waste])
        CouncilCommitmentFactory(council=council, commitment=declaration)
        earlier = ApplicationFactory(project=published_project(lead_council=council))
        ApplicationPartnerFactory(
            application=earlier,
            council=application.lead_council,
            state=PartnerState.CONFIRMED,
            decided_at=timezone.now(),
        )
        unlike(short_name=f"Unrelated {i}", nation=Nation.SCOTLAND)


@pytest.mark.parametrize("n", [1, 12])
def test_a_fixed_number_of_queries_however_many_councils(n, django_assert_num_queries):
    application, waste = make_bid()
    _evidence_for(application, waste, n)
    application = (
        type(application)
        .objects.select_related("call", "project", "lead_council")
        .get(pk=application.pk)
    )
    with django_assert_num_queries(13):
        suggestions = consortium_suggestions(application)
    assert len(suggestions) == n
    assert all(s.meets_commitments for s in suggestions)
    assert {r.kind for r in suggestions[0].reasons} == {
        Evidence.DEMAND,
        Evidence.FOLLOWS,
        Evidence.WORKED_TOGETHER,
        Evidence.SERVICE_AREA,
        Evidence.SIMILAR,
    }


def test_councils_outside_the_calls_nations_or_types_are_not_suggested():
    application, _waste = make_bid(nations=[Nation.ENGLAND], council_types=["CTY", "NMD"])
    for name, nation, code in (
        ("Kent", Nation.ENGLAND, "CTY"),
        ("Cardiff", Nation.WALES, "CTY"),
        ("Hackney", Nation.ENGLAND, "LBO"),
    ):
        said = unlike(short_name=name, nation=nation, authority_type=code)
        DemandSignal.objects.create(
            project=application.project, council=said, recorded_by=verified_member(said)
        )

    assert [s.council.short_name for s in consortium_suggestions(application)] == ["Kent"]


def test_councils_of_a_similar_size_are_suggested_with_both_populations():
    application, _waste = make_bid()
    lead = application.lead_council
    lead.population = 120_000
    lead.save()
    unlike(short_name="Alike", population=179_000)  # within 1.5 times
    unlike(short_name="Smaller", population=79_000)  # 120,000 is more than 1.5 times this
    unlike(short_name="Unknown")

    found = by_council(consortium_suggestions(application))

    assert set(found) == {"Alike"}
    assert reasons(found["Alike"]) == [
        "A similar size to Leadshire (179,000 people; Leadshire: 120,000)"
    ]
    assert found["Alike"].score == SIMILAR_SIZE_POINTS
