"""Partner councils' answers, invitations and removals, and a bid's submission and withdrawal,
each write one entry in the organisers' activity log, with who did it and what it was about; the
log in the Wagtail admin reads them in words (and in Welsh)."""

import pytest
from django.utils import translation
from wagtail.users.models import UserProfile

from activity.models import ActivityAction, ActivityEntry
from core.errors import Conflict, InvalidInput
from funding.services.applications import application_submit, application_withdraw
from funding.services.partners import (
    partner_accept,
    partner_decline,
    partner_remove,
    partner_withdraw,
)
from tests.factories import OrganiserFactory

from .applying import eligible
from .test_partners_services import World

pytestmark = pytest.mark.django_db

LOG = "/cms-admin/activity/"
PARTNER_ACTIONS = [
    ActivityAction.FUNDING_PARTNER_INVITED,
    ActivityAction.FUNDING_PARTNER_CONFIRMED,
    ActivityAction.FUNDING_PARTNER_DECLINED,
    ActivityAction.FUNDING_PARTNER_WITHDREW,
    ActivityAction.FUNDING_PARTNER_REMOVED,
]


def only_entry(action) -> ActivityEntry:
    (entry,) = ActivityEntry.objects.filter(action=action)
    return entry


@pytest.fixture
def w():
    return World()


def test_each_partner_write_logs_once_with_its_actor_and_target(w):
    bid = "Partnerton: Report a missed bin → " + w.application.call.title
    partner = w.invite(contribution="User research")
    entry = only_entry(ActivityAction.FUNDING_PARTNER_INVITED)
    assert (entry.actor, entry.council, entry.project) == (
        w.lead_member,
        w.partner,
        w.application.project,
    )
    assert entry.target == bid
    assert entry.details == {"application": w.application.pk, "contribution": "User research"}

    partner_accept(actor=w.approver, partner=partner, contribution="Two researchers")
    entry = only_entry(ActivityAction.FUNDING_PARTNER_CONFIRMED)
    assert (entry.actor, entry.council, entry.target) == (w.approver, w.partner, bid)
    assert entry.details["contribution"] == "Two researchers"

    partner_withdraw(actor=w.approver, partner=partner, reason="Budget cut")
    entry = only_entry(ActivityAction.FUNDING_PARTNER_WITHDREW)
    assert (entry.actor, entry.target, entry.reason) == (w.approver, bid, "Budget cut")

    partner = w.invite()
    partner_decline(actor=w.member, partner=partner, reason="No staff")
    entry = only_entry(ActivityAction.FUNDING_PARTNER_DECLINED)
    assert (entry.actor, entry.council, entry.reason) == (w.member, w.partner, "No staff")

    partner = w.invite()
    partner_remove(actor=w.lead_member, partner=partner)
    entry = only_entry(ActivityAction.FUNDING_PARTNER_REMOVED)
    assert (entry.actor, entry.council, entry.target) == (w.lead_member, w.partner, bid)
    counts = {a: ActivityEntry.objects.filter(action=a).count() for a in PARTNER_ACTIONS}
    assert counts == {
        ActivityAction.FUNDING_PARTNER_INVITED: 3,
        ActivityAction.FUNDING_PARTNER_CONFIRMED: 1,
        ActivityAction.FUNDING_PARTNER_DECLINED: 1,
        ActivityAction.FUNDING_PARTNER_WITHDREW: 1,
        ActivityAction.FUNDING_PARTNER_REMOVED: 1,
    }


def test_a_refused_write_logs_nothing(w):
    partner = w.invite()
    before = ActivityEntry.objects.count()
    with pytest.raises(Conflict):
        partner_withdraw(actor=w.approver, partner=partner, reason="Nothing to withdraw")
    with pytest.raises(InvalidInput):
        partner_decline(actor=w.member, partner=partner, reason="")
    assert ActivityEntry.objects.count() == before


def test_submitting_and_withdrawing_a_bid_log_once_each():
    b = eligible(amount_requested=40_000_00)
    application_submit(actor=b.approver, application=b.application)
    entry = only_entry(ActivityAction.FUNDING_APPLICATION_SUBMITTED)
    assert (entry.actor, entry.project, entry.council) == (b.approver, b.project, b.lead)
    assert entry.target == f"{b.project.title} → {b.call.title}"
    assert entry.details == {"application": b.application.pk, "amount_requested": 40_000_00}

    application_withdraw(actor=b.approver, application=b.application, reason="Merged with another")
    entry = only_entry(ActivityAction.FUNDING_APPLICATION_WITHDRAWN)
    assert (entry.actor, entry.project, entry.reason) == (
        b.approver,
        b.project,
        "Merged with another",
    )


def test_the_activity_log_reads_them_in_words(client, w):
    partner = w.invite(contribution="User research")
    partner_accept(actor=w.approver, partner=partner, contribution="Two researchers")
    partner_withdraw(actor=w.approver, partner=partner, reason="Budget cut")
    b = eligible(amount_requested=40_000_00)
    application_submit(actor=b.approver, application=b.application)
    organiser = OrganiserFactory()
    client.force_login(organiser)
    html = client.get(LOG).content.decode()
    assert "Council invited to partner in a bid: Partnerton: Report a missed bin" in html
    assert "Partner council confirmed its part" in html
    assert "Partner council withdrew from a bid" in html
    assert "Budget cut" in html
    assert "What the council brings: Two researchers" in html
    assert "Funding application submitted" in html
    assert "Amount requested: £40,000" in html
    assert "{&#x27;" not in html and "{'" not in html  # never raw JSON

    profile = UserProfile.get_for_user(organiser)
    profile.preferred_language = "cy"
    profile.save()
    welsh = client.get(LOG).content.decode()
    assert "Tynnodd cyngor partner yn ôl o gais" in welsh
    assert "Cyflwynwyd cais am gyllid" in welsh
    assert "Yr hyn y mae’r cyngor yn ei gynnig: Two researchers" in welsh


def test_every_new_action_has_welsh_wording():
    new = [*PARTNER_ACTIONS]
    new += [
        ActivityAction.FUNDING_APPLICATION_SUBMITTED,
        ActivityAction.FUNDING_APPLICATION_WITHDRAWN,
    ]
    with translation.override("cy"):
        welsh = {str(a.label) for a in new}
    english = {str(a.label) for a in new}
    assert not welsh & english
