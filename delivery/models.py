"""Delivery: what a project plans (milestones), how it is going (status reports) and what the
councils that adopted it got from it (benefits).

A status report is also an ``Update`` on the project's timeline (``report``), so followers and
partner councils hear of it the way they chose to hear of updates; the report keeps the figures
(rating, money spent, days used) that portfolios read later.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.models import MAX_MONEY_PENCE, Adoption, Phase, Project, Update

DEFAULT_REPORT_INTERVAL_DAYS = 30  # "monthly by default"
MAX_REPORT_INTERVAL_DAYS = 366
EARLIEST_DATE = datetime.date(2000, 1, 1)


class Rating(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")


# GOV.UK tag colour for each rating; the tag always carries the rating's words too.
RATING_TAG = {
    Rating.ON_TRACK: "govuk-tag--green",
    Rating.AT_RISK: "govuk-tag--yellow",
    Rating.OFF_TRACK: "govuk-tag--red",
}


class Milestone(models.Model):
    """A point the team plans to reach, in a phase, by a date; done when it has a done date."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=150)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    planned_on = models.DateField(_("planned date"))
    done_on = models.DateField(_("date done"), null=True, blank=True)
    evidence_url = models.URLField(_("evidence link"), blank=True, max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["planned_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="milestone_has_title"),
            models.CheckConstraint(
                condition=Q(phase__in=Phase.values), name="milestone_phase_valid"
            ),
            models.CheckConstraint(
                condition=Q(planned_on__gte=EARLIEST_DATE), name="milestone_planned_on_sane"
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | Q(done_on__gte=EARLIEST_DATE),
                name="milestone_done_on_sane",
            ),
        ]
        indexes = [models.Index(fields=["project", "planned_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.project.get_absolute_url()}#milestone-{self.pk}"

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class StatusReport(models.Model):
    """The team's report on how the project is going, filed once and posted as an update."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="status_reports")
    update = models.OneToOneField(Update, on_delete=models.CASCADE, related_name="status_report")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices)
    happened = models.TextField(_("what happened"), max_length=10_000)
    money_spent = models.BigIntegerField(_("money spent to date (pence)"), default=0)
    half_days_used = models.IntegerField(_("days used to date (half-days)"), default=0)
    next_steps = models.TextField(_("next steps"), max_length=10_000)
    blockers = models.TextField(_("blockers"), blank=True, max_length=10_000)
    help_wanted = models.TextField(_("help wanted"), blank=True, max_length=10_000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__in=Rating.values), name="status_report_rating_valid"
            ),
            models.CheckConstraint(
                condition=Q(money_spent__gte=0) & Q(half_days_used__gte=0),
                name="status_report_spend_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(happened="") & ~Q(next_steps=""), name="status_report_not_empty"
            ),
        ]
        indexes = [models.Index(fields=["project", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.project} – {self.get_rating_display()}"

    def get_absolute_url(self) -> str:
        return f"{self.project.get_absolute_url()}#update-{self.update_id}"

    @property
    def rating_tag(self) -> str:
        return RATING_TAG[self.rating]


class ReportSchedule(models.Model):
    """When a project's next status report is due. Made when the first report is filed; until
    then a project's first report is due a month after publication (``selectors``)."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="report_schedule"
    )
    interval_days = models.PositiveSmallIntegerField(
        _("days between reports"), default=DEFAULT_REPORT_INTERVAL_DAYS
    )
    next_due_on = models.DateField(_("next report due"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_days__gt=0, interval_days__lte=MAX_REPORT_INTERVAL_DAYS),
                name="report_interval_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}: next report due {self.next_due_on}"


# A benefit's figures are per year, for one council: caps that no honest figure reaches, so a
# typing slip (an extra nought or three) is refused with a clear error instead of skewing the
# national totals.
MAX_SAVINGS_PENCE = MAX_MONEY_PENCE  # £10,000,000 a year
MAX_HOURS_SAVED = 1_000_000  # about 550 full-time staff
MAX_PEOPLE_SERVED = 10_000_000  # more than live in any council's area
MAX_NON_CASHABLE = 5_000


class Confidence(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


# What each level means, in plain English, for the form and the API's documentation.
CONFIDENCE_HELP = {
    Confidence.LOW: _("An estimate: we have not measured it yet."),
    Confidence.MEDIUM: _("Partly measured, or measured over a short time."),
    Confidence.HIGH: _("Measured over months, with evidence others can check."),
}
CONFIDENCE_TAG = {
    Confidence.LOW: "govuk-tag--grey",
    Confidence.MEDIUM: "govuk-tag--blue",
    Confidence.HIGH: "govuk-tag--green",
}


class Benefit(models.Model):
    """What one council that adopted a project says it gets from it, per year.

    One per adoption, brought up to date as the council learns more (a new measurement replaces
    the old one), so totals across councils count each council once. Who recorded it and when
    are kept, and who changed it last.
    """

    adoption = models.OneToOneField(Adoption, on_delete=models.CASCADE, related_name="benefit")
    cashable_savings = models.BigIntegerField(_("cashable savings per year (pence)"), default=0)
    non_cashable = models.TextField(
        _("non-cashable benefits"), blank=True, max_length=MAX_NON_CASHABLE
    )
    hours_saved = models.IntegerField(_("staff hours saved per year"), default=0)
    people_served = models.IntegerField(_("people served per year"), default=0)
    evidence_url = models.URLField(_("evidence link"), blank=True, max_length=500)
    confidence = models.CharField(_("confidence"), max_length=8, choices=Confidence.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-cashable_savings", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cashable_savings__gte=0, cashable_savings__lte=MAX_SAVINGS_PENCE),
                name="benefit_savings_in_range",
            ),
            models.CheckConstraint(
                condition=Q(hours_saved__gte=0, hours_saved__lte=MAX_HOURS_SAVED),
                name="benefit_hours_in_range",
            ),
            models.CheckConstraint(
                condition=Q(people_served__gte=0, people_served__lte=MAX_PEOPLE_SERVED),
                name="benefit_people_in_range",
            ),
            models.CheckConstraint(
                condition=Q(confidence__in=Confidence.values), name="benefit_confidence_valid"
            ),
            # A benefit says something: a saving, hours, people or words.
            models.CheckConstraint(
                condition=Q(cashable_savings__gt=0)
                | Q(hours_saved__gt=0)
                | Q(people_served__gt=0)
                | ~Q(non_cashable=""),
                name="benefit_says_something",
            ),
            # "High" means others can check it.
            models.CheckConstraint(
                condition=~Q(confidence=Confidence.HIGH) | ~Q(evidence_url=""),
                name="benefit_high_confidence_has_evidence",
            ),
            models.CheckConstraint(
                condition=Q(updated_at__gte=models.F("recorded_at")),
                name="benefit_updated_after_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.adoption.council} – {self.adoption.project}"

    def get_absolute_url(self) -> str:
        return f"{self.adoption.project.get_absolute_url()}#benefit-{self.pk}"

    @property
    def confidence_tag(self) -> str:
        return CONFIDENCE_TAG[self.confidence]
