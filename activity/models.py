"""The organisers' activity log: who changed a membership, a project's visibility or a council's
governance settings, when, why, and what exactly changed.

An entry is written by ``activity.services.activity_record`` inside the transaction of the change
it records, so the two commit (or roll back) together. Entries are never edited or deleted: the
database refuses it (migration 0002). Only the foreign keys may later become NULL, when the
person, council or project they point at is deleted; the names shown at the time stay.
"""

from django.conf import settings
from django.contrib.admin import display
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.formatting import format_half_days, format_pence
from councils.models import MembershipRole


class ActivityAction(models.TextChoices):
    MEMBERSHIP_APPROVED = "membership_approved", _("Membership approved")
    MEMBERSHIP_REFUSED = "membership_refused", _("Membership refused")
    MEMBERSHIP_ROLE_CHANGED = "membership_role_changed", _("Membership role changed")
    MEMBERSHIP_REMOVED = "membership_removed", _("Membership removed")
    MEMBERSHIP_LEFT = "membership_left", _("Member left")
    PROJECT_HIDDEN = "project_hidden", _("Project hidden")
    PROJECT_RESTORED = "project_restored", _("Project restored")
    COUNCIL_DOMAINS_CHANGED = "council_domains_changed", _("Council domains changed")
    COUNCIL_LIMITS_CHANGED = "council_limits_changed", _("Council limits changed")
    COUNCIL_SSO_CONFIGURED = "council_sso_configured", _("Single sign-on configured")
    COUNCIL_SSO_CHANGED = "council_sso_changed", _("Single sign-on changed")
    COUNCIL_SSO_REMOVED = "council_sso_removed", _("Single sign-on removed")
    FUNDING_SHORTLIST_CHANGED = "funding_shortlist_changed", _("Funding shortlist changed")
    FUNDING_DECISION_RECORDED = "funding_decision_recorded", _("Funding decision recorded")
    FUNDING_DECISIONS_PUBLISHED = "funding_decisions_published", _("Funding decisions published")
    FUNDING_TRANCHE_RELEASED = "funding_tranche_released", _("Award tranche released")
    COUNCIL_COMMITMENT_RECORDED = "council_commitment_recorded", _("Commitment recorded")
    COUNCIL_COMMITMENT_REMOVED = "council_commitment_removed", _("Commitment record removed")
    FUNDER_ADDED = "funder_added", _("Funder added")
    FUNDER_CHANGED = "funder_changed", _("Funder changed")
    FUNDER_MEMBERSHIP_APPROVED = "funder_membership_approved", _("Funder membership approved")
    FUNDER_MEMBERSHIP_REFUSED = "funder_membership_refused", _("Funder membership refused")
    FUNDER_MEMBERSHIP_ROLE_CHANGED = (
        "funder_membership_role_changed",
        _("Funder membership role changed"),
    )
    FUNDER_MEMBERSHIP_REMOVED = "funder_membership_removed", _("Funder membership removed")
    FUNDER_MEMBERSHIP_LEFT = "funder_membership_left", _("Funder member left")
    CALL_PUBLISHED = "call_published", _("Funding call published")
    CALL_CHANGED = "call_changed", _("Published funding call changed")
    COMBINE_SUGGESTED = "combine_suggested", _("Combining two bids suggested")
    COMBINE_AGREED = "combine_agreed", _("Council agreed to combine bids")
    COMBINE_DECLINED = "combine_declined", _("Council declined to combine bids")
    COMBINE_WITHDRAWN = "combine_withdrawn", _("Suggestion to combine bids withdrawn")
    BIDS_COMBINED = "bids_combined", _("Bids and projects combined")
    FUNDING_PARTNER_INVITED = "funding_partner_invited", _("Council invited to partner in a bid")
    FUNDING_PARTNER_CONFIRMED = "funding_partner_confirmed", _("Partner council confirmed its part")
    FUNDING_PARTNER_DECLINED = "funding_partner_declined", _("Council declined to partner in a bid")
    FUNDING_PARTNER_WITHDREW = "funding_partner_withdrew", _("Partner council withdrew from a bid")
    FUNDING_PARTNER_REMOVED = "funding_partner_removed", _("Council removed from a bid")
    FUNDING_APPLICATION_SUBMITTED = (
        "funding_application_submitted",
        _("Funding application submitted"),
    )
    FUNDING_APPLICATION_WITHDRAWN = (
        "funding_application_withdrawn",
        _("Funding application withdrawn"),
    )


class ActivityEntry(models.Model):
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The actor's name as it was shown at the time: the log still reads after they are deleted.
    actor_name = models.CharField(_("by (name at the time)"), max_length=300, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=ActivityAction.choices)
    council = models.ForeignKey(
        "councils.Council",
        verbose_name=_("council"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activity_entries",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activity_entries",
    )
    target = models.CharField(_("concerning"), max_length=500, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # Before and after: {"money_limit": {"before": 500000, "after": None}}, {"added": [...]}.
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("activity log entry")
        verbose_name_plural = _("activity log entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=[a.value for a in ActivityAction]),
                name="activityentry_action_valid",
            ),
        ]

    def __str__(self) -> str:
        action = str(self.get_action_display())
        return f"{action}: {self.target}" if self.target else action

    @property
    @display(description=_("by"))
    def actor_display(self) -> str:
        """The name shown at the time, or Pipeline itself when nobody acted."""
        if self.actor_name:
            return self.actor_name
        if self.actor_id is not None:
            return str(self.actor)
        return gettext("Pipeline (automatic)")

    @property
    def details_lines(self) -> list[str]:
        """What changed, in words: one line per changed thing, never raw JSON."""
        return [_detail_line(key, value) for key, value in (self.details or {}).items()]

    @property
    @display(description=_("what changed"))
    def details_display(self) -> str:
        return "; ".join(self.details_lines)


def _limit_text(key: str, value) -> str:
    if value is None:
        return gettext("no limit")
    if key == "money_limit":
        return format_pence(value)
    return format_half_days(value)


def _role_text(value) -> str:
    try:
        return str(MembershipRole(value).label)
    except ValueError:
        return str(value)


def _plain(value) -> str:
    if value is None or value == "":
        return gettext("nothing")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or gettext("nothing")
    return str(value)


DETAIL_LABELS = {
    "added": _("Domains added"),
    "removed": _("Domains removed"),
    "money_limit": _("Money limit"),
    "half_days_limit": _("Staff time limit"),
    "role": _("Role"),
    "issuer": _("Issuer"),
    "client_id": _("Client ID"),
    "secret_env": _("Client secret from environment variable"),
    "secret_replaced": _("New client secret stored"),
    "enabled": _("Enabled"),
    "vouched_domains": _("Email domains it vouches for"),
    "funder_role": _("Funder role"),
    "commitment": _("Commitment"),
    "signed_on": _("Date signed"),
    "evidence_url": _("Link to the signed commitment"),
    "call": _("Funding call"),
    "pledges_moved": _("Pledges moved"),
    "partners_joined": _("Partner councils joined"),
    "withdrawn_bid": _("Bid withdrawn"),
    "application": _("Application number"),
    "contribution": _("What the council brings"),
    "amount_requested": _("Amount requested"),
}
FORMATTERS = {
    "amount_requested": lambda v: gettext("not given") if v is None else format_pence(v),
    "money_limit": lambda v: _limit_text("money_limit", v),
    "half_days_limit": lambda v: _limit_text("half_days_limit", v),
    "role": _role_text,
}


def _detail_line(key: str, value) -> str:
    label = str(DETAIL_LABELS.get(key, key.replace("_", " ").capitalize()))
    show = FORMATTERS.get(key, _plain)
    if isinstance(value, dict) and set(value) == {"before", "after"}:
        return gettext("%(label)s: %(before)s → %(after)s") % {
            "label": label,
            "before": show(value["before"]),
            "after": show(value["after"]),
        }
    return f"{label}: {show(value)}"
