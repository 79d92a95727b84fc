"""The partner pages: the lead's page with the suggestions, inviting (from a suggestion or by
name), removing, the invited council's answer and its invitations; who sees what; bad input
never a 500; and a fixed number of queries however long the lists."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from funding.models import ApplicationPartner, ApplicationState, PartnerState
from funding.services.partners import partner_accept, partner_decline
from projects.models import DemandSignal, Role, TeamMembership, TeamStatus
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CouncilFactory,
    MembershipFactory,
    OrganiserFactory,
    approver,
    published_project,
    verified_member,
)

from .test_partners_services import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return World()


def partners_url(w) -> str:
    return reverse("funding:partners", args=[w.application.pk])


def invite_url(w) -> str:
    return reverse("funding:partner_invite", args=[w.application.pk])


def decide_url(w, council=None) -> str:
    return reverse("funding:partner_decide", args=[w.application.pk, (council or w.partner).slug])


def page(client, url, status=200, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == status, response.status_code
    return response.content.decode()


def post(client, url, **data):
    data.setdefault("submission_key", str(uuid.uuid4()))
    return client.post(url, data)


# --- the lead's page ------------------------------------------------------------------------


def test_the_lead_sees_its_partners_and_suggestions_with_reasons(client, w):
    partner = w.invite(contribution="User research")
    partner_accept(actor=w.approver, partner=partner, contribution="Two user researchers")
    kent = CouncilFactory(short_name="Kent", authority_type="CTY", region="North West")
    DemandSignal.objects.create(
        project=w.application.project,
        council=kent,
        recorded_by=verified_member(kent),
        created_at=timezone.make_aware(datetime.datetime(2026, 3, 3, 10, 0)),
    )
    client.force_login(w.lead_member)

    html = page(client, partners_url(w))

    assert "Partnerton" in html and "Confirmed" in html
    assert "Two user researchers" in html
    assert f"By {w.approver.get_full_name()}" in html
    assert "Said “we need this too” on 3 March 2026" in html
    invite = f"{invite_url(w)}?chosen=kent&amp;suggested=1"
    assert invite in html
    assert "Invite another council by name" in html
    assert "Remove" in html  # the confirmed partner, before submission


def test_the_projects_team_and_organisers_see_the_page_without_inviting(client, w):
    w.invite()
    teammate = verified_member(w.elsewhere)
    TeamMembership.objects.create(
        project=w.application.project,
        user=teammate,
        role=Role.DEVELOPER,
        status=TeamStatus.ACTIVE,
    )
    for person in (teammate, OrganiserFactory()):
        client.force_login(person)
        html = page(client, partners_url(w))
        assert "Partnerton" in html
        assert "Suggested councils" not in html
        assert "Remove" not in html
        assert "Verified members of Leadshire invite councils into this bid." in html


def test_an_invited_council_is_sent_to_its_own_page_and_others_find_nothing(client, w):
    w.invite()
    client.force_login(w.member)
    html = page(client, partners_url(w), status=403)
    assert decide_url(w) in html
    client.force_login(w.other)
    page(client, partners_url(w), status=404)
    client.logout()
    response = client.get(partners_url(w))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(w.lead_member)
    page(client, reverse("funding:partners", args=[999_999]), status=404)


def test_once_the_call_closes_the_page_says_so_and_offers_no_invitation(client):
    w = World(opens_at=timezone.now() - datetime.timedelta(days=30))
    w.application.call.closes_at = timezone.now() - datetime.timedelta(minutes=1)
    w.application.call.save()
    client.force_login(w.lead_member)
    html = page(client, partners_url(w))
    assert "The call closed on" in html
    assert "Suggested councils" not in html
    html = page(client, invite_url(w))
    assert "The call closed on" in html and "Send invitation" not in html
    post(client, invite_url(w), council="Partnerton")
    assert not ApplicationPartner.objects.exists()


# --- inviting -------------------------------------------------------------------------------


def test_inviting_a_suggested_council_stores_why_and_says_so(client, w):
    DemandSignal.objects.create(
        project=w.application.project, council=w.partner, recorded_by=w.member
    )
    client.force_login(w.lead_member)
    html = page(client, invite_url(w), chosen="partnerton", suggested="1")
    assert "Invite Partnerton" in html
    assert "Why Pipeline suggests this council" in html
    assert "we need this too" in html

    response = post(
        client,
        invite_url(w),
        chosen="partnerton",
        suggested="True",
        contribution="A user researcher",
        message="Join us",
    )

    assert response.status_code == 302
    assert response["Location"] == partners_url(w)
    partner = ApplicationPartner.objects.get()
    assert partner.council == w.partner
    assert partner.contribution == "A user researcher"
    assert "we need this too" in partner.suggested_because
    html = page(client, partners_url(w))
    assert "Partnerton is invited." in html


def test_inviting_by_register_code_or_name(client, w):
    client.force_login(w.lead_member)
    post(client, invite_url(w), council=w.partner.code.lower())
    post(client, invite_url(w), council="  elsewhere ")
    assert set(ApplicationPartner.objects.values_list("council__short_name", flat=True)) == {
        "Partnerton",
        "Elsewhere",
    }
    assert ApplicationPartner.objects.filter(suggested_because="").count() == 2


def test_a_name_many_councils_share_asks_which_one(client, w):
    CouncilFactory(short_name="Northshire", name="Northshire County Council")
    CouncilFactory(short_name="Northtown", name="Northtown District Council")
    client.force_login(w.lead_member)

    response = post(client, invite_url(w), council="North")

    html = response.content.decode()
    assert response.status_code == 200
    assert "More than one council matches ‘North’. Choose one" in html
    assert 'type="radio"' in html and 'value="northtown"' in html
    assert not ApplicationPartner.objects.exists()
    post(client, invite_url(w), council="North", choice="northtown")
    assert ApplicationPartner.objects.get().council.short_name == "Northtown"


def test_no_match_and_no_name_are_errors_on_the_form(client, w):
    client.force_login(w.lead_member)
    html = post(client, invite_url(w), council="Atlantis").content.decode()
    assert "govuk-error-summary" in html
    assert "No current council matches ‘Atlantis’" in html
    html = post(client, invite_url(w), council="").content.decode()
    assert "Enter the name or register code of the council to invite" in html
    assert not ApplicationPartner.objects.exists()


def test_the_services_refusals_come_back_on_the_form(client, w):
    client.force_login(w.lead_member)
    w.invite()
    html = post(client, invite_url(w), council="Partnerton").content.decode()
    assert "Partnerton is already invited to this bid." in html
    html = post(client, invite_url(w), council="Leadshire").content.decode()
    assert "Leadshire leads this bid" in html
    assert ApplicationPartner.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"council": "x" * 5000},
        {"council": "Partnerton", "message": "x" * 2001},
        {"council": "Partnerton", "contribution": "x" * 2001},
        {"chosen": "x" * 500},
        {"chosen": "leadshire"},
        {"council": "%", "choice": "' OR 1=1"},
        {"council": "Partnerton", "suggested": "maybe"},
        {"council": ["a", "b"]},
    ],
)
def test_bad_invite_input_is_never_a_500(client, w, data):
    client.force_login(w.lead_member)
    response = post(client, invite_url(w), **data)
    assert response.status_code in (200, 302)


def test_only_lead_members_may_open_the_invite_form(client, w):
    w.invite()
    client.force_login(OrganiserFactory())
    page(client, invite_url(w), status=403)
    client.force_login(w.member)
    page(client, invite_url(w), status=403)
    client.force_login(w.other)
    page(client, invite_url(w), status=404)


# --- removing -------------------------------------------------------------------------------


def test_the_lead_removes_a_council(client, w):
    w.invite()
    client.force_login(w.lead_member)
    url = reverse("funding:partner_remove", args=[w.application.pk, "partnerton"])
    assert client.get(url).status_code == 405
    response = post(client, url)
    assert response.status_code == 302
    assert not ApplicationPartner.objects.exists()
    assert "Partnerton is no longer in this bid." in page(client, partners_url(w))


def test_removal_refused_is_a_message_not_an_error(client, w):
    partner = w.invite()
    partner_decline(actor=w.member, partner=partner, reason="No")
    client.force_login(w.lead_member)
    url = reverse("funding:partner_remove", args=[w.application.pk, "partnerton"])
    response = post(client, url)
    assert response.status_code == 302
    assert "declined; there is nothing to remove" in page(client, partners_url(w))
    assert ApplicationPartner.objects.exists()
    missing = reverse("funding:partner_remove", args=[w.application.pk, "nope"])
    assert post(client, missing).status_code == 404
    client.force_login(w.approver)
    assert post(client, url).status_code == 403


# --- the invited council's side ----------------------------------------------------------


def test_a_member_sees_who_can_confirm_and_may_decline(client, w):
    w.invite(contribution="Testing with residents")
    client.force_login(w.member)
    html = page(client, decide_url(w))
    assert "Partner in a bid led by Leadshire" in html
    assert "Testing with residents" in html
    assert "only its approvers and council admins can do it" in html
    assert "Ann Approver" in html
    assert "Confirm our part" not in html
    assert "Decline the invitation" in html

    assert post(client, decide_url(w), action="accept", contribution="Money").status_code == 403
    response = post(client, decide_url(w), action="decline", reason="No budget")
    assert response.status_code == 302
    partner = ApplicationPartner.objects.get()
    assert partner.state == PartnerState.DECLINED and partner.reason == "No budget"
    assert "You declined the invitation. Leadshire has been told." in page(client, decide_url(w))


def test_an_approver_confirms_then_withdraws(client, w):
    w.invite(contribution="Testing with residents")
    client.force_login(w.approver)
    html = page(client, decide_url(w))
    assert "Confirm our part" in html
    assert "Testing with residents</textarea>" in html  # the lead's words to start from

    response = post(client, decide_url(w), action="accept", contribution="Testing, and £5,000")
    assert response.status_code == 302
    partner = ApplicationPartner.objects.get()
    assert partner.state == PartnerState.CONFIRMED
    assert partner.contribution == "Testing, and £5,000"
    html = page(client, decide_url(w))
    assert "Your council’s part is confirmed." in html
    assert "Withdraw our confirmation" in html

    post(client, decide_url(w), action="withdraw", reason="Budget cut")
    partner.refresh_from_db()
    assert partner.state == PartnerState.WITHDRAWN and partner.reason == "Budget cut"


def test_an_approver_without_a_second_factor_is_asked_to_set_one_up(client, w):
    unenrolled = approver(w.partner, enrolled=False)
    w.invite()
    client.force_login(unenrolled)
    html = page(client, decide_url(w))
    assert "Confirm our part" not in html
    assert "set up two-factor authentication before you can confirm" in html
    response = post(client, decide_url(w), action="accept", contribution="Money")
    assert response.status_code == 302 and response["Location"].endswith("/accounts/2fa/")
    assert ApplicationPartner.objects.get().state == PartnerState.INVITED


def test_the_answer_forms_show_their_errors(client, w):
    w.invite()
    client.force_login(w.approver)
    response = post(client, decide_url(w), action="accept", contribution="")
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "Say what your council will bring to the bid" in html
    assert "<title>Error:" in html
    html = post(client, decide_url(w), action="decline", reason="").content.decode()
    assert "Give a reason for declining" in html
    assert post(client, decide_url(w), action="explode").status_code == 400
    assert ApplicationPartner.objects.get().state == PartnerState.INVITED


def test_the_decide_page_is_the_invited_councils(client, w):
    w.invite()
    client.force_login(w.lead_member)
    html = page(client, decide_url(w), status=403)
    assert partners_url(w) in html
    client.force_login(w.other)
    page(client, decide_url(w), status=404)
    client.force_login(w.member)
    page(client, decide_url(w, council=w.elsewhere), status=404)


def test_after_submission_the_invited_council_only_reads(client, w):
    partner = w.invite()
    partner_accept(actor=w.approver, partner=partner, contribution="Money")
    w.application.state = ApplicationState.SUBMITTED
    w.application.submitted_at = timezone.now()
    w.application.save()
    client.force_login(w.approver)
    html = page(client, decide_url(w))
    assert "Withdraw our confirmation" not in html
    assert "This bid is submitted, so its partners can no longer change." in html
    post(client, decide_url(w), action="withdraw", reason="Too late")
    assert ApplicationPartner.objects.get().state == PartnerState.CONFIRMED


def test_invitations_are_listed_for_the_councils_members(client, w):
    w.invite(contribution="Research")
    confirmed_bid = ApplicationFactory(
        project=published_project(lead_council=w.elsewhere, title="Permits online")
    )
    from funding.services.partners import partner_invite

    other = partner_invite(
        actor=verified_member(w.elsewhere), application=confirmed_bid, council=w.partner
    )
    partner_accept(actor=w.approver, partner=other, contribution="Money")
    client.force_login(w.member)
    html = page(client, reverse("funding:invitations"))
    waiting, _, rest = html.partition("Bids your council is a partner in")
    assert "Report a missed bin" in waiting and "Answer the invitation" in waiting
    assert "Permits online" in rest
    client.force_login(w.other)
    assert "No invitation is waiting for an answer." in page(client, reverse("funding:invitations"))
    client.force_login(OrganiserFactory())
    assert "You are not a verified member of a council" in page(
        client, reverse("funding:invitations")
    )


# --- queries ---------------------------------------------------------------------------------


def _count(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_partners(w, start: int, stop: int) -> None:
    for i in range(start, stop):
        council = CouncilFactory(short_name=f"Partner {i}")
        approver(council)
        partner = w.invite(council=council, contribution="Research")
        if i % 2:
            partner_accept(
                actor=council.memberships.first().user, partner=partner, contribution="x"
            )


def test_the_partners_page_runs_the_same_queries_for_few_and_many(client):
    w = World()
    client.force_login(w.lead_member)
    _more_partners(w, 0, 1)
    few = _count(client, partners_url(w))
    _more_partners(w, 1, 9)
    for i in range(8):  # and more councils to suggest
        DemandSignal.objects.create(
            project=w.application.project,
            council=CouncilFactory(short_name=f"Wants it {i}"),
            recorded_by=w.member,
        )
    assert _count(client, partners_url(w)) == few


def test_the_invitations_page_runs_the_same_queries_for_few_and_many(client):
    counts = []
    for n in (1, 8):
        council = CouncilFactory()
        person = verified_member(council)
        MembershipFactory(user=person, council=CouncilFactory())
        for _ in range(n):
            bid = ApplicationFactory(call=CallFactory())
            from funding.services.partners import partner_invite

            partner_invite(
                actor=bid.project.owner, application=bid, council=council, contribution="x"
            )
        client.force_login(person)
        counts.append(_count(client, reverse("funding:invitations")))
    assert counts[0] == counts[1]


# --- Welsh ---------------------------------------------------------------------------------


def test_the_pages_speak_welsh(client, w):
    w.invite(contribution="Ymchwil")
    DemandSignal.objects.create(
        project=w.application.project,
        council=CouncilFactory(short_name="Caint", authority_type="CTY", region="North West"),
        recorded_by=w.member,
        created_at=timezone.make_aware(datetime.datetime(2026, 3, 3, 10, 0)),
    )
    # The addresses first: a Welsh page leaves Welsh active, and reverse() would add /cy/.
    partners, invite, decide = partners_url(w), invite_url(w), decide_url(w)
    client.force_login(w.lead_member)
    html = page(client, f"/cy{partners}")
    assert '<html lang="cy"' in html
    assert "Cynghorau partner" in html and "Cynghorau a awgrymir" in html
    assert "Dywedodd “mae angen hwn arnom ni hefyd” ar 3 Mawrth 2026" in html
    assert "Wedi’i wahodd" in html
    html = post(client, f"/cy{invite}", council="Atlantis").content.decode()
    assert "Nid oes cyngor presennol yn cyfateb i ‘Atlantis’" in html
    client.force_login(w.member)
    html = page(client, f"/cy{decide}")
    assert "Gwrthod y gwahoddiad" in html and "Gofynnwch i un ohonynt:" in html
    html = page(client, "/cy/funding/invitations/")
    assert "Gwahoddiadau i fod yn bartner mewn ceisiadau" in html
    assert "Yn aros am ateb eich cyngor" in html
