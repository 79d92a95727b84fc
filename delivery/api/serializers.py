"""Input and output shapes of the delivery API. Output is built by hand from the selectors'
rows; input serializers name their fields and nothing else is accepted."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import StrictInputSerializer, WebAddressField, days, money
from core.formatting import parse_days
from projects.api.serializers import CouncilRefSerializer, council_ref
from projects.models import MAX_HALF_DAYS, MAX_MONEY_PENCE, Phase

from ..models import (
    CONFIDENCE_HELP,
    MAX_HOURS_SAVED,
    MAX_NON_CASHABLE,
    MAX_PEOPLE_SERVED,
    MAX_SAVINGS_PENCE,
    Benefit,
    Confidence,
    Milestone,
    Rating,
    StatusReport,
)
from ..selectors import milestone_status


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _abs(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


class MilestoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.SlugField()
    title = serializers.CharField()
    phase = serializers.ChoiceField(choices=Phase.choices)
    planned_on = serializers.DateField()
    done_on = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(
        choices=["done", "overdue", "due_today", "upcoming"],
        help_text="How it stands today",
    )
    evidence_url = serializers.URLField(allow_blank=True)
    url = serializers.URLField()

    def to_representation(self, m: Milestone) -> dict:
        return {
            "id": m.pk,
            "project": m.project.slug,
            "title": m.title,
            "phase": m.phase,
            "planned_on": m.planned_on.isoformat(),
            "done_on": m.done_on.isoformat() if m.done_on else None,
            "status": milestone_status(m).key,
            "evidence_url": m.evidence_url,
            "url": _abs(self.context.get("request"), m.get_absolute_url()),
        }


class MilestoneInputSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=150)
    phase = serializers.ChoiceField(choices=Phase.choices)
    planned_on = serializers.DateField()
    evidence_url = WebAddressField(max_length=500, required=False, allow_blank=True)


class MilestoneChangeSerializer(StrictInputSerializer):
    """A partial change: only the fields sent are changed."""

    title = serializers.CharField(max_length=150, required=False)
    phase = serializers.ChoiceField(choices=Phase.choices, required=False)
    planned_on = serializers.DateField(required=False)
    evidence_url = WebAddressField(max_length=500, required=False, allow_blank=True)


class MilestoneDoneSerializer(StrictInputSerializer):
    done_on = serializers.DateField(required=False, help_text="Today if not given")
    evidence_url = WebAddressField(max_length=500, required=False, allow_blank=True)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^[0-9]+(\.(0+|50*))?$",
        "example": "12.5",
        "description": 'Staff days used to date in whole or half days, as a decimal string ("0", '
        '"12", "12.5"); no exponents. Up to 2,000 days.',
    }
)
class UsedDaysField(serializers.Field):
    """Days used so far, read by the web form's parser: a decimal string in half-day steps,
    zero allowed. The value is in half-days."""

    default_error_messages = {"invalid": 'Give the number of days as text, like "12.5".'}

    def to_internal_value(self, data) -> int:
        if isinstance(data, bool) or not isinstance(data, str | int | Decimal):
            self.fail("invalid")
        try:
            half_days = parse_days(str(data))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        if half_days > MAX_HALF_DAYS:
            raise serializers.ValidationError("The time must be 2,000 days or less.")
        return half_days

    def to_representation(self, value) -> str:
        return days(value)


class StatusReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.SlugField()
    rating = serializers.ChoiceField(choices=Rating.choices)
    happened = serializers.CharField(help_text="Markdown")
    money_spent = serializers.DictField(help_text="Money spent to date: amount_pence, currency")
    days_used = serializers.CharField(help_text='Staff days used to date, like "12.5"')
    next_steps = serializers.CharField(help_text="Markdown")
    blockers = serializers.CharField(allow_blank=True)
    help_wanted = serializers.CharField(allow_blank=True)
    author = serializers.CharField()
    created_at = serializers.DateTimeField()
    update = serializers.IntegerField(help_text="The update it was posted as")
    url = serializers.URLField()

    def to_representation(self, r: StatusReport) -> dict:
        return {
            "id": r.pk,
            "project": r.project.slug,
            "rating": r.rating,
            "happened": r.happened,
            "money_spent": money(r.money_spent),
            "days_used": days(r.half_days_used),
            "next_steps": r.next_steps,
            "blockers": r.blockers,
            "help_wanted": r.help_wanted,
            "author": r.author.get_full_name(),
            "created_at": _iso(r.created_at),
            "update": r.update_id,
            "url": _abs(self.context.get("request"), r.get_absolute_url()),
        }


class StatusReportInputSerializer(StrictInputSerializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    happened = serializers.CharField(max_length=10_000)
    money_spent_pence = serializers.IntegerField(
        min_value=0, max_value=MAX_MONEY_PENCE, required=False, default=0
    )
    days_used = UsedDaysField(required=False, default=0)
    next_steps = serializers.CharField(max_length=10_000)
    blockers = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    help_wanted = serializers.CharField(max_length=10_000, required=False, allow_blank=True)

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        data["money_spent"] = data.pop("money_spent_pence")
        data["half_days_used"] = data.pop("days_used")
        return data


# --- benefits -------------------------------------------------------------------------------

CONFIDENCE_DOC = "How sure the council is of its figures: " + "; ".join(
    f"{value} – {text}" for value, text in CONFIDENCE_HELP.items()
)


class BenefitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.SlugField()
    council = CouncilRefSerializer(help_text="The adopting council that reports it")
    adopted_on = serializers.DateField()
    cashable_savings = serializers.DictField(
        help_text="Cashable savings a year: amount_pence, currency"
    )
    hours_saved = serializers.IntegerField(help_text="Staff hours saved a year")
    people_served = serializers.IntegerField(help_text="People served a year")
    non_cashable = serializers.CharField(allow_blank=True, help_text="Other benefits, in words")
    evidence_url = serializers.URLField(allow_blank=True)
    confidence = serializers.ChoiceField(choices=Confidence.choices, help_text=CONFIDENCE_DOC)
    recorded_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    url = serializers.URLField()

    def to_representation(self, b: Benefit) -> dict:
        return {
            "id": b.pk,
            "project": b.adoption.project.slug,
            "council": council_ref(b.adoption.council),
            "adopted_on": b.adoption.adopted_on.isoformat(),
            "cashable_savings": money(b.cashable_savings),
            "hours_saved": b.hours_saved,
            "people_served": b.people_served,
            "non_cashable": b.non_cashable,
            "evidence_url": b.evidence_url,
            "confidence": b.confidence,
            "recorded_at": _iso(b.recorded_at),
            "updated_at": _iso(b.updated_at),
            "url": _abs(self.context.get("request"), b.get_absolute_url()),
        }


class BenefitInputSerializer(StrictInputSerializer):
    """Recording again for the same adoption replaces its figures."""

    project = serializers.SlugField(help_text="The adopted project's slug")
    council = serializers.CharField(
        max_length=20, help_text="The adopting council's register code (you act for it)"
    )
    cashable_savings_pence = serializers.IntegerField(
        min_value=0,
        max_value=MAX_SAVINGS_PENCE,
        required=False,
        default=0,
        help_text="Cashable savings a year, in pence",
    )
    hours_saved = serializers.IntegerField(
        min_value=0, max_value=MAX_HOURS_SAVED, required=False, default=0
    )
    people_served = serializers.IntegerField(
        min_value=0, max_value=MAX_PEOPLE_SERVED, required=False, default=0
    )
    non_cashable = serializers.CharField(
        max_length=MAX_NON_CASHABLE, required=False, allow_blank=True, default=""
    )
    evidence_url = WebAddressField(max_length=500, required=False, allow_blank=True, default="")
    confidence = serializers.ChoiceField(choices=Confidence.choices, help_text=CONFIDENCE_DOC)

    def service_arguments(self) -> dict:
        data = dict(self.validated_data)
        data.pop("project")
        data.pop("council")
        data["cashable_savings"] = data.pop("cashable_savings_pence")
        return data


class ProjectBenefitSummarySerializer(serializers.Serializer):
    project = serializers.SlugField()
    title = serializers.CharField()
    lead_council = serializers.CharField(help_text="Register code")
    councils_reporting = serializers.IntegerField()
    cashable_savings = serializers.DictField(help_text="A year: amount_pence, currency")
    hours_saved = serializers.IntegerField()
    people_served = serializers.IntegerField()

    def to_representation(self, row) -> dict:
        return {
            "project": row.slug,
            "title": row.title,
            "lead_council": row.lead_council_code,
            "councils_reporting": row.councils,
            "cashable_savings": money(row.cashable_savings),
            "hours_saved": row.hours_saved,
            "people_served": row.people_served,
        }


class BenefitSummarySerializer(serializers.Serializer):
    cashable_savings = serializers.DictField(
        help_text="Every reporting council's cashable savings a year, added up"
    )
    hours_saved = serializers.IntegerField(help_text="Staff hours saved a year, added up")
    people_served = serializers.IntegerField(help_text="People served a year, added up")
    councils_reporting = serializers.IntegerField()
    projects_reporting = serializers.IntegerField()
    by_project = ProjectBenefitSummarySerializer(many=True, help_text="Most savings first")
