"""Awards in the ledger: the award plan (tranches) of a funded decision, each tranche becoming
the funder's pledge on the project when the decisions are published, and its release.

A tranche is released at once (with neither milestone nor phase), when the project's team marks
its milestone done, when the project enters its phase (or a later one), or by hand by one of
the funder's moderators. Release is idempotent: an award already released is left alone, so a
repeated signal releases nothing twice. Releases from a milestone or a phase run in the
transaction that marked the milestone or moved the phase (``delivery.signals``,
``projects.signals``, connected in ``funding.apps``).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from activity.models import ActivityAction
from activity.services import activity_record
from core.errors import Conflict, InvalidInput
from core.formatting import format_pence
from delivery.models import Milestone
from projects.models import PHASE_ORDER, Phase, PledgeState, Project
from projects.services import pledge_award, pledge_award_release

from ..models import MAX_TRANCHES, TRANCHE_PHASES, Application, AwardTranche, Call
from ..selectors.assessment import require_moderator

User = get_user_model()


def _whole_pence(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def award_plan_clean(
    *, application: Application, award_amount: int, tranches: list[dict] | None
) -> list[dict]:
    """Check an award plan: at most ``MAX_TRANCHES`` tranches, each ``{"amount": pence,
    "milestone": id or None, "phase": phase or ""}``, a positive amount, tied to one of the
    project's milestones or to a phase (or neither: released on award), adding up exactly to
    the award. No plan is one tranche of the whole award, released on award."""
    if not tranches:
        return [{"amount": award_amount, "milestone": None, "phase": ""}]
    if not isinstance(tranches, list) or len(tranches) > MAX_TRANCHES:
        raise InvalidInput(
            _("Plan at most %(count)s tranches.") % {"count": MAX_TRANCHES}, field="tranches"
        )
    milestones = set(
        Milestone.objects.filter(project=application.project_id).values_list("pk", flat=True)
    )
    cleaned = []
    for number, tranche in enumerate(tranches, start=1):
        field = f"tranche_{number}"
        if not isinstance(tranche, dict):
            raise InvalidInput(_("Each tranche needs an amount."), field=field)
        amount = tranche.get("amount")
        if not _whole_pence(amount):
            raise InvalidInput(
                _("Enter the amount of tranche %(number)s.") % {"number": number},
                field=f"{field}_amount",
            )
        if amount <= 0:
            raise InvalidInput(
                _("Tranche %(number)s must be more than zero.") % {"number": number},
                field=f"{field}_amount",
            )
        milestone = tranche.get("milestone")
        phase = tranche.get("phase") or ""
        if milestone is not None and (not _whole_pence(milestone) or milestone not in milestones):
            raise InvalidInput(
                _("Tie tranche %(number)s to one of the project’s milestones.")
                % {"number": number},
                field=f"{field}_when",
            )
        if phase and phase not in TRANCHE_PHASES:
            raise InvalidInput(
                _("Tie tranche %(number)s to discovery, alpha, beta or live.") % {"number": number},
                field=f"{field}_when",
            )
        if milestone is not None and phase:
            raise InvalidInput(
                _("Tie tranche %(number)s to a milestone or a phase, not both.")
                % {"number": number},
                field=f"{field}_when",
            )
        cleaned.append({"amount": amount, "milestone": milestone, "phase": phase})
    total = sum(t["amount"] for t in cleaned)
    if total != award_amount:
        raise InvalidInput(
            _("The tranches add up to %(total)s: they must add up to the award of %(award)s.")
            % {"total": format_pence(total), "award": format_pence(award_amount)},
            field="tranches",
        )
    return cleaned


def award_plan_replace(*, application: Application, tranches: list[dict]) -> list[AwardTranche]:
    """Store a checked plan in place of the one before (nothing is published yet). The caller
    holds the application's row locked."""
    if AwardTranche.objects.filter(application=application, pledge__isnull=False).exists():
        raise Conflict(  # pragma: no cover - decisions change only before publication
            _("This award is published: its tranches cannot change.")
        )
    AwardTranche.objects.filter(application=application).delete()
    return AwardTranche.objects.bulk_create(
        AwardTranche(
            application=application,
            position=position,
            amount=t["amount"],
            milestone_id=t["milestone"],
            phase=t["phase"],
        )
        for position, t in enumerate(tranches, start=1)
    )


def _reached(tranche: AwardTranche, project: Project) -> bool:
    """Is what the tranche waits for already there? Nothing, a milestone done, or the project
    in the tranche's phase or a later one (but a closed or retired project enters none)."""
    if tranche.milestone_id is not None:
        return tranche.milestone.done_on is not None
    if tranche.phase:
        return project.phase != Phase.RETIRED and PHASE_ORDER.index(
            project.phase
        ) >= PHASE_ORDER.index(tranche.phase)
    return True


def _note(tranche: AwardTranche, call: Call) -> str:
    return _("Award from “%(call)s”, tranche %(number)s") % {
        "call": call.title,
        "number": tranche.position,
    }


def award_publish(*, actor: User, application: Application, award_amount: int) -> None:
    """Turn a funded application's award plan into the funder's pledges on its project: each
    tranche accepted, and released at once if what it waits for is already reached. Runs inside
    ``call_publish_decisions``, which holds the call and the application locked."""
    call = application.call
    tranches = list(
        AwardTranche.objects.filter(application=application)
        .select_related("milestone")
        .order_by("position")
    )
    if not tranches:  # decided before award plans existed: the whole award, released now
        tranches = award_plan_replace(
            application=application,
            tranches=award_plan_clean(
                application=application, award_amount=award_amount, tranches=None
            ),
        )
    if sum(t.amount for t in tranches) != award_amount:  # pragma: no cover - checked on decide
        raise Conflict(_("The award’s tranches do not add up to the award: decide it again."))
    project = Project.objects.get(pk=application.project_id)
    for tranche in tranches:
        tranche.pledge = pledge_award(
            actor=actor,
            project=project,
            funder=call.funder,
            amount=tranche.amount,
            note=_note(tranche, call),
            release=_reached(tranche, project),
        )
        tranche.save(update_fields=["pledge"])


def _release(*, actor: User, tranche: AwardTranche, why: str, by_hand: bool) -> bool:
    released = pledge_award_release(actor=actor, pledge=tranche.pledge, note=why)
    if released:
        application = tranche.application
        activity_record(
            actor=actor,
            action=ActivityAction.FUNDING_TRANCHE_RELEASED,
            project=application.project,
            target=f"{application.project.title} → {application.call.title}",
            reason=why,
            details={
                "application": application.pk,
                "tranche": tranche.position,
                "pledge": tranche.pledge_id,
                "amount_pence": tranche.amount,
                "by_hand": by_hand,
            },
        )
    return released


@transaction.atomic
def award_tranche_release(*, actor: User, tranche: AwardTranche, note: str = "") -> AwardTranche:
    """A moderator of the call's funder releases a published tranche by hand, whatever it was
    tied to: its pledge becomes fulfilled, and the activity log records who did it."""
    tranche = (
        AwardTranche.objects.select_for_update(of=("self",))
        .select_related("application__call__funder", "application__project", "pledge")
        .get(pk=tranche.pk)
    )
    require_moderator(user=actor, call=tranche.application.call)
    if tranche.pledge is None:
        raise Conflict(
            _("This tranche is released only after the decisions are published."),
            code="not_published",
        )
    note = (note or "").strip() if isinstance(note, str) else ""
    if len(note) > 2000:
        raise InvalidInput(_("The note must be 2,000 characters or fewer."), field="note")
    if tranche.pledge.state == PledgeState.FULFILLED:
        raise Conflict(_("This tranche is already released."), code="released")
    _release(
        actor=actor,
        tranche=tranche,
        why=note or _("Released by the funder"),
        by_hand=True,
    )
    tranche.pledge.refresh_from_db()
    return tranche


def _release_waiting(*, actor: User, tranches, why) -> int:
    released = 0
    for tranche in tranches.select_related(
        "application__call", "application__project", "pledge"
    ).order_by("pk"):
        released += _release(actor=actor, tranche=tranche, why=why(tranche), by_hand=False)
    return released


def awards_release_for_milestone(*, actor: User, milestone: Milestone) -> int:
    """Release the awarded tranches tied to a milestone just marked done. Returns how many."""
    return _release_waiting(
        actor=actor,
        tranches=AwardTranche.objects.filter(
            milestone=milestone, pledge__state=PledgeState.ACCEPTED
        ),
        why=lambda _t: (
            _("Released: the milestone “%(milestone)s” was reached.")
            % {"milestone": milestone.title}
        ),
    )


def awards_release_for_phase(*, actor: User, project: Project, previous_phase: str) -> int:
    """Release the awarded tranches tied to the phases the project has just entered (moving
    forward from ``previous_phase``). Returns how many."""
    if project.phase == Phase.RETIRED:  # retiring a project reaches nothing it was paid for
        return 0
    before, now = PHASE_ORDER.index(previous_phase), PHASE_ORDER.index(project.phase)
    entered = [p for p in PHASE_ORDER[before + 1 : now + 1] if p in TRANCHE_PHASES]
    if not entered:
        return 0
    return _release_waiting(
        actor=actor,
        tranches=AwardTranche.objects.filter(
            application__project=project, phase__in=entered, pledge__state=PledgeState.ACCEPTED
        ),
        why=lambda t: (
            _("Released: the project entered %(phase)s.") % {"phase": Phase(t.phase).label.lower()}
        ),
    )


# --- receivers (connected in funding.apps) ----------------------------------------------------


def on_milestone_reached(sender, *, milestone: Milestone, actor: User, **kwargs) -> None:
    awards_release_for_milestone(actor=actor, milestone=milestone)


def on_phase_entered(sender, *, project: Project, previous_phase: str, actor: User, **kwargs):
    awards_release_for_phase(actor=actor, project=project, previous_phase=previous_phase)
