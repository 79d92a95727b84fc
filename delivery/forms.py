"""Web forms for milestones, status reports and benefits: shape only; the services decide the
rest."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.formatting import parse_days, parse_pounds
from core.forms import GovukDateField, WebAddressField
from projects.forms import MARKDOWN_HINT
from projects.models import MAX_HALF_DAYS, MAX_MONEY_PENCE, Phase

from .models import (
    CONFIDENCE_HELP,
    MAX_HOURS_SAVED,
    MAX_NON_CASHABLE,
    MAX_PEOPLE_SERVED,
    MAX_SAVINGS_PENCE,
    Confidence,
    Rating,
)

EVIDENCE_HELP = _("A page that shows it was done, starting https:// (optional)")


def _evidence_field() -> WebAddressField:
    return WebAddressField(
        label=_("Evidence link (optional)"),
        help_text=EVIDENCE_HELP,
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a web address, like https://example.gov.uk/report")},
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(
        label=_("Milestone"),
        help_text=_("What you will have reached, for example ‘Alpha assessment passed’"),
        max_length=150,
        error_messages={"required": _("Enter the milestone")},
    )
    phase = forms.ChoiceField(
        label=_("Phase it belongs to"),
        choices=Phase.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the phase the milestone belongs to")},
    )
    planned_on = GovukDateField(
        what=_("planned date"),
        label=_("Planned date"),
        help_text=_("For example 31 3 2027"),
        error_messages={"required": _("Enter the planned date")},
    )
    evidence_url = _evidence_field()


class MilestoneDoneForm(forms.Form):
    done_on = GovukDateField(
        what=_("date done"),
        label=_("Date done"),
        help_text=_("For example 31 3 2026"),
        error_messages={"required": _("Enter the date the milestone was done")},
    )
    evidence_url = _evidence_field()

    def clean_done_on(self):
        value = self.cleaned_data.get("done_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date done must be today or in the past"))
        return value


def _long_text(label, help_text, *, required: bool, required_message=None) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": required_message} if required_message else {},
    )


class StatusReportForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How is the project going?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose on track, at risk or off track")},
    )
    happened = _long_text(
        _("What happened since the last report"),
        MARKDOWN_HINT,
        required=True,
        required_message=_("Say what happened since the last report"),
    )
    money_spent = forms.CharField(
        label=_("Money spent to date"),
        help_text=_("In pounds, for example 12500 or 12,500.50. Enter 0 if none."),
        max_length=20,
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "decimal"}),
        error_messages={"required": _("Enter the money spent to date, or 0")},
    )
    days_used = forms.CharField(
        label=_("Staff days used to date"),
        help_text=_("In whole or half days, for example 12 or 12.5. Enter 0 if none."),
        max_length=20,
        widget=forms.TextInput(attrs={"data-width": "5", "inputmode": "decimal"}),
        error_messages={"required": _("Enter the staff days used to date, or 0")},
    )
    next_steps = _long_text(
        _("Next steps"),
        MARKDOWN_HINT,
        required=True,
        required_message=_("Say what the next steps are"),
    )
    blockers = _long_text(_("Blockers (optional)"), _("Anything stopping the team"), required=False)
    help_wanted = _long_text(
        _("Help wanted (optional)"),
        _("What other councils could do to help"),
        required=False,
    )

    def clean_money_spent(self) -> int:
        try:
            value = parse_pounds(self.cleaned_data["money_spent"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if value > MAX_MONEY_PENCE:
            raise forms.ValidationError(_("The amount must be £10,000,000 or less."))
        return value

    def clean_days_used(self) -> int:
        try:
            value = parse_days(self.cleaned_data["days_used"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if value > MAX_HALF_DAYS:
            raise forms.ValidationError(_("The time must be 2,000 days or less."))
        return value

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["half_days_used"] = data.pop("days_used")
        return data


def _whole_number(text: str, *, limit: int, too_much: str) -> int:
    """'1,200' → 1200; empty → 0. Whole numbers only, zero or more, up to ``limit``."""
    cleaned = (text or "").strip().replace(",", "")
    if not cleaned:
        return 0
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise forms.ValidationError(_("Enter a whole number, like 1200, or leave it empty"))
    value = int(cleaned[:12])  # more digits than that are over any limit
    if len(cleaned) > 12 or value > limit:
        raise forms.ValidationError(too_much)
    return value


class ConfidenceField(forms.ChoiceField):
    """Low, medium or high, each with what it means under its radio."""

    def __init__(self, **kwargs):
        super().__init__(choices=Confidence.choices, widget=forms.RadioSelect, **kwargs)
        self.option_hints = {str(value): text for value, text in CONFIDENCE_HELP.items()}


class BenefitForm(forms.Form):
    cashable_savings = forms.CharField(
        label=_("Cashable savings a year (optional)"),
        help_text=_(
            "Money your council no longer spends because of it, in pounds, for example 12500 or "
            "12,500.50"
        ),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "decimal"}),
    )
    hours_saved = forms.CharField(
        label=_("Staff hours saved a year (optional)"),
        help_text=_("A whole number, for example 1200"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "numeric"}),
    )
    people_served = forms.CharField(
        label=_("People served a year (optional)"),
        help_text=_("Residents, staff or businesses who used it, for example 25000"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "numeric"}),
    )
    non_cashable = forms.CharField(
        label=_("Other benefits (optional)"),
        help_text=_(
            "What is better that money does not show: fewer complaints, quicker answers, "
            "less risk. Public: shown on the project’s page."
        ),
        required=False,
        max_length=MAX_NON_CASHABLE,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence_url = WebAddressField(
        label=_("Evidence link (optional)"),
        help_text=_(
            "A report, dashboard or committee paper that shows it, starting https://. "
            "Needed for high confidence."
        ),
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a web address, like https://example.gov.uk/report")},
    )
    confidence = ConfidenceField(
        label=_("How confident are you in these figures?"),
        error_messages={"required": _("Choose how confident you are: low, medium or high")},
    )

    def clean_cashable_savings(self) -> int:
        raw = (self.cleaned_data.get("cashable_savings") or "").strip()
        if not raw:
            return 0
        try:
            value = parse_pounds(raw)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if value > MAX_SAVINGS_PENCE:
            raise forms.ValidationError(_("The savings must be £10,000,000 a year or less."))
        return value

    def clean_hours_saved(self) -> int:
        return _whole_number(
            self.cleaned_data.get("hours_saved"),
            limit=MAX_HOURS_SAVED,
            too_much=_("The hours saved must be 1,000,000 a year or fewer."),
        )

    def clean_people_served(self) -> int:
        return _whole_number(
            self.cleaned_data.get("people_served"),
            limit=MAX_PEOPLE_SERVED,
            too_much=_("The people served must be 10,000,000 or fewer."),
        )
