"""Queries per request, pinned: the same at two data sizes, and within the performance budget.

Every public listing, detail page and API list is requested by an anonymous reader (as ``make
bench`` does) once with a little data around one project and one council, then again after more
of everything is added: more projects, pledges in every state, maker-team members, updates,
follows, need-this-too signals. The counts must not move, and must be exactly those pinned in
``EXPECTED`` — a change either way is a change to review (and to pin here). Budgets: with
nothing kept, at most 12 queries on any page and 6 on any API list; ``make bench`` holds pages
to DESIGN.md §6's 8 as a running site serves them, with the shared parts kept.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.budgets import MAX_API_LIST_QUERIES, MAX_PAGE_QUERIES_COLD
from projects import services
from projects.models import Kind, Phase, PledgeState, Role, TeamStatus
from projects.services import people
from tests.factories import (
    PLEDGE_STATES_MADE_DIRECTLY,
    CouncilFactory,
    ServiceAreaFactory,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db

PAGE, API_LIST, API_DETAIL = "page", "api list", "api detail"

# (name, kind, url with {project}, {council}, {council_code}, {area}, {pledge}): queries.
EXPECTED = {
    # 7: with Wagtail i18n on, routing looks up the reader's locale (Page.localized); 2 more for
    # the national benefit figures (kept between changes, as the other figures are).
    ("home", PAGE, "/"): 9,
    # Listings read which projects are on the page (their order and cursor), then whole rows
    # only for cards and API rows not already kept (none here: the tests keep no parts; see
    # tests/projects/test_page_parts.py for what they cost when kept).
    ("project listing", PAGE, "/projects/"): 4,
    (
        "project listing, filtered and sorted",
        PAGE,
        "/projects/?phase=idea&needs=money&area={area}&sort=most_supported",
    ): 5,
    ("service areas", PAGE, "/projects/areas/"): 1,
    # The region and type filters list fixed vocabularies, no longer the database's values.
    ("council directory", PAGE, "/councils/"): 2,
    # With nothing kept: the delivery section (milestones, the latest report with the count,
    # the schedule), the adopters' benefits and the projects combined into it are read too;
    # kept, the page makes 3 (make bench).
    ("project page", PAGE, "/projects/{project}/"): 12,
    ("council page", PAGE, "/councils/{council}/"): 10,
    # Its portfolio: the council, the service areas (filter), the rows (latest report, next
    # milestone and schedule are subqueries), the page's pledges, and for the totals (kept
    # between pledges, in make bench) the matching projects' keys and their pledges' sum.
    ("council portfolio", PAGE, "/councils/{council}/portfolio/"): 6,
    (
        "council portfolio, filtered",
        PAGE,
        "/councils/{council}/portfolio/?role=leads&phase=idea",
    ): 6,
    # The pledge with its project, its ledger, its public amendments and any open change; the
    # project is not read a second time for the check of who may see the pledge.
    ("pledge page", PAGE, "/projects/pledges/{pledge}/"): 4,
    ("API projects", API_LIST, "/api/v1/projects/"): 3,
    ("API projects, filtered", API_LIST, "/api/v1/projects/?phase=idea&needs=money"): 3,
    ("API projects, by most supported", API_LIST, "/api/v1/projects/?sort=most_supported"): 3,
    # Keys first, then whole rows (and their amendments) only for rows not kept.
    ("API pledges", API_LIST, "/api/v1/pledges/"): 3,
    ("API pledges of a project", API_LIST, "/api/v1/pledges/?project={project}"): 3,
    ("API councils", API_LIST, "/api/v1/councils/"): 1,
    ("API tags", API_LIST, "/api/v1/tags/"): 1,
    ("API needs of a project", API_LIST, "/api/v1/projects/{project}/needs/"): 3,
    ("API team of a project", API_LIST, "/api/v1/projects/{project}/team/"): 3,
    ("API updates of a project", API_LIST, "/api/v1/projects/{project}/updates/"): 3,
    ("API project", API_DETAIL, "/api/v1/projects/{project}/"): 5,
    # The pledge with its project, council and decision record; its ledger; its amendments.
    ("API pledge", API_DETAIL, "/api/v1/pledges/{pledge}/"): 3,
    ("API council", API_DETAIL, "/api/v1/councils/{council_code}/"): 2,
    ("API stats", API_DETAIL, "/api/v1/stats/"): 2,
}


class World:
    """One lead council and its project, with ``grow(n)`` adding n more of everything."""

    def __init__(self):
        self.area = ServiceAreaFactory(name="Waste", slug="waste")
        self.lead = CouncilFactory()
        self.project = published_project(lead_council=self.lead, service_areas=[self.area])
        self.money_need = self.project.needs.get(kind=Kind.MONEY)
        self.pledge = None
        self.grown = 0

    def grow(self, n: int) -> None:
        for _ in range(n):
            self.grown += 1
            other = CouncilFactory()
            # More projects led by the same council, in the listings and on its page.
            published_project(lead_council=self.lead, service_areas=[self.area])
            # Pledges to the project in every state, from another council.
            for i, state in enumerate(PLEDGE_STATES_MADE_DIRECTLY):
                pledge = make_pledge(
                    self.project,
                    council=other,
                    state=state,
                    need=self.money_need if i % 2 else None,
                    amount=10_000 * (i + 1),
                )
                self.pledge = self.pledge or pledge
            # Amendments: a pledge replaced by an accepted change, and one with a change waiting.
            proposer = verified_member(other)
            for amount, accept in ((7_000, True), (9_000, False)):
                original = make_pledge(
                    self.project, council=other, state=PledgeState.ACCEPTED, amount=amount
                )
                change = services.pledge_amend(
                    actor=proposer, pledge=original, amount=amount + 500, note="Budget moved"
                )
                if accept:
                    services.pledge_accept(actor=self.project.owner, pledge=change)
            # The lead council pledging to another council's project (its page lists pledges).
            make_pledge(published_project(), council=self.lead, state=PledgeState.ACCEPTED)
            # A maker-team member from another council, an update, a follower, and a council
            # saying it needs this too.
            member = verified_member(other)
            membership = people.team_request_join(
                actor=member, project=self.project, role=Role.DEVELOPER, council=other
            )
            people.team_approve(actor=self.project.owner, membership=membership)
            people.update_post(
                actor=self.project.owner,
                project=self.project,
                title=f"Sprint {self.grown}",
                body="We tested the **booking** flow with residents.",
            )
            people.follow_project(actor=member, project=self.project)
            needing = CouncilFactory()
            people.demand_signal_record(
                actor=verified_member(needing), project=self.project, council=needing
            )
        self.project.refresh_from_db()
        assert self.project.phase == Phase.IDEA

    def url(self, template: str) -> str:
        return template.format(
            project=self.project.slug,
            council=self.lead.slug,
            council_code=self.lead.code,
            area=self.area.slug,
            pledge=self.pledge.pk,
        )


def _count(client: Client, url: str) -> tuple[int, list[str]]:
    client.get(url)  # the first request in a process fills per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        w = World()
        w.grow(1)
    return w


def test_query_counts_are_pinned_equal_at_two_sizes_and_within_budget(
    world, django_capture_on_commit_callbacks
):
    client = Client()
    small = {key: _count(client, world.url(key[2])) for key in EXPECTED}
    with django_capture_on_commit_callbacks(execute=True):
        world.grow(3)
    assert world.project.pledges.count() == 4 * (len(PLEDGE_STATES_MADE_DIRECTLY) + 4)
    assert world.project.team.filter(status=TeamStatus.ACTIVE).count() == 4
    large = {key: _count(client, world.url(key[2])) for key in EXPECTED}

    problems = []
    for key, expected in EXPECTED.items():
        name, kind, _url = key
        (n_small, _), (n_large, sql) = small[key], large[key]
        if n_small != n_large:
            problems.append(
                f"{name}: {n_small} queries with little data, {n_large} with more:\n  "
                + "\n  ".join(q[:160] for q in sql)
            )
        elif n_large != expected:
            problems.append(f"{name}: {n_large} queries, pinned at {expected}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("key", list(EXPECTED), ids=[k[0] for k in EXPECTED])
def test_pinned_counts_are_within_budget(key):
    name, kind, _url = key
    if kind == PAGE:
        assert EXPECTED[key] <= MAX_PAGE_QUERIES_COLD, name
    elif kind == API_LIST:
        assert EXPECTED[key] <= MAX_API_LIST_QUERIES, name
