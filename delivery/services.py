"""Writes for milestones, status reports and benefits. Web forms, the API and the demo data
call these.

Who may: for milestones and reports, the project's team as ``projects`` defines it (owner,
lead-council admins, organisers and active maker-team members: ``user_can_post_update``); for a
council's benefits, that council's verified members and organisers (``user_can_record_benefit``).
Checked here whatever the way in.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.mfa import acts_as_organiser
from core.errors import Conflict, InvalidInput, NotAllowed
from core.formatting import format_half_days, format_pence
from core.validators import validate_web_address
from councils.selectors import user_may_act_for_council
from projects.models import (
    MAX_HALF_DAYS,
    MAX_MONEY_PENCE,
    PUBLIC_STATES,
    Adoption,
    Phase,
    Project,
    State,
)
from projects.services.people import update_post, user_can_post_update
from projects.services.projects import timeline_record

from .models import (
    DEFAULT_REPORT_INTERVAL_DAYS,
    EARLIEST_DATE,
    MAX_HOURS_SAVED,
    MAX_NON_CASHABLE,
    MAX_PEOPLE_SERVED,
    MAX_REPORT_INTERVAL_DAYS,
    MAX_SAVINGS_PENCE,
    Benefit,
    Confidence,
    Milestone,
    Rating,
    ReportSchedule,
    StatusReport,
)
from .signals import milestone_reached

User = get_user_model()

LATEST_DATE = datetime.date(2100, 12, 31)


def _lock_project(project: Project) -> Project:
    # The project row only (see projects.services.projects): reports and milestones of one
    # project are written one at a time.
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("lead_council")
        .get(pk=project.pk)
    )


def _require_team(actor: User, project: Project) -> None:
    if not user_can_post_update(actor, project):
        raise NotAllowed(_("Only the project's team can do this."))


def _clean_text(value: str, *, field: str, label: str, limit: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("Enter %(what)s.") % {"what": label}, field=field)
    if len(value) > limit:
        raise InvalidInput(
            _("%(what)s must be %(limit)s characters or fewer.")
            % {"what": label[:1].upper() + label[1:], "limit": f"{limit:,}"},
            field=field,
        )
    return value


def _clean_date(value: datetime.date | None, *, field: str) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise InvalidInput(_("Enter a real date."), field=field)
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InvalidInput(_("Enter a date between 2000 and 2100."), field=field)
    return value


def _clean_url(value: str, *, field: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > 500:
        raise InvalidInput(_("The link must be 500 characters or fewer."), field=field)
    try:
        validate_web_address(value)
    except ValidationError as exc:
        raise InvalidInput(str(exc.messages[0]), field=field) from exc
    return value


def _clean_phase(value: str) -> str:
    if value not in Phase.values:
        raise InvalidInput(_("Choose the phase the milestone belongs to."), field="phase")
    return value


# --- milestones -----------------------------------------------------------------------------


@transaction.atomic
def milestone_add(
    *,
    actor: User,
    project: Project,
    title: str,
    phase: str,
    planned_on: datetime.date,
    evidence_url: str = "",
) -> Milestone:
    """The team plans a milestone; it shows on the project's timeline at once."""
    project = _lock_project(project)
    _require_team(actor, project)
    return Milestone.objects.create(
        project=project,
        title=_clean_text(title, field="title", label=_("the milestone"), limit=150, required=True),
        phase=_clean_phase(phase),
        planned_on=_clean_date(planned_on, field="planned_on"),
        evidence_url=_clean_url(evidence_url, field="evidence_url"),
        created_by=actor,
    )


def _lock_milestone(milestone: Milestone) -> Milestone:
    return (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("project__lead_council")
        .get(pk=milestone.pk)
    )


@transaction.atomic
def milestone_update(
    *,
    actor: User,
    milestone: Milestone,
    title: str | None = None,
    phase: str | None = None,
    planned_on: datetime.date | None = None,
    evidence_url: str | None = None,
) -> Milestone:
    """Change what was planned (only the fields given); the done date has its own action."""
    milestone = _lock_milestone(milestone)
    _require_team(actor, milestone.project)
    if title is not None:
        milestone.title = _clean_text(
            title, field="title", label=_("the milestone"), limit=150, required=True
        )
    if phase is not None:
        milestone.phase = _clean_phase(phase)
    if planned_on is not None:
        milestone.planned_on = _clean_date(planned_on, field="planned_on")
    if evidence_url is not None:
        milestone.evidence_url = _clean_url(evidence_url, field="evidence_url")
    milestone.save()
    return milestone


@transaction.atomic
def milestone_mark_done(
    *,
    actor: User,
    milestone: Milestone,
    done_on: datetime.date | None = None,
    evidence_url: str | None = None,
) -> Milestone:
    """Record the day the milestone was reached (today unless given), never in the future.
    Marking it again corrects the date."""
    milestone = _lock_milestone(milestone)
    _require_team(actor, milestone.project)
    done_on = _clean_date(done_on or timezone.localdate(), field="done_on")
    if done_on > timezone.localdate():
        raise InvalidInput(_("The date done must be today or in the past."), field="done_on")
    was_done_on = milestone.done_on
    milestone.done_on = done_on
    if evidence_url is not None:
        milestone.evidence_url = _clean_url(evidence_url, field="evidence_url")
    milestone.save()
    if was_done_on is None:
        milestone_reached.send(sender=Milestone, milestone=milestone, actor=actor)
    if milestone.project.state != State.DRAFT:
        if was_done_on is None:
            _timeline_milestone_done(actor=actor, milestone=milestone)
        elif was_done_on != done_on:
            _timeline_milestone_corrected(actor=actor, milestone=milestone, was=was_done_on)
    return milestone


def _timeline_milestone_corrected(*, actor: User, milestone: Milestone, was) -> None:
    """The timeline is history, never rewritten: a corrected date is a new entry saying so
    (not news to send to anyone)."""
    timeline_record(
        project=milestone.project,
        actor=actor,
        title=gettext_lazy("Milestone date corrected: %(milestone)s"),
        body=gettext_lazy(
            "%(name)s corrected the date the milestone “%(milestone)s” was done: %(done)s, "
            "not %(was)s."
        ),
        values={},
        names={
            "milestone": milestone.title,
            "done": lambda: date_format(milestone.done_on, "j F Y"),
            "was": lambda: date_format(was, "j F Y"),
        },
        notify=False,
    )


def _timeline_milestone_done(*, actor: User, milestone: Milestone) -> None:
    """Reaching a milestone is news: it goes on the timeline and to followers and partner
    councils. (Correcting the date later is not news again.)"""
    body = gettext_lazy(
        "%(name)s marked the %(phase)s milestone “%(milestone)s” done on %(done)s "
        "(planned for %(planned)s)."
    )
    if milestone.evidence_url:
        body = gettext_lazy(
            "%(name)s marked the %(phase)s milestone “%(milestone)s” done on %(done)s "
            "(planned for %(planned)s). Evidence: %(evidence)s"
        )
    timeline_record(
        project=milestone.project,
        actor=actor,
        title=gettext_lazy("Milestone reached: %(milestone)s"),
        body=body,
        values={"phase": Phase(milestone.phase).label},
        names={
            "milestone": milestone.title,
            "done": lambda: date_format(milestone.done_on, "j F Y"),
            "planned": lambda: date_format(milestone.planned_on, "j F Y"),
            "evidence": milestone.evidence_url,
        },
    )


# --- status reports -------------------------------------------------------------------------


def _clean_quantity(value: int, *, field: str, limit: int, too_much: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(_("Enter a whole number."), field=field)
    if value < 0:
        raise InvalidInput(_("This cannot be less than zero."), field=field)
    if value > limit:
        raise InvalidInput(too_much, field=field)
    return value


def _report_body(report: StatusReport) -> str:
    """The report as the update's Markdown (in the language active: the project's)."""
    parts = [
        (_("Rating"), report.get_rating_display()),
        (_("What happened"), report.happened),
        (
            _("Spent to date"),
            _("%(money)s and %(days)s")
            % {
                "money": format_pence(report.money_spent),
                "days": format_half_days(report.half_days_used),
            },
        ),
        (_("Next steps"), report.next_steps),
        (_("Blockers"), report.blockers),
        (_("Help wanted"), report.help_wanted),
    ]
    return "\n\n".join(f"**{heading}**\n\n{text}" for heading, text in parts if text)


@transaction.atomic
def status_report_file(
    *,
    actor: User,
    project: Project,
    rating: str,
    happened: str,
    next_steps: str,
    money_spent: int = 0,
    half_days_used: int = 0,
    blockers: str = "",
    help_wanted: str = "",
) -> StatusReport:
    """Report once: the report is posted as an update (followers and partner councils hear of
    it through ``update_post``, as they chose), and the next report falls due one interval
    from today."""
    project = _lock_project(project)
    _require_team(actor, project)
    if rating not in Rating.values:
        raise InvalidInput(_("Choose on track, at risk or off track."), field="rating")
    report = StatusReport(
        project=project,
        author=actor,
        rating=rating,
        happened=_clean_text(
            happened, field="happened", label=_("what happened"), limit=10_000, required=True
        ),
        next_steps=_clean_text(
            next_steps, field="next_steps", label=_("the next steps"), limit=10_000, required=True
        ),
        blockers=_clean_text(
            blockers, field="blockers", label=_("the blockers"), limit=10_000, required=False
        ),
        help_wanted=_clean_text(
            help_wanted,
            field="help_wanted",
            label=_("the help wanted"),
            limit=10_000,
            required=False,
        ),
        money_spent=_clean_quantity(
            money_spent,
            field="money_spent",
            limit=MAX_MONEY_PENCE,
            too_much=_("The amount must be £10,000,000 or less."),
        ),
        half_days_used=_clean_quantity(
            half_days_used,
            field="half_days_used",
            limit=MAX_HALF_DAYS,
            too_much=_("The time must be 2,000 days or less."),
        ),
    )
    # Its headings in the project's language, like the rest of its timeline, whatever
    # language the team member filed it in.
    with translation.override(project.language):
        title = _("Status report: %(rating)s") % {"rating": report.get_rating_display()}
        body = _report_body(report)
    update = update_post(actor=actor, project=project, title=title, body=body)
    report.update = update
    report.created_at = update.created_at
    report.save()
    schedule, _created = ReportSchedule.objects.select_for_update().get_or_create(
        project=project,
        defaults={
            "next_due_on": timezone.localdate(),
            "interval_days": DEFAULT_REPORT_INTERVAL_DAYS,
        },
    )
    schedule.next_due_on = timezone.localdate() + datetime.timedelta(days=schedule.interval_days)
    schedule.save(update_fields=["next_due_on"])
    return report


@transaction.atomic
def report_schedule_set(*, actor: User, project: Project, interval_days: int) -> ReportSchedule:
    """The team changes how often it reports; the next report is due one interval after the
    latest (or from today, before the first)."""
    project = _lock_project(project)
    _require_team(actor, project)
    if not isinstance(interval_days, int) or not 0 < interval_days <= MAX_REPORT_INTERVAL_DAYS:
        raise InvalidInput(
            _("Enter a number of days between 1 and %(max)s.") % {"max": MAX_REPORT_INTERVAL_DAYS},
            field="interval_days",
        )
    latest = StatusReport.objects.filter(project=project).order_by("-created_at").first()
    start = timezone.localdate(latest.created_at) if latest else timezone.localdate()
    schedule, _created = ReportSchedule.objects.update_or_create(
        project=project,
        defaults={
            "interval_days": interval_days,
            "next_due_on": start + datetime.timedelta(days=interval_days),
        },
    )
    return schedule


# --- benefits -------------------------------------------------------------------------------


def user_can_record_benefit(user: User, adoption: Adoption) -> bool:
    """A verified member of the council that adopted it, or an organiser (refused, saying why,
    until they have a second factor)."""
    if not user.is_authenticated:
        return False
    # An organiser's standing here needs a second factor, as every organiser power does.
    return user_may_act_for_council(user=user, council=adoption.council) or acts_as_organiser(user)


@transaction.atomic
def benefit_record(
    *,
    actor: User,
    adoption: Adoption,
    confidence: str,
    cashable_savings: int = 0,
    non_cashable: str = "",
    hours_saved: int = 0,
    people_served: int = 0,
    evidence_url: str = "",
) -> tuple[Benefit, bool]:
    """The adopting council records what it gets from the product, per year; recording again
    brings its figures up to date (one record per adoption, so totals count each council once).
    Returns the benefit and whether it was new."""
    # The adoption row, locked: two people of one council recording at once are one at a time.
    adoption = (
        Adoption.objects.select_for_update(of=("self",))
        .select_related("council", "project")
        .get(pk=adoption.pk)
    )
    if not user_can_record_benefit(actor, adoption):
        raise NotAllowed(
            _("Only verified members of %(council)s can record its benefits.")
            % {"council": adoption.council.display_name}
        )
    if adoption.project.is_hidden or adoption.project.state not in PUBLIC_STATES:
        raise Conflict(_("This project is not published."))
    if confidence not in Confidence.values:
        raise InvalidInput(
            _("Choose how confident you are: low, medium or high."), field="confidence"
        )
    values = {
        "cashable_savings": _clean_quantity(
            cashable_savings,
            field="cashable_savings",
            limit=MAX_SAVINGS_PENCE,
            too_much=_("The savings must be £10,000,000 a year or less."),
        ),
        "hours_saved": _clean_quantity(
            hours_saved,
            field="hours_saved",
            limit=MAX_HOURS_SAVED,
            too_much=_("The hours saved must be 1,000,000 a year or fewer."),
        ),
        "people_served": _clean_quantity(
            people_served,
            field="people_served",
            limit=MAX_PEOPLE_SERVED,
            too_much=_("The people served must be 10,000,000 or fewer."),
        ),
        "non_cashable": _clean_text(
            non_cashable,
            field="non_cashable",
            label=_("the non-cashable benefits"),
            limit=MAX_NON_CASHABLE,
            required=False,
        ),
        "evidence_url": _clean_url(evidence_url, field="evidence_url"),
        "confidence": confidence,
    }
    if not (
        values["cashable_savings"]
        or values["hours_saved"]
        or values["people_served"]
        or values["non_cashable"]
    ):
        raise InvalidInput(
            _(
                "Enter at least one benefit: savings, hours saved, people served or what "
                "else improved."
            ),
            field="cashable_savings",
        )
    if confidence == Confidence.HIGH and not values["evidence_url"]:
        raise InvalidInput(
            _("Give a link to the evidence, or choose medium or low confidence."),
            field="evidence_url",
        )
    now = timezone.now()
    benefit = Benefit.objects.filter(adoption=adoption).first()
    created = benefit is None
    if created:
        benefit = Benefit(adoption=adoption, recorded_by=actor, recorded_at=now)
    for name, value in values.items():
        setattr(benefit, name, value)
    benefit.updated_by = actor
    benefit.updated_at = now
    benefit.save()
    return benefit, created
