"""Partner writes at the same moment (PostgreSQL): each locks the bid first, so the states it
checks are the states it writes, and a race ends in one answer and clear refusals."""

import pytest
from django.db import connection

from core.errors import Conflict
from funding.models import ApplicationPartner
from funding.services.partners import partner_accept, partner_invite, partner_remove
from mail.models import Delivery
from tests.threads import run_at_once

from .test_partners_services import World

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_many_invitations_of_one_council_at_once_make_one():
    w = World()
    inviters = [w.lead_member, w.owner] * 3
    connection.close()  # the threads open their own

    results = run_at_once(
        len(inviters),
        lambda i: partner_invite(actor=inviters[i], application=w.application, council=w.partner),
    )

    made = [r for r in results if isinstance(r, ApplicationPartner)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(made) == 1 and len(refused) == len(inviters) - 1, results
    assert all("already invited" in r.message for r in refused)
    assert ApplicationPartner.objects.count() == 1
    assert Delivery.objects.filter(kind="partner_invited").count() == 2  # approver and admin


@pytest.mark.parametrize("rounds", [4])
def test_confirming_while_the_lead_removes_ends_in_one_clear_state(rounds):
    w = World()
    for _ in range(rounds):
        partner = partner_invite(actor=w.lead_member, application=w.application, council=w.partner)
        connection.close()
        calls = [
            lambda p=partner: partner_accept(actor=w.approver, partner=p, contribution="Money"),
            lambda p=partner: partner_remove(actor=w.lead_member, partner=p),
        ]
        results = run_at_once(2, lambda i, calls=calls: calls[i]())
        unexpected = [
            r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)
        ]
        assert unexpected == []
        # Removal always wins in the end: it either came second, or first (and the
        # confirmation found the council gone).
        assert not ApplicationPartner.objects.exists()
        accepted = not isinstance(results[0], Conflict)
        decided = Delivery.objects.filter(kind="partner_decided").count()
        assert decided == (1 if accepted else 0)
        Delivery.objects.filter(kind="partner_decided").delete()
