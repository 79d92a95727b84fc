"""The API permission matrix (tests/api/test_permission_matrix.py) for the one role it lacks:
a signed-in person whose membership of the lead council is still pending (not verified).

Pending people may act for no council, so on every route and method they must get exactly what
a verified member of an unrelated council gets (the matrix's ``other`` column): reads as
everyone, writes for a council refused (403), never 401 (they are signed in), and what anyone
signed in may do for themselves (a token, follows, asking to join a team) allowed. The rows
come from the API matrix itself, so a new route there is checked here too.
"""

import pytest

from councils.models import MembershipStatus
from projects.models import Follow
from tests.api.conftest import assert_error, send
from tests.api.test_permission_matrix import (
    BODIES,
    MATRIX,
    ROLES,
    make_world,
    served_routes,
    snapshot,
    url_for,
)
from tests.factories import MembershipFactory, UserFactory

from .helpers import token_for

pytestmark = pytest.mark.django_db

OTHER = ROLES.index("other")
PENDING_ROWS = {key: statuses[OTHER] for key, statuses in MATRIX.items()}


# Writes anyone signed in may make for themselves: a token, following, asking to join a team.
PERSONAL = {"token", "follows", "follow", "project-team"}


def test_pending_people_may_not_write_for_any_council():
    writes = {k: v for k, v in PENDING_ROWS.items() if k[1] in ("POST", "PATCH", "DELETE")}
    assert writes
    # 404: a pledge awaiting approval does not exist outside its council (signing it off).
    assert {k: v for k, v in writes.items() if k[0] not in PERSONAL and v not in (403, 404)} == {}


@pytest.mark.parametrize(("name", "method"), sorted(PENDING_ROWS), ids=lambda v: str(v))
def test_pending_member(name, method):
    from rest_framework.test import APIClient

    route = served_routes().get((name, method))
    if route is None:
        pytest.skip(f"{method} {name} is no longer served (the API matrix says so)")
    w = make_world()
    pending = UserFactory()
    MembershipFactory(user=pending, council=w.lead, status=MembershipStatus.PENDING)
    Follow.objects.create(project=w.project, user=pending)  # as every role there does
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(pending)}")
    body_for = BODIES.get((name, method))
    before = snapshot()

    response = send(client, method, url_for(name, route, w), body_for(w) if body_for else None)

    expected = PENDING_ROWS[(name, method)]
    assert response.status_code == expected, (
        f"{method} {name} as pending: {response.status_code} {response.content[:300]!r}"
    )
    if expected >= 400:
        if method == "HEAD":  # the same answer as GET, without the body
            assert response["Content-Type"].startswith("application/json")
        else:
            assert_error(response, expected)
        assert snapshot() == before, "a refused request changed something"
