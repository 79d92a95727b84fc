"""Pledges and the append-only ledger.

Each pledge write locks the project row first, then the pledge, so concurrent writers on one
project queue up and the stored totals, recalculated from the pledges in the same transaction,
always equal the ledger.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput, NotAllowed
from core.validators import check_web_address
from councils.models import Council
from councils.selectors import user_is_council_approver, user_may_act_for_council

from .. import notifications
from ..models import (
    MAX_OTHER_COUNCILS,
    PLEDGE_TRANSITIONS,
    Kind,
    Need,
    Pledge,
    PledgeDecisionRecord,
    PledgeEvent,
    PledgeState,
    Project,
)
from ..permissions import (
    DECISION_RECORD_STATES,
    pledge_closed_reason,
    pledge_needs_sign_off,
    user_can_record_decision,
    user_can_withdraw_pledge,
)
from .projects import _lock_project, _require_manager, _validate_kind_role, validate_amount
from .totals import recalculate_totals

User = get_user_model()


# --- pledges --------------------------------------------------------------------------------


def _notes(note: str, private_note: str) -> tuple[str, str]:
    """The public and the private note, trimmed and checked."""
    note, private_note = note.strip(), private_note.strip()
    if len(note) > 2000:
        raise InvalidInput(_("The note must be 2,000 characters or fewer."), field="note")
    if len(private_note) > 2000:
        raise InvalidInput(
            _("The private note must be 2,000 characters or fewer."), field="private_note"
        )
    return note, private_note


def _append_event(
    *,
    pledge: Pledge,
    actor: User,
    from_state: str,
    to_state: str,
    note: str,
    private_note: str = "",
) -> None:
    last = pledge.events.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    PledgeEvent.objects.create(
        pledge=pledge,
        sequence=last + 1,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        note=note,
        private_note=private_note,
        created_at=timezone.now(),
    )


@transaction.atomic
def pledge_offer(
    *,
    actor: User,
    project: Project,
    council: Council,
    kind: str,
    amount: int,
    need: Need | None = None,
    role: str = "",
    note: str = "",
    private_note: str = "",
    min_other_councils: int | None = None,
    match_percent: int | None = None,
) -> Pledge:
    """A verified member offers money or staff time from their council.

    ``note`` is public (the pledge's page, its history, the open data); ``private_note`` is for
    the pledging and the lead council only. ``min_other_councils`` makes the offer stand only
    once that many other councils pledge too (it waits as conditional until then);
    ``match_percent`` makes it a match of the others' accepted pledges, with ``amount`` as the
    cap (README, "Conditional and match pledges").
    """
    project = _lock_project(project)
    if not (actor.is_organiser or user_may_act_for_council(user=actor, council=council)):
        raise NotAllowed(
            _("Only verified members of %(council)s can pledge for it.")
            % {"council": council.display_name},
            field="council",
        )
    closed = pledge_closed_reason(project)
    if closed:
        raise Conflict(closed)
    if council.pk == project.lead_council_id:
        raise InvalidInput(
            _("%(council)s leads this project; pledges come from other councils.")
            % {"council": council.display_name},
            field="council",
        )
    if need is not None:
        if need.project_id != project.pk:
            raise InvalidInput(_("That need belongs to another project."), field="need")
        need = Need.objects.get(pk=need.pk)  # read afresh: it may have just been marked met
        if need.is_met:
            raise Conflict(_("This need has been met, so it takes no new offers."), field="need")
        if kind != need.kind:
            raise InvalidInput(
                _("This need asks for %(kind)s.") % {"kind": need.get_kind_display().lower()},
                field="kind",
            )
        role = need.role
    _validate_kind_role(kind, role, role_required=False)
    validate_amount(kind, amount)
    _validate_conditions(min_other_councils, match_percent)
    note, private_note = _notes(note, private_note)
    now = timezone.now()
    # Over the council's delegated limit anyone but an approver's offer waits inside the
    # council for one. The council row is read afresh: its limits may have just changed.
    council = Council.objects.get(pk=council.pk)
    waits = pledge_needs_sign_off(actor, council, kind, amount)
    if waits:
        state = PledgeState.PENDING
    elif min_other_councils is not None:
        state = PledgeState.CONDITIONAL
    else:
        state = PledgeState.OFFERED
    pledge = Pledge.objects.create(
        project=project,
        need=need,
        council=council,
        pledged_by=actor,
        kind=kind,
        role=role if kind == Kind.TIME else "",
        amount=amount,
        note=note,
        private_note=private_note,
        state=state,
        created_at=now,
        state_changed_at=now,
        offered_at=None if waits else now,
        min_other_councils=min_other_councils,
        match_percent=match_percent,
        matched_amount=None if match_percent is None else 0,
    )
    _append_event(
        pledge=pledge,
        actor=actor,
        from_state="",
        to_state=state,
        note=note,
        private_note=private_note,
    )
    notifications.pledge_changed(pledge, state)
    # Even one waiting for sign-off: a match follows the others from the start. A condition
    # already met makes the new pledge an offer here, by Pipeline, in the same transaction.
    recalculate_totals(project)
    pledge.refresh_from_db()
    return pledge


def _validate_conditions(min_other_councils: int | None, match_percent: int | None) -> None:
    """Whole numbers in range; a bool is not a number of councils."""
    if min_other_councils is not None and (
        isinstance(min_other_councils, bool)
        or not isinstance(min_other_councils, int)
        or not 1 <= min_other_councils <= MAX_OTHER_COUNCILS
    ):
        raise InvalidInput(
            _("Enter a whole number of councils between 1 and %(max)s.")
            % {"max": MAX_OTHER_COUNCILS},
            field="min_other_councils",
        )
    if match_percent is not None and (
        isinstance(match_percent, bool)
        or not isinstance(match_percent, int)
        or not 1 <= match_percent <= 100
    ):
        raise InvalidInput(_("Enter a whole percentage between 1 and 100."), field="match_percent")


def _transition(
    *, actor: User, pledge: Pledge, to_state: str, note: str, check, private_note: str = ""
) -> Pledge:
    project = _lock_project(pledge.project)
    try:
        pledge = Pledge.objects.select_for_update().get(pk=pledge.pk, project=project)
    except Pledge.DoesNotExist as exc:  # pragma: no cover - a pledge never changes project
        raise Conflict(_("This pledge is not part of this project.")) from exc
    pledge.project = project
    check(actor, pledge)
    if to_state not in PLEDGE_TRANSITIONS[pledge.state]:
        raise Conflict(
            _("This pledge is %(state)s, so it cannot be %(action)s.")
            % {
                "state": pledge.get_state_display().lower(),
                "action": PledgeState(to_state).label.lower(),
            },
            field="state",
        )
    note, private_note = _notes(note, private_note)
    from_state = pledge.state
    pledge.state = to_state
    pledge.state_changed_at = timezone.now()
    fields = ["state", "state_changed_at"]
    if pledge.offered_at is None and to_state in (PledgeState.OFFERED, PledgeState.CONDITIONAL):
        # Signed off: the lead council sees it from now, as an offer or a conditional one.
        pledge.offered_at = pledge.state_changed_at
        fields.append("offered_at")
    pledge.save(update_fields=fields)
    try:
        with transaction.atomic():
            _append_event(
                pledge=pledge,
                actor=actor,
                from_state=from_state,
                to_state=to_state,
                note=note,
                private_note=private_note,
            )
    except IntegrityError as exc:  # a concurrent writer got there first
        raise Conflict(_("This pledge changed while you were deciding; look again.")) from exc
    notifications.pledge_changed(pledge, to_state, from_state=from_state)
    recalculate_totals(project)
    pledge.refresh_from_db()  # a condition met, or a match amount moved, just now
    return pledge


def _manager_check(actor: User, pledge: Pledge) -> None:
    _require_manager(actor, pledge.project)
    if not pledge.is_public:  # still inside the pledging council: not the project's to decide
        raise NotAllowed(_("This pledge has not been offered to the project."))


def _withdraw_check(actor: User, pledge: Pledge) -> None:
    if not user_can_withdraw_pledge(actor, pledge):
        raise NotAllowed(
            _("Only verified members of %(council)s can withdraw its pledge.")
            % {"council": pledge.council.display_name}
        )


@transaction.atomic
def pledge_accept(*, actor: User, pledge: Pledge, note: str = "", private_note: str = "") -> Pledge:
    return _transition(
        actor=actor,
        pledge=pledge,
        to_state=PledgeState.ACCEPTED,
        note=note,
        private_note=private_note,
        check=_manager_check,
    )


@transaction.atomic
def pledge_decline(
    *, actor: User, pledge: Pledge, note: str = "", private_note: str = ""
) -> Pledge:
    return _transition(
        actor=actor,
        pledge=pledge,
        to_state=PledgeState.DECLINED,
        note=note,
        private_note=private_note,
        check=_manager_check,
    )


@transaction.atomic
def pledge_fulfil(*, actor: User, pledge: Pledge, note: str = "", private_note: str = "") -> Pledge:
    """The owner marks an accepted pledge delivered. A match pledge is fulfilled at what it
    gives at that moment, which it then keeps; one that gives nothing yet cannot be."""

    def check(actor: User, pledge: Pledge) -> None:
        _manager_check(actor, pledge)
        if pledge.is_match and pledge.state == PledgeState.ACCEPTED and not pledge.matched_amount:
            raise Conflict(
                _(
                    "This match gives nothing yet: other councils have no accepted pledges "
                    "of this kind to match."
                ),
                field="state",
            )

    return _transition(
        actor=actor,
        pledge=pledge,
        to_state=PledgeState.FULFILLED,
        note=note,
        private_note=private_note,
        check=check,
    )


@transaction.atomic
def pledge_withdraw(*, actor: User, pledge: Pledge, reason: str, private_note: str = "") -> Pledge:
    def check(actor: User, pledge: Pledge) -> None:
        _withdraw_check(actor, pledge)  # who may comes before what they sent
        if not reason.strip():
            raise InvalidInput(
                _("Give a reason for withdrawing; the project team will see it."), field="reason"
            )

    return _transition(
        actor=actor,
        pledge=pledge,
        to_state=PledgeState.WITHDRAWN,
        note=reason,
        private_note=private_note,
        check=check,
    )


def _approver_check(actor: User, pledge: Pledge) -> None:
    if not user_is_council_approver(user=actor, council=pledge.council):
        raise NotAllowed(
            _("Only an approver of %(council)s can sign off its pledges.")
            % {"council": pledge.council.display_name}
        )


@transaction.atomic
def pledge_approve(
    *, actor: User, pledge: Pledge, note: str = "", private_note: str = ""
) -> Pledge:
    """An approver of the pledging council signs off a pledge over its delegated limit: it
    becomes an offer the lead council sees, or a conditional one if it has a condition (which
    becomes an offer at once, by Pipeline, if the condition is already met)."""
    # The condition is fixed when the pledge is made, so the one passed in tells it.
    to_state = PledgeState.CONDITIONAL if pledge.has_condition else PledgeState.OFFERED
    return _transition(
        actor=actor,
        pledge=pledge,
        to_state=to_state,
        note=note,
        private_note=private_note,
        check=_approver_check,
    )


@transaction.atomic
def pledge_refuse(*, actor: User, pledge: Pledge, reason: str, private_note: str = "") -> Pledge:
    """An approver of the pledging council says no. The pledger hears why; the lead council
    never knew of it."""

    def check(actor: User, pledge: Pledge) -> None:
        _approver_check(actor, pledge)
        if not reason.strip():
            raise InvalidInput(
                _("Give a reason for refusing; the person who pledged will see it."),
                field="reason",
            )

    return _transition(
        actor=actor,
        pledge=pledge,
        to_state=PledgeState.REFUSED,
        note=reason,
        private_note=private_note,
        check=check,
    )


@transaction.atomic
def pledge_record_decision(
    *, actor: User, pledge: Pledge, title: str, decided_on: date, url: str
) -> PledgeDecisionRecord:
    """Attach the council's published decision (a delegated decision, a cabinet or committee
    minute) to its pledge. Once only: the record, like the ledger, is never changed."""
    try:
        pledge = Pledge.objects.select_for_update().select_related("council").get(pk=pledge.pk)
    except Pledge.DoesNotExist as exc:  # pragma: no cover - pledges are never deleted
        raise Conflict(_("This pledge no longer exists.")) from exc
    if not user_can_record_decision(actor, pledge):
        raise NotAllowed(
            _(
                "Only an approver of %(council)s, or the person who pledged within its "
                "delegated limit, can record the decision behind this pledge."
            )
            % {"council": pledge.council.display_name}
        )
    if pledge.state not in DECISION_RECORD_STATES:
        raise Conflict(
            _("This pledge is %(state)s, so a decision can no longer be recorded for it.")
            % {"state": pledge.get_state_display().lower()},
            field="state",
        )
    if PledgeDecisionRecord.objects.filter(pledge=pledge).exists():
        raise Conflict(
            _("A decision is already recorded for this pledge; it cannot be changed."),
            field="decision_record",
        )
    title = title.strip()
    if not title:
        raise InvalidInput(_("Enter the title of the decision."), field="title")
    if len(title) > 200:
        raise InvalidInput(
            _("The title of the decision must be 200 characters or fewer."), field="title"
        )
    if decided_on > timezone.localdate():
        raise InvalidInput(
            _("The date of the decision must be today or in the past."), field="date"
        )
    url = url.strip()
    if len(url) > 500:
        raise InvalidInput(_("The link must be 500 characters or fewer."), field="url")
    check_web_address(url, field="url")
    try:
        with transaction.atomic():
            record = PledgeDecisionRecord.objects.create(
                pledge=pledge,
                title=title,
                decided_on=decided_on,
                url=url,
                recorded_by=actor,
                recorded_at=timezone.now(),
            )
    except IntegrityError as exc:  # a concurrent writer recorded one first
        raise Conflict(
            _("A decision is already recorded for this pledge; it cannot be changed."),
            field="decision_record",
        ) from exc
    return record


def pledges_lapse_overdue() -> int:
    """Lapse the waiting pledges of projects whose pledging deadline has passed (the scheduler
    runs this every hour; closing or completing a project lapses them at once). Each project is
    locked and settled as any pledge write would, so a run that overlaps another write, or
    another run, lapses each pledge once. Returns the projects settled."""
    overdue = list(
        Project.objects.filter(
            pledges__state=PledgeState.CONDITIONAL,
            pledging_deadline__lt=timezone.localdate(),
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    for pk in overdue:
        with transaction.atomic():
            recalculate_totals(_lock_project(Project(pk=pk)))
    return len(overdue)
