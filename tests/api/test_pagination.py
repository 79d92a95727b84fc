"""Cursor pages: following ``next`` to the end returns every row exactly once, in the order of
the whole listing, for every sort, even with ties in the sort key and projects without a
deadline."""

import base64
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from projects.filters import SORTS
from projects.models import Kind, PledgeState, Project
from tests.factories import (
    CouncilFactory,
    NeedFactory,
    ProjectFactory,
    make_pledge,
    published_project,
)

from .conftest import assert_error

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)

# slug: (days before NOW it was published, deadline in days from NOW or None,
#        partner councils with accepted money, accepted pence per partner)
PROJECTS = {
    "alpha": (1, None, 0, 0),
    "bravo": (1, 30, 1, 10_000),  # published the same moment as alpha
    "charlie": (1, 30, 1, 10_000),  # and bravo's twin in deadline and support
    "delta": (2, None, 2, 10_000),
    "echo": (3, 10, 2, 10_000),
    "foxtrot": (3, 10, 0, 0),
    "golf": (4, None, 1, 25_000),
    "hotel": (5, 60, 3, 10_000),
    "india": (5, None, 0, 0),
    "juliet": (6, 30, 2, 5_000),
}


@pytest.fixture
def projects():
    with time_machine.travel(NOW, tick=False):
        for slug, (age, deadline, partners, pence) in PROJECTS.items():
            project = ProjectFactory(
                title=slug.title(),
                slug=slug,
                published=True,
                published_at=NOW - age * DAY,
                pledging_deadline=(NOW + deadline * DAY).date() if deadline else None,
            )
            NeedFactory(project=project)
            for _ in range(partners):
                make_pledge(project, amount=pence, state=PledgeState.ACCEPTED)
        # Hidden and draft projects are never listed, on any page.
        ProjectFactory(slug="draft-one")
        ProjectFactory(slug="hidden-one", published=True, is_hidden=True, hidden_reason="Spam")
        yield


def walk(url: str, client=None) -> tuple[list[str], int]:
    """Follow ``next`` from ``url`` to the end: the slugs in order, and the number of pages."""
    client = client or APIClient()
    slugs: list[str] = []
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        assert set(body) == {"next", "previous", "results"}
        slugs += [row["slug"] for row in body["results"]]
        pages += 1
        assert pages <= 50, "next links go round in circles"
        url = body["next"]
    return slugs, pages


SORT_PARAMS = [None, *SORTS]


@pytest.mark.parametrize("sort", SORT_PARAMS, ids=lambda s: s or "default")
def test_every_project_exactly_once_across_pages(projects, sort):
    query = f"sort={sort}&" if sort else ""
    whole, _ = walk(f"/api/v1/projects/?{query}page_size=200")
    assert sorted(whole) == sorted(PROJECTS)

    paged, pages = walk(f"/api/v1/projects/?{query}page_size=3")
    assert pages == 4
    assert len(paged) == len(set(paged)), f"a project appeared twice: {paged}"
    assert paged == whole, "pages joined together differ from the whole listing"


def test_next_links_keep_the_filters_and_sort(projects):
    response = APIClient().get("/api/v1/projects/?sort=closing&needs=money&page_size=3")
    next_url = response.json()["next"]
    query = parse_qs(urlsplit(next_url).query)
    assert query["sort"] == ["closing"]
    assert query["needs"] == ["money"]
    assert query["page_size"] == ["3"]
    assert "cursor" in query


def _committed(slug: str) -> tuple[int, int]:
    p = Project.objects.get(slug=slug)
    return p.money_accepted + p.money_fulfilled, p.half_days_accepted + p.half_days_fulfilled


def test_the_orders_are_the_documented_ones(projects):
    """Independent of the implementation: what each named sort means, ties broken by newest
    created (highest id) first."""
    rows = {p.slug: p for p in Project.objects.filter(slug__in=PROJECTS)}
    pk = {slug: p.pk for slug, p in rows.items()}
    far = dt.date.max

    def order(key) -> list[str]:
        return sorted(PROJECTS, key=key)

    expected = {
        "newest": order(lambda s: (-rows[s].published_at.timestamp(), -pk[s])),
        "closing": order(lambda s: (rows[s].pledging_deadline or far, -pk[s])),
        "most_supported": order(
            lambda s: (-rows[s].partner_count, *(-v for v in _committed(s)), -pk[s])
        ),
        "least_supported": order(lambda s: (rows[s].partner_count, *_committed(s), -pk[s])),
    }
    assert expected["newest"][:3] == ["charlie", "bravo", "alpha"]
    assert expected["closing"][-4:] == ["india", "golf", "delta", "alpha"]
    assert expected["most_supported"][0] == "hotel"
    for sort, slugs in expected.items():
        paged, _ = walk(f"/api/v1/projects/?sort={sort}&page_size=3")
        assert paged == slugs, sort
    default, _ = walk("/api/v1/projects/?page_size=3")
    assert default == expected["newest"]


@pytest.mark.parametrize("page_size", [1, 2, 4, 10, 11])
def test_any_page_size_covers_everything(projects, page_size):
    for sort in ("most_supported", "closing"):
        paged, pages = walk(f"/api/v1/projects/?sort={sort}&page_size={page_size}")
        assert sorted(paged) == sorted(PROJECTS)
        assert pages == -(-len(PROJECTS) // page_size)


def test_page_size_is_capped_and_bad_values_fall_back():
    response = APIClient().get("/api/v1/projects/?page_size=100000")
    assert response.status_code == 200
    response = APIClient().get("/api/v1/projects/?page_size=-3")
    assert response.status_code == 200


def test_pledges_page_by_newest_with_every_pledge_once():
    with time_machine.travel(NOW, tick=False) as traveller:
        project = published_project()
        need = project.needs.get(kind=Kind.MONEY)
        councils = [CouncilFactory() for _ in range(3)]
        made = []
        for i in range(10):
            # Pairs share a creation time, so the cursor has ties to get through.
            if i % 2 == 0:
                traveller.shift(dt.timedelta(minutes=1))
            made.append(make_pledge(project, council=councils[i % 3], need=need, amount=100 + i))
    ids = []
    url = "/api/v1/pledges/?page_size=3"
    while url:
        body = APIClient().get(url).json()
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    expected = [p.pk for p in sorted(made, key=lambda p: (p.created_at, p.pk), reverse=True)]
    assert ids == expected


# --- forged cursors -------------------------------------------------------------------------

# Well-formed cursors (base64 of a query string) whose position is nonsense for the sort key:
# each was a 500 where the key is a date or a number.
FORGED_POSITIONS = [
    "p=not-a-date",
    "p=2026-13-45",
    "p=abc",
    "p=1.5",
    "p=" + "9" * 40,
    "p=\x00",
    "r=1&p=not-a-date",
    "o=3&p=not-a-date",
]


def forged(position: str) -> str:
    return base64.b64encode(position.encode("ascii")).decode("ascii")


@pytest.mark.parametrize("position", FORGED_POSITIONS)
def test_a_forged_cursor_is_a_404_for_every_sort_and_listing(projects, position):
    make_pledge(Project.objects.get(slug="alpha"))
    CouncilFactory()
    urls = [f"/api/v1/projects/?sort={sort}&" for sort in SORTS]
    urls += ["/api/v1/projects/?", "/api/v1/pledges/?"]
    for url in urls:
        body = assert_error(APIClient().get(f"{url}cursor={forged(position)}"), 404)
        assert body["message"] == "Invalid cursor", (url, position)
    # Councils page by name, so any text is a real position; a NUL is not.
    councils = APIClient().get(f"/api/v1/councils/?cursor={forged(position)}")
    if "\x00" in position:
        assert_error(councils, 404)
    else:
        assert councils.status_code == 200


@pytest.mark.parametrize("position", FORGED_POSITIONS)
def test_a_forged_cursor_on_the_projects_page_is_a_404_in_the_site_layout(projects, position):
    client = Client()
    for query in [f"sort={sort}&" for sort in SORTS] + ["", "sort=name&"]:
        response = client.get(f"/projects/?{query}cursor={forged(position)}")
        assert response.status_code == 404, (query, position, response.status_code)
        assert b"govuk-footer" in response.content and b"Page not found" in response.content


def test_real_cursors_still_work_after_the_position_check(projects):
    """The check reads each sort key's type; walking every sort to the end is unaffected."""
    for sort in SORTS:
        paged, _ = walk(f"/api/v1/projects/?sort={sort}&page_size=2")
        assert sorted(paged) == sorted(PROJECTS), sort
        response = APIClient().get(f"/api/v1/projects/?sort={sort}&page_size=2")
        previous = APIClient().get(APIClient().get(response.json()["next"]).json()["previous"])
        assert previous.status_code == 200
