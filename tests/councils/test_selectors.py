"""Reads: above all, "may this person act for this council?"."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from councils import selectors, services
from councils.models import Council, Membership, MembershipRole, MembershipStatus
from tests.factories import (
    CouncilFactory,
    MembershipFactory,
    OrganiserFactory,
    UserFactory,
    verified_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return CouncilFactory()


@pytest.mark.parametrize(
    ("status", "may_act"),
    [
        (None, False),
        (MembershipStatus.PENDING, False),
        (MembershipStatus.REFUSED, False),
        (MembershipStatus.LEFT, False),
        (MembershipStatus.VERIFIED, True),
    ],
)
def test_only_a_verified_member_may_act_for_a_council(council, status, may_act):
    user = UserFactory()
    if status is not None:
        MembershipFactory(user=user, council=council, status=status)

    assert selectors.user_may_act_for_council(user=user, council=council) is may_act


def test_a_verified_member_of_one_council_may_not_act_for_another(council):
    user = verified_member(CouncilFactory())

    assert selectors.user_may_act_for_council(user=user, council=council) is False


def test_an_anonymous_visitor_may_not_act(council):
    assert selectors.user_may_act_for_council(user=AnonymousUser(), council=council) is False
    assert selectors.user_may_act_for_council(user=None, council=council) is False


def test_a_refused_then_verified_member_may_act(council):
    user = UserFactory()
    MembershipFactory(user=user, council=council, status=MembershipStatus.REFUSED)
    MembershipFactory(user=user, council=council, status=MembershipStatus.VERIFIED)

    assert selectors.user_may_act_for_council(user=user, council=council) is True


def test_council_admins_are_verified_admins_or_organisers(council):
    pending_admin = MembershipFactory(
        council=council, role=MembershipRole.ADMIN, status=MembershipStatus.PENDING
    ).user

    assert selectors.user_is_council_admin(
        user=verified_member(council, admin=True), council=council
    )
    assert not selectors.user_is_council_admin(user=verified_member(council), council=council)
    assert not selectors.user_is_council_admin(user=pending_admin, council=council)
    assert selectors.user_is_council_admin(user=OrganiserFactory(), council=council)
    assert not selectors.user_is_council_admin(user=AnonymousUser(), council=council)


def test_user_confirmed_domains_leaves_out_unconfirmed_addresses():
    user = UserFactory(email="a@one.gov.uk")
    user.emailaddress_set.create(email="b@Two.GOV.uk", verified=True)
    user.emailaddress_set.create(email="c@three.gov.uk", verified=False)

    assert selectors.user_confirmed_domains(user=user) == {"one.gov.uk", "two.gov.uk"}


def test_requests_awaiting_a_decision_are_those_of_the_admins_councils(council):
    admin = verified_member(council, admin=True)
    mine = services.membership_request(user=UserFactory(), council=council)
    theirs = services.membership_request(user=UserFactory(), council=CouncilFactory())

    assert list(selectors.memberships_awaiting_decision(user=admin)) == [mine]
    assert set(selectors.memberships_awaiting_decision(user=OrganiserFactory())) == {mine, theirs}
    assert not selectors.memberships_awaiting_decision(user=verified_member(council)).exists()


def test_council_members_lists_active_memberships_only(council):
    verified = MembershipFactory(council=council)
    waiting = MembershipFactory(council=council, status=MembershipStatus.PENDING)
    MembershipFactory(council=council, status=MembershipStatus.LEFT)
    MembershipFactory(council=council, status=MembershipStatus.REFUSED)

    assert set(selectors.council_members(council=council)) == {verified, waiting}


def test_council_list_counts_verified_members_only(council):
    MembershipFactory.create_batch(2, council=council)
    MembershipFactory(council=council, status=MembershipStatus.PENDING)

    row = selectors.council_list().get(pk=council.pk)

    assert row.verified_members == 2


def test_current_and_ended_councils():
    today = timezone.localdate()
    current = CouncilFactory()
    ending_later = CouncilFactory(end_date=today + datetime.timedelta(days=1))
    ended_today = CouncilFactory(end_date=today)

    assert set(Council.objects.current()) == {current, ending_later}
    assert set(Council.objects.ended()) == {ended_today}
    assert not ended_today.is_current


def test_user_verified_councils(council):
    user = verified_member(council)
    MembershipFactory(user=user, status=MembershipStatus.PENDING)

    assert list(selectors.user_verified_councils(user=user)) == [council]
    assert Membership.objects.filter(user=user).count() == 2
