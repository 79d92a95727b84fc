"""A partner council that withdraws its confirmation is shown as having withdrawn (with its
reason), never as having declined, on the bid's pages, in the API and in the email; it does not
count toward the call's minimum, and the lead may invite it again."""

import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict
from funding.eligibility import application_shortfalls
from funding.models import ApplicationPartner, PartnerState
from funding.services.partners import (
    partner_accept,
    partner_decline,
    partner_remove,
    partner_withdraw,
)
from mail.models import Delivery

from .test_partners_services import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return World(min_partners=1)


def withdrawn(w) -> ApplicationPartner:
    partner = partner_accept(actor=w.approver, partner=w.invite(), contribution="Two researchers")
    return partner_withdraw(actor=w.approver, partner=partner, reason="Budget cut")


def test_a_withdrawal_is_its_own_state_and_the_partner_no_longer_counts(w):
    partner = withdrawn(w)
    partner.refresh_from_db()
    assert partner.state == PartnerState.WITHDRAWN
    assert partner.get_state_display() == "Withdrew"
    codes = [s.code for s in application_shortfalls(w.application)]
    assert "partners" in codes


def test_declined_does_not_count_either(w):
    partner_decline(actor=w.member, partner=w.invite(), reason="No budget")
    assert "partners" in [s.code for s in application_shortfalls(w.application)]


def test_after_withdrawing_the_council_cannot_confirm_decline_or_be_removed(w):
    partner = withdrawn(w)
    with pytest.raises(Conflict, match="withdrew from this bid"):
        partner_accept(actor=w.approver, partner=partner, contribution="Money")
    with pytest.raises(Conflict, match="already withdrawn"):
        partner_decline(actor=w.member, partner=partner, reason="No")
    with pytest.raises(Conflict, match="withdrew; there is nothing to remove"):
        partner_remove(actor=w.lead_member, partner=partner)


def test_the_lead_may_invite_a_council_that_withdrew_again(w):
    withdrawn(w)
    again = w.invite()
    assert again.state == PartnerState.INVITED
    assert again.reason == ""


def test_the_database_refuses_a_withdrawal_or_decline_without_a_reason(w):
    partner = w.invite()
    for state in (PartnerState.WITHDRAWN, PartnerState.DECLINED):
        with pytest.raises(IntegrityError), transaction.atomic():
            ApplicationPartner.objects.filter(pk=partner.pk).update(
                state=state, decided_at=timezone.now(), reason=""
            )


def test_the_bids_pages_say_withdrew_with_the_reason(client, w):
    withdrawn(w)
    client.force_login(w.lead_member)
    for url in (
        reverse("funding:application", args=[w.application.pk]),
        reverse("funding:partners", args=[w.application.pk]),
    ):
        html = client.get(url).content.decode()
        assert "Withdrew" in html, url
        assert "Budget cut" in html, url
        assert "Declined" not in html, url
    client.force_login(w.approver)
    html = client.get(reverse("funding:partner_decide", args=[w.application.pk, "partnerton"]))
    assert "Withdrew" in html.content.decode()


def test_the_email_to_the_lead_says_withdrew(w, django_capture_on_commit_callbacks):
    partner = partner_accept(actor=w.approver, partner=w.invite(), contribution="Two researchers")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        partner_withdraw(actor=w.approver, partner=partner, reason="Budget cut")
    (sent,) = mail.outbox
    assert "Partnerton withdrew from the bid for Report a missed bin" in sent.subject
    assert "declined" not in sent.subject + sent.body
    assert "Budget cut" in sent.body


def test_the_migration_tells_old_withdrawals_from_declines_by_their_email(w):
    """Before this state, a withdrawal was stored as a decline: the email queued with it says
    which it was."""
    gone = withdrawn(w)
    other = w.invite(council=w.elsewhere)
    partner_decline(actor=w.other, partner=other, reason="No budget")
    ApplicationPartner.objects.filter(pk=gone.pk).update(state=PartnerState.DECLINED)
    assert Delivery.objects.filter(key__contains=f"partner:{gone.pk}:withdrawn:").exists()
    migration = importlib.import_module("funding.migrations.0006_partner_withdrawn")
    migration.mark_withdrawals(apps, None)
    states = dict(ApplicationPartner.objects.values_list("pk", "state"))
    assert states == {gone.pk: PartnerState.WITHDRAWN, other.pk: PartnerState.DECLINED}
