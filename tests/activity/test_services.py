"""Each change organisers answer for leaves one entry in the activity log, written in the same
transaction as the change: who, when, why and what changed. Nothing else writes or edits it."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from activity.models import ActivityAction, ActivityEntry
from activity.services import activity_record
from core.errors import Conflict, InvalidInput, NotAllowed
from councils import services as council_services
from councils.models import Council, CouncilDomain, Membership, MembershipRole, MembershipStatus
from projects import services as project_services
from projects.models import Project
from tests.factories import (
    CouncilFactory,
    MembershipFactory,
    OrganiserFactory,
    UserFactory,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def council():
    return CouncilFactory(short_name="Guildford")


@pytest.fixture
def admin(council):
    return verified_member(council, admin=True, first_name="Ada", last_name="Admin")


@pytest.fixture
def pending(council):
    return MembershipFactory(
        council=council,
        status=MembershipStatus.PENDING,
        user=UserFactory(first_name="Pat", last_name="Applicant", email="pat@example.org"),
    )


def only_entry() -> ActivityEntry:
    (entry,) = ActivityEntry.objects.all()
    return entry


# --- memberships ----------------------------------------------------------------------------


def test_approving_a_membership_is_logged(admin, pending, council):
    council_services.membership_approve(actor=admin, membership=pending)

    entry = only_entry()
    assert entry.action == ActivityAction.MEMBERSHIP_APPROVED
    assert (entry.actor, entry.actor_name) == (admin, "Ada Admin")
    assert entry.council == council
    assert entry.target == "Pat Applicant <pat@example.org>"
    assert entry.reason == ""


def test_refusing_a_membership_is_logged_with_the_reason(admin, pending):
    council_services.membership_refuse(actor=admin, membership=pending, reason="  Not an officer ")

    entry = only_entry()
    assert entry.action == ActivityAction.MEMBERSHIP_REFUSED
    assert entry.actor == admin
    assert entry.reason == "Not an officer"


def test_an_organiser_deciding_is_logged_under_their_name(pending):
    organiser = OrganiserFactory(first_name="Olu", last_name="Organiser")

    council_services.membership_approve(actor=organiser, membership=pending)

    assert only_entry().actor_display == "Olu Organiser"


def test_a_role_change_is_logged_with_before_and_after(admin, council):
    member = MembershipFactory(council=council)

    council_services.membership_set_role(
        actor=admin, membership=member, role=MembershipRole.APPROVER
    )

    entry = only_entry()
    assert entry.action == ActivityAction.MEMBERSHIP_ROLE_CHANGED
    assert entry.details == {"role": {"before": "member", "after": "approver"}}
    assert entry.details_lines == ["Role: Member → Approver"]


def test_setting_the_role_a_member_already_has_logs_nothing(admin, council):
    member = MembershipFactory(council=council)

    council_services.membership_set_role(actor=admin, membership=member, role=MembershipRole.MEMBER)

    assert not ActivityEntry.objects.exists()


def test_an_admin_removing_a_member_and_a_member_leaving_are_told_apart(admin, council):
    removed = MembershipFactory(council=council)
    leaver = MembershipFactory(council=council)

    council_services.membership_leave(actor=admin, membership=removed)
    council_services.membership_leave(actor=leaver.user, membership=leaver)

    assert list(ActivityEntry.objects.values_list("action", "actor")) == [
        (ActivityAction.MEMBERSHIP_LEFT, leaver.user.pk),
        (ActivityAction.MEMBERSHIP_REMOVED, admin.pk),
    ]


# --- projects -------------------------------------------------------------------------------


def test_hiding_and_restoring_a_project_are_logged_with_reasons():
    organiser = OrganiserFactory()
    project = published_project(title="Book a bulky waste collection")

    project_services.project_hide(actor=organiser, project=project, reason="Duplicate")
    project_services.project_restore(actor=organiser, project=project, reason="Not a duplicate")

    restored, hidden = ActivityEntry.objects.all()
    assert (hidden.action, hidden.reason) == (ActivityAction.PROJECT_HIDDEN, "Duplicate")
    assert (restored.action, restored.reason) == (
        ActivityAction.PROJECT_RESTORED,
        "Not a duplicate",
    )
    for entry in (hidden, restored):
        assert entry.project == project
        assert entry.council == project.lead_council  # found under the lead council too
        assert entry.target == "Book a bulky waste collection"
        assert entry.actor == organiser


def test_restoring_without_a_reason_is_still_logged():
    organiser = OrganiserFactory()
    project = published_project(is_hidden=True, hidden_reason="Spam")

    project_services.project_restore(actor=organiser, project=project)

    assert only_entry().reason == ""


# --- council settings -----------------------------------------------------------------------


def test_adding_a_domain_is_logged(admin, council):
    council_services.council_domain_add(actor=admin, council=council, domain="@Guildford.GOV.uk")

    entry = only_entry()
    assert entry.action == ActivityAction.COUNCIL_DOMAINS_CHANGED
    assert entry.details == {"added": ["guildford.gov.uk"]}
    assert entry.details_display == "Domains added: guildford.gov.uk"
    assert entry.target == council.display_name


def test_changing_limits_is_logged_with_old_and_new_values_in_pence(admin, council):
    Council.objects.filter(pk=council.pk).update(money_limit=500_000, half_days_limit=10)

    council_services.council_set_limits(
        actor=admin, council=council, money_limit=1_000_050, half_days_limit=10
    )

    entry = only_entry()
    assert entry.action == ActivityAction.COUNCIL_LIMITS_CHANGED
    assert entry.details == {"money_limit": {"before": 500_000, "after": 1_000_050}}
    assert entry.details_lines == ["Money limit: £5,000 → £10,000.50"]


def test_clearing_a_limit_reads_as_no_limit(admin, council):
    council_services.council_set_limits(
        actor=admin, council=council, money_limit=None, half_days_limit=3
    )

    assert only_entry().details_lines == ["Staff time limit: no limit → 1.5 days"]


def test_saving_the_same_limits_logs_nothing(admin, council):
    council_services.council_set_limits(
        actor=admin, council=council, money_limit=None, half_days_limit=None
    )

    assert not ActivityEntry.objects.exists()


# --- nothing logged unless the change is made -----------------------------------------------


def test_refused_changes_log_nothing(council, pending):
    stranger = UserFactory()
    with pytest.raises(NotAllowed):
        council_services.membership_approve(actor=stranger, membership=pending)
    with pytest.raises(InvalidInput):
        council_services.membership_refuse(
            actor=verified_member(council, admin=True), membership=pending, reason=" "
        )
    with pytest.raises(NotAllowed):
        project_services.project_hide(actor=stranger, project=published_project(), reason="x")
    with pytest.raises(Conflict):
        project_services.project_restore(actor=OrganiserFactory(), project=published_project())

    assert not ActivityEntry.objects.exists()


def test_a_change_that_fails_after_logging_rolls_the_entry_back_with_it(
    admin, pending, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the security log is down")

    monkeypatch.setattr(council_services, "security_event", broken)

    with pytest.raises(RuntimeError):
        council_services.membership_approve(actor=admin, membership=pending)

    assert Membership.objects.get(pk=pending.pk).status == MembershipStatus.PENDING
    assert not ActivityEntry.objects.exists()


def test_a_domain_that_fails_to_save_logs_nothing(admin, council, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("lost")

    monkeypatch.setattr(CouncilDomain.objects, "create", broken)
    with pytest.raises(IntegrityError):
        council_services.council_domain_add(actor=admin, council=council, domain="g.gov.uk")

    assert not ActivityEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        activity_record(actor=None, action=ActivityAction.PROJECT_HIDDEN)


# --- append-only ----------------------------------------------------------------------------


def test_the_database_refuses_to_edit_or_delete_an_entry(admin, pending):
    council_services.membership_refuse(actor=admin, membership=pending, reason="Not an officer")
    entry = only_entry()

    for change in (
        lambda: ActivityEntry.objects.filter(pk=entry.pk).update(reason="Changed"),
        lambda: ActivityEntry.objects.filter(pk=entry.pk).update(actor=UserFactory()),
        lambda: ActivityEntry.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            change()

    assert only_entry().reason == "Not an officer"


def test_deleting_the_people_and_project_keeps_the_entry_and_the_names():
    organiser = OrganiserFactory(first_name="Olu", last_name="Organiser")
    project = published_project(title="Parking permits")
    project_services.project_hide(actor=organiser, project=project, reason="Spam")

    organiser.delete()
    Project.objects.filter(pk=project.pk).delete()

    entry = only_entry()
    assert (entry.actor, entry.project) == (None, None)
    assert entry.actor_display == "Olu Organiser"
    assert entry.target == "Parking permits"
    assert entry.reason == "Spam"


def test_an_entry_without_a_person_is_pipelines_own(council):
    with transaction.atomic():
        entry = activity_record(
            actor=None,
            action=ActivityAction.COUNCIL_SSO_CONFIGURED,
            council=council,
            details={"provider": "Entra ID", "enforced": True},
        )

    assert entry.actor_display == "Pipeline (automatic)"
    assert entry.details_lines == ["Provider: Entra ID", "Enforced: yes"]


def test_entries_read_in_welsh(admin, council):
    council_services.council_set_limits(
        actor=admin, council=council, money_limit=250_000, half_days_limit=None
    )
    entry = only_entry()

    with translation.override("cy"):
        assert str(entry.get_action_display()) == "Newidiwyd terfynau'r cyngor"
        assert entry.details_lines == ["Terfyn arian: dim terfyn → £2,500"]
