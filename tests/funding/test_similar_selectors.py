"""Similar bids: which bids cluster, why (shared words, a similarity figure), per service area,
the same answer every time, and the same few queries however many bids there are."""

import pytest

from funding.models import ApplicationState
from funding.selectors.similar import bid_words, similar_bids
from tests.factories import CallFactory, CouncilFactory, ServiceAreaFactory

from .combining_world import bid

pytestmark = pytest.mark.django_db


def _pairs(result) -> list[tuple[str, str, str]]:
    return [
        (
            group.area.slug if group.area else "",
            pair.first.project.title,
            pair.second.project.title,
        )
        for group in result.areas
        for cluster in group.clusters
        for pair in cluster.pairs
    ]


def test_words_leave_out_common_words_and_plural_s():
    words = [stem for stem, _word in bid_words("The councils' shared bins and the Bin rounds")]
    assert words == ["bin", "bin", "round"]


def test_similar_bids_cluster_within_their_service_area():
    waste = ServiceAreaFactory(name="Waste", slug="waste")
    parking = ServiceAreaFactory(name="Parking", slug="parking")
    call = CallFactory()
    bid(
        call,
        CouncilFactory(),
        "Report a missed bin",
        "Report missed bin collections",
        areas=[waste],
    )
    bid(
        call, CouncilFactory(), "Missed bin reports", "Residents report a missed bin", areas=[waste]
    )
    bid(call, CouncilFactory(), "Parking permits", "Renew parking permits online", areas=[parking])
    # As alike as the first two, but in another area: not paired with them.
    bid(
        call,
        CouncilFactory(),
        "Missed bin report",
        "Report missed bin collections",
        areas=[parking],
    )
    result = similar_bids(call=call)
    assert _pairs(result) == [("waste", "Report a missed bin", "Missed bin reports")]
    [group] = [g for g in result.areas if g.area == waste]
    [pair] = group.clusters[0].pairs
    assert "missed" in pair.shared and "bin" in pair.shared
    assert 0.3 <= pair.similarity <= 1 and pair.percent == round(pair.similarity * 100)


def test_linked_pairs_make_one_cluster():
    waste = ServiceAreaFactory(name="Waste", slug="waste")
    call = CallFactory()
    a = bid(call, CouncilFactory(), "Missed bin reports", "Report a missed bin", areas=[waste])
    b = bid(call, CouncilFactory(), "Missed bin app", "Missed bin reporting app", areas=[waste])
    c = bid(call, CouncilFactory(), "Bin app for crews", "An app for bin crews", areas=[waste])
    bid(call, CouncilFactory(), "Garden waste", "Garden waste subscriptions", areas=[waste])
    [group] = similar_bids(call=call).areas
    [cluster] = group.clusters
    assert [app.pk for app in cluster.applications] == [a.pk, b.pk, c.pk]


def test_the_calls_areas_decide_the_groups_and_bids_without_one_are_grouped_apart():
    waste = ServiceAreaFactory(name="Waste", slug="waste")
    call = CallFactory()
    call.service_areas.set([waste])
    bid(call, CouncilFactory(), "Missed bin reports", "Report a missed bin")
    bid(call, CouncilFactory(), "Missed bin reporting", "Report a missed bin online")
    result = similar_bids(call=call)
    assert [g.area for g in result.areas] == [waste, None]
    assert result.areas[0].applications == 0
    assert _pairs(result) == [("", "Missed bin reports", "Missed bin reporting")]


def test_only_submitted_bids_count():
    waste = ServiceAreaFactory(name="Waste", slug="waste")
    call = CallFactory()
    bid(call, CouncilFactory(), "Missed bin reports", "Report a missed bin", areas=[waste])
    bid(
        call,
        CouncilFactory(),
        "Missed bin reporting",
        "Report a missed bin",
        areas=[waste],
        state=ApplicationState.WITHDRAWN,
    )
    bid(
        call,
        CouncilFactory(),
        "Missed bin report",
        "Report a missed bin",
        areas=[waste],
        state=ApplicationState.DRAFT,
    )
    result = similar_bids(call=call)
    assert result.applications == 1 and _pairs(result) == []


def test_the_same_bids_give_the_same_answer_every_time():
    waste = ServiceAreaFactory(name="Waste", slug="waste")
    call = CallFactory()
    titles = [
        ("Missed bin reports", "Report a missed bin"),
        ("Missed bin app", "Missed bin reporting app"),
        ("Bin app for crews", "An app for bin crews"),
        ("Bulky waste booking", "Book a bulky waste collection"),
        ("Bulky waste collections", "Bulky waste collection booking online"),
    ]
    for title, summary in titles:
        bid(call, CouncilFactory(), title, summary, areas=[waste])

    def shape(result):
        return [
            (
                [app.pk for app in cluster.applications],
                [(p.first.pk, p.second.pk, p.similarity, p.shared) for p in cluster.pairs],
            )
            for group in result.areas
            for cluster in group.clusters
        ]

    first = shape(similar_bids(call=call))
    assert len(first) == 2
    assert all(shape(similar_bids(call=call)) == first for _ in range(3))


@pytest.mark.parametrize("bids", [2, 12])
def test_the_same_queries_whatever_the_number_of_bids(bids, django_assert_num_queries):
    waste = ServiceAreaFactory(name="Waste", slug="waste")
    parking = ServiceAreaFactory(name="Parking", slug="parking")
    call = CallFactory()
    for n in range(bids):
        bid(
            call,
            CouncilFactory(),
            f"Missed bin reports {n}",
            "Report a missed bin",
            areas=[waste, parking] if n % 2 else [waste],
        )
    # The bids, their projects' areas, the call's areas and the live suggestions.
    with django_assert_num_queries(4):
        result = similar_bids(call=call)
        for group in result.areas:
            for cluster in group.clusters:
                for pair in cluster.pairs:
                    str(pair.first.project.title) + str(pair.second.lead_council)
    assert result.applications == bids
