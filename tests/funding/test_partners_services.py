"""Inviting, removing, confirming, declining and withdrawing: who may, in which states, and the
emails each one sends (recorded in the outbox, sent by the workers in the recipient's language)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.mfa import SecondFactorRequired
from core.errors import Conflict, InvalidInput, NotAllowed
from councils.models import MembershipRole
from funding.models import ApplicationPartner, ApplicationState, PartnerState
from funding.services.partners import (
    partner_accept,
    partner_decline,
    partner_invite,
    partner_remove,
    partner_withdraw,
)
from mail.models import Delivery
from projects.models import DemandSignal
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CouncilFactory,
    MembershipFactory,
    OrganiserFactory,
    approver,
    verified_member,
)

pytestmark = pytest.mark.django_db


class World:
    """Leadshire's draft bid to an open call; Partnerton, with an approver, an admin and a
    member; Elsewhere with members only."""

    def __init__(self, **call):
        self.lead = CouncilFactory(short_name="Leadshire", slug="leadshire")
        self.partner = CouncilFactory(short_name="Partnerton", slug="partnerton")
        self.elsewhere = CouncilFactory(short_name="Elsewhere", slug="elsewhere")
        from tests.factories import published_project

        project = published_project(lead_council=self.lead, title="Report a missed bin")
        self.application = ApplicationFactory(project=project, call=CallFactory(**call))
        self.owner = project.owner
        self.lead_member = verified_member(self.lead)
        self.approver = approver(self.partner, first_name="Ann", last_name="Approver")
        self.admin = verified_member(self.partner, admin=True)
        self.member = verified_member(self.partner)
        self.other = verified_member(self.elsewhere)

    def invite(self, council=None, **kwargs) -> ApplicationPartner:
        kwargs.setdefault("actor", self.lead_member)
        return partner_invite(
            application=self.application, council=council or self.partner, **kwargs
        )


@pytest.fixture
def w():
    return World()


def keys(prefix: str) -> set[str]:
    return set(Delivery.objects.filter(key__startswith=prefix).values_list("key", flat=True))


def recipients(kind: str) -> set[int]:
    return set(Delivery.objects.filter(kind=kind).values_list("user_id", flat=True))


# --- inviting ---------------------------------------------------------------------------------


def test_a_lead_member_invites_and_the_councils_approvers_and_admins_are_emailed(w):
    partner = w.invite(contribution="User research", message="We would love your help")
    assert partner.state == PartnerState.INVITED
    assert partner.invited_by == w.lead_member
    assert partner.contribution == "User research"
    assert partner.suggested_because == ""
    assert recipients("partner_invited") == {w.approver.pk, w.admin.pk}  # not the member
    params = Delivery.objects.filter(kind="partner_invited").first().params
    assert params["message"] == "We would love your help"


def test_a_council_without_approvers_or_admins_has_all_its_verified_members_emailed(w):
    MembershipFactory(council=w.elsewhere, status="pending")
    w.invite(council=w.elsewhere)
    assert recipients("partner_invited") == {w.other.pk}


def test_an_invitation_from_a_suggestion_stores_why_worked_out_again(w):
    DemandSignal.objects.create(
        project=w.application.project,
        council=w.partner,
        recorded_by=w.member,
        created_at=timezone.make_aware(datetime.datetime(2026, 3, 3, 9, 0)),
    )
    partner = w.invite(from_suggestion=True)
    assert partner.suggested_because.splitlines()[0] == "Said “we need this too” on 3 March 2026"
    # A council the builder does not suggest gets no made-up reasons.
    far = CouncilFactory(authority_type="CTY", region="North West")
    assert w.invite(council=far, from_suggestion=True).suggested_because == ""


@pytest.mark.parametrize("who", ["partner_member", "other", "organiser", "approver"])
def test_only_the_lead_councils_verified_members_invite(w, who):
    actor = {
        "partner_member": w.member,
        "other": w.other,
        "organiser": OrganiserFactory(),
        "approver": w.approver,
    }[who]
    with pytest.raises(NotAllowed):
        w.invite(council=w.elsewhere, actor=actor)
    assert not ApplicationPartner.objects.exists()
    assert not Delivery.objects.exists()


def test_the_project_owner_may_invite(w):
    assert w.invite(actor=w.owner).invited_by == w.owner


def test_no_self_invitation(w):
    with pytest.raises(InvalidInput) as refused:
        w.invite(council=w.lead)
    assert refused.value.field == "council"
    assert "Leadshire leads this bid" in refused.value.message


def test_no_double_invitation_and_no_inviting_a_partner_again(w):
    partner = w.invite()
    with pytest.raises(Conflict, match="already invited"):
        w.invite()
    partner_accept(actor=w.approver, partner=partner, contribution="Research")
    with pytest.raises(Conflict, match="already a partner"):
        w.invite()
    assert ApplicationPartner.objects.count() == 1


def test_a_council_that_declined_may_be_invited_again(w):
    partner = w.invite(contribution="Money")
    partner_decline(actor=w.member, partner=partner, reason="No budget this year")
    again = w.invite(contribution="Staff time")
    assert again.pk == partner.pk
    assert again.state == PartnerState.INVITED
    assert again.contribution == "Staff time"
    assert again.decided_at is None and again.decided_by is None and again.reason == ""
    # A new invitation, so a new email to each.
    assert len(keys(f"partner:{partner.pk}:invited:")) == 4


def test_an_ended_council_cannot_be_invited(w):
    ended = CouncilFactory(short_name="Old district", end_date=datetime.date(2019, 3, 31))
    with pytest.raises(InvalidInput, match="no longer exists: it ended on 31 March 2019"):
        w.invite(council=ended)


@pytest.mark.parametrize(
    "state", [ApplicationState.SUBMITTED, ApplicationState.WITHDRAWN, ApplicationState.FUNDED]
)
def test_no_invitation_once_the_bid_is_no_longer_a_draft(w, state):
    w.application.state = state
    w.application.submitted_at = timezone.now()
    if state == ApplicationState.FUNDED:
        w.application.award_amount = 1000
        w.application.decided_at = timezone.now()
    w.application.save()
    with pytest.raises(Conflict, match="partners can no longer change"):
        w.invite()


def test_no_invitation_after_the_call_closes_by_the_servers_clock():
    w = World(closes_at=timezone.now() + datetime.timedelta(minutes=1))
    later = timezone.now() + datetime.timedelta(minutes=2)
    with time_machine.travel(later), pytest.raises(Conflict, match="The call closed on"):
        w.invite()
    assert not ApplicationPartner.objects.exists()


def test_no_invitation_before_the_call_opens():
    w = World(opens_at=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(Conflict, match="not open"):
        w.invite()


def test_long_text_is_refused_by_field(w):
    with pytest.raises(InvalidInput) as refused:
        w.invite(message="x" * 2001)
    assert refused.value.field == "message"
    with pytest.raises(InvalidInput) as refused:
        w.invite(contribution="x" * 2001)
    assert refused.value.field == "contribution"


def test_at_most_fifty_councils_at_once(w, monkeypatch):
    from funding.services import partners

    monkeypatch.setattr(partners, "MAX_PARTNERS", 2)
    w.invite()
    w.invite(council=w.elsewhere)
    with pytest.raises(Conflict, match="at most 2 councils"):
        w.invite(council=CouncilFactory())


# --- removing ---------------------------------------------------------------------------------


def test_the_lead_removes_an_invited_or_confirmed_council_and_it_is_told(w):
    invited = w.invite()
    partner_remove(actor=w.lead_member, partner=invited)
    assert not ApplicationPartner.objects.exists()
    assert recipients("partner_removed") == {w.approver.pk, w.admin.pk}
    confirmed = w.invite()
    partner_accept(actor=w.approver, partner=confirmed, contribution="Money")
    partner_remove(actor=w.owner, partner=confirmed)
    assert not ApplicationPartner.objects.exists()


def test_only_the_lead_removes_and_a_declined_answer_stays(w):
    partner = w.invite()
    for actor in (w.approver, w.member, w.other, OrganiserFactory()):
        with pytest.raises(NotAllowed):
            partner_remove(actor=actor, partner=partner)
    partner_decline(actor=w.member, partner=partner, reason="No")
    with pytest.raises(Conflict, match="declined"):
        partner_remove(actor=w.lead_member, partner=partner)


def test_no_removal_after_submission(w):
    partner = w.invite()
    w.application.state = ApplicationState.SUBMITTED
    w.application.submitted_at = timezone.now()
    w.application.save()
    with pytest.raises(Conflict):
        partner_remove(actor=w.lead_member, partner=partner)


def test_answering_an_invitation_that_was_removed_meanwhile_is_a_conflict(w):
    partner = w.invite()
    stale = ApplicationPartner.objects.get(pk=partner.pk)
    partner_remove(actor=w.lead_member, partner=partner)
    with pytest.raises(Conflict, match="removed Partnerton"):
        partner_decline(actor=w.member, partner=stale, reason="No")


# --- the invited council's answer ---------------------------------------------------------


@pytest.mark.parametrize("role", ["approver", "admin"])
def test_an_approver_or_admin_confirms_and_the_inviter_hears(w, role):
    partner = w.invite(contribution="Money")
    actor = getattr(w, role)
    partner = partner_accept(actor=actor, partner=partner, contribution="  £20,000 and research ")
    assert partner.state == PartnerState.CONFIRMED
    assert partner.decided_by == actor
    assert partner.decided_at is not None
    assert partner.contribution == "£20,000 and research"
    delivery = Delivery.objects.get(kind="partner_decided")
    assert delivery.user == w.lead_member
    assert delivery.params == {"partner": partner.pk, "decision": "confirmed"}


@pytest.mark.parametrize("who", ["member", "lead_member", "other"])
def test_an_ordinary_member_or_anyone_else_cannot_confirm(w, who):
    partner = w.invite()
    with pytest.raises(NotAllowed):
        partner_accept(actor=getattr(w, who), partner=partner, contribution="Money")
    partner.refresh_from_db()
    assert partner.state == PartnerState.INVITED


def test_confirming_needs_a_second_factor(w):
    unenrolled = approver(w.partner, enrolled=False)
    partner = w.invite()
    with pytest.raises(SecondFactorRequired, match="two-factor authentication"):
        partner_accept(actor=unenrolled, partner=partner, contribution="Money")


def test_an_organiser_cannot_confirm_for_a_council(w):
    partner = w.invite()
    with pytest.raises(NotAllowed):
        partner_accept(actor=OrganiserFactory(), partner=partner, contribution="Money")


def test_confirming_says_what_the_council_brings(w):
    partner = w.invite()
    with pytest.raises(InvalidInput) as refused:
        partner_accept(actor=w.approver, partner=partner, contribution="   ")
    assert refused.value.field == "contribution"


def test_no_confirmation_after_the_call_closes():
    w = World(closes_at=timezone.now() + datetime.timedelta(minutes=1))
    partner = w.invite()
    later = timezone.now() + datetime.timedelta(minutes=2)
    with time_machine.travel(later), pytest.raises(Conflict, match="The call closed on"):
        partner_accept(actor=w.approver, partner=partner, contribution="Money")


def test_any_verified_member_declines_with_a_reason(w):
    partner = w.invite()
    with pytest.raises(InvalidInput) as refused:
        partner_decline(actor=w.member, partner=partner, reason=" ")
    assert refused.value.field == "reason"
    partner = partner_decline(actor=w.member, partner=partner, reason="No budget")
    assert partner.state == PartnerState.DECLINED
    assert partner.decided_by == w.member
    assert partner.reason == "No budget"
    assert Delivery.objects.get(kind="partner_decided").params["decision"] == "declined"
    with pytest.raises(Conflict, match="already declined"):
        partner_decline(actor=w.member, partner=partner, reason="Still no")
    with pytest.raises(Conflict, match="declined this invitation"):
        partner_accept(actor=w.approver, partner=partner, contribution="Money")


@pytest.mark.parametrize("who", ["lead_member", "other"])
def test_only_the_invited_council_declines(w, who):
    partner = w.invite()
    with pytest.raises(NotAllowed):
        partner_decline(actor=getattr(w, who), partner=partner, reason="No")


def test_a_pending_member_cannot_answer(w):
    pending = MembershipFactory(council=w.partner, status="pending", role=MembershipRole.APPROVER)
    partner = w.invite()
    with pytest.raises(NotAllowed):
        partner_decline(actor=pending.user, partner=partner, reason="No")
    with pytest.raises(NotAllowed):
        partner_accept(actor=pending.user, partner=partner, contribution="Money")


def test_a_confirmed_council_withdraws_until_submission(w):
    partner = w.invite()
    partner = partner_accept(actor=w.approver, partner=partner, contribution="Money")
    with pytest.raises(Conflict, match="withdraw it instead"):
        partner_decline(actor=w.member, partner=partner, reason="No")
    with pytest.raises(NotAllowed):
        partner_withdraw(actor=w.member, partner=partner, reason="Budget cut")
    partner = partner_withdraw(actor=w.admin, partner=partner, reason="Budget cut")
    assert partner.state == PartnerState.WITHDRAWN
    assert partner.reason == "Budget cut"
    assert partner.decided_by == w.admin
    decisions = Delivery.objects.filter(kind="partner_decided").values_list("params", flat=True)
    assert sorted(p["decision"] for p in decisions) == ["confirmed", "withdrawn"]


def test_withdrawing_needs_a_confirmation_a_reason_and_a_draft(w):
    partner = w.invite()
    with pytest.raises(Conflict, match="nothing to withdraw"):
        partner_withdraw(actor=w.approver, partner=partner, reason="No")
    partner = partner_accept(actor=w.approver, partner=partner, contribution="Money")
    with pytest.raises(InvalidInput):
        partner_withdraw(actor=w.approver, partner=partner, reason="")
    w.application.state = ApplicationState.SUBMITTED
    w.application.submitted_at = timezone.now()
    w.application.save()
    with pytest.raises(Conflict, match="submitted"):
        partner_withdraw(actor=w.approver, partner=partner, reason="Budget cut")


# --- the emails as sent -------------------------------------------------------------------


def test_the_emails_say_what_happened_in_each_persons_language(
    w, django_capture_on_commit_callbacks
):
    w.approver.language = "cy"
    w.approver.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        partner = w.invite(contribution="User research", message="Please join us")
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {w.approver.email, w.admin.email}
    english = sent[w.admin.email]
    assert "Leadshire invites Partnerton to partner in its bid for Report a missed bin" in (
        english.subject
    )
    assert "Please join us" in english.body
    assert "User research" in english.body
    assert f"/funding/applications/{w.application.pk}/partners/partnerton/" in english.body
    welsh = sent[w.approver.email]
    assert "Mae Leadshire yn gwahodd Partnerton i fod yn bartner yn ei gais" in welsh.subject
    assert "Ateb y gwahoddiad:" in welsh.body
    assert f"/cy/funding/applications/{w.application.pk}/partners/partnerton/" in welsh.body
    assert "Please join us" in welsh.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        partner_decline(actor=w.member, partner=partner, reason="No budget this year")
    (decided,) = mail.outbox
    assert decided.to == [w.lead_member.email]
    assert "Partnerton declined to partner in the bid for Report a missed bin" in decided.subject
    assert "No budget this year" in decided.body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        partner = w.invite()
        partner_accept(actor=w.admin, partner=partner, contribution="Two researchers")
    confirmed = [m for m in mail.outbox if m.to == [w.lead_member.email]]
    assert "Partnerton confirmed its part in the bid for Report a missed bin" in (
        confirmed[0].subject
    )
    assert "Two researchers" in confirmed[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        partner_remove(actor=w.lead_member, partner=partner)
    removed = {m.to[0]: m for m in mail.outbox}
    assert set(removed) == {w.approver.email, w.admin.email}
    assert "Leadshire removed Partnerton from its bid for Report a missed bin" in (
        removed[w.admin.email].subject
    )
    assert w.lead_member.get_full_name() in removed[w.admin.email].body


def test_an_invitation_answered_before_its_email_is_sent_is_not_sent(w):
    from mail.models import DeliveryStatus
    from mail.services import deliveries_send

    partner = w.invite()
    partner_decline(actor=w.member, partner=partner, reason="No")
    invitations = Delivery.objects.filter(kind="partner_invited")
    # As if the workers had not reached them yet (here tasks run at once).
    invitations.update(status=DeliveryStatus.PENDING, sent_at=None)
    deliveries_send(list(invitations.values_list("pk", flat=True)))
    assert set(invitations.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}
    assert Delivery.objects.get(kind="partner_decided").status == DeliveryStatus.SENT
