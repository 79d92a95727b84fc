"""Delivery: what a project plans (milestones) and how it is going (status reports).

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

from projects.models import Phase, Project, Update

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
