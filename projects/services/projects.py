"""Proposing and running projects, and what they need."""

from collections.abc import Iterable
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.text import Truncator, capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy

from accounts.mfa import acts_as_organiser
from core.errors import Conflict, InvalidInput, NotAllowed
from core.formatting import format_half_days, format_pence
from core.validators import check_web_address
from councils.models import Council
from councils.selectors import user_may_act_for_council

from .. import notifications
from ..models import (
    MAX_HALF_DAYS,
    MAX_MONEY_PENCE,
    NEED_PHASES,
    PHASE_ORDER,
    STATE_TRANSITIONS,
    Kind,
    Language,
    Licence,
    Need,
    Phase,
    Pledge,
    PledgeState,
    Project,
    Role,
    ServiceArea,
    State,
)
from ..permissions import user_can_manage_project
from ..signals import phase_entered

User = get_user_model()

# Fields an owner may edit; anything else (owner, council, state, totals) is never taken from input.
EDITABLE_FIELDS = (
    "title",
    "summary",
    "description",
    "problem",
    "users",
    "outcomes",
    "language",
    "pledging_deadline",
    "partner_target",
    "code_url",
    "prototype_url",
    "licence",
)


# --- projects -------------------------------------------------------------------------------


def _unique_slug(title: str) -> str:
    base = slugify(title)[:120] or "project"
    slug, n = base, 2
    while Project.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _require_manager(actor: User, project: Project) -> None:
    if not user_can_manage_project(actor, project):
        raise NotAllowed(
            _("Only the project's owner, an admin of %(council)s or an organiser may do this.")
            % {"council": project.lead_council.display_name}
        )


# Length limits a person sees by name; the model's max_length is the limit.
TEXT_LABELS = {
    "title": _lazy("The project name"),
    "summary": _lazy("The summary"),
    "description": _lazy("The description"),
    "problem": _lazy("The problem"),
    "users": _lazy("Who the users are"),
    "outcomes": _lazy("The expected outcomes"),
}
MAX_PARTNER_TARGET = 400
# A deadline further ahead than this is a typing slip (20270, 2207), not a plan.
MAX_DEADLINE_YEARS = 5


def _validate_fields(project: Project, names: Iterable[str]) -> None:
    """Check the values a person gave, so a bad one is a message by its field, never a 500."""
    for name in names:
        value = getattr(project, name)
        if name in TEXT_LABELS:
            limit = Project._meta.get_field(name).max_length
            if len(value) > limit:
                raise InvalidInput(
                    _("%(label)s must be %(limit)s characters or fewer.")
                    % {"label": TEXT_LABELS[name], "limit": f"{limit:,}"},
                    field=name,
                )
        elif name == "partner_target" and value is not None:
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not 1 <= value <= MAX_PARTNER_TARGET
            ):
                raise InvalidInput(
                    _("The target must be between 1 and %(max)s councils.")
                    % {"max": MAX_PARTNER_TARGET},
                    field=name,
                )
        elif name == "language" and value not in Language.values:
            raise InvalidInput(_("Choose English or Welsh."), field=name)
        elif name == "licence" and value not in Licence.values:
            raise InvalidInput(_("Choose a licence."), field=name)
        elif name in ("code_url", "prototype_url") and value:
            check_web_address(value, field=name)
        elif name == "pledging_deadline" and (
            value is not None and (not isinstance(value, date) or isinstance(value, datetime))
        ):
            raise InvalidInput(_("Enter the pledging deadline as a date."), field=name)


def _latest_deadline(today: date) -> date:
    try:
        return today.replace(year=today.year + MAX_DEADLINE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + MAX_DEADLINE_YEARS, day=28)


def _validate_deadline(project: Project, *, changed: bool = False) -> None:
    """A deadline being set must be from today to ``MAX_DEADLINE_YEARS`` ahead, whatever the
    project's state (0001-01-01 was accepted on a project in delivery). One already set is
    checked again while the project is a draft or seeking support, when pledging depends on it."""
    deadline = project.pledging_deadline
    if deadline is None:
        return
    today = timezone.localdate()
    if deadline < today and (changed or project.state in (State.DRAFT, State.SEEKING_SUPPORT)):
        raise InvalidInput(
            _("The pledging deadline must be today or in the future."), field="pledging_deadline"
        )
    latest = _latest_deadline(today)
    if changed and deadline > latest:
        raise InvalidInput(
            _("The pledging deadline must be within %(years)s years: %(date)s at the latest.")
            % {"years": MAX_DEADLINE_YEARS, "date": date_format(latest, "j F Y")},
            field="pledging_deadline",
        )


@transaction.atomic
def project_create(
    *,
    actor: User,
    lead_council: Council,
    title: str,
    summary: str,
    description: str = "",
    language: str = Language.ENGLISH,
    phase: str = Phase.IDEA,
    service_areas: Iterable[ServiceArea] = (),
) -> Project:
    """A new draft, visible only to the lead council's members until it is published."""
    if not (user_may_act_for_council(user=actor, council=lead_council) or acts_as_organiser(actor)):
        raise NotAllowed(
            _("You can only propose projects for a council you are a verified member of."),
            field="lead_council",
        )
    if not lead_council.is_current:
        raise InvalidInput(_("That council has ended."), field="lead_council")
    title, summary = title.strip(), summary.strip()
    if not title:
        raise InvalidInput(_("Enter the project name"), field="title")
    if not summary:
        raise InvalidInput(_("Enter a summary"), field="summary")
    if phase not in PROPOSABLE_PHASES:
        raise InvalidInput(_("Choose the phase the project is in."), field="phase")
    now = timezone.now()
    project = Project(
        created_at=now,
        last_activity_at=now,
        title=title,
        slug=_unique_slug(title),
        summary=summary,
        description=description.strip(),
        language=language,
        phase=phase,
        lead_council=lead_council,
        owner=actor,
    )
    _validate_fields(project, ("title", "summary", "description", "language"))
    project.save()
    project.service_areas.set(service_areas)
    return project


@transaction.atomic
def project_update(
    *, actor: User, project: Project, service_areas: Iterable[ServiceArea] | None = None, **fields
) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_manager(actor, project)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    deadline_before = project.pledging_deadline
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(project, name, value)
    if "title" in fields and not project.title:
        raise InvalidInput(_("Enter the project name"), field="title")
    if "summary" in fields and not project.summary:
        raise InvalidInput(_("Enter a summary"), field="summary")
    _validate_fields(project, fields)
    _validate_deadline(project, changed=project.pledging_deadline != deadline_before)
    project.save()
    if service_areas is not None:
        project.service_areas.set(service_areas)
    return project


# A project is proposed in any phase but retired.
PROPOSABLE_PHASES = tuple(p for p in Phase.values if p != Phase.RETIRED)


def _lock_project(project: Project) -> Project:
    # of=("self",): lock the project row only. Without it PostgreSQL also locks the joined lead
    # council row FOR UPDATE, so a pledge *from* that council to any other project (whose foreign
    # key check takes FOR KEY SHARE on it) waits, and two councils pledging to each other's
    # projects at once deadlock.
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("lead_council")
        .get(pk=project.pk)
    )


@transaction.atomic
def project_set_state(*, actor: User, project: Project, state: str) -> Project:
    """Move the project along STATE_TRANSITIONS. Publishing needs at least one need."""
    project = _lock_project(project)
    _require_manager(actor, project)
    if state not in State.values:
        raise InvalidInput(_("Choose a state."), field="state")
    if state not in STATE_TRANSITIONS[project.state]:
        raise Conflict(
            _("A project that is %(from)s cannot become %(to)s.")
            % {"from": project.get_state_display().lower(), "to": State(state).label.lower()},
            field="state",
        )
    if state == State.SEEKING_SUPPORT and project.state == State.DRAFT:
        if not project.needs.exists():
            raise InvalidInput(
                _("Add at least one need (money or staff time) before publishing."),
                field="needs",
            )
        _validate_deadline(project)
    previous = project.state
    project.state = state
    if state == State.SEEKING_SUPPORT and project.published_at is None:
        project.published_at = timezone.now()
    project.last_activity_at = timezone.now()
    project.save(update_fields=["state", "published_at", "last_activity_at", "updated_at"])
    if state in (State.COMPLETED, State.CLOSED):
        from .totals import recalculate_totals

        recalculate_totals(project)  # conditional pledges still waiting lapse now
    if previous != State.DRAFT:
        timeline_record(
            project=project,
            actor=actor,
            title=STATE_TITLES[state],
            body=gettext_lazy("%(name)s changed the project’s state from %(from)s to %(to)s."),
            values={"from": State(previous).label, "to": State(state).label},
        )
    if state == State.SEEKING_SUPPORT:
        notifications.project_published(project, previous)
    return project


# The timeline's words for a state a published project moves to.
STATE_TITLES = {
    State.SEEKING_SUPPORT: gettext_lazy("Seeking support again"),
    State.IN_DELIVERY: gettext_lazy("Now in delivery"),
    State.COMPLETED: gettext_lazy("Completed"),
    State.CLOSED: gettext_lazy("Closed"),
}


def public_name(user: User) -> str:
    """How the timeline names a person: their name, never their email address (which
    ``get_full_name`` falls back to)."""
    return f"{user.first_name} {user.last_name}".strip() or _("a Pipeline user")


def timeline_record(
    *,
    project: Project,
    actor: User,
    title,
    body,
    values: dict,
    names: dict | None = None,
    from_phase: str = "",
    to_phase: str = "",
    notify: bool = True,
):
    """An automatic update on a published project's timeline: who changed what, and when.

    Written in the project's own language, like the rest of its text. ``values`` are labels
    (states, phases, roles) set in lower case within the sentence; ``names`` (councils, people,
    amounts) are kept as they are. Sent to followers and partner councils as any update is,
    unless ``notify`` is false: entries such as a pledge decision or a team change, whose
    parties hear of them already, stay on the timeline without a message to everyone.
    """
    from django.utils import translation

    from ..models import Update

    with translation.override(project.language):
        values = {key: str(value).lower() for key, value in values.items()}
        # A callable name (an amount in days, say) is worded in the project's language too.
        values.update(
            {
                key: str(value() if callable(value) else value)
                for key, value in (names or {}).items()
            }
        )
        update = Update.objects.create(
            project=project,
            author=actor,
            title=Truncator(str(title) % values).chars(150),
            body=capfirst(str(body) % {"name": public_name(actor), **values}),
            from_phase=from_phase,
            to_phase=to_phase,
            created_at=timezone.now(),
        )
    if notify:
        notifications.update_posted(update)  # the task row is written in this transaction
    return update


@transaction.atomic
def project_set_phase(*, actor: User, project: Project, phase: str) -> Project:
    """Phases move forward (any number of steps) or back one step; retired is final."""
    project = _lock_project(project)
    _require_manager(actor, project)
    previous = project.phase
    project = change_phase(project, phase, actor=actor)
    if project.state != State.DRAFT:
        values = {"from": Phase(previous).label, "to": Phase(phase).label}
        body = gettext_lazy("%(name)s moved the project from %(from)s to %(to)s.")
        due = pledges_falling_due(project=project, previous_phase=previous)
        if due:
            values["due"] = due
            body = gettext_lazy(
                "%(name)s moved the project from %(from)s to %(to)s. Pledges committed for "
                "%(to)s now fall due: %(due)s."
            )
        timeline_record(
            project=project,
            actor=actor,
            title=gettext_lazy("Now in %(to)s"),
            body=body,
            values=values,
            from_phase=previous,
            to_phase=phase,
        )
    return project


class _Amounts:
    """Money and days as a sentence lists them ("£40,000 and 20 days"), put into words only
    when shown, so the timeline writes them in the project's language."""

    def __init__(self, pence: int, half_days: int):
        self.pence, self.half_days = pence, half_days

    def __bool__(self) -> bool:
        return bool(self.pence or self.half_days)

    def __str__(self) -> str:
        parts = []
        if self.pence:
            parts.append(format_pence(self.pence))
        if self.half_days:
            parts.append(format_half_days(self.half_days))
        if len(parts) == 2:
            return _("%(money)s and %(days)s") % {"money": parts[0], "days": parts[1]}
        return parts[0]


def pledges_falling_due(*, project: Project, previous_phase: str) -> _Amounts:
    """What accepted pledges become due as a project moves forward from ``previous_phase`` to
    its phase now: those toward needs for the phases it has just entered. Moving back, nothing.
    Matches count at what they give now, as the project's totals count them (apart)."""
    before, now = PHASE_ORDER.index(previous_phase), PHASE_ORDER.index(project.phase)
    entered = PHASE_ORDER[before + 1 : now + 1]
    if not entered:
        return _Amounts(0, 0)
    totals = Pledge.objects.filter(
        project=project,
        state=PledgeState.ACCEPTED,
        match_percent__isnull=True,
        need__phase__in=entered,
    ).aggregate(
        pence=Sum("amount", filter=Q(kind=Kind.MONEY), default=0),
        half_days=Sum("amount", filter=Q(kind=Kind.TIME), default=0),
    )
    return _Amounts(totals["pence"], totals["half_days"])


def phase_moves(project: Project) -> list[str]:
    """The phases a project may move to now: forward any number, back one; none once retired
    or closed. A draft, not yet assessed by anyone, may take any phase it could be proposed in.
    """
    if project.state == State.DRAFT:
        return [p for p in PROPOSABLE_PHASES if p != project.phase]
    if project.phase == Phase.RETIRED or project.state == State.CLOSED:
        return []
    current = PHASE_ORDER.index(project.phase)
    return [p for i, p in enumerate(PHASE_ORDER) if i >= current - 1 and i != current]


def change_phase(project: Project, phase: str, *, actor: User, field: str = "phase") -> Project:
    """Apply the phase rules to a locked project; callers check who may. A move forward tells
    the apps that follow phases (``signals.phase_entered``), in the same transaction."""
    if phase not in Phase.values:
        raise InvalidInput(_("Choose a phase."), field=field)
    if project.state == State.DRAFT and phase != project.phase:
        if phase not in PROPOSABLE_PHASES:
            raise Conflict(_("A project cannot be proposed as retired."), field=field)
        project.phase = phase
        project.save(update_fields=["phase", "updated_at"])
        return project
    current, target = PHASE_ORDER.index(project.phase), PHASE_ORDER.index(phase)
    if project.phase == Phase.RETIRED:
        raise Conflict(_("A retired project cannot change phase."), field=field)
    if project.state == State.CLOSED:
        raise Conflict(_("A closed project cannot change phase."), field=field)
    if target == current:
        raise Conflict(_("The project is already in that phase."), field=field)
    if target < current - 1:
        raise Conflict(_("A project can only go back one phase at a time."), field=field)
    previous = project.phase
    project.phase = phase
    project.last_activity_at = timezone.now()
    project.save(update_fields=["phase", "last_activity_at", "updated_at"])
    if target > current:
        phase_entered.send(sender=Project, project=project, previous_phase=previous, actor=actor)
    return project


# --- needs ----------------------------------------------------------------------------------


def validate_amount(kind: str, amount: int, *, field: str = "amount") -> None:
    """The limits on an amount of money or time (forms check them early with this too)."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise InvalidInput(_("Enter a whole number."), field=field)
    if amount <= 0:
        raise InvalidInput(_("The amount must be more than zero."), field=field)
    if kind == Kind.MONEY and amount > MAX_MONEY_PENCE:
        raise InvalidInput(_("The amount must be £10,000,000 or less."), field=field)
    if kind == Kind.TIME and amount > MAX_HALF_DAYS:
        raise InvalidInput(_("The time must be 2,000 days or less."), field=field)


def _validate_kind_role(kind: str, role: str, *, role_required: bool) -> None:
    if kind not in Kind.values:
        raise InvalidInput(_("Choose money or staff time."), field="kind")
    if kind == Kind.MONEY and role:
        raise InvalidInput(_("Money has no role."), field="role")
    if kind == Kind.TIME:
        if role and role not in Role.values:
            raise InvalidInput(_("Choose a role."), field="role")
        if role_required and not role:
            raise InvalidInput(_("Choose the role you need."), field="role")


def _refresh_needed_totals(project: Project) -> None:
    totals = project.needs.aggregate(
        money=Sum("amount", filter=Q(kind=Kind.MONEY), default=0),
        time=Sum("amount", filter=Q(kind=Kind.TIME), default=0),
    )
    Project.objects.filter(pk=project.pk).update(
        money_needed=totals["money"], half_days_needed=totals["time"]
    )


def validate_need_phase(project: Project, phase: str, *, field: str = "phase") -> None:
    """A need is for now (no phase), or for the phase the project is in or one still ahead."""
    if not phase:
        return
    if phase not in NEED_PHASES:
        raise InvalidInput(
            _("Choose a phase from idea to live, or leave it empty if it is needed now."),
            field=field,
        )
    if PHASE_ORDER.index(phase) < PHASE_ORDER.index(project.phase):
        raise InvalidInput(
            _(
                "The project is already past %(phase)s. Leave the phase empty if it is needed "
                "now, or choose a phase still ahead."
            )
            % {"phase": str(Phase(phase).label).lower()},
            field=field,
        )


@transaction.atomic
def need_add(
    *,
    actor: User,
    project: Project,
    kind: str,
    amount: int,
    role: str = "",
    description: str = "",
    phase: str = "",
) -> Need:
    """Add a need; ``phase`` ties it to a phase ("£40,000 for beta"), empty means now."""
    project = _lock_project(project)
    _require_manager(actor, project)
    if project.state in (State.COMPLETED, State.CLOSED):
        raise Conflict(_("A completed or closed project cannot add needs."))
    _validate_kind_role(kind, role, role_required=True)
    validate_amount(kind, amount)
    if not isinstance(phase, str):
        raise InvalidInput(_("Choose a phase."), field="phase")
    validate_need_phase(project, phase)
    position = project.needs.count()
    need = Need.objects.create(
        project=project,
        kind=kind,
        role=role if kind == Kind.TIME else "",
        amount=amount,
        description=description.strip(),
        phase=phase,
        position=position,
    )
    _refresh_needed_totals(project)
    return need


@transaction.atomic
def need_remove(*, actor: User, need: Need) -> None:
    project = _lock_project(need.project)
    _require_manager(actor, project)
    if need.pledges.exists():
        raise Conflict(
            _("This need has pledges against it, so it stays on the record."), field="need"
        )
    need.delete()
    _refresh_needed_totals(project)


def _need_set_met(*, actor: User, need: Need, met: bool) -> Need:
    project = _lock_project(need.project)
    _require_manager(actor, project)
    need = Need.objects.select_for_update().get(pk=need.pk, project=project)
    if need.is_met == met:
        raise Conflict(
            _("This need is already marked as met.") if met else _("This need is already open."),
            field="need",
        )
    need.met_at = timezone.now() if met else None
    need.save(update_fields=["met_at"])
    return need


@transaction.atomic
def need_mark_met(*, actor: User, need: Need) -> Need:
    """The owner (or a manager) says a need is met: it takes no new offers. What was pledged
    toward it, and every total, stays as it is."""
    return _need_set_met(actor=actor, need=need, met=True)


@transaction.atomic
def need_reopen(*, actor: User, need: Need) -> Need:
    """A need marked met takes offers again."""
    return _need_set_met(actor=actor, need=need, met=False)
