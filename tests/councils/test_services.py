"""Membership services: every way in (page, API, command) goes through these."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from core.errors import Conflict, InvalidInput, NotAllowed
from councils import services
from councils.models import Membership, MembershipRole, MembershipStatus
from councils.selectors import user_may_act_for_council
from tests.factories import (
    CouncilDomainFactory,
    CouncilFactory,
    MembershipFactory,
    OrganiserFactory,
    UserFactory,
    verified_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    council = CouncilFactory(short_name="Guildford")
    CouncilDomainFactory(council=council, domain="guildford.gov.uk")
    return council


@pytest.fixture
def pending(council):
    return services.membership_request(user=UserFactory(), council=council, message="New here")


# --- Asking to join -------------------------------------------------------------------------


def test_a_confirmed_email_at_the_councils_domain_is_verified_at_once(council):
    user = UserFactory(email="ann.officer@guildford.gov.uk")

    membership = services.membership_request(user=user, council=council)

    assert membership.status == MembershipStatus.VERIFIED
    assert membership.verified_by_domain
    assert membership.decided_at is not None
    assert user_may_act_for_council(user=user, council=council)


def test_the_domain_match_ignores_letter_case(council):
    user = UserFactory(email="Ann.Officer@Guildford.GOV.UK")

    membership = services.membership_request(user=user, council=council)

    assert membership.status == MembershipStatus.VERIFIED


def test_a_second_confirmed_address_at_the_domain_is_enough(council):
    user = UserFactory(email="ann@example.org")
    EmailAddress.objects.create(user=user, email="ann@guildford.gov.uk", verified=True)

    membership = services.membership_request(user=user, council=council)

    assert membership.status == MembershipStatus.VERIFIED


def test_an_unconfirmed_email_at_the_domain_waits_for_approval(council):
    user = UserFactory(email="ann.officer@guildford.gov.uk", confirmed=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    membership = services.membership_request(user=user, council=council)

    assert membership.status == MembershipStatus.PENDING
    assert not membership.verified_by_domain
    assert not user_may_act_for_council(user=user, council=council)


def test_an_email_at_another_domain_waits_for_approval(council):
    user = UserFactory(email="ann@waverley.gov.uk")

    membership = services.membership_request(user=user, council=council, message="  Hello  ")

    assert membership.status == MembershipStatus.PENDING
    assert membership.message == "Hello"


def test_a_domain_that_only_ends_like_the_councils_does_not_match(council):
    user = UserFactory(email="ann@notguildford.gov.uk")

    membership = services.membership_request(user=user, council=council)

    assert membership.status == MembershipStatus.PENDING


def test_joining_twice_is_a_conflict(council, pending):
    with pytest.raises(Conflict, match="already a member"):
        services.membership_request(user=pending.user, council=council)

    assert Membership.objects.filter(user=pending.user).count() == 1


def test_joining_again_after_being_verified_is_a_conflict(council):
    user = verified_member(council)

    with pytest.raises(Conflict):
        services.membership_request(user=user, council=council)


def test_an_ended_council_takes_no_new_members():
    ended = CouncilFactory(
        short_name="Waverley",
        start_date=datetime.date(1974, 4, 1),
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    user = UserFactory()

    with pytest.raises(Conflict) as excinfo:
        services.membership_request(user=user, council=ended)

    assert excinfo.value.message == "Waverley has ended, so it cannot take new members."
    assert excinfo.value.field == "council"
    assert not Membership.objects.filter(user=user).exists()


def test_a_council_ending_in_the_future_still_takes_members():
    ending = CouncilFactory(end_date=timezone.localdate() + datetime.timedelta(days=30))

    membership = services.membership_request(user=UserFactory(), council=ending)

    assert membership.status == MembershipStatus.PENDING


# --- Deciding a request ---------------------------------------------------------------------


def test_a_council_admin_approves_a_request(council, pending):
    admin = verified_member(council, admin=True)

    membership = services.membership_approve(actor=admin, membership=pending)

    pending.refresh_from_db()
    assert pending.status == MembershipStatus.VERIFIED
    assert pending.decided_by == admin
    assert pending.decided_at is not None
    assert membership.is_verified
    assert user_may_act_for_council(user=pending.user, council=council)


def test_a_council_admin_refuses_with_a_reason(council, pending):
    admin = verified_member(council, admin=True)

    services.membership_refuse(actor=admin, membership=pending, reason="  Not on our staff list ")

    pending.refresh_from_db()
    assert pending.status == MembershipStatus.REFUSED
    assert pending.reason == "Not on our staff list"
    assert pending.decided_by == admin
    assert not user_may_act_for_council(user=pending.user, council=council)


def test_the_person_approved_is_emailed_in_their_language(council, on_commit):
    council.name_cy = "Guildford (cy)"
    council.save()
    person = UserFactory(first_name="Nia", language="cy")
    request = services.membership_request(user=person, council=council)
    admin = verified_member(council, admin=True)
    mail.outbox.clear()

    on_commit(services.membership_approve, actor=admin, membership=request)

    (message,) = mail.outbox
    assert message.to == [person.email]
    assert (
        message.subject == "[Pipeline] Rydych chi bellach yn aelod wedi'i ddilysu o Guildford (cy)"
    )
    assert message.body.startswith("Helo Nia,")
    assert "http://testserver/cy/my-pipeline/" in message.body


def test_the_person_refused_is_emailed_the_reason(council, pending, on_commit):
    admin = verified_member(council, admin=True)
    mail.outbox.clear()

    on_commit(services.membership_refuse, actor=admin, membership=pending, reason="Not on our list")

    (message,) = mail.outbox
    assert message.to == [pending.user.email]
    assert message.subject == "[Pipeline] Your request to join Guildford was refused"
    assert "Not on our list" in message.body
    assert "http://testserver/accounts/profile/" in message.body


def test_no_email_for_a_decision_that_failed(council, pending, on_commit):
    with pytest.raises(NotAllowed):
        on_commit(services.membership_approve, actor=UserFactory(), membership=pending)
    assert mail.outbox == []


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_refusing_needs_a_reason(council, pending, reason):
    admin = verified_member(council, admin=True)

    with pytest.raises(InvalidInput) as excinfo:
        services.membership_refuse(actor=admin, membership=pending, reason=reason)

    assert excinfo.value.field == "reason"
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.PENDING


@pytest.mark.parametrize("who", ["verified member", "pending member", "admin elsewhere", "nobody"])
def test_only_an_admin_of_the_council_may_decide(council, pending, who):
    if who == "verified member":
        actor = verified_member(council)
    elif who == "pending member":
        actor = MembershipFactory(
            council=council, role=MembershipRole.ADMIN, status=MembershipStatus.PENDING
        ).user
    elif who == "admin elsewhere":
        actor = verified_member(CouncilFactory(), admin=True)
    else:
        actor = UserFactory()

    with pytest.raises(NotAllowed):
        services.membership_approve(actor=actor, membership=pending)
    with pytest.raises(NotAllowed):
        services.membership_refuse(actor=actor, membership=pending, reason="No")

    pending.refresh_from_db()
    assert pending.status == MembershipStatus.PENDING


def test_an_organiser_may_approve_any_councils_request(pending):
    organiser = OrganiserFactory()

    services.membership_approve(actor=organiser, membership=pending)

    pending.refresh_from_db()
    assert pending.status == MembershipStatus.VERIFIED
    assert pending.decided_by == organiser


def test_a_superuser_counts_as_an_organiser(pending):
    superuser = UserFactory(is_superuser=True)

    services.membership_approve(actor=superuser, membership=pending)

    pending.refresh_from_db()
    assert pending.status == MembershipStatus.VERIFIED


@pytest.mark.parametrize("first", ["approve", "refuse"])
@pytest.mark.parametrize("second", ["approve", "refuse"])
def test_deciding_a_decided_request_is_a_conflict(council, pending, first, second):
    admin = verified_member(council, admin=True)
    decide = {
        "approve": lambda: services.membership_approve(actor=admin, membership=pending),
        "refuse": lambda: services.membership_refuse(
            actor=admin, membership=pending, reason="Not known"
        ),
    }
    decide[first]()
    pending.refresh_from_db()
    status = pending.status

    with pytest.raises(Conflict, match="already been decided"):
        decide[second]()

    pending.refresh_from_db()
    assert pending.status == status


def test_a_stale_copy_of_a_decided_request_cannot_be_decided_again(council, pending):
    """Two admins open the same request; the second to act is told it is decided."""
    first, second = (verified_member(council, admin=True) for _ in range(2))
    stale = Membership.objects.get(pk=pending.pk)
    services.membership_refuse(actor=first, membership=pending, reason="Not known")

    with pytest.raises(Conflict):
        services.membership_approve(actor=second, membership=stale)

    pending.refresh_from_db()
    assert pending.status == MembershipStatus.REFUSED


# --- Leaving --------------------------------------------------------------------------------


def test_a_member_leaves_and_may_ask_again(council):
    user = verified_member(council)
    membership = Membership.objects.get(user=user, council=council)

    services.membership_leave(actor=user, membership=membership)

    membership.refresh_from_db()
    assert membership.status == MembershipStatus.LEFT
    assert not user_may_act_for_council(user=user, council=council)

    again = services.membership_request(user=user, council=council)
    assert again.pk != membership.pk
    assert again.status == MembershipStatus.PENDING


def test_a_refused_person_may_ask_again(council, pending):
    services.membership_refuse(
        actor=OrganiserFactory(), membership=pending, reason="Use your work address"
    )

    again = services.membership_request(user=pending.user, council=council)

    assert again.status == MembershipStatus.PENDING


def test_leaving_twice_is_a_conflict(council):
    user = verified_member(council)
    membership = Membership.objects.get(user=user)
    services.membership_leave(actor=user, membership=membership)

    with pytest.raises(Conflict):
        services.membership_leave(actor=user, membership=membership)


def test_only_the_person_or_an_admin_may_remove_a_member(council):
    membership = Membership.objects.get(user=verified_member(council))

    with pytest.raises(NotAllowed):
        services.membership_leave(actor=verified_member(council), membership=membership)

    services.membership_leave(actor=verified_member(council, admin=True), membership=membership)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.LEFT


# --- Roles and domains ----------------------------------------------------------------------


def test_an_admin_makes_a_member_an_admin(council):
    admin = verified_member(council, admin=True)
    membership = Membership.objects.get(user=verified_member(council))

    services.membership_set_role(actor=admin, membership=membership, role=MembershipRole.ADMIN)

    membership.refresh_from_db()
    assert membership.is_admin


def test_an_admin_cannot_drop_their_own_admin_role(council):
    admin = verified_member(council, admin=True)
    membership = Membership.objects.get(user=admin)

    with pytest.raises(Conflict):
        services.membership_set_role(actor=admin, membership=membership, role=MembershipRole.MEMBER)

    membership.refresh_from_db()
    assert membership.is_admin


def test_a_member_cannot_make_themselves_an_admin(council):
    user = verified_member(council)
    membership = Membership.objects.get(user=user)

    with pytest.raises(NotAllowed):
        services.membership_set_role(actor=user, membership=membership, role=MembershipRole.ADMIN)


def test_an_admin_adds_a_domain_and_people_there_are_verified_at_once(council):
    admin = verified_member(council, admin=True)

    domain = services.council_domain_add(actor=admin, council=council, domain=" @Guildford.org ")

    assert domain.domain == "guildford.org"
    user = UserFactory(email="bob@guildford.org")
    assert services.membership_request(user=user, council=council).is_verified


def test_a_domain_belongs_to_one_council_only(council):
    other = CouncilFactory()
    admin = verified_member(other, admin=True)

    with pytest.raises(Conflict):
        services.council_domain_add(actor=admin, council=other, domain="guildford.gov.uk")


def test_a_member_cannot_add_a_domain(council):
    with pytest.raises(NotAllowed):
        services.council_domain_add(
            actor=verified_member(council), council=council, domain="evil.example"
        )
