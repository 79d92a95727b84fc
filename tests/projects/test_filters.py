"""The project listing's filters and sorts (shared by the web page and the API)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from projects import selectors, services
from projects.filters import ProjectFilterSet
from projects.models import Kind, Phase, PledgeState, Project, Role, State
from tests.factories import (
    CouncilFactory,
    NeedFactory,
    ProjectFactory,
    ServiceAreaFactory,
    make_pledge,
    verified_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing():
    now = timezone.now()
    today = timezone.localdate()
    waste_area = ServiceAreaFactory(name="Waste and recycling", slug="waste")
    parking_area = ServiceAreaFactory(name="Parking", slug="parking")
    ashford = CouncilFactory(code="ASH", short_name="Ashford", slug="ashford")
    barnet = CouncilFactory(code="BNE", short_name="Barnet", slug="barnet")
    camden = CouncilFactory(code="CMD", short_name="Camden", slug="camden")
    partner = CouncilFactory(code="PTN", short_name="Partnerton", slug="partnerton")
    other = CouncilFactory(code="OTH", short_name="Otherby", slug="otherby")

    def project(title, lead, *, days_ago, **kwargs):
        return ProjectFactory(
            published=True,
            title=title,
            lead_council=lead,
            published_at=now - timedelta(days=days_ago),
            **kwargs,
        )

    waste = project(
        "Waste collection app",
        ashford,
        days_ago=5,
        phase=Phase.ALPHA,
        pledging_deadline=today + timedelta(days=10),
        service_areas=[waste_area],
    )
    parking = project(
        "Permits",
        barnet,
        days_ago=4,
        phase=Phase.BETA,
        summary="Residents apply for parking permits online",
        pledging_deadline=today + timedelta(days=3),
        service_areas=[parking_area],
    )
    library = project(
        "Library bookings",
        ashford,
        days_ago=3,
        phase=Phase.LIVE,
        description="A shared catalogue and room booking service",
        service_areas=[waste_area, parking_area],
    )
    closed = project(
        "Closed idea", camden, days_ago=2, phase=Phase.DISCOVERY, pledging_deadline=today
    )
    NeedFactory(project=waste)
    NeedFactory(project=parking, time=True, role=Role.DEVELOPER)
    NeedFactory(project=library, time=True, role=Role.DESIGNER)
    NeedFactory(project=library, amount=100)
    NeedFactory(project=closed)

    # Partnerton: accepted on waste, only offered on parking, fulfilled on library.
    # Otherby: declined on closed, withdrawn (after acceptance) on parking.
    pledger = verified_member(partner)
    make_pledge(waste, council=partner, actor=pledger, amount=50_000, state="accepted")
    make_pledge(parking, council=partner, actor=pledger, amount=70_000)
    make_pledge(library, council=partner, actor=pledger, amount=90_000, state="fulfilled")
    make_pledge(closed, council=other, amount=1_000, state="declined")
    withdrawn = make_pledge(parking, council=other, amount=2_000, state="accepted")
    services.pledge_withdraw(actor=withdrawn.pledged_by, pledge=withdrawn, reason="Paused")

    Project.objects.filter(pk=parking.pk).update(state=State.IN_DELIVERY)
    Project.objects.filter(pk=library.pk).update(state=State.COMPLETED)
    Project.objects.filter(pk=closed.pk).update(state=State.CLOSED)

    # Never listed, though they match every filter below.
    draft = ProjectFactory(
        title="Waste collection draft",
        summary="Residents catalogue",
        lead_council=ashford,
        phase=Phase.ALPHA,
        service_areas=[waste_area],
    )
    NeedFactory(project=draft)
    NeedFactory(project=draft, time=True, role=Role.DEVELOPER)
    hidden = project(
        "Waste collection hidden",
        ashford,
        days_ago=1,
        phase=Phase.ALPHA,
        summary="Residents catalogue",
        service_areas=[waste_area],
        is_hidden=True,
        hidden_reason="Duplicate of another project",
    )
    NeedFactory(project=hidden)
    NeedFactory(project=hidden, time=True, role=Role.DESIGNER)
    return SimpleNamespace(
        waste=waste, parking=parking, library=library, closed=closed, draft=draft, hidden=hidden
    )


def titles(data) -> list[str]:
    filterset = ProjectFilterSet(data, queryset=selectors.project_list())
    assert filterset.is_valid(), filterset.errors
    return [p.title for p in filterset.qs]


def title_set(data) -> set[str]:
    return set(titles(data))


WASTE, PARKING, LIBRARY, CLOSED = (
    "Waste collection app",
    "Permits",
    "Library bookings",
    "Closed idea",
)
EVERYTHING = {WASTE, PARKING, LIBRARY, CLOSED}


def test_project_list_never_shows_drafts_or_hidden_projects(listing):
    assert {p.title for p in selectors.project_list()} == EVERYTHING
    assert title_set({}) == EVERYTHING
    assert set(ProjectFilterSet(None, queryset=selectors.project_list()).qs) == {
        listing.waste,
        listing.parking,
        listing.library,
        listing.closed,
    }


def test_no_filter_can_bring_back_a_draft(listing):
    filterset = ProjectFilterSet({"state": State.DRAFT}, queryset=selectors.project_list())
    assert not filterset.is_valid()
    assert "state" in filterset.errors
    assert listing.draft not in filterset.qs
    assert listing.hidden not in filterset.qs


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"phase": [Phase.ALPHA]}, {WASTE}),
        ({"phase": [Phase.ALPHA, Phase.BETA]}, {WASTE, PARKING}),
        ({"phase": [Phase.IDEA, Phase.RETIRED]}, set()),
        ({"state": State.SEEKING_SUPPORT}, {WASTE}),
        ({"state": State.IN_DELIVERY}, {PARKING}),
        ({"state": State.COMPLETED}, {LIBRARY}),
        ({"state": State.CLOSED}, {CLOSED}),
        ({"area": "waste"}, {WASTE, LIBRARY}),
        ({"area": "parking"}, {PARKING, LIBRARY}),
        ({"lead_council": "ASH"}, {WASTE, LIBRARY}),
        ({"lead_council": "ash"}, {WASTE, LIBRARY}),
        ({"lead_council": " barnet "}, {PARKING}),
        ({"lead_council": "Barnet"}, {PARKING}),
        ({"lead_council": "nowhere"}, set()),
        ({"partner_council": "PTN"}, {WASTE, LIBRARY}),
        ({"partner_council": "partnerton"}, {WASTE, LIBRARY}),
        ({"partner_council": "OTH"}, set()),
        ({"needs": Kind.MONEY}, {WASTE, LIBRARY, CLOSED}),
        ({"needs": Kind.TIME}, {PARKING, LIBRARY}),
        ({"role": Role.DEVELOPER}, {PARKING}),
        ({"role": Role.DESIGNER}, {LIBRARY}),
        ({"role": Role.DATA_ANALYST}, set()),
        ({"q": "waste"}, {WASTE}),
        ({"q": "WASTE"}, {WASTE}),
        ({"q": "residents"}, {PARKING}),
        ({"q": "catalogue"}, {LIBRARY}),
        ({"q": "   "}, EVERYTHING),
        ({"q": "zebra"}, set()),
        ({"lead_council": "ASH", "needs": Kind.TIME}, {LIBRARY}),
        ({"area": "waste", "phase": [Phase.ALPHA], "partner_council": "PTN"}, {WASTE}),
    ],
)
def test_each_filter_narrows_the_listing(listing, data, expected):
    assert title_set(data) == expected


def test_the_needs_filter_follows_needs_added_and_removed(listing):
    """The filter reads the project's stored totals: a need added or removed through the
    services moves the project in or out at once."""
    owner = listing.parking.owner
    need = services.need_add(actor=owner, project=listing.parking, kind=Kind.MONEY, amount=250_000)
    assert PARKING in title_set({"needs": Kind.MONEY})
    services.need_remove(actor=owner, need=need)
    assert PARKING not in title_set({"needs": Kind.MONEY})
    assert PARKING in title_set({"needs": Kind.TIME})


@pytest.mark.parametrize(
    "data",
    [{"phase": ["gamma"]}, {"area": "no-such-area"}, {"needs": "gold"}, {"role": "wizard"}],
)
def test_unknown_choices_are_errors_not_silently_ignored(listing, data):
    filterset = ProjectFilterSet(data, queryset=selectors.project_list())
    assert not filterset.is_valid()
    assert set(filterset.errors) == set(data)


def test_partner_council_counts_only_accepted_or_fulfilled_pledges(listing):
    partner_pledge = listing.parking.pledges.get(council__code="PTN")
    assert partner_pledge.state == PledgeState.OFFERED
    assert PARKING not in title_set({"partner_council": "PTN"})
    Project.objects.filter(pk=listing.parking.pk).update(state=State.SEEKING_SUPPORT)
    services.pledge_accept(actor=listing.parking.owner, pledge=partner_pledge)
    assert PARKING in title_set({"partner_council": "PTN"})


def test_newest_is_the_default_order(listing):
    assert titles({}) == [CLOSED, LIBRARY, PARKING, WASTE]
    assert titles({"sort": "newest"}) == [CLOSED, LIBRARY, PARKING, WASTE]


def test_closing_soon_puts_the_nearest_deadline_first_and_none_last(listing):
    assert titles({"sort": "closing"}) == [CLOSED, PARKING, WASTE, LIBRARY]


def test_most_and_least_supported(listing):
    # Waste: 1 partner, £500 accepted. Library: 1 partner, £900 fulfilled. Parking and
    # Closed: no partners. Fulfilled money is support as much as accepted money is.
    assert titles({"sort": "most_supported"}) == [LIBRARY, WASTE, CLOSED, PARKING]
    assert titles({"sort": "least_supported"}) == [CLOSED, PARKING, WASTE, LIBRARY]


def test_more_partners_beat_more_money(listing):
    for code in ("X1", "X2"):
        council = CouncilFactory(code=code)
        make_pledge(listing.waste, council=council, amount=1, state="accepted")
    assert titles({"sort": "most_supported"})[:2] == [WASTE, LIBRARY]


def test_unknown_sort_is_an_error(listing):
    filterset = ProjectFilterSet({"sort": "random"}, queryset=selectors.project_list())
    assert not filterset.is_valid()
    assert "sort" in filterset.errors
