"""Property-based fuzzing of the REST API against its own OpenAPI description (schemathesis).

Every operation of the drf-spectacular schema gets generated requests, valid and invalid
(schemathesis' positive and negative modes), sent in-process through the WSGI application,
anonymously and as a verified member with a bearer token. Every response must:

- not be a server error (5xx);
- have a status code, content type, headers and body that the schema describes.

Path parameters are half the time those of real objects (a published project with needs and
pledges in each state), so generated bodies reach the services, not only the 404 path.

CI runs ``FUZZ_EXAMPLES`` (default 50) examples per operation, each sent anonymously or with the
member's token (drawn per example); ``make fuzz`` runs a longer campaign (1,000 per operation).
The seed is printed (``-s``, and in every failure); replay a failure with ``FUZZ_SEED=<seed>``
(and ``FUZZ_SHRINK=1`` to have Hypothesis shrink it to the smallest failing request).
"""

import os
import random
from unittest import mock

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import seed as hypothesis_seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from projects.models import PledgeState, Role
from projects.services import people
from tests.factories import (
    PLEDGE_STATES_MADE_DIRECTLY,
    ApplicationFactory,
    CallFactory,
    CouncilFactory,
    MembershipFactory,
    make_pledge,
    published_project,
    verified_member,
)
from tests.worlds import rolled_back

from .helpers import token_for

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
SEED = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(2**32))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Shrinking a failure to its smallest form can take minutes; FUZZ_SHRINK=1 turns it on.
PHASES = [Phase.explicit, Phase.generate] + (
    [Phase.shrink] if os.environ.get("FUZZ_SHRINK") else []
)
# Throttling and rate limits are tested elsewhere; here they would only hide coverage.
NO_THROTTLING = {"anon": "1000000/min", "user": "1000000/min", "token": "1000000/min"}

APP = get_wsgi_application()
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", APP)
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module; each operation's examples run in a savepoint rolled back
    after it, so every operation starts from the same objects."""
    from rest_framework.throttling import SimpleRateThrottle

    with (
        django_db_blocker.unblock(),
        mock.patch.object(SimpleRateThrottle, "THROTTLE_RATES", NO_THROTTLING),
        override_settings(PIPELINE_RATE_LIMITS={}),
    ):
        # The WSGI handler closes the connection after each request (as Django's test client
        # stops it doing); that would end the transaction the world lives in.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            with rolled_back():
                yield _make_world()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


def _make_world() -> dict:
    lead = CouncilFactory(code="LEAD")
    partner = CouncilFactory(code="PART")
    project = published_project(lead_council=lead)
    member = project.owner  # verified member of the lead council...
    MembershipFactory(user=member, council=partner)  # ...and of a pledging council
    other = verified_member(CouncilFactory(code="OTHR"))
    pledges = {
        state: make_pledge(project, council=CouncilFactory(), state=state)
        for state in PLEDGE_STATES_MADE_DIRECTLY
    }
    return {
        "slug": project.slug,
        "code": partner.code,
        "pledge_id": pledges[PledgeState.OFFERED].pk,
        "team_id": people.team_request_join(
            actor=other, project=project, role=Role.DEVELOPER, message="Hello"
        ).pk,
        "need_id": project.needs.first().pk,
        "token": token_for(member),
        # A draft bid of the member's project (funding applications), which they may change.
        "application_id": ApplicationFactory(project=project, call=CallFactory()).pk,
    }


def _strategy(operation, world):
    real = {
        "slug": world["slug"],
        "code": world["code"],
        "need_id": world["need_id"],
        "id": world["team_id"]
        if "team-memberships" in operation.path
        else world["application_id"]
        if "applications" in operation.path
        else world["pledge_id"],
    }
    fixed = {p.name: real[p.name] for p in operation.path_parameters if p.name in real}
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    strategies = [operation.as_strategy(mode) for mode in modes]
    if fixed:
        strategies += [
            operation.as_strategy(schemathesis.GenerationMode.POSITIVE, path_parameters=fixed)
        ] * 2
    return st.one_of(strategies)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_fuzz_operation(label, world, django_db_blocker):
    operation = OPERATIONS[label]
    member = {"Authorization": f"Bearer {world['token']}"}
    print(f"fuzz: {label}: {EXAMPLES} examples, FUZZ_SEED={SEED}")
    seen: dict[str, dict[int, int]] = {"anonymous": {}, "member": {}}

    @hypothesis_seed(SEED)
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=PHASES,
        print_blob=True,
    )
    @given(case=_strategy(operation, world), role=st.sampled_from(["anonymous", "member"]))
    def run(case, role):
        headers = member if role == "member" else {}
        response = case.call(headers=headers)
        seen[role][response.status_code] = seen[role].get(response.status_code, 0) + 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        with django_db_blocker.unblock(), rolled_back():
            run()
    except BaseException as exc:
        exc.add_note(
            f"Replay: FUZZ_SEED={SEED} FUZZ_EXAMPLES={EXAMPLES} FUZZ_SHRINK=1 .venv/bin/pytest "
            f"'tests/security/test_api_fuzz.py::test_fuzz_operation[{label}]'"
        )
        raise
    print(f"fuzz: {label}: requests by role and status {seen}")
    assert sum(sum(by_status.values()) for by_status in seen.values()) > 0
