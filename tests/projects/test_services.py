"""Projects, needs and the pledge ledger through the services every way in calls."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Q
from django.utils import timezone

from core.errors import Conflict, InvalidInput
from mail.models import Delivery
from projects import services
from projects.ledger import check_ledger
from projects.models import (
    MAX_HALF_DAYS,
    MAX_MONEY_PENCE,
    PUBLIC_PLEDGE_STATES,
    Kind,
    Need,
    Phase,
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
    OrganiserFactory,
    ProjectFactory,
    make_pledge,
    published_project,
    verified_member,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
OFFERED, ACCEPTED, DECLINED, WITHDRAWN, FULFILLED = (
    PledgeState.OFFERED,
    PledgeState.ACCEPTED,
    PledgeState.DECLINED,
    PledgeState.WITHDRAWN,
    PledgeState.FULFILLED,
)
TOTAL_FIELDS = (
    "money_offered",
    "money_accepted",
    "money_fulfilled",
    "half_days_offered",
    "half_days_accepted",
    "half_days_fulfilled",
    "partner_count",
)


@pytest.fixture
def world():
    """A published project led by one council, a partner council and its verified member."""
    lead = CouncilFactory(short_name="Leadshire")
    partner = CouncilFactory(short_name="Partnerton")
    project = published_project(lead_council=lead, title="Bin collection finder")
    return SimpleNamespace(
        lead=lead,
        partner=partner,
        project=project,
        owner=project.owner,
        pledger=verified_member(partner),
        money_need=project.needs.get(kind=Kind.MONEY),
        time_need=project.needs.get(kind=Kind.TIME),
    )


def totals(project: Project) -> dict:
    """What a reader of the project page sees: its totals, and each need's totals."""
    row = Project.objects.values(*TOTAL_FIELDS).get(pk=project.pk)
    for need in Need.objects.filter(project=project).order_by("pk"):
        row[f"need {need.pk}"] = (need.offered, need.accepted, need.fulfilled)
    return row


def snapshot(project: Project) -> dict:
    """Everything a refused write must leave as it was."""
    return {
        "project": Project.objects.filter(pk=project.pk)
        .values("state", "phase", "published_at", "title", "money_needed", "half_days_needed")
        .get(),
        "totals": totals(project),
        "needs": list(Need.objects.filter(project=project).values_list("pk", "amount")),
        "pledges": list(Pledge.objects.order_by("pk").values_list("pk", "state", "amount")),
        "events": PledgeEvent.objects.count(),
    }


# --- 1. pledge transitions ------------------------------------------------------------------

LEGAL = {
    (OFFERED, ACCEPTED),
    (OFFERED, DECLINED),
    (OFFERED, WITHDRAWN),
    (ACCEPTED, FULFILLED),
    (ACCEPTED, WITHDRAWN),
}
# How a pledge gets to each state from offered.
PATHS = {
    OFFERED: [],
    ACCEPTED: [ACCEPTED],
    DECLINED: [DECLINED],
    WITHDRAWN: [WITHDRAWN],
    FULFILLED: [ACCEPTED, FULFILLED],
}
ACTION_NAMES = {
    ACCEPTED: "accepted",
    DECLINED: "declined",
    FULFILLED: "fulfilled",
    WITHDRAWN: "withdrawn",
}


def act(w, pledge: Pledge, to_state: str, note: str = "") -> Pledge:
    if to_state == ACCEPTED:
        return services.pledge_accept(actor=w.owner, pledge=pledge, note=note)
    if to_state == DECLINED:
        return services.pledge_decline(actor=w.owner, pledge=pledge, note=note)
    if to_state == FULFILLED:
        return services.pledge_fulfil(actor=w.owner, pledge=pledge, note=note)
    return services.pledge_withdraw(actor=w.pledger, pledge=pledge, reason=note or "No budget")


def expected_totals(w, kind: str, amount: int, state: str) -> dict:
    """Totals with a £10 pledge from a third council accepted, plus the pledge under test."""
    row = dict.fromkeys(TOTAL_FIELDS, 0)
    row["money_accepted"] = 1_000
    row["partner_count"] = 1
    prefix = "money" if kind == Kind.MONEY else "half_days"
    need_totals = {w.money_need.pk: [0, 0, 0], w.time_need.pk: [0, 0, 0]}
    need = w.money_need if kind == Kind.MONEY else w.time_need
    if state in (OFFERED, ACCEPTED, FULFILLED):
        row[f"{prefix}_{state}"] += amount
        need_totals[need.pk][(OFFERED, ACCEPTED, FULFILLED).index(state)] = amount
    if state in (ACCEPTED, FULFILLED):
        row["partner_count"] = 2
    for pk, values in sorted(need_totals.items()):
        row[f"need {pk}"] = tuple(values)
    return row


@pytest.mark.parametrize("kind", [Kind.MONEY, Kind.TIME])
@pytest.mark.parametrize("to_state", [ACCEPTED, DECLINED, FULFILLED, WITHDRAWN])
@pytest.mark.parametrize(
    "from_state",
    [s for s in PUBLIC_PLEDGE_STATES if s not in (PledgeState.PROPOSED, PledgeState.SUPERSEDED)],
)
def test_pledge_transition_table(world, from_state, to_state, kind):
    w = world
    make_pledge(w.project, amount=1_000, state=ACCEPTED)  # a third council, already a partner
    amount = 12_345 if kind == Kind.MONEY else 7
    need = w.money_need if kind == Kind.MONEY else w.time_need
    pledge = services.pledge_offer(
        actor=w.pledger, project=w.project, council=w.partner, kind=kind, amount=amount, need=need
    )
    for step in PATHS[from_state]:
        pledge = act(w, pledge, step)
    assert pledge.state == from_state
    assert totals(w.project) == expected_totals(w, kind, amount, from_state)
    events_before = list(pledge.events.values_list("sequence", "from_state", "to_state"))
    assert len(events_before) == len(PATHS[from_state]) + 1

    if (from_state, to_state) in LEGAL:
        result = act(w, pledge, to_state, note="Agreed at the board")
        assert result.state == to_state
        assert Pledge.objects.get(pk=pledge.pk).state == to_state
        assert totals(w.project) == expected_totals(w, kind, amount, to_state)
        last = pledge.events.order_by("sequence").last()
        assert (last.sequence, last.from_state, last.to_state, last.note) == (
            len(events_before) + 1,
            from_state,
            to_state,
            "Agreed at the board",
        )
        assert last.actor == (w.pledger if to_state == WITHDRAWN else w.owner)
    else:
        with pytest.raises(Conflict) as excinfo:
            act(w, pledge, to_state, note="Agreed at the board")
        assert excinfo.value.field == "state"
        assert excinfo.value.message == (
            f"This pledge is {from_state}, so it cannot be {ACTION_NAMES[to_state]}."
        )
        assert Pledge.objects.get(pk=pledge.pk).state == from_state
        assert totals(w.project) == expected_totals(w, kind, amount, from_state)
        assert list(pledge.events.values_list("sequence", "from_state", "to_state")) == (
            events_before
        )
    assert check_ledger() == []


def test_each_transition_appends_one_event_with_who_from_to_and_note(world):
    w = world
    pledge = services.pledge_offer(
        actor=w.pledger,
        project=w.project,
        council=w.partner,
        kind=Kind.MONEY,
        amount=250_000,
        note="  From our transformation budget  ",
    )
    services.pledge_accept(actor=w.owner, pledge=pledge, note="Thank you")
    services.pledge_fulfil(actor=w.owner, pledge=pledge, note="Invoice paid")
    events = list(pledge.events.order_by("sequence"))
    assert [(e.sequence, e.actor, e.from_state, e.to_state, e.note) for e in events] == [
        (1, w.pledger, "", OFFERED, "From our transformation budget"),
        (2, w.owner, OFFERED, ACCEPTED, "Thank you"),
        (3, w.owner, ACCEPTED, FULFILLED, "Invoice paid"),
    ]
    pledge.refresh_from_db()
    assert pledge.note == "From our transformation budget"
    assert pledge.amount == 250_000
    assert pledge.pledged_by == w.pledger


def test_time_pledge_for_a_need_takes_the_needs_role(world):
    w = world
    pledge = services.pledge_offer(
        actor=w.pledger,
        project=w.project,
        council=w.partner,
        kind=Kind.TIME,
        amount=9,
        need=w.time_need,
        role=Role.DESIGNER,
    )
    assert pledge.role == Role.DEVELOPER
    assert pledge.amount_display == "4.5 days"


def test_partner_count_counts_councils_with_accepted_or_fulfilled_pledges_once(world):
    w = world
    for state in (ACCEPTED, FULFILLED, OFFERED):
        make_pledge(w.project, council=w.partner, actor=w.pledger, amount=100, state=state)
    assert totals(w.project)["partner_count"] == 1
    make_pledge(w.project, amount=100, state=OFFERED)
    make_pledge(w.project, amount=100, state=DECLINED)
    make_pledge(w.project, amount=100, state=WITHDRAWN)
    assert totals(w.project)["partner_count"] == 1
    make_pledge(w.project, amount=100, state=FULFILLED)
    assert totals(w.project)["partner_count"] == 2
    row = totals(w.project)
    assert (row["money_offered"], row["money_accepted"], row["money_fulfilled"]) == (200, 100, 200)
    assert Project.objects.get(pk=w.project.pk).money_committed == 300


def test_withdrawing_an_accepted_pledge_takes_the_council_out_of_the_partners(world):
    w = world
    pledge = make_pledge(
        w.project, council=w.partner, actor=w.pledger, amount=500, need=w.money_need, state=ACCEPTED
    )
    assert totals(w.project)["partner_count"] == 1
    services.pledge_withdraw(actor=w.pledger, pledge=pledge, reason="Budget frozen")
    row = totals(w.project)
    assert row["partner_count"] == 0
    assert row["money_accepted"] == 0
    assert row[f"need {w.money_need.pk}"] == (0, 0, 0)


def test_organiser_can_pledge_for_a_council_and_walk_it_through(world):
    w = world
    organiser = OrganiserFactory()
    pledge = services.pledge_offer(
        actor=organiser, project=w.project, council=w.partner, kind=Kind.MONEY, amount=700
    )
    assert pledge.pledged_by == organiser
    services.pledge_accept(actor=organiser, pledge=pledge)
    services.pledge_withdraw(actor=organiser, pledge=pledge, reason="Entered by mistake")
    assert [e.actor for e in pledge.events.all()] == [organiser, organiser, organiser]


# --- 3. bad input ---------------------------------------------------------------------------

BAD_AMOUNTS = [
    (Kind.MONEY, 0, "The amount must be more than zero."),
    (Kind.MONEY, -100, "The amount must be more than zero."),
    (Kind.MONEY, MAX_MONEY_PENCE + 1, "The amount must be £10,000,000 or less."),
    (Kind.MONEY, 10**30, "The amount must be £10,000,000 or less."),
    (Kind.MONEY, 1.5, "Enter a whole number."),
    (Kind.MONEY, 100.0, "Enter a whole number."),
    (Kind.MONEY, Decimal("150"), "Enter a whole number."),
    (Kind.MONEY, "100", "Enter a whole number."),
    (Kind.MONEY, True, "Enter a whole number."),
    (Kind.MONEY, None, "Enter a whole number."),
    (Kind.TIME, 0, "The amount must be more than zero."),
    (Kind.TIME, -2, "The amount must be more than zero."),
    (Kind.TIME, MAX_HALF_DAYS + 1, "The time must be 2,000 days or less."),
    (Kind.TIME, 1.5, "Enter a whole number."),
    (Kind.TIME, Decimal("3"), "Enter a whole number."),
]


@pytest.mark.parametrize(("kind", "amount", "message"), BAD_AMOUNTS)
def test_pledge_with_a_bad_amount_is_refused_and_nothing_changes(world, kind, amount, message):
    w = world
    before = snapshot(w.project)
    with pytest.raises(InvalidInput) as excinfo:
        services.pledge_offer(
            actor=w.pledger, project=w.project, council=w.partner, kind=kind, amount=amount
        )
    assert (excinfo.value.field, excinfo.value.message) == ("amount", message)
    assert snapshot(w.project) == before


@pytest.mark.parametrize(("kind", "amount", "message"), BAD_AMOUNTS)
def test_need_with_a_bad_amount_is_refused_and_nothing_changes(world, kind, amount, message):
    w = world
    before = snapshot(w.project)
    role = Role.DESIGNER if kind == Kind.TIME else ""
    with pytest.raises(InvalidInput) as excinfo:
        services.need_add(actor=w.owner, project=w.project, kind=kind, amount=amount, role=role)
    assert (excinfo.value.field, excinfo.value.message) == ("amount", message)
    assert snapshot(w.project) == before


@pytest.mark.parametrize(
    ("kind", "amount", "field"),
    [(Kind.MONEY, 1, "money_offered"), (Kind.MONEY, MAX_MONEY_PENCE, "money_offered")]
    + [(Kind.TIME, 1, "half_days_offered"), (Kind.TIME, MAX_HALF_DAYS, "half_days_offered")],
)
def test_smallest_and_largest_amounts_are_taken_exactly(world, kind, amount, field):
    w = world
    services.pledge_offer(
        actor=w.pledger, project=w.project, council=w.partner, kind=kind, amount=amount
    )
    assert totals(w.project)[field] == amount


def test_needs_add_up_to_the_projects_goals_and_removal_takes_them_off(world):
    w = world
    project = Project.objects.get(pk=w.project.pk)
    assert (project.money_needed, project.half_days_needed) == (500_000, 40)
    need = services.need_add(
        actor=w.owner, project=project, kind=Kind.TIME, amount=7, role=Role.USER_RESEARCHER
    )
    services.need_add(actor=w.owner, project=project, kind=Kind.MONEY, amount=1)
    project.refresh_from_db()
    assert (project.money_needed, project.half_days_needed) == (500_001, 47)
    assert need.position == 2
    services.need_remove(actor=w.owner, need=need)
    project.refresh_from_db()
    assert (project.money_needed, project.half_days_needed) == (500_001, 40)
    assert not Need.objects.filter(pk=need.pk).exists()


def test_a_need_with_pledges_stays_on_the_record(world):
    w = world
    make_pledge(w.project, need=w.money_need, state=DECLINED)
    before = snapshot(w.project)
    with pytest.raises(Conflict) as excinfo:
        services.need_remove(actor=w.owner, need=w.money_need)
    assert excinfo.value.field == "need"
    assert excinfo.value.message == "This need has pledges against it, so it stays on the record."
    assert snapshot(w.project) == before


@pytest.mark.parametrize(
    ("kind", "role", "field", "message"),
    [
        ("gold", "", "kind", "Choose money or staff time."),
        (Kind.TIME, "", "role", "Choose the role you need."),
        (Kind.TIME, "wizard", "role", "Choose a role."),
        (Kind.MONEY, Role.DEVELOPER, "role", "Money has no role."),
    ],
)
def test_need_with_a_bad_kind_or_role_is_refused(world, kind, role, field, message):
    w = world
    before = snapshot(w.project)
    with pytest.raises(InvalidInput) as excinfo:
        services.need_add(actor=w.owner, project=w.project, kind=kind, amount=10, role=role)
    assert (excinfo.value.field, excinfo.value.message) == (field, message)
    assert snapshot(w.project) == before


@pytest.mark.parametrize(
    ("kind", "role", "field", "message"),
    [
        ("gold", "", "kind", "Choose money or staff time."),
        (Kind.TIME, "wizard", "role", "Choose a role."),
        (Kind.MONEY, Role.DEVELOPER, "role", "Money has no role."),
    ],
)
def test_pledge_with_a_bad_kind_or_role_is_refused(world, kind, role, field, message):
    w = world
    before = snapshot(w.project)
    with pytest.raises(InvalidInput) as excinfo:
        services.pledge_offer(
            actor=w.pledger, project=w.project, council=w.partner, kind=kind, amount=10, role=role
        )
    assert (excinfo.value.field, excinfo.value.message) == (field, message)
    assert snapshot(w.project) == before


@pytest.mark.parametrize(
    ("state", "hidden", "message"),
    [
        (State.DRAFT, False, "This project is not published, so it cannot take pledges."),
        (State.SEEKING_SUPPORT, True, "This project is not published, so it cannot take pledges."),
        (State.COMPLETED, False, "This project is completed and no longer takes pledges."),
        (State.CLOSED, False, "This project is closed and no longer takes pledges."),
    ],
)
def test_no_pledges_to_a_project_that_is_not_taking_them(world, state, hidden, message):
    w = world
    Project.objects.filter(pk=w.project.pk).update(
        state=state, is_hidden=hidden, hidden_reason="Duplicate" if hidden else ""
    )
    before = snapshot(w.project)
    with pytest.raises(Conflict) as excinfo:
        services.pledge_offer(
            actor=w.pledger, project=w.project, council=w.partner, kind=Kind.MONEY, amount=100
        )
    assert excinfo.value.message == message
    assert excinfo.value.field is None
    assert snapshot(w.project) == before


def test_a_project_in_delivery_still_takes_pledges(world):
    w = world
    Project.objects.filter(pk=w.project.pk).update(state=State.IN_DELIVERY)
    services.pledge_offer(
        actor=w.pledger, project=w.project, council=w.partner, kind=Kind.MONEY, amount=100
    )
    assert totals(w.project)["money_offered"] == 100


def test_pledging_closes_after_the_deadline_day(world):
    w = world
    Project.objects.filter(pk=w.project.pk).update(pledging_deadline=date(2031, 3, 31))

    def offer():
        return services.pledge_offer(
            actor=w.pledger, project=w.project, council=w.partner, kind=Kind.MONEY, amount=100
        )

    with time_machine.travel(datetime(2031, 3, 31, 23, 30, tzinfo=LONDON), tick=False):
        offer()  # the last evening of the deadline day, UK time
    with time_machine.travel(datetime(2031, 4, 1, 0, 30, tzinfo=LONDON), tick=False):
        before = snapshot(w.project)
        with pytest.raises(Conflict) as excinfo:
            offer()
        assert excinfo.value.message == (
            "The pledging deadline for this project passed on 31 March 2031."
        )
        assert snapshot(w.project) == before
    assert totals(w.project)["money_offered"] == 100


def test_deadline_in_the_past_refuses_pledges(world):
    w = world
    yesterday = timezone.localdate() - timedelta(days=1)
    Project.objects.filter(pk=w.project.pk).update(pledging_deadline=yesterday)
    before = snapshot(w.project)
    with pytest.raises(Conflict, match="The pledging deadline for this project passed on"):
        services.pledge_offer(
            actor=w.pledger, project=w.project, council=w.partner, kind=Kind.MONEY, amount=100
        )
    assert snapshot(w.project) == before


def test_accepting_a_withdrawn_pledge_is_refused(world):
    w = world
    pledge = make_pledge(w.project, council=w.partner, actor=w.pledger, state=WITHDRAWN)
    before = snapshot(w.project)
    with pytest.raises(Conflict) as excinfo:
        services.pledge_accept(actor=w.owner, pledge=pledge)
    assert excinfo.value.message == "This pledge is withdrawn, so it cannot be accepted."
    assert snapshot(w.project) == before


def test_withdrawing_twice_is_refused(world):
    w = world
    pledge = make_pledge(w.project, council=w.partner, actor=w.pledger, amount=300)
    services.pledge_withdraw(actor=w.pledger, pledge=pledge, reason="Budget frozen")
    before = snapshot(w.project)
    with pytest.raises(Conflict) as excinfo:
        services.pledge_withdraw(actor=w.pledger, pledge=pledge, reason="Again")
    assert excinfo.value.message == "This pledge is withdrawn, so it cannot be withdrawn."
    assert snapshot(w.project) == before
    assert pledge.events.count() == 2
    assert pledge.events.last().note == "Budget frozen"


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_withdrawing_needs_a_reason(world, reason):
    w = world
    pledge = make_pledge(w.project, council=w.partner, actor=w.pledger, state=ACCEPTED)
    before = snapshot(w.project)
    with pytest.raises(InvalidInput) as excinfo:
        services.pledge_withdraw(actor=w.pledger, pledge=pledge, reason=reason)
    assert excinfo.value.field == "reason"
    assert excinfo.value.message == "Give a reason for withdrawing; the project team will see it."
    assert snapshot(w.project) == before


def test_pledge_for_a_need_of_another_project_is_refused(world):
    w = world
    elsewhere = published_project()
    before = snapshot(w.project)
    with pytest.raises(InvalidInput) as excinfo:
        services.pledge_offer(
            actor=w.pledger,
            project=w.project,
            council=w.partner,
            kind=Kind.MONEY,
            amount=100,
            need=elsewhere.needs.get(kind=Kind.MONEY),
        )
    assert (excinfo.value.field, excinfo.value.message) == (
        "need",
        "That need belongs to another project.",
    )
    assert snapshot(w.project) == before
    assert totals(elsewhere)["money_offered"] == 0


@pytest.mark.parametrize(
    ("kind", "need_kind", "message"),
    [
        (Kind.TIME, Kind.MONEY, "This need asks for money."),
        (Kind.MONEY, Kind.TIME, "This need asks for staff time."),
    ],
)
def test_pledge_kind_must_match_the_need(world, kind, need_kind, message):
    w = world
    before = snapshot(w.project)
    with pytest.raises(InvalidInput) as excinfo:
        services.pledge_offer(
            actor=w.pledger,
            project=w.project,
            council=w.partner,
            kind=kind,
            amount=10,
            need=w.project.needs.get(kind=need_kind),
        )
    assert (excinfo.value.field, excinfo.value.message) == ("kind", message)
    assert snapshot(w.project) == before


@pytest.mark.parametrize("who", ["lead_member", "owner", "organiser"])
def test_the_lead_council_cannot_pledge_to_its_own_project(world, who):
    w = world
    actor = {
        "lead_member": verified_member(w.lead),
        "owner": w.owner,
        "organiser": OrganiserFactory(),
    }[who]
    before = snapshot(w.project)
    with pytest.raises(InvalidInput) as excinfo:
        services.pledge_offer(
            actor=actor, project=w.project, council=w.lead, kind=Kind.MONEY, amount=100
        )
    assert excinfo.value.field == "council"
    assert (
        excinfo.value.message == "Leadshire leads this project; pledges come from other councils."
    )
    assert snapshot(w.project) == before


def test_a_note_longer_than_2000_characters_is_refused(world):
    w = world
    before = snapshot(w.project)
    with pytest.raises(InvalidInput) as excinfo:
        services.pledge_offer(
            actor=w.pledger,
            project=w.project,
            council=w.partner,
            kind=Kind.MONEY,
            amount=100,
            note="x" * 2001,
        )
    assert excinfo.value.field == "note"
    assert snapshot(w.project) == before
    pledge = make_pledge(w.project, council=w.partner, actor=w.pledger)
    before = snapshot(w.project)
    with pytest.raises(InvalidInput) as excinfo:
        services.pledge_accept(actor=w.owner, pledge=pledge, note="y" * 2001)
    assert excinfo.value.field == "note"
    assert snapshot(w.project) == before


# --- projects: create, update, state, phase -------------------------------------------------


def test_create_makes_a_draft_owned_by_the_proposer():
    council = CouncilFactory()
    member = verified_member(council)
    project = services.project_create(
        actor=member, lead_council=council, title="  Street lights  ", summary=" Report faults "
    )
    assert (project.title, project.summary, project.slug) == (
        "Street lights",
        "Report faults",
        "street-lights",
    )
    assert (project.state, project.phase, project.owner, project.lead_council) == (
        State.DRAFT,
        Phase.IDEA,
        member,
        council,
    )
    again = services.project_create(
        actor=member, lead_council=council, title="Street lights", summary="Another"
    )
    assert again.slug == "street-lights-2"


@pytest.mark.parametrize(
    ("title", "summary", "field", "message"),
    [
        ("", "A summary", "title", "Enter the project name"),
        ("   ", "A summary", "title", "Enter the project name"),
        ("A title", "", "summary", "Enter a summary"),
        ("x" * 121, "A summary", "title", "The project name must be 120 characters or fewer."),
        ("A title", "x" * 301, "summary", "The summary must be 300 characters or fewer."),
    ],
)
def test_create_refuses_missing_or_overlong_text(title, summary, field, message):
    council = CouncilFactory()
    member = verified_member(council)
    with pytest.raises(InvalidInput) as excinfo:
        services.project_create(actor=member, lead_council=council, title=title, summary=summary)
    assert (excinfo.value.field, excinfo.value.message) == (field, message)
    assert not Project.objects.exists()


def test_create_refuses_an_ended_council():
    council = CouncilFactory(end_date=date(2020, 3, 31), start_date=date(1974, 4, 1))
    member = verified_member(council)
    with pytest.raises(InvalidInput) as excinfo:
        services.project_create(actor=member, lead_council=council, title="T", summary="S")
    assert (excinfo.value.field, excinfo.value.message) == (
        "lead_council",
        "That council has ended.",
    )
    assert not Project.objects.exists()


def test_update_changes_only_the_editable_fields(world):
    w = world
    services.project_update(
        actor=w.owner, project=w.project, title=" New name ", partner_target=12, licence="MIT"
    )
    project = Project.objects.get(pk=w.project.pk)
    assert (project.title, project.partner_target, project.licence) == ("New name", 12, "MIT")
    before = snapshot(w.project)
    with pytest.raises(InvalidInput) as excinfo:
        services.project_update(
            actor=w.owner, project=w.project, state=State.COMPLETED, money_accepted=1
        )
    assert excinfo.value.message == "These fields cannot be changed: money_accepted, state"
    assert snapshot(w.project) == before


BAD_ADDRESS = "Enter a web address starting https:// or http://, like https://example.org"
UNSAFE_ADDRESS = (
    "A web address cannot contain spaces, quotes, angle brackets, backslashes or control characters"
)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "  "}, "title", "Enter the project name"),
        ({"summary": ""}, "summary", "Enter a summary"),
        ({"title": "x" * 121}, "title", "The project name must be 120 characters or fewer."),
        ({"partner_target": 0}, "partner_target", "The target must be between 1 and 400 councils."),
        (
            {"partner_target": 401},
            "partner_target",
            "The target must be between 1 and 400 councils.",
        ),
        (
            {"partner_target": -1},
            "partner_target",
            "The target must be between 1 and 400 councils.",
        ),
        ({"licence": "WTFPL"}, "licence", "Choose a licence."),
        ({"code_url": "javascript:alert(1)"}, "code_url", BAD_ADDRESS),
        ({"prototype_url": "not a url"}, "prototype_url", UNSAFE_ADDRESS),
        (
            {"code_url": 'https://example.org/"><script>alert(1)</script>'},
            "code_url",
            UNSAFE_ADDRESS,
        ),
        ({"code_url": "https://example.org/a'b"}, "code_url", UNSAFE_ADDRESS),
        ({"prototype_url": "https://example.org/<b>"}, "prototype_url", UNSAFE_ADDRESS),
        ({"prototype_url": "https://example.org/a\x07b"}, "prototype_url", UNSAFE_ADDRESS),
        ({"prototype_url": "ftp://example.org/"}, "prototype_url", BAD_ADDRESS),
        (
            {"pledging_deadline": date(2020, 1, 1)},
            "pledging_deadline",
            "The pledging deadline must be today or in the future.",
        ),
        (
            {"pledging_deadline": date(1, 1, 1)},
            "pledging_deadline",
            "The pledging deadline must be today or in the future.",
        ),
        (
            {"pledging_deadline": date(9999, 12, 31)},
            "pledging_deadline",
            "The pledging deadline must be within 5 years: 14 March 2031 at the latest.",
        ),
    ],
)
@time_machine.travel(datetime(2026, 3, 14, 12, tzinfo=ZoneInfo("UTC")), tick=False)
def test_update_refuses_bad_values_and_changes_nothing(world, fields, field, message):
    w = world
    before = Project.objects.filter(pk=w.project.pk).values().get()
    with pytest.raises(InvalidInput) as excinfo:
        services.project_update(actor=w.owner, project=w.project, **fields)
    assert (excinfo.value.field, excinfo.value.message) == (field, message)
    assert Project.objects.filter(pk=w.project.pk).values().get() == before


@pytest.mark.parametrize("state", [State.IN_DELIVERY, State.COMPLETED, State.CLOSED])
@time_machine.travel(datetime(2026, 3, 14, 12, tzinfo=ZoneInfo("UTC")), tick=False)
def test_a_deadline_being_set_is_checked_whatever_the_state(world, state):
    """0001-01-01 was accepted on a project in delivery; one already past still lets the
    project's other details change."""
    w = world
    Project.objects.filter(pk=w.project.pk).update(state=state, pledging_deadline=date(2026, 1, 1))
    for bad in (date(1, 1, 1), date(2026, 3, 13), date(2031, 3, 15)):
        with pytest.raises(InvalidInput) as excinfo:
            services.project_update(actor=w.owner, project=w.project, pledging_deadline=bad)
        assert excinfo.value.field == "pledging_deadline"
    services.project_update(actor=w.owner, project=w.project, summary="Still editable")
    for good in (date(2026, 3, 14), date(2031, 3, 14), None):
        services.project_update(actor=w.owner, project=w.project, pledging_deadline=good)
        assert Project.objects.get(pk=w.project.pk).pledging_deadline == good


@pytest.mark.parametrize(
    "address",
    ["https://github.com/council/project", "http://example.org/a?b=c&d=e#f", "https://x.gov.uk"],
)
def test_ordinary_web_addresses_are_accepted(world, address):
    project = services.project_update(
        actor=world.owner, project=world.project, code_url=address, prototype_url=address
    )
    assert (project.code_url, project.prototype_url) == (address, address)


def test_update_can_clear_the_partner_target(world):
    w = world
    services.project_update(actor=w.owner, project=w.project, partner_target=5)
    services.project_update(actor=w.owner, project=w.project, partner_target=None)
    assert Project.objects.get(pk=w.project.pk).partner_target is None


STATE_LEGAL = {
    (State.DRAFT, State.SEEKING_SUPPORT),
    (State.DRAFT, State.CLOSED),
    (State.SEEKING_SUPPORT, State.IN_DELIVERY),
    (State.SEEKING_SUPPORT, State.CLOSED),
    (State.IN_DELIVERY, State.SEEKING_SUPPORT),
    (State.IN_DELIVERY, State.COMPLETED),
    (State.IN_DELIVERY, State.CLOSED),
}


@pytest.mark.parametrize("to_state", State.values)
@pytest.mark.parametrize("from_state", State.values)
def test_project_state_table(world, from_state, to_state):
    w = world
    published_at = None if from_state == State.DRAFT else timezone.now() - timedelta(days=3)
    Project.objects.filter(pk=w.project.pk).update(state=from_state, published_at=published_at)
    if (from_state, to_state) in STATE_LEGAL:
        services.project_set_state(actor=w.owner, project=w.project, state=to_state)
        project = Project.objects.get(pk=w.project.pk)
        assert project.state == to_state
        if from_state == State.DRAFT and to_state == State.SEEKING_SUPPORT:
            assert project.published_at is not None
        else:
            assert project.published_at == published_at  # publishing again keeps the first date
    else:
        before = snapshot(w.project)
        with pytest.raises(Conflict) as excinfo:
            services.project_set_state(actor=w.owner, project=w.project, state=to_state)
        assert excinfo.value.field == "state"
        was, wanted = State(from_state).label.lower(), State(to_state).label.lower()
        assert excinfo.value.message == f"A project that is {was} cannot become {wanted}."
        assert snapshot(w.project) == before


def test_unknown_state_is_invalid_input(world):
    w = world
    with pytest.raises(InvalidInput) as excinfo:
        services.project_set_state(actor=w.owner, project=w.project, state="archived")
    assert (excinfo.value.field, excinfo.value.message) == ("state", "Choose a state.")


def test_publishing_with_no_needs_is_refused(world):
    w = world
    draft = ProjectFactory(lead_council=w.lead, owner=w.owner)
    before = snapshot(draft)
    with pytest.raises(InvalidInput) as excinfo:
        services.project_set_state(actor=w.owner, project=draft, state=State.SEEKING_SUPPORT)
    assert excinfo.value.field == "needs"
    assert excinfo.value.message == "Add at least one need (money or staff time) before publishing."
    assert snapshot(draft) == before
    assert not Project.objects.visible().filter(pk=draft.pk).exists()


def test_publishing_with_a_past_deadline_is_refused(world):
    w = world
    draft = ProjectFactory(lead_council=w.lead, owner=w.owner, pledging_deadline=date(2020, 1, 1))
    NeedFactory(project=draft)
    with pytest.raises(InvalidInput) as excinfo:
        services.project_set_state(actor=w.owner, project=draft, state=State.SEEKING_SUPPORT)
    assert excinfo.value.field == "pledging_deadline"
    assert Project.objects.get(pk=draft.pk).state == State.DRAFT


def test_publishing_makes_the_project_public(world):
    w = world
    draft = ProjectFactory(lead_council=w.lead, owner=w.owner)
    NeedFactory(project=draft)
    assert not Project.objects.visible().filter(pk=draft.pk).exists()
    services.project_set_state(actor=w.owner, project=draft, state=State.SEEKING_SUPPORT)
    assert Project.objects.visible().filter(pk=draft.pk).exists()


PHASES = Phase.values


def phase_outcome(from_phase: str, to_phase: str) -> str | None:
    """None when the move is allowed, else the message a person sees."""
    current, target = PHASES.index(from_phase), PHASES.index(to_phase)
    if from_phase == Phase.RETIRED:
        return "A retired project cannot change phase."
    if target == current:
        return "The project is already in that phase."
    if target < current - 1:
        return "A project can only go back one phase at a time."
    return None


@pytest.mark.parametrize("to_phase", PHASES)
@pytest.mark.parametrize("from_phase", PHASES)
def test_project_phase_table(world, from_phase, to_phase):
    w = world
    Project.objects.filter(pk=w.project.pk).update(phase=from_phase)
    message = phase_outcome(from_phase, to_phase)
    if message is None:
        services.project_set_phase(actor=w.owner, project=w.project, phase=to_phase)
        assert Project.objects.get(pk=w.project.pk).phase == to_phase
    else:
        before = snapshot(w.project)
        with pytest.raises(Conflict) as excinfo:
            services.project_set_phase(actor=w.owner, project=w.project, phase=to_phase)
        assert (excinfo.value.field, excinfo.value.message) == ("phase", message)
        assert snapshot(w.project) == before


def test_phase_moves_forward_several_steps_and_back_one():
    project = published_project()
    owner = project.owner
    services.project_set_phase(actor=owner, project=project, phase=Phase.BETA)
    services.project_set_phase(actor=owner, project=project, phase=Phase.ALPHA)
    with pytest.raises(Conflict):
        services.project_set_phase(actor=owner, project=project, phase=Phase.IDEA)
    assert Project.objects.get(pk=project.pk).phase == Phase.ALPHA


@pytest.mark.parametrize("to_phase", [Phase.DISCOVERY, Phase.LIVE, Phase.RETIRED])
def test_a_closed_project_cannot_change_phase(world, to_phase):
    w = world
    Project.objects.filter(pk=w.project.pk).update(state=State.CLOSED, phase=Phase.ALPHA)
    before = snapshot(w.project)
    with pytest.raises(Conflict) as excinfo:
        services.project_set_phase(actor=w.owner, project=w.project, phase=to_phase)
    assert (excinfo.value.field, excinfo.value.message) == (
        "phase",
        "A closed project cannot change phase.",
    )
    assert snapshot(w.project) == before


def test_a_completed_project_can_retire(world):
    w = world
    Project.objects.filter(pk=w.project.pk).update(state=State.COMPLETED, phase=Phase.LIVE)
    services.project_set_phase(actor=w.owner, project=w.project, phase=Phase.RETIRED)
    assert Project.objects.get(pk=w.project.pk).phase == Phase.RETIRED


def test_unknown_phase_is_invalid_input(world):
    w = world
    with pytest.raises(InvalidInput) as excinfo:
        services.project_set_phase(actor=w.owner, project=w.project, phase="gamma")
    assert (excinfo.value.field, excinfo.value.message) == ("phase", "Choose a phase.")


@pytest.mark.parametrize("state", [State.COMPLETED, State.CLOSED])
def test_a_finished_project_takes_no_new_needs(world, state):
    w = world
    Project.objects.filter(pk=w.project.pk).update(state=state)
    before = snapshot(w.project)
    with pytest.raises(Conflict) as excinfo:
        services.need_add(actor=w.owner, project=w.project, kind=Kind.MONEY, amount=100)
    assert excinfo.value.message == "A completed or closed project cannot add needs."
    assert snapshot(w.project) == before


def test_a_refused_write_sends_no_email(world, django_capture_on_commit_callbacks, mailoutbox):
    w = world
    pledge = make_pledge(w.project, council=w.partner, actor=w.pledger, state=DECLINED)
    mailoutbox.clear()
    emails_before = Delivery.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Conflict):
        services.pledge_accept(actor=w.owner, pledge=pledge)
    assert callbacks == []
    assert mailoutbox == []
    assert Delivery.objects.count() == emails_before


def test_totals_survive_many_mixed_operations(world):
    """A longer story; the stored totals equal a sum over the pledges at every step."""
    w = world
    councils = [CouncilFactory() for _ in range(3)]
    members = {c.pk: verified_member(c) for c in councils}
    pledges = []
    for i in range(12):
        council = councils[i % 3]
        kind = Kind.MONEY if i % 2 else Kind.TIME
        pledges.append(
            services.pledge_offer(
                actor=members[council.pk],
                project=w.project,
                council=council,
                kind=kind,
                amount=100 + i,
                need=w.money_need if kind == Kind.MONEY and i % 4 == 1 else None,
            )
        )
    for i, pledge in enumerate(pledges):
        if i % 3 == 0:
            services.pledge_decline(actor=w.owner, pledge=pledge)
        elif i % 3 == 1:
            services.pledge_accept(actor=w.owner, pledge=pledge)
            if i % 2:
                services.pledge_fulfil(actor=w.owner, pledge=pledge)
        else:
            services.pledge_withdraw(
                actor=members[pledge.council_id], pledge=pledge, reason="Changed plans"
            )
        row = totals(w.project)
        for prefix, kind in (("money", Kind.MONEY), ("half_days", Kind.TIME)):
            for state in (OFFERED, ACCEPTED, FULFILLED):
                expected = sum(
                    p.amount
                    for p in Pledge.objects.filter(project=w.project, kind=kind, state=state)
                )
                assert row[f"{prefix}_{state}"] == expected
        partners = (
            Pledge.objects.filter(project=w.project)
            .filter(Q(state=ACCEPTED) | Q(state=FULFILLED))
            .values("council")
            .distinct()
            .count()
        )
        assert row["partner_count"] == partners
    assert check_ledger() == []


# --- phases while proposing, and the timeline of a published project ------------------------


def test_a_draft_takes_any_phase_but_retired_and_records_nothing_on_a_timeline():
    project = ProjectFactory(phase=Phase.BETA)
    owner = project.owner
    services.project_set_phase(actor=owner, project=project, phase=Phase.IDEA)  # back two
    project.refresh_from_db()
    assert project.phase == Phase.IDEA
    with pytest.raises(Conflict, match="cannot be proposed as retired"):
        services.project_set_phase(actor=owner, project=project, phase=Phase.RETIRED)
    assert not project.updates.exists()


def test_a_published_projects_phase_and_state_changes_go_on_its_timeline():
    project = published_project(phase=Phase.ALPHA, language="cy")
    owner = project.owner
    services.project_set_phase(actor=owner, project=project, phase=Phase.BETA)
    services.project_set_state(actor=owner, project=project, state=State.IN_DELIVERY)
    services.project_set_state(actor=owner, project=project, state=State.COMPLETED)
    updates = list(project.updates.order_by("pk"))
    # Written in the project's own language, as the rest of its text is.
    assert [u.title for u in updates] == [
        "Bellach yn y cyfnod beta",
        "Bellach yn cael ei ddarparu",
        "Wedi'i gwblhau",
    ]
    assert all(u.author == owner and u.created_at for u in updates)
    assert (updates[0].from_phase, updates[0].to_phase) == (Phase.ALPHA, Phase.BETA)
