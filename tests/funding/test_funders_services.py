"""Funders and their members: the services every way in uses (pages, Wagtail admin)."""

import pytest
from django.core import mail

from accounts.mfa import SecondFactorRequired
from activity.models import ActivityAction, ActivityEntry
from core.errors import Conflict, InvalidInput, NotAllowed
from councils.models import MembershipStatus
from funding.models import FunderDomain, FunderKind, FunderMembership, FunderRole
from funding.selectors.funders import funder_standing
from funding.services import funders as services
from mail.models import Delivery
from tests.factories import (
    FunderFactory,
    FunderMembershipFactory,
    OrganiserFactory,
    UserFactory,
    funder_member,
    verified_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def funder():
    funder = FunderFactory(name="Department for Digital Things", slug="ddt")
    FunderDomain.objects.create(funder=funder, domain="ddt.gov.uk")
    return funder


@pytest.fixture
def admin(funder):
    return funder_member(funder, role=FunderRole.ADMIN)


@pytest.fixture
def pending(funder):
    return services.funder_join(user=UserFactory(email="sam@example.org"), funder=funder)


def _entries(action) -> list[ActivityEntry]:
    return list(ActivityEntry.objects.filter(action=action))


# --- organisers add and change funders ---------------------------------------------------


def test_an_organiser_adds_a_funder_with_its_domains_and_it_is_logged():
    organiser = OrganiserFactory()

    funder = services.funder_save(
        actor=organiser,
        name="Welsh Government",
        name_cy="Llywodraeth Cymru",
        kind=FunderKind.DEVOLVED,
        website="https://www.gov.wales",
        domains=["GOV.WALES", " @llyw.cymru ", ""],
    )

    assert funder.slug == "welsh-government"
    assert sorted(funder.domains.values_list("domain", flat=True)) == ["gov.wales", "llyw.cymru"]
    (entry,) = _entries(ActivityAction.FUNDER_ADDED)
    assert entry.target == "Welsh Government"
    assert entry.actor == organiser


def test_changing_a_funder_logs_what_changed_including_domains(funder):
    organiser = OrganiserFactory()

    services.funder_save(
        actor=organiser,
        funder=funder,
        name=funder.name,
        kind=FunderKind.GOVERNMENT,
        website="https://ddt.gov.uk",
        domains=["digital.ddt.gov.uk"],
    )

    (entry,) = _entries(ActivityAction.FUNDER_CHANGED)
    assert entry.details["added"] == ["digital.ddt.gov.uk"]
    assert entry.details["removed"] == ["ddt.gov.uk"]
    assert entry.details["website"] == {"before": "", "after": "https://ddt.gov.uk"}
    assert "Domains added: digital.ddt.gov.uk" in entry.details_lines


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": " "}, "name"),
        ({"kind": "charity"}, "kind"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"domains": ["not a domain"]}, "domains"),
        ({"domains": ["nodot"]}, "domains"),
    ],
)
def test_bad_funder_values_are_refused_on_their_field(values, field):
    with pytest.raises(InvalidInput) as refused:
        services.funder_save(
            actor=OrganiserFactory(), **{"name": "A funder", "kind": "other", **values}
        )
    assert refused.value.field == field


def test_a_domain_belongs_to_one_funder_only(funder):
    with pytest.raises(Conflict) as refused:
        services.funder_save(
            actor=OrganiserFactory(), name="Another", kind="other", domains=["ddt.gov.uk"]
        )
    assert "already belongs to Department for Digital Things" in refused.value.message


def test_only_organisers_with_a_second_factor_add_funders(funder, admin):
    for person in (UserFactory(), admin):
        with pytest.raises(NotAllowed):
            services.funder_save(actor=person, name="X", kind="other")
    with pytest.raises(SecondFactorRequired):
        services.funder_save(actor=OrganiserFactory(enrolled=False), name="X", kind="other")


# --- joining --------------------------------------------------------------------------------


def test_joining_from_the_funders_domain_verifies_at_once(funder):
    person = UserFactory(email="ann@DDT.gov.uk")

    membership = services.funder_join(user=person, funder=funder)

    assert membership.status == MembershipStatus.VERIFIED
    assert membership.verified_by_domain
    assert membership.role == FunderRole.MEMBER
    assert funder_standing(user=person, funder=funder).is_member


def test_joining_from_elsewhere_waits_and_twice_is_refused(funder, pending):
    assert pending.status == MembershipStatus.PENDING
    assert not funder_standing(user=pending.user, funder=funder).is_member
    with pytest.raises(Conflict):
        services.funder_join(user=pending.user, funder=funder)


# --- the admins' decisions ----------------------------------------------------------------


def test_an_admin_approves_and_the_person_is_emailed_once_it_commits(
    funder, admin, pending, on_commit
):
    mail.outbox.clear()

    on_commit(services.funder_membership_approve, actor=admin, membership=pending)

    pending.refresh_from_db()
    assert pending.status == MembershipStatus.VERIFIED
    assert pending.decided_by == admin
    (message,) = mail.outbox
    assert message.to == [pending.user.email]
    assert message.subject == "[Pipeline] You are now a member of Department for Digital Things"
    assert "http://testserver/funding/funders/ddt/" in message.body
    (entry,) = _entries(ActivityAction.FUNDER_MEMBERSHIP_APPROVED)
    assert entry.target.startswith(pending.user.get_full_name())
    assert entry.target.endswith("Department for Digital Things")


def test_a_refusal_needs_a_reason_and_emails_it_in_the_persons_language(funder, admin, on_commit):
    funder.name_cy = "Adran Pethau Digidol"
    funder.save()
    person = UserFactory(first_name="Nia", language="cy")
    request = services.funder_join(user=person, funder=funder)
    with pytest.raises(InvalidInput):
        services.funder_membership_refuse(actor=admin, membership=request, reason="  ")
    mail.outbox.clear()

    on_commit(
        services.funder_membership_refuse, actor=admin, membership=request, reason="Not staff"
    )

    (message,) = mail.outbox
    assert message.subject == "[Pipeline] Cafodd eich cais i ymuno â Adran Pethau Digidol ei wrthod"
    assert message.body.startswith("Helo Nia,")
    assert "Not staff" in message.body
    assert "http://testserver/cy/funding/funders/ddt/" in message.body


def test_a_decided_request_cannot_be_decided_again(admin, pending):
    services.funder_membership_approve(actor=admin, membership=pending)
    with pytest.raises(Conflict):
        services.funder_membership_refuse(actor=admin, membership=pending, reason="Oops")
    assert Delivery.objects.filter(kind="funder_membership").count() == 1


def test_who_may_decide(funder, pending):
    other_funder_admin = funder_member(role=FunderRole.ADMIN)
    council_admin = verified_member(admin=True)
    for role in (FunderRole.MEMBER, FunderRole.ASSESSOR, FunderRole.MODERATOR):
        with pytest.raises(NotAllowed):
            services.funder_membership_approve(
                actor=funder_member(funder, role=role), membership=pending
            )
    for person in (UserFactory(), other_funder_admin, council_admin, pending.user):
        with pytest.raises(NotAllowed):
            services.funder_membership_approve(actor=person, membership=pending)
    unenrolled = FunderMembershipFactory(funder=funder, role=FunderRole.ADMIN, enrolled=False).user
    with pytest.raises(SecondFactorRequired):
        services.funder_membership_approve(actor=unenrolled, membership=pending)
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.PENDING

    services.funder_membership_approve(actor=OrganiserFactory(), membership=pending)
    pending.refresh_from_db()
    assert pending.status == MembershipStatus.VERIFIED


# --- roles and leaving: never without an admin ---------------------------------------------


def test_an_admin_gives_roles_and_it_is_logged(funder, admin):
    person = funder_member(funder)
    membership = person.funder_memberships.get()

    services.funder_membership_set_role(
        actor=admin, membership=membership, role=FunderRole.ASSESSOR
    )

    membership.refresh_from_db()
    assert membership.role == FunderRole.ASSESSOR
    (entry,) = _entries(ActivityAction.FUNDER_MEMBERSHIP_ROLE_CHANGED)
    assert entry.details == {"funder_role": {"before": "Member", "after": "Assessor"}}
    assert entry.details_lines == ["Funder role: Member → Assessor"]
    with pytest.raises(InvalidInput):
        services.funder_membership_set_role(actor=admin, membership=membership, role="owner")


def test_the_last_admin_can_neither_step_down_nor_be_removed(funder, admin):
    own = admin.funder_memberships.get()
    with pytest.raises(Conflict) as refused:
        services.funder_membership_set_role(actor=admin, membership=own, role=FunderRole.MEMBER)
    assert "would have no admin left" in refused.value.message
    with pytest.raises(Conflict):
        services.funder_membership_remove(actor=admin, membership=own)
    with pytest.raises(Conflict):
        services.funder_membership_remove(actor=OrganiserFactory(), membership=own)

    second = funder_member(funder, role=FunderRole.ADMIN).funder_memberships.get()
    services.funder_membership_set_role(actor=admin, membership=own, role=FunderRole.MODERATOR)
    own.refresh_from_db()
    assert own.role == FunderRole.MODERATOR
    with pytest.raises(Conflict):
        services.funder_membership_remove(actor=second.user, membership=second)


def test_people_leave_and_admins_remove_others(funder, admin, pending):
    member = funder_member(funder).funder_memberships.get()

    services.funder_membership_remove(actor=member.user, membership=member)
    services.funder_membership_remove(actor=admin, membership=pending)

    assert set(
        FunderMembership.objects.filter(pk__in=[member.pk, pending.pk]).values_list(
            "status", flat=True
        )
    ) == {MembershipStatus.LEFT}
    assert len(_entries(ActivityAction.FUNDER_MEMBERSHIP_LEFT)) == 1
    assert len(_entries(ActivityAction.FUNDER_MEMBERSHIP_REMOVED)) == 1
    stranger = funder_member(funder).funder_memberships.get()
    with pytest.raises(NotAllowed):
        services.funder_membership_remove(actor=UserFactory(), membership=stranger)
    with pytest.raises(Conflict):
        services.funder_membership_remove(actor=admin, membership=member)


def test_funder_admins_are_asked_to_set_up_a_second_factor(funder):
    from accounts.mfa import user_needs_second_factor

    unenrolled = FunderMembershipFactory(funder=funder, role=FunderRole.ADMIN, enrolled=False).user
    assessor = FunderMembershipFactory(funder=funder, role=FunderRole.ASSESSOR, enrolled=False).user

    assert user_needs_second_factor(user=unenrolled)
    assert not user_needs_second_factor(user=assessor)
