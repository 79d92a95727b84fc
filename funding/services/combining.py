"""Writes for combining similar bids: suggest, agree, decline, withdraw, and the combination
itself once both lead councils have agreed.

Who may, checked here whatever the way in (page, API):
- suggesting, and withdrawing a suggestion: LocalGov Digital organisers and the call's funder's
  moderators and admins, with a second factor;
- agreeing and declining: for each bid, an officer with authority for its lead council (a
  verified approver or council admin, with a second factor), as a partner council's part in a
  bid is confirmed. Declining needs a reason, which both councils see.

When the second council agrees, everything happens in that one transaction: the projects are
combined (``projects.services.combine.project_combine``: link, followers, pledges with their
ledger events), the joining bid's lead and confirmed partner councils become confirmed partners
of the continuing bid, the joining bid is withdrawn with a reason naming the continuing one, and
other live suggestions about it are withdrawn. A failure anywhere rolls all of it back. Both
bids' rows are locked first (in id order), so the bids' own writers queue up behind it.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.mfa import SecondFactorRequired, user_has_second_factor
from activity.models import ActivityAction
from activity.services import activity_record
from core.errors import Conflict, InvalidInput, NotAllowed
from projects.services.combine import project_combine

from ..models import (
    Application,
    ApplicationPartner,
    ApplicationState,
    CallStatus,
    CombineState,
    CombineSuggestion,
    PartnerState,
)
from ..notifications.combining import combine_event
from ..selectors.similar import (
    SIMILAR_STATES,
    answering_sides,
    pair_similarity,
    require_suggester,
)

User = get_user_model()

NOTE_MAX = 2000


def _text(value: str, *, field: str, what: str, required: str = "") -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if required and not value:
        raise InvalidInput(required, field=field)
    if len(value) > NOTE_MAX:
        raise InvalidInput(
            _("%(what)s must be 2,000 characters or fewer.") % {"what": what}, field=field
        )
    return value


def _lock_pair(first: Application, second: Application) -> tuple[Application, Application]:
    locked = {
        app.pk: app
        for app in Application.objects.select_for_update(of=("self",))
        .select_related("call__funder", "project", "lead_council")
        .filter(pk__in=(first.pk, second.pk))
        .order_by("pk")
    }
    return locked[first.pk], locked[second.pk]


def _require_in(application: Application) -> None:
    if application.state not in SIMILAR_STATES:
        raise Conflict(
            _("The bid for %(title)s is %(state)s: it can no longer be combined.")
            % {
                "title": application.project.title,
                "state": application.get_state_display().lower(),
            }
        )


def _pair_name(suggestion: CombineSuggestion) -> str:
    return _("%(absorbed)s into %(continuing)s") % {
        "absorbed": suggestion.absorbed.project.title,
        "continuing": suggestion.continuing.project.title,
    }


@transaction.atomic
def combine_suggest(
    *, actor: User, continuing: Application, absorbed: Application, note: str = ""
) -> CombineSuggestion:
    """Suggest that ``absorbed`` joins ``continuing`` (two submitted bids to one call), and tell
    both lead councils. One live suggestion per pair, whichever bid continues."""
    if continuing.pk == absorbed.pk:
        raise InvalidInput(_("Choose two different bids to combine."), field="absorbed")
    if continuing.call_id != absorbed.call_id:
        raise InvalidInput(_("Both bids must be to the same call."), field="absorbed")
    continuing, absorbed = _lock_pair(continuing, absorbed)
    call = continuing.call
    require_suggester(user=actor, call=call)
    if call.status == CallStatus.DECIDED:
        raise Conflict(_("The decisions on this call are published: bids can no longer combine."))
    _require_in(continuing)
    _require_in(absorbed)
    note = _text(note, field="note", what=_("The note"))
    low, high = sorted((continuing.pk, absorbed.pk))
    live = CombineSuggestion.objects.filter(state=CombineState.SUGGESTED).filter(
        continuing_id__in=(low, high), absorbed_id__in=(low, high)
    )
    if live.exists():
        raise Conflict(
            _("Combining these two bids is already suggested: wait for their councils’ answers.")
        )
    similar = pair_similarity(first=continuing, second=absorbed)
    try:
        with transaction.atomic():
            suggestion = CombineSuggestion.objects.create(
                call=call,
                continuing=continuing,
                absorbed=absorbed,
                note=note,
                similarity=Decimal(str(similar.similarity)) if similar else None,
                suggested_by=actor,
            )
    except IntegrityError:  # the same pair suggested at the same moment
        raise Conflict(
            _("Combining these two bids is already suggested: wait for their councils’ answers.")
        ) from None
    suggestion.continuing, suggestion.absorbed = continuing, absorbed
    combine_event(suggestion, "suggested")
    activity_record(
        actor=actor,
        action=ActivityAction.COMBINE_SUGGESTED,
        project=absorbed.project,
        target=_pair_name(suggestion),
        reason=note,
        details={"call": call.title},
    )
    return suggestion


def _lock_suggestion(
    suggestion: CombineSuggestion,
) -> tuple[CombineSuggestion, Application, Application]:
    """Both bids, then the suggestion, locked; the suggestion's bids are the locked rows."""
    continuing, absorbed = _lock_pair(suggestion.continuing, suggestion.absorbed)
    current = CombineSuggestion.objects.select_for_update(of=("self",)).get(pk=suggestion.pk)
    current.continuing, current.absorbed, current.call = continuing, absorbed, continuing.call
    return current, continuing, absorbed


def _require_live(suggestion: CombineSuggestion) -> None:
    if suggestion.state != CombineState.SUGGESTED:
        raise Conflict(
            _("This suggestion is %(state)s: nothing more can be done with it.")
            % {"state": suggestion.get_state_display().lower()}
        )


def _require_answerer(actor: User, suggestion: CombineSuggestion) -> list[str]:
    sides = answering_sides(user=actor, suggestion=suggestion)
    if not sides:
        raise NotAllowed(
            _(
                "Only an approver or council admin of %(first)s or %(second)s can answer this "
                "suggestion."
            )
            % {
                "first": suggestion.continuing.lead_council.display_name,
                "second": suggestion.absorbed.lead_council.display_name,
            }
        )
    if not user_has_second_factor(user=actor):
        raise SecondFactorRequired(
            _(
                "You need to set up two-factor authentication before you can answer for your "
                "council’s bid."
            )
        )
    return sides


@transaction.atomic
def combine_agree(*, actor: User, suggestion: CombineSuggestion) -> CombineSuggestion:
    """An officer with authority agrees for their council's bid (both, if they have authority
    for both leads). The second agreement combines the bids, in this transaction."""
    suggestion, continuing, absorbed = _lock_suggestion(suggestion)
    sides = _require_answerer(actor, suggestion)
    _require_live(suggestion)
    waiting = [side for side in sides if getattr(suggestion, f"{side}_agreed_at") is None]
    if not waiting:
        raise Conflict(
            _("Your council has already agreed. The other lead council has not answered yet.")
        )
    now = timezone.now()
    for side in waiting:
        setattr(suggestion, f"{side}_agreed_by", actor)
        setattr(suggestion, f"{side}_agreed_at", now)
    suggestion.save(
        update_fields=[
            "continuing_agreed_by",
            "continuing_agreed_at",
            "absorbed_agreed_by",
            "absorbed_agreed_at",
        ]
    )
    for side in waiting:
        activity_record(
            actor=actor,
            action=ActivityAction.COMBINE_AGREED,
            council=getattr(suggestion, side).lead_council,
            target=_pair_name(suggestion),
        )
    if suggestion.continuing_agreed_at and suggestion.absorbed_agreed_at:
        _combine(actor=actor, suggestion=suggestion, continuing=continuing, absorbed=absorbed)
    return suggestion


def _combine(
    *,
    actor: User,
    suggestion: CombineSuggestion,
    continuing: Application,
    absorbed: Application,
) -> None:
    """Both agreed: combine the projects and the bids (see the module). Called with the bids
    and the suggestion locked."""
    _require_in(continuing)
    _require_in(absorbed)
    now = timezone.now()
    moved = project_combine(actor=actor, absorbed=absorbed.project, continuing=continuing.project)
    joined = _partners_join(actor=actor, continuing=continuing, absorbed=absorbed, now=now)
    absorbed.state = ApplicationState.WITHDRAWN
    absorbed.withdrawn_at = now
    absorbed.withdrawn_by = actor
    absorbed.withdrawn_reason = _(
        "Combined into the bid for %(title)s, led by %(council)s, with both councils’ agreement."
    ) % {"title": continuing.project.title, "council": continuing.lead_council.display_name}
    absorbed.save(
        update_fields=["state", "withdrawn_at", "withdrawn_by", "withdrawn_reason", "updated_at"]
    )
    # Other suggestions about the bid that joined have nothing left to combine.
    others = CombineSuggestion.objects.filter(
        Q(continuing_id=absorbed.pk) | Q(absorbed_id=absorbed.pk), state=CombineState.SUGGESTED
    ).exclude(pk=suggestion.pk)
    others.update(
        state=CombineState.WITHDRAWN,
        closed_by=actor,
        closed_at=now,
        reason=absorbed.withdrawn_reason,
    )
    suggestion.state = CombineState.ACCEPTED
    suggestion.combined_at = now
    suggestion.save(update_fields=["state", "combined_at"])
    combine_event(suggestion, "combined")
    activity_record(
        actor=actor,
        action=ActivityAction.BIDS_COMBINED,
        project=continuing.project,
        target=_pair_name(suggestion),
        details={
            "pledges_moved": len(moved),
            "partners_joined": sorted(joined),
            "withdrawn_bid": absorbed.project.title,
        },
    )


def _partners_join(
    *, actor: User, continuing: Application, absorbed: Application, now
) -> list[str]:
    """The joining bid's lead council and its confirmed partners become confirmed partners of
    the continuing bid, unless already confirmed there or its lead; an invitation waiting
    there counts as answered. A council that declined the continuing bid stays declined.
    Returns the names of the councils that joined."""
    confirmed = list(
        ApplicationPartner.objects.filter(application=absorbed, state=PartnerState.CONFIRMED)
        .select_related("council")
        .order_by("pk")
    )
    bringing = {absorbed.lead_council_id: (absorbed.lead_council, "", actor)}
    for partner in confirmed:
        bringing.setdefault(
            partner.council_id, (partner.council, partner.contribution, partner.decided_by)
        )
    bringing.pop(continuing.lead_council_id, None)
    existing = {
        p.council_id: p
        for p in ApplicationPartner.objects.select_for_update(of=("self",)).filter(
            application=continuing, council_id__in=list(bringing)
        )
    }
    because = _("Joined when the bid for %(title)s was combined into this one.") % {
        "title": absorbed.project.title
    }
    joined = []
    for council_id, (council, contribution, decided_by) in sorted(bringing.items()):
        current = existing.get(council_id)
        if current is not None and current.state != PartnerState.INVITED:
            continue  # confirmed already, or declined this bid
        values = {
            "state": PartnerState.CONFIRMED,
            "contribution": (current.contribution if current else "") or contribution,
            "suggested_because": because,
            "decided_by": decided_by,
            "decided_at": now,
        }
        if current is None:
            ApplicationPartner.objects.create(
                application=continuing,
                council=council,
                invited_by=actor,
                invited_at=now,
                **values,
            )
        else:
            for name, value in values.items():
                setattr(current, name, value)
            current.save(update_fields=[*values])
        joined.append(str(council))
    return joined


@transaction.atomic
def combine_decline(
    *, actor: User, suggestion: CombineSuggestion, reason: str
) -> CombineSuggestion:
    """An officer with authority for either lead council declines, with a reason both see.
    The suggestion is then closed; it may be suggested again later."""
    suggestion, _continuing, _absorbed = _lock_suggestion(suggestion)
    sides = _require_answerer(actor, suggestion)
    _require_live(suggestion)
    reason = _text(
        reason,
        field="reason",
        what=_("The reason"),
        required=_("Give a reason for declining; both councils will see it."),
    )
    suggestion.state = CombineState.DECLINED
    suggestion.closed_by = actor
    suggestion.closed_at = timezone.now()
    suggestion.reason = reason
    suggestion.save(update_fields=["state", "closed_by", "closed_at", "reason"])
    activity_record(
        actor=actor,
        action=ActivityAction.COMBINE_DECLINED,
        council=getattr(suggestion, sides[0]).lead_council,
        target=_pair_name(suggestion),
        reason=reason,
    )
    return suggestion


@transaction.atomic
def combine_withdraw(
    *, actor: User, suggestion: CombineSuggestion, reason: str = ""
) -> CombineSuggestion:
    """An organiser or a moderator of the funder withdraws a suggestion still waiting."""
    suggestion, _continuing, _absorbed = _lock_suggestion(suggestion)
    require_suggester(user=actor, call=suggestion.call)
    _require_live(suggestion)
    reason = _text(reason, field="reason", what=_("The reason"))
    suggestion.state = CombineState.WITHDRAWN
    suggestion.closed_by = actor
    suggestion.closed_at = timezone.now()
    suggestion.reason = reason
    suggestion.save(update_fields=["state", "closed_by", "closed_at", "reason"])
    activity_record(
        actor=actor,
        action=ActivityAction.COMBINE_WITHDRAWN,
        project=suggestion.absorbed.project,
        target=_pair_name(suggestion),
        reason=reason,
    )
    return suggestion
