"""The pledge ledger: append-only in the database, and `check_ledger` finds any stored value that
disagrees with it."""

from importlib import import_module
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone
from wagtail.models import ReferenceIndex

from projects import services
from projects.ledger import Mismatch, check_ledger, ledger_states
from projects.models import Kind, Need, Pledge, PledgeEvent, PledgeState, Project
from tests.factories import CouncilFactory, make_pledge, published_project, verified_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def story():
    """Two projects and a handful of pledges in every state, all made through the services."""
    project = published_project(title="Planning alerts")
    other = published_project(title="Library bookings")
    money_need = project.needs.get(kind=Kind.MONEY)
    time_need = project.needs.get(kind=Kind.TIME)
    councils = [CouncilFactory() for _ in range(3)]
    pledges = {
        "offered": make_pledge(project, council=councils[0], amount=1_000, need=money_need),
        "accepted": make_pledge(
            project, council=councils[1], kind=Kind.TIME, amount=6, need=time_need, state="accepted"
        ),
        "fulfilled": make_pledge(project, council=councils[2], amount=5_000, state="fulfilled"),
        "declined": make_pledge(project, council=councils[0], amount=9_999, state="declined"),
        "withdrawn": make_pledge(project, council=councils[1], amount=8_888, state="withdrawn"),
        "elsewhere": make_pledge(other, council=councils[0], amount=70, state="accepted"),
    }
    return SimpleNamespace(
        project=project, other=other, money_need=money_need, time_need=time_need, pledges=pledges
    )


def run_check_ledger() -> str:
    out = StringIO()
    call_command("check_ledger", stdout=out)
    return out.getvalue()


def failing_check_ledger() -> tuple[str, CommandError]:
    out = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("check_ledger", stdout=out)
    return out.getvalue(), excinfo.value


def test_clean_after_a_story_of_operations(story):
    assert check_ledger() == []
    assert run_check_ledger().strip() == "Stored totals match the ledger."
    project = Project.objects.get(pk=story.project.pk)
    assert (project.money_offered, project.money_accepted, project.money_fulfilled) == (
        1_000,
        0,
        5_000,
    )
    assert (project.half_days_offered, project.half_days_accepted) == (0, 6)
    assert project.partner_count == 2


def test_clean_on_an_empty_database():
    assert run_check_ledger().strip() == "Stored totals match the ledger."


def test_ledger_states_follow_the_latest_event(story):
    states = ledger_states()
    assert {name: states[p.pk] for name, p in story.pledges.items()} == {
        "offered": "offered",
        "accepted": "accepted",
        "fulfilled": "fulfilled",
        "declined": "declined",
        "withdrawn": "withdrawn",
        "elsewhere": "accepted",
    }


@pytest.mark.parametrize(
    ("field", "ledger"),
    [
        ("money_offered", 1_000),
        ("money_accepted", 0),
        ("money_fulfilled", 5_000),
        ("half_days_offered", 0),
        ("half_days_accepted", 6),
        ("half_days_fulfilled", 0),
        ("partner_count", 2),
    ],
)
def test_a_tampered_project_total_is_named(story, field, ledger):
    Project.objects.filter(pk=story.project.pk).update(**{field: F(field) + 3})
    out, error = failing_check_ledger()
    line = f"project planning-alerts {field}: stored {ledger + 3}, ledger says {ledger}"
    assert out.splitlines() == [line]
    assert error.returncode == 1
    assert str(error) == "1 mismatch(es) between stored totals and the ledger"
    assert [str(m) for m in check_ledger()] == [line]


@pytest.mark.parametrize(
    ("field", "ledger"), [("offered", 1_000), ("accepted", 0), ("fulfilled", 0)]
)
def test_a_tampered_need_total_is_named(story, field, ledger):
    Need.objects.filter(pk=story.money_need.pk).update(**{field: ledger + 1})
    assert [str(m) for m in check_ledger()] == [
        f"need {story.money_need.pk} {field}: stored {ledger + 1}, ledger says {ledger}"
    ]
    with pytest.raises(CommandError):
        run_check_ledger()


@pytest.mark.parametrize("field", ["money_needed", "half_days_needed"])
def test_a_tampered_needed_total_is_named(story, field):
    """The listing's "needs" filter reads these totals, so they are held to the needs."""
    asked = Project.objects.values_list(field, flat=True).get(pk=story.project.pk)
    Project.objects.filter(pk=story.project.pk).update(**{field: 0})
    assert [str(m) for m in check_ledger()] == [
        f"project planning-alerts {field}: stored 0, ledger says {asked}"
    ]


def test_a_tampered_pledge_state_is_reported(story):
    pledge = story.pledges["offered"]
    Pledge.objects.filter(pk=pledge.pk).update(state=PledgeState.FULFILLED)
    out, _ = failing_check_ledger()
    assert f"pledge {pledge.pk} state: stored fulfilled, ledger says offered" in out.splitlines()
    assert check_ledger() == [Mismatch(f"pledge {pledge.pk} state", "fulfilled", "offered")]


def test_a_pledge_written_without_the_ledger_is_reported(story):
    pledge = story.pledges["offered"]
    stray = Pledge.objects.create(
        project=story.project,
        council=pledge.council,
        pledged_by=pledge.pledged_by,
        kind=Kind.MONEY,
        amount=1,
        offered_at=timezone.now(),
    )
    assert check_ledger() == [Mismatch(f"pledge {stray.pk} state", "offered", "no events")]


def test_an_event_that_breaks_the_chain_is_reported(story):
    """Appending is allowed, so a forged event is possible; it shows up as a break."""
    pledge = story.pledges["accepted"]
    PledgeEvent.objects.create(
        pledge=pledge,
        sequence=3,
        actor=pledge.pledged_by,
        from_state=PledgeState.OFFERED,
        to_state=PledgeState.DECLINED,
    )
    found = [str(m) for m in check_ledger()]
    assert f"pledge {pledge.pk} event 3 from state: stored offered, ledger says accepted" in found
    assert f"pledge {pledge.pk} state: stored accepted, ledger says declined" in found
    assert "project planning-alerts half_days_accepted: stored 6, ledger says 0" in found
    assert "project planning-alerts partner_count: stored 2, ledger says 1" in found


def test_a_gap_in_the_sequence_and_an_impossible_move_are_reported(story):
    pledge = story.pledges["declined"]
    PledgeEvent.objects.create(
        pledge=pledge,
        sequence=5,
        actor=pledge.pledged_by,
        from_state=PledgeState.DECLINED,
        to_state=PledgeState.ACCEPTED,
    )
    found = [str(m) for m in check_ledger()]
    assert f"pledge {pledge.pk} event 5 sequence: stored 5, ledger says 3" in found
    assert (
        f"pledge {pledge.pk} event 5 move: stored declined → accepted, "
        "ledger says not a lifecycle move"
    ) in found


def test_the_lead_council_is_never_counted_as_a_partner(story):
    """Even if a pledge from the lead council got in by another way, it is not a partner."""
    project = story.project
    owner = project.owner
    pledge = Pledge.objects.create(
        project=project,
        council=project.lead_council,
        pledged_by=owner,
        kind=Kind.MONEY,
        amount=1,
        state=PledgeState.ACCEPTED,
        offered_at=timezone.now(),
    )
    PledgeEvent.objects.create(pledge=pledge, sequence=1, actor=owner, to_state="offered")
    PledgeEvent.objects.create(
        pledge=pledge, sequence=2, actor=owner, from_state="offered", to_state="accepted"
    )
    found = [str(m) for m in check_ledger()]
    assert found == ["project planning-alerts money_accepted: stored 0, ledger says 1"]


def test_every_transition_keeps_the_ledger_clean():
    project = published_project()
    council = CouncilFactory()
    member = verified_member(council)
    owner = project.owner
    for _ in range(3):
        pledge = services.pledge_offer(
            actor=member, project=project, council=council, kind=Kind.MONEY, amount=10
        )
        assert check_ledger() == []
        services.pledge_accept(actor=owner, pledge=pledge)
        assert check_ledger() == []
        services.pledge_fulfil(actor=owner, pledge=pledge)
        assert check_ledger() == []
    assert Project.objects.get(pk=project.pk).money_fulfilled == 30


# --- append-only ----------------------------------------------------------------------------


def test_a_ledger_event_cannot_be_updated(story):
    event = story.pledges["accepted"].events.last()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        PledgeEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        PledgeEvent.objects.update(to_state=PledgeState.FULFILLED)
    event.refresh_from_db()
    assert event.note == ""
    assert event.to_state == PledgeState.ACCEPTED
    assert check_ledger() == []


def test_saving_an_event_again_is_refused(story):
    event = story.pledges["offered"].events.get()
    event.note = "rewritten"
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        event.save()
    assert PledgeEvent.objects.get(pk=event.pk).note == ""


def test_a_pledge_with_events_cannot_be_deleted(story):
    pledge = story.pledges["withdrawn"]
    with pytest.raises(ProtectedError), transaction.atomic():
        Pledge.objects.filter(pk=pledge.pk).delete()
    assert Pledge.objects.filter(pk=pledge.pk).exists()
    assert pledge.events.count() == 2


@pytest.mark.postgres
def test_on_postgresql_a_ledger_event_cannot_be_deleted(story):
    assert connection.vendor == "postgresql"
    event = story.pledges["fulfilled"].events.first()
    with pytest.raises(IntegrityError, match="append-only: DELETE"), transaction.atomic():
        PledgeEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(IntegrityError, match="append-only: DELETE"), transaction.atomic():
        PledgeEvent.objects.all().delete()
    with (
        pytest.raises(DatabaseError, match="append-only: UPDATE"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE projects_pledgeevent SET note = 'x' WHERE id = %s", [event.pk])
    assert PledgeEvent.objects.filter(pk=event.pk).exists()
    assert PledgeEvent.objects.count() == 1 + 2 + 3 + 2 + 2 + 2  # offered, …, elsewhere
    assert check_ledger() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_trigger_holds_outside_a_test_transaction():
    project = published_project()
    pledge = make_pledge(project)
    with pytest.raises(IntegrityError, match="append-only"):
        PledgeEvent.objects.filter(pledge=pledge).update(note="x")
    with pytest.raises(IntegrityError, match="append-only"):
        PledgeEvent.objects.filter(pledge=pledge).delete()
    assert list(pledge.events.values_list("note", flat=True)) == [""]


# --- out of Wagtail's reference index ------------------------------------------------------


def test_the_migration_forgets_references_recorded_for_pledges_and_their_events():
    pledge = make_pledge(published_project())
    project_type = ContentType.objects.get_for_model(Project)
    ReferenceIndex.create_or_update_for_object(pledge.project)
    kept = set(ReferenceIndex.objects.values_list("pk", flat=True))
    assert kept, "the project's own links to its council and owner are indexed"
    for row in (pledge, pledge.events.get()):
        # As Wagtail recorded them before the ledger left its index.
        ReferenceIndex.objects.create(
            content_type=ContentType.objects.get_for_model(row),
            base_content_type=ContentType.objects.get_for_model(row),
            object_id=str(row.pk),
            to_content_type=project_type,
            to_object_id=str(pledge.project.pk),
            model_path="project",
            content_path="project",
            content_path_hash=ReferenceIndex._get_content_path_hash("project"),
        )

    migration = import_module("projects.migrations.0017_pledges_out_of_reference_index")
    migration.forget_pledge_references(django_apps, None)

    assert set(ReferenceIndex.objects.values_list("pk", flat=True)) == kept


def test_pledges_and_events_are_not_indexed_while_projects_are():
    assert not ReferenceIndex.is_indexed(Pledge)
    assert not ReferenceIndex.is_indexed(PledgeEvent)
    assert ReferenceIndex.is_indexed(Project)  # its admin pages still show where it is used
