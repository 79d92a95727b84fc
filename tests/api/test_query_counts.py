"""A listing runs the same number of queries for 1 row as for 50 (design guide §6)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from projects.models import Follow, Kind, TeamMembership, TeamStatus, Update
from tests.factories import (
    CouncilFactory,
    NeedFactory,
    ProjectFactory,
    ServiceAreaFactory,
    UserFactory,
    make_pledge,
    published_project,
    verified_member,
)

from .conftest import token_client

pytestmark = pytest.mark.django_db


def _projects(n: int, _state: dict) -> None:
    for _ in range(n):
        area = ServiceAreaFactory()
        project = ProjectFactory(published=True, service_areas=[area, ServiceAreaFactory()])
        NeedFactory(project=project)


def _pledges(n: int, state: dict) -> None:
    if "project" not in state:
        state["project"] = published_project()
    project = state["project"]
    need = project.needs.get(kind=Kind.MONEY)
    for i in range(n):
        make_pledge(project, need=need if i % 2 else None, state="accepted" if i % 3 else "offered")


def _amended_pledges(n: int, state: dict) -> None:
    """``n`` more pledge rows, half of them amendments (proposed, or accepted so that their
    originals are superseded): each row's ``amends`` and ``amended_by`` cost no query of their
    own."""
    from projects import services

    project = state.setdefault("project", published_project())
    for _ in range(n):
        last = state.get("last")
        if last is not None and last.amends_id is None:
            amendment = services.pledge_amend(
                actor=last.pledged_by, pledge=last, amount=last.amount + 1, note="More"
            )
            state["accepting"] = not state.get("accepting")
            if state["accepting"]:
                amendment = services.pledge_accept(actor=project.owner, pledge=amendment)
            state["last"] = amendment
        else:
            state["last"] = make_pledge(project, amount=1_000)


def _councils(n: int, _state: dict) -> None:
    for _ in range(n):
        CouncilFactory()


def _tags(n: int, _state: dict) -> None:
    for _ in range(n):
        ProjectFactory(published=True, service_areas=[ServiceAreaFactory()])


LISTINGS = {
    "/api/v1/projects/": _projects,
    "/api/v1/projects/?sort=closing&needs=money": _projects,
    "/api/v1/pledges/": _pledges,
    "/api/v1/pledges/?state=accepted&state=offered": _pledges,
    "/api/v1/pledges/?kind=money": _amended_pledges,
    "/api/v1/councils/": _councils,
    "/api/v1/tags/": _tags,
}


def _rows(body) -> int:
    return len(body["results"] if isinstance(body, dict) else body)


def _measure(client_factory, url: str) -> tuple[int, int, list[str]]:
    client = client_factory()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(queries), _rows(response.json()), [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("who", ["anonymous", "token"])
@pytest.mark.parametrize("url", list(LISTINGS))
def test_listing_queries_do_not_grow_with_rows(url, who):
    make_rows = LISTINGS[url]
    reader = UserFactory()

    def client_factory():
        # A new token each time: a token records its use at most once a minute, and that
        # write must not make the two measurements differ.
        return APIClient() if who == "anonymous" else token_client(reader)

    state: dict = {}
    existing = _rows(APIClient().get(url).json())
    make_rows(1, state)
    one, rows, sql_one = _measure(client_factory, url)
    assert rows == existing + 1
    make_rows(49, state)
    fifty, rows, sql_fifty = _measure(client_factory, url)
    assert rows == existing + 50
    assert one == fifty, "queries grew with rows:\n" + "\n".join(
        sorted(set(sql_fifty) - set(sql_one))
    )
    assert one <= 8, f"{one} queries for a listing"


# --- lists under a project, and the caller's own ----------------------------------------------


def _team(project, n: int, _reader) -> None:
    for _ in range(n):
        council = CouncilFactory()
        TeamMembership.objects.create(
            project=project,
            user=verified_member(council),
            council=council,
            role="developer",
            status=TeamStatus.ACTIVE,
        )


def _updates(project, n: int, _reader) -> None:
    for i in range(n):
        Update.objects.create(project=project, author=project.owner, title=f"Week {i}", body="…")


def _follows(_project, n: int, reader) -> None:
    for _ in range(n):
        Follow.objects.create(project=ProjectFactory(published=True), user=reader)


PER_PROJECT = {
    "/api/v1/projects/{slug}/team/": _team,
    "/api/v1/projects/{slug}/updates/": _updates,
    "/api/v1/projects/{slug}/needs/": lambda project, n, _: [
        NeedFactory(project=project) for _ in range(n)
    ],
    "/api/v1/follows/": _follows,
}


@pytest.mark.parametrize("url", list(PER_PROJECT))
def test_project_sublists_and_follows_do_not_grow_with_rows(url):
    project = ProjectFactory(published=True)
    reader = UserFactory()
    url = url.format(slug=project.slug)
    make_rows = PER_PROJECT[url.replace(project.slug, "{slug}")]
    make_rows(project, 1, reader)
    one, rows_one, sql_one = _measure(lambda: token_client(reader), url)
    make_rows(project, 49, reader)
    fifty, rows_fifty, sql_fifty = _measure(lambda: token_client(reader), url)
    assert (rows_one, rows_fifty) == (1, 50)
    assert one == fifty, "queries grew with rows:\n" + "\n".join(
        sorted(set(sql_fifty) - set(sql_one))
    )


def _project_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('SELECT "projects_project"."id"')]


def test_a_pledge_and_a_decision_on_it_read_its_project_once():
    """The project comes with the pledge; the check of who may see the pledge used to read the
    project again, with its service areas, on every read and every decision."""
    project = published_project()
    pledge = make_pledge(project)
    owner = token_client(project.owner)
    with CaptureQueriesContext(connection) as read:
        assert owner.get(f"/api/v1/pledges/{pledge.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as decided:
        response = owner.post(f"/api/v1/pledges/{pledge.pk}/accept/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "accepted"
    assert _project_reads(read.captured_queries) == []  # joined to the pledge's own read
    # The service locks the project row before it changes the totals; nothing else reads it.
    assert [
        sql for sql in _project_reads(decided.captured_queries) if "FOR UPDATE" not in sql
    ] == []
