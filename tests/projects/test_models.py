"""What the database itself refuses, and what the models say about themselves."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.models import (
    MAX_HALF_DAYS,
    MAX_MONEY_PENCE,
    Kind,
    Need,
    Pledge,
    PledgeEvent,
    PledgeState,
    Project,
    Role,
    State,
)
from tests.factories import (
    CouncilFactory,
    NeedFactory,
    ProjectFactory,
    make_pledge,
    published_project,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def refused(model, **values) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**values)


# --- constraints ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "role", "amount"),
    [
        (Kind.MONEY, "", 0),
        (Kind.MONEY, "", -5),
        (Kind.MONEY, Role.DEVELOPER, 100),
        (Kind.MONEY, "", MAX_MONEY_PENCE + 1),
        (Kind.TIME, "", 4),
        (Kind.TIME, "wizard", 4),
        (Kind.TIME, Role.DESIGNER, MAX_HALF_DAYS + 1),
        (Kind.TIME, Role.DESIGNER, 0),
        ("gold", "", 4),
    ],
)
def test_database_refuses_impossible_needs(kind, role, amount):
    project = ProjectFactory()
    refused(Need, project=project, kind=kind, role=role, amount=amount)
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    ("kind", "role", "amount"),
    [(Kind.MONEY, "", MAX_MONEY_PENCE), (Kind.TIME, Role.OTHER, MAX_HALF_DAYS)],
)
def test_database_takes_needs_at_the_limits(kind, role, amount):
    Need.objects.create(project=ProjectFactory(), kind=kind, role=role, amount=amount)
    assert Need.objects.get().amount == amount


@pytest.fixture
def pledge_values():
    project = published_project()
    council = CouncilFactory()
    return {
        "project": project,
        "council": council,
        "pledged_by": project.owner,
        "kind": Kind.MONEY,
        "amount": 100,
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": 0},
        {"amount": -1},
        {"amount": MAX_MONEY_PENCE + 1},
        {"kind": Kind.TIME, "amount": MAX_HALF_DAYS + 1},
        {"role": Role.DEVELOPER},
        {"state": "maybe"},
        {"kind": "gold"},
    ],
    ids=str,
)
def test_database_refuses_impossible_pledges(pledge_values, changes):
    refused(Pledge, **{**pledge_values, **changes})
    assert not Pledge.objects.exists()


@pytest.mark.parametrize(
    ("sequence", "from_state", "to_state"),
    [
        (1, PledgeState.OFFERED, PledgeState.ACCEPTED),  # the first event is the offer
        (1, "", PledgeState.ACCEPTED),
        (2, "", PledgeState.ACCEPTED),  # later events say where they came from
        (2, PledgeState.OFFERED, PledgeState.OFFERED),  # and go somewhere else
        (2, PledgeState.OFFERED, "maybe"),
        (1, "", PledgeState.OFFERED),  # the pledge already has event 1
    ],
)
def test_database_refuses_malformed_ledger_events(sequence, from_state, to_state):
    pledge = make_pledge(published_project())
    refused(
        PledgeEvent,
        pledge=pledge,
        sequence=sequence,
        actor=pledge.pledged_by,
        from_state=from_state,
        to_state=to_state,
    )
    assert pledge.events.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"state": "archived"},
        {"phase": "gamma"},
        {"money_offered": -1},
        {"half_days_fulfilled": -1},
        {"partner_count": -1},
        {"money_needed": -1},
        {"partner_target": 0},
        {"partner_target": 401},
        {"is_hidden": True, "hidden_reason": ""},
    ],
    ids=str,
)
def test_database_refuses_impossible_projects(changes):
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(**changes)
    assert Project.objects.filter(pk=project.pk).values(*changes).get() != changes


def test_slugs_are_unique():
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(slug=project.slug, title="Another")


# --- properties -----------------------------------------------------------------------------


def test_committed_totals_add_accepted_and_fulfilled():
    project = Project(money_accepted=150, money_fulfilled=50, half_days_accepted=3)
    assert (project.money_committed, project.half_days_committed) == (200, 3)


@pytest.mark.parametrize(
    ("now", "passed", "days_left"),
    [
        (datetime(2031, 3, 30, 12, tzinfo=LONDON), False, 1),
        (datetime(2031, 3, 31, 23, 59, tzinfo=LONDON), False, 0),
        (datetime(2031, 4, 1, 0, 1, tzinfo=LONDON), True, -1),
    ],
)
def test_deadline_is_a_uk_calendar_day(now, passed, days_left):
    project = Project(pledging_deadline=date(2031, 3, 31), state=State.SEEKING_SUPPORT)
    with time_machine.travel(now, tick=False):
        assert project.deadline_passed is passed
        assert project.days_left == days_left
        assert project.is_open_for_pledges is not passed


def test_no_deadline_never_passes():
    project = Project(state=State.SEEKING_SUPPORT)
    assert project.deadline_passed is False
    assert project.days_left is None
    assert project.is_open_for_pledges


@pytest.mark.parametrize(
    ("state", "hidden", "open_"),
    [
        (State.DRAFT, False, False),
        (State.SEEKING_SUPPORT, False, True),
        (State.IN_DELIVERY, False, True),
        (State.COMPLETED, False, False),
        (State.CLOSED, False, False),
        (State.SEEKING_SUPPORT, True, False),
    ],
)
def test_open_for_pledges(state, hidden, open_):
    project = Project(
        state=state, is_hidden=hidden, pledging_deadline=timezone.localdate() + timedelta(days=1)
    )
    assert project.is_open_for_pledges is open_
    assert project.is_published is (state != State.DRAFT)


def test_visible_and_seeking_support_querysets():
    seeking = ProjectFactory(published=True)
    delivering = ProjectFactory(published=True, state=State.IN_DELIVERY)
    closed = ProjectFactory(published=True, state=State.CLOSED)
    ProjectFactory()  # a draft
    ProjectFactory(published=True, is_hidden=True, hidden_reason="Spam")
    assert set(Project.objects.visible()) == {seeking, delivering, closed}
    assert list(Project.objects.seeking_support()) == [seeking]


def test_how_needs_pledges_and_events_read():
    project = published_project(title="Council tax app")
    money = project.needs.get(kind=Kind.MONEY)
    time = NeedFactory(project=project, time=True, role=Role.USER_RESEARCHER, amount=5)
    assert str(money) == "£5,000"
    assert str(time) == "User researcher: 2.5 days"
    council = CouncilFactory(short_name="Kentford")
    pledge = make_pledge(project, council=council, amount=123_456, state=PledgeState.ACCEPTED)
    assert str(pledge) == "Kentford → Council tax app: £1,234.56"
    first, second = pledge.events.all()
    assert str(first) == f"#{pledge.pk}.1 ∅ → offered"
    assert str(second) == f"#{pledge.pk}.2 offered → accepted"
    assert project.get_absolute_url() == "/projects/council-tax-app/"
    assert pledge.get_absolute_url() == f"/projects/pledges/{pledge.pk}/"
