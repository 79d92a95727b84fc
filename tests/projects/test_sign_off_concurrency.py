"""Sign-off under concurrent writers on PostgreSQL: each waiting pledge is decided once."""

from collections import Counter

import pytest
from django.db import connection

from core.errors import Conflict
from projects import services
from projects.ledger import check_ledger
from projects.models import Kind, Pledge, PledgeEvent, PledgeState, Project
from tests.factories import CouncilFactory, approver, published_project, verified_member
from tests.threads import run_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PLEDGES = 10
WRITERS = 50


def test_racing_approvals_and_refusals_decide_each_pledge_once():
    """50 writers (three approvers approving or refusing) race over 10 pledges awaiting
    approval: each ends with exactly one decision, the totals count exactly the approved ones,
    and the ledger agrees."""
    council = CouncilFactory(money_limit=1_000)
    project = published_project()
    pledger = verified_member(council)
    approvers = [approver(council) for _ in range(3)]
    pledges = [
        services.pledge_offer(
            actor=pledger, project=project, council=council, kind=Kind.MONEY, amount=2_000 + i
        )
        for i in range(PLEDGES)
    ]
    assert {p.state for p in pledges} == {PledgeState.PENDING}
    connection.close()  # the threads open their own

    def write(index: int) -> str:
        pledge = pledges[index % PLEDGES]
        try:
            if index % 4:
                services.pledge_approve(actor=approvers[index % 3], pledge=pledge)
                return "approved"
            services.pledge_refuse(actor=approvers[index % 3], pledge=pledge, reason="No")
            return "refused"
        except Conflict:
            return "conflict"

    results = run_at_once(WRITERS, write)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    outcomes = Counter(results)
    assert outcomes["approved"] + outcomes["refused"] == PLEDGES
    assert outcomes["conflict"] == WRITERS - PLEDGES

    states = dict(Pledge.objects.filter(project=project).values_list("pk", "state"))
    for pk, state in states.items():
        assert state in (PledgeState.OFFERED, PledgeState.REFUSED)
        assert PledgeEvent.objects.filter(pledge_id=pk).count() == 2  # pending, one decision
    approved = Pledge.objects.filter(project=project, state=PledgeState.OFFERED)
    project = Project.objects.get(pk=project.pk)
    assert project.money_offered == sum(p.amount for p in approved)
    assert approved.count() == outcomes["approved"]
    assert check_ledger() == []
