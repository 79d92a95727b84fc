"""Reads of projects that pages share."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from councils.models import Membership, MembershipStatus
from projects.models import Phase, Pledge
from projects.selectors import headline_stats, pledge_listing_keys
from tests.factories import (
    CouncilFactory,
    MembershipFactory,
    make_pledge,
    published_project,
)

pytestmark = pytest.mark.django_db


def test_a_council_takes_part_with_a_verified_member_a_pledge_or_a_project_it_leads():
    with_member = CouncilFactory()
    MembershipFactory(council=with_member)
    waiting = CouncilFactory()  # only a request to join, not yet decided
    MembershipFactory(council=waiting, status=MembershipStatus.PENDING)
    CouncilFactory()  # nothing at all
    project = published_project()
    pledger = CouncilFactory()
    make_pledge(project, council=pledger)
    assert headline_stats()["councils_taking_part"] == 3

    # Their people gone, the lead council and the pledging council still take part by what
    # they did: the project and the pledge.
    Membership.objects.filter(council__in=[project.lead_council, pledger]).update(
        status=MembershipStatus.LEFT
    )
    assert headline_stats()["councils_taking_part"] == 3
    Membership.objects.filter(council=with_member).update(status=MembershipStatus.REFUSED)
    assert headline_stats()["councils_taking_part"] == 2


# --- a project's pledge listing --------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_projects_pledge_listing_keys_can_be_read_from_its_index_alone():
    """The busiest project's listing read 570 pages of the table to find its 50 newest pledges;
    the listing's index now holds every column the keys read."""
    project = published_project()
    for _ in range(3):
        make_pledge(project)
    keys = (
        pledge_listing_keys().filter(project__slug=project.slug).order_by("-created_at", "-pk")[:51]
    )

    sql, params = keys.query.sql_with_params()
    plan = _plan_of_a_vacuumed_table("projects_pledge", sql, params)

    assert "Index Only Scan using pledge_project_listing_idx on projects_pledge" in plan
    assert [k.pk for k in keys] == list(
        Pledge.objects.filter(project=project)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )


# --- the home page's national figures ------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_national_figures_by_phase_are_read_from_their_index_alone():
    """Drawn again after every pledge, the figures read the whole projects table (1,600 pages
    for the bench's 10,000 projects); the phase's totals index holds all they add up."""
    pledged = published_project(phase=Phase.BETA)
    make_pledge(pledged, amount=250_000)
    published_project(phase=Phase.ALPHA)
    published_project(phase=Phase.ALPHA, is_hidden=True, hidden_reason="Spam")

    with CaptureQueriesContext(connection) as queries:
        stats = headline_stats()
    grouped = '"projects_project"."phase" AS "phase"'
    by_phase = next(q["sql"] for q in queries if grouped in q["sql"])

    assert "Index Only Scan using project_headline_totals_idx on projects_project" in (
        _plan_of_a_vacuumed_table("projects_project", by_phase)
    )
    assert stats["projects_by_phase"][Phase.BETA] == 1
    assert stats["projects_by_phase"][Phase.ALPHA] == 1  # the hidden one is not counted
    assert stats["money_pledged"] == 250_000


def _plan_of_a_vacuumed_table(table: str, sql: str, params=()) -> str:
    """EXPLAIN ``sql`` once ``table`` is vacuumed, as autovacuum keeps a running site's: its
    pages marked all-visible, so the planner counts on reading an index alone rather than
    visiting each row (fresh rows, never vacuumed, make both plans cost the same and the
    choice a coin toss). Sequential and bitmap scans are ruled out: a few rows' table is
    smaller than any index."""
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {table}")
        with transaction.atomic():
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
