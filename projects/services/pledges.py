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
from django.utils.translation import gettext_lazy

from accounts.mfa import APPROVE_PLEDGES, acts_as_organiser, require_second_factor
from core.errors import Conflict, InvalidInput, NotAllowed
from core.validators import check_web_address
from councils.models import Council
from councils.selectors import user_is_council_approver, user_may_act_for_council

from .. import notifications
from ..models import (
    AMENDABLE_STATES,
    EARLIEST_DECISION_DATE,
    INTERNAL_STATES,
    MAX_OTHER_COUNCILS,
    OPEN_AMENDMENT_STATES,
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
from .projects import (
    _lock_project,
    _require_manager,
    _validate_kind_role,
    timeline_record,
    validate_amount,
)
from .totals import recalculate_totals

User = get_user_model()


# --- pledges --------------------------------------------------------------------------------

# The project's timeline records each decision on a pledge the public can see, in these words.
# (Moves inside the pledging council, and Pipeline's own lapses, are not the project's history.)
PLEDGE_TIMELINE = {
    PledgeState.ACCEPTED: (
        gettext_lazy("Pledge accepted"),
        gettext_lazy("%(name)s accepted the pledge of %(amount)s from %(council)s."),
    ),
    PledgeState.DECLINED: (
        gettext_lazy("Pledge declined"),
        gettext_lazy("%(name)s declined the pledge of %(amount)s from %(council)s."),
    ),
    PledgeState.FULFILLED: (
        gettext_lazy("Pledge fulfilled"),
        gettext_lazy("%(name)s recorded that %(council)s delivered its pledge of %(amount)s."),
    ),
    PledgeState.WITHDRAWN: (
        gettext_lazy("Pledge withdrawn"),
        gettext_lazy("%(name)s withdrew the pledge of %(amount)s from %(council)s."),
    ),
}
PLEDGE_CHANGED = (
    gettext_lazy("Pledge changed"),
    gettext_lazy(
        "%(name)s accepted the change %(council)s proposed: its pledge is now %(amount)s."
    ),
)


def _timeline_pledge(*, actor: User, pledge: Pledge, words: tuple) -> None:
    title, body = words
    timeline_record(
        project=pledge.project,
        actor=actor,
        title=title,
        body=body,
        values={},
        names={
            # Callables, so the council and amount are named in the project's language.
            "council": lambda: pledge.pledger_name,
            "amount": lambda: pledge.amount_display,
        },
        notify=False,  # the councils on both sides hear of it already
    )


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
    linked_pledge: Pledge | None = None,
) -> None:
    # An event from no state is the first of a pledge just created, sequence 1 (the ledger's
    # constraint pledge_event_shape allows it nowhere else): nothing to look up.
    last = (
        pledge.events.order_by("-sequence").values_list("sequence", flat=True).first() or 0
        if from_state
        else 0
    )
    PledgeEvent.objects.create(
        pledge=pledge,
        sequence=last + 1,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        note=note,
        private_note=private_note,
        linked_pledge=linked_pledge,
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
    if not (user_may_act_for_council(user=actor, council=council) or acts_as_organiser(actor)):
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
    seen_state = pledge.state
    try:
        pledge = Pledge.objects.select_for_update().get(pk=pledge.pk, project=project)
    except Pledge.DoesNotExist as exc:  # pragma: no cover - a pledge never changes project
        raise Conflict(_("This pledge is not part of this project.")) from exc
    pledge.project = project
    _answer_to_the_change_seen(seen_state, pledge.state)
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
    if pledge.offered_at is None and to_state in (
        PledgeState.OFFERED,
        PledgeState.CONDITIONAL,
        PledgeState.PROPOSED,
    ):
        # Signed off: the lead council sees it from now, as an offer, a conditional one, or a
        # proposed change.
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
    if from_state in AMENDABLE_STATES and to_state not in AMENDABLE_STATES:
        _close_open_amendments(actor=actor, original=pledge)
    if to_state in PLEDGE_TIMELINE and from_state not in INTERNAL_STATES:
        _timeline_pledge(actor=actor, pledge=pledge, words=PLEDGE_TIMELINE[to_state])
    notifications.pledge_changed(pledge, to_state, from_state=from_state)
    recalculate_totals(project)
    pledge.refresh_from_db()  # a condition met, or a match amount moved, just now
    return pledge


def _close_open_amendments(*, actor: User, original: Pledge) -> None:
    """A change proposed to a pledge that has just been declined, withdrawn or fulfilled has
    nothing left to change: it is withdrawn, with a note saying why, in the same transaction."""
    note = _("Closed: the pledge it would change was %(state)s.") % {
        "state": original.get_state_display().lower()
    }
    now = timezone.now()
    for amendment in Pledge.objects.select_for_update().filter(
        amends=original, state__in=OPEN_AMENDMENT_STATES
    ):
        from_state = amendment.state
        amendment.state = PledgeState.WITHDRAWN
        amendment.state_changed_at = now
        amendment.save(update_fields=["state", "state_changed_at"])
        _append_event(
            pledge=amendment,
            actor=actor,
            from_state=from_state,
            to_state=PledgeState.WITHDRAWN,
            note=note,
        )


def _answer_to_the_change_seen(seen: str, current: str) -> None:
    """An answer to a proposed change is about that change: if the change was answered (or
    took its original's place) since it was read, the answer is refused rather than applied to
    the pledge it has become (a late "decline" must not decline the new offer)."""
    if seen == PledgeState.PROPOSED and current != PledgeState.PROPOSED:
        raise Conflict(_("This pledge changed while you were deciding; look again."))


def _refuse_award(pledge: Pledge) -> None:
    """A funder's award moves only through its funder (``pledge_award_release``): the
    council-side flows (withdraw, amend, sign-off, decision record) and the owner's "fulfilled"
    do not apply to it."""
    if pledge.is_award:
        raise Conflict(
            _("This is an award from %(funder)s: only the funder can change it.")
            % {"funder": pledge.pledger_name},
            field="state",
        )


def _manager_check(actor: User, pledge: Pledge) -> None:
    _require_manager(actor, pledge.project)
    if not pledge.is_public:  # still inside the pledging council: not the project's to decide
        raise NotAllowed(_("This pledge has not been offered to the project."))


def _withdraw_check(actor: User, pledge: Pledge) -> None:
    _refuse_award(pledge)
    if not user_can_withdraw_pledge(actor, pledge):
        raise NotAllowed(
            _("Only verified members of %(council)s can withdraw its pledge.")
            % {"council": pledge.council.display_name}
        )


@transaction.atomic
def pledge_accept(*, actor: User, pledge: Pledge, note: str = "", private_note: str = "") -> Pledge:
    """Accept an offer; or, for a proposed change (an amendment), accept the change: the
    amendment takes its original's place and the original is superseded."""
    project = _lock_project(pledge.project)
    current = Pledge.objects.filter(pk=pledge.pk).values_list("state", flat=True).first()
    _answer_to_the_change_seen(pledge.state, current)
    if current == PledgeState.PROPOSED:
        return _amendment_take_over(
            actor=actor, project=project, amendment=pledge, note=note, private_note=private_note
        )
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
        _refuse_award(pledge)
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
    _refuse_award(pledge)
    if not user_is_council_approver(user=actor, council=pledge.council):
        raise NotAllowed(
            _("Only an approver of %(council)s can sign off its pledges.")
            % {"council": pledge.council.display_name}
        )
    require_second_factor(user=actor, power=APPROVE_PLEDGES)


@transaction.atomic
def pledge_approve(
    *, actor: User, pledge: Pledge, note: str = "", private_note: str = ""
) -> Pledge:
    """An approver of the pledging council signs off a pledge over its delegated limit: it
    becomes an offer the lead council sees, or a conditional one if it has a condition (which
    becomes an offer at once, by Pipeline, if the condition is already met), or, for an
    amendment, a change proposed to the owner."""
    # The condition is fixed when the pledge is made, so the one passed in tells it.
    if pledge.amends_id:
        to_state = PledgeState.PROPOSED
    elif pledge.has_condition:
        to_state = PledgeState.CONDITIONAL
    else:
        to_state = PledgeState.OFFERED
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
        pledge = (
            Pledge.objects.select_for_update(of=("self",))
            .select_related("council")
            .get(pk=pledge.pk)
        )
    except Pledge.DoesNotExist as exc:  # pragma: no cover - pledges are never deleted
        raise Conflict(_("This pledge no longer exists.")) from exc
    _refuse_award(pledge)
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
    if decided_on < EARLIEST_DECISION_DATE:
        raise InvalidInput(_("The date of the decision must be in 2000 or later."), field="date")
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


# --- amendments -----------------------------------------------------------------------------
# A changed amount is a new pledge row that ``amends`` the original, so no pledge is ever
# edited and each amount keeps its own ledger. While the change is proposed it counts toward
# nothing and the original counts as it is; once the owner accepts it, in one transaction the
# original is superseded and the amendment takes its state, so every total moves at once.


@transaction.atomic
def pledge_amend(
    *,
    actor: User,
    pledge: Pledge,
    amount: int,
    note: str,
    private_note: str = "",
    amount_field: str = "amount",
) -> Pledge:
    """The pledging council proposes a changed amount for an offered or accepted pledge.

    ``note`` (the reason) is public, like a pledge's note; ``amount_field`` names the input
    the amount came in (``amount_pence`` or ``days`` in the API) for errors about it. Over
    the council's delegated limit a proposal by someone without that authority first waits
    for an approver, as a new pledge would. Returns the amendment.
    """
    project = _lock_project(pledge.project)
    original = (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("council", "funder", "need")
        .get(pk=pledge.pk)
    )
    _refuse_award(original)
    council = Council.objects.get(pk=original.council_id)  # afresh: its limits may have changed
    if not (user_may_act_for_council(user=actor, council=council) or acts_as_organiser(actor)):
        raise NotAllowed(
            _("Only verified members of %(council)s can change its pledge.")
            % {"council": council.display_name}
        )
    if original.state not in AMENDABLE_STATES:
        raise Conflict(
            _("This pledge is %(state)s, so its amount cannot be changed.")
            % {"state": original.get_state_display().lower()},
            field="state",
        )
    if original.is_match or original.has_condition:
        # Its terms are more than an amount: a change would have to carry them too.
        raise Conflict(
            _(
                "A match or conditional pledge cannot be changed. Withdraw it and make a new "
                "pledge with the amount you want."
            ),
            field="state",
        )
    closed = pledge_closed_reason(project)
    if closed:
        raise Conflict(closed)
    if original.amendments.filter(state__in=OPEN_AMENDMENT_STATES).exists():
        raise Conflict(
            _("A change to this pledge is already waiting for a decision."), field=amount_field
        )
    validate_amount(original.kind, amount, field=amount_field)
    if amount == original.amount:
        raise InvalidInput(
            _("The new amount is the same as the pledge’s: %(amount)s.")
            % {"amount": original.amount_display},
            field=amount_field,
        )
    if original.need is not None and original.need.is_met and amount > original.amount:
        raise Conflict(
            _("This need has been met, so the pledge toward it cannot grow."), field=amount_field
        )
    note, private_note = _notes(note, private_note)
    if not note:
        raise InvalidInput(
            _("Give a reason for the change; the project team will see it."), field="note"
        )
    now = timezone.now()
    waits = pledge_needs_sign_off(actor, council, original.kind, amount)
    state = PledgeState.PENDING if waits else PledgeState.PROPOSED
    try:
        with transaction.atomic():
            amendment = Pledge.objects.create(
                project=project,
                need=original.need,
                council=council,
                amends=original,
                pledged_by=actor,
                kind=original.kind,
                role=original.role,
                amount=amount,
                note=note,
                private_note=private_note,
                state=state,
                created_at=now,
                state_changed_at=now,
                offered_at=None if waits else now,
            )
    except IntegrityError as exc:  # another proposal was made at the same moment
        raise Conflict(
            _("A change to this pledge is already waiting for a decision."), field=amount_field
        ) from exc
    _append_event(
        pledge=amendment,
        actor=actor,
        from_state="",
        to_state=state,
        note=note,
        private_note=private_note,
        linked_pledge=original,
    )
    notifications.pledge_changed(amendment, state)
    return amendment


def _amendment_take_over(
    *, actor: User, project: Project, amendment: Pledge, note: str, private_note: str
) -> Pledge:
    """The owner accepts a proposed change: the original is superseded and the amendment takes
    its state (offered stays offered, accepted stays accepted). The project row is locked."""
    amendment = Pledge.objects.select_for_update().get(pk=amendment.pk, project=project)
    amendment.project = project
    _manager_check(actor, amendment)
    original = Pledge.objects.select_for_update().get(pk=amendment.amends_id)
    if amendment.state != PledgeState.PROPOSED:  # pragma: no cover - the caller read it locked
        raise Conflict(_("This pledge changed while you were deciding; look again."))
    if original.state not in AMENDABLE_STATES:
        raise Conflict(
            _("The pledge this would change is %(state)s, so the change cannot be accepted.")
            % {"state": original.get_state_display().lower()},
            field="state",
        )
    note, private_note = _notes(note, private_note)
    now = timezone.now()
    takes = original.state
    original.state, original.state_changed_at = PledgeState.SUPERSEDED, now
    original.save(update_fields=["state", "state_changed_at"])
    amendment.state, amendment.state_changed_at = takes, now
    amendment.save(update_fields=["state", "state_changed_at"])
    try:
        with transaction.atomic():
            _append_event(
                pledge=original,
                actor=actor,
                from_state=takes,
                to_state=PledgeState.SUPERSEDED,
                note=note,
                private_note=private_note,
                linked_pledge=amendment,
            )
            _append_event(
                pledge=amendment,
                actor=actor,
                from_state=PledgeState.PROPOSED,
                to_state=takes,
                note=note,
                private_note=private_note,
                linked_pledge=original,
            )
    except IntegrityError as exc:  # a concurrent writer got there first
        raise Conflict(_("This pledge changed while you were deciding; look again.")) from exc
    recalculate_totals(project)
    notifications.pledge_changed(amendment, takes, from_state=PledgeState.PROPOSED)
    _timeline_pledge(actor=actor, pledge=amendment, words=PLEDGE_CHANGED)
    return amendment


# --- awards ---------------------------------------------------------------------------------
# A funder's award (or one tranche of it) enters the ledger as an accepted pledge: the funder
# offered it and the lead council asked for it, so both moves are recorded at once, by the
# person who published the decision. It is released (fulfilled) when the funder says so, by
# hand or because the project reached what the tranche was tied to. The funding app checks who
# may; projects knows nothing of funders beyond the foreign key (README, "Awards in the ledger").


@transaction.atomic
def pledge_award(
    *, actor: User, project: Project, funder, amount: int, note: str = "", release: bool = False
) -> Pledge:
    """Record a funder's award of ``amount`` pence as an accepted pledge (offered, then accepted,
    in its ledger), and with ``release`` release it at once (fulfilled). The caller has checked
    that ``actor`` decides for ``funder``."""
    project = _lock_project(project)
    validate_amount(Kind.MONEY, amount)
    note, _private = _notes(note, "")
    now = timezone.now()
    pledge = Pledge.objects.create(
        project=project,
        funder=funder,
        pledged_by=actor,
        kind=Kind.MONEY,
        amount=amount,
        note=note,
        state=PledgeState.ACCEPTED,
        created_at=now,
        state_changed_at=now,
        offered_at=now,
    )
    _append_event(
        pledge=pledge, actor=actor, from_state="", to_state=PledgeState.OFFERED, note=note
    )
    _append_event(
        pledge=pledge,
        actor=actor,
        from_state=PledgeState.OFFERED,
        to_state=PledgeState.ACCEPTED,
        note=note,
    )
    if release:
        _award_release(actor=actor, pledge=pledge, note=note)
    recalculate_totals(project)
    return pledge


def _award_release(*, actor: User, pledge: Pledge, note: str) -> None:
    pledge.state = PledgeState.FULFILLED
    pledge.state_changed_at = timezone.now()
    pledge.save(update_fields=["state", "state_changed_at"])
    _append_event(
        pledge=pledge,
        actor=actor,
        from_state=PledgeState.ACCEPTED,
        to_state=PledgeState.FULFILLED,
        note=note,
    )


@transaction.atomic
def pledge_award_release(*, actor: User, pledge: Pledge, note: str = "") -> bool:
    """Release an accepted award to the project (it becomes fulfilled). Idempotent: an award
    already released is left as it is and False is returned, so a repeated signal or a second
    click releases nothing twice. The caller has checked who may."""
    project = _lock_project(pledge.project)
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk, project=project)
    if not pledge.is_award:
        raise Conflict(_("Only a funder's award is released."), field="state")
    if pledge.state == PledgeState.FULFILLED:
        return False
    if pledge.state != PledgeState.ACCEPTED:  # pragma: no cover - an award never leaves these
        raise Conflict(
            _("This pledge is %(state)s, so it cannot be released.")
            % {"state": pledge.get_state_display().lower()},
            field="state",
        )
    note, _private = _notes(note, "")
    _award_release(actor=actor, pledge=pledge, note=note)
    recalculate_totals(project)
    return True
