"""The forms of the funding pages. They check the shape of what was typed (pounds, dates and
times, whole numbers); the services decide what is allowed, and their refusals come back
beside the field they are about."""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.formatting import parse_pounds
from core.forms import GovukDateField
from councils.models import Commitment, Nation
from projects.forms import MARKDOWN_HINT
from projects.models import NEED_PHASES, Language, Phase, ServiceArea

from ...models import FunderRole
from ...selectors.calls import council_type_choices

# The service's names for the values whose form fields are called something else.
SERVICE_FIELDS = {"opens_at": "opens_on", "closes_at": "closes_on"}
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$")


def parse_time(text: str) -> datetime.time:
    """ "9:00", "17:30", "5pm", "5:30pm", "12 noon" → a time. ValueError with what to type."""
    cleaned = text.strip().lower().replace(" ", "")
    cleaned = {"noon": "12pm", "12noon": "12pm", "midday": "12pm", "midnight": "12am"}.get(
        cleaned, cleaned
    )
    match = _TIME.match(cleaned)
    message = _("Enter a time like 9:00, 17:30 or 5pm")
    if not match:
        raise ValueError(message)
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(message)
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match.group(2) is None:
        raise ValueError(message)  # "17" alone: hours or minutes?
    if hour > 23 or minute > 59:
        raise ValueError(message)
    return datetime.time(hour, minute)


def pounds_text(pence: int | None) -> str:
    if pence is None:
        return ""
    pounds, rest = divmod(pence, 100)
    return f"{pounds}.{rest:02d}" if rest else str(pounds)


def _time_field(label, initial: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=10,
        initial=initial,
        help_text=_("UK time, 24-hour clock, like 9:00 or 17:30"),
        widget=forms.TextInput(attrs={"data-width": "5"}),
        error_messages={"required": _("Enter the time")},
    )


def _money_field(label, help_text) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=20,
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "decimal"}),
    )


def _checkboxes(label, help_text, **kwargs) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the list")},
        **kwargs,
    )


class CallForm(forms.Form):
    """Everything about a call but its questions and criteria (formsets below)."""

    title = forms.CharField(
        label=_("Title"),
        max_length=160,
        help_text=_("For example “Local Digital Fund, round 9”."),
        error_messages={"required": _("Enter the call’s title")},
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        help_text=_("One or two sentences shown in listings. 300 characters at most."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Enter a summary of the call")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20_000,
        help_text=MARKDOWN_HINT,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    language = forms.ChoiceField(
        label=_("Which language is the call written in?"),
        choices=Language.choices,
        initial=Language.ENGLISH,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose English or Welsh"),
            "invalid_choice": _("Choose English or Welsh"),
        },
    )
    budget = _money_field(
        _("Budget, in pounds"), _("All the money the call will award, like 500000.")
    )
    max_award = _money_field(
        _("Largest award, in pounds"), _("The most one bid can be given, like 80000.")
    )
    opens_on = GovukDateField(
        what=_("the opening date"),
        label=_("Opening date"),
        help_text=_("For example 1 4 2027"),
        error_messages={"required": _("Enter the date the call opens")},
    )
    opens_time = _time_field(_("Opening time"), "9:00")
    closes_on = GovukDateField(
        what=_("the closing date"),
        label=_("Closing date"),
        help_text=_("For example 30 4 2027. Bids are refused after the closing time."),
        error_messages={"required": _("Enter the date the call closes")},
    )
    closes_time = _time_field(_("Closing time"), "12:00")
    decision_expected_on = GovukDateField(
        what=_("the date decisions are expected"),
        label=_("Decisions expected by (optional)"),
        help_text=_("For example 30 6 2027"),
        required=False,
    )
    min_partners = forms.IntegerField(
        label=_("Minimum number of partner councils"),
        help_text=_("Councils in the bid besides the lead council. 0 if a council may bid alone."),
        min_value=0,
        max_value=50,
        initial=0,
        widget=forms.TextInput(attrs={"data-width": "2", "inputmode": "numeric"}),
        error_messages={
            "required": _("Enter the minimum number of partner councils, or 0"),
            "invalid": _("Enter a whole number of partner councils, like 2"),
            "min_value": _("Enter a number of partner councils from 0 to 50"),
            "max_value": _("Enter a number of partner councils from 0 to 50"),
        },
    )
    nations = _checkboxes(
        _("Nations"),
        _("Councils in the bid must be in one of these. Leave all unticked for any nation."),
        choices=Nation.choices,
    )
    council_types = _checkboxes(
        _("Types of council"),
        _("Councils in the bid must be one of these types. Leave all unticked for any type."),
    )
    service_areas = forms.ModelMultipleChoiceField(
        queryset=ServiceArea.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        label=_("Service areas"),
        help_text=_(
            "The project must be in one of these. Leave all unticked for any service area."
        ),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose service areas from the list")},
    )
    phases = _checkboxes(
        _("Phases"),
        _("What the money may be for. Leave all unticked for any phase."),
        choices=[(p, Phase(p).label) for p in NEED_PHASES],
    )
    required_commitments = forms.ModelMultipleChoiceField(
        queryset=Commitment.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        label=_("Commitments every council in the bid must have signed"),
        help_text=_("Councils record what they signed on their council page."),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose commitments from the list")},
    )
    awards_per_service_area = forms.IntegerField(
        label=_("Most bids funded in one service area (optional)"),
        help_text=_(
            "Deciding, moderators are warned past this. Leave empty for no limit. For example 1."
        ),
        required=False,
        min_value=1,
        max_value=100,
        widget=forms.TextInput(attrs={"data-width": "2", "inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter a whole number, like 1, or leave it empty"),
            "min_value": _("Enter a number from 1 to 100, or leave it empty"),
            "max_value": _("Enter a number from 1 to 100, or leave it empty"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council_types"].choices = council_type_choices()

    @staticmethod
    def initial_for(call) -> dict:
        opens, closes = timezone.localtime(call.opens_at), timezone.localtime(call.closes_at)
        return {
            "title": call.title,
            "summary": call.summary,
            "description": call.description,
            "language": call.language,
            "budget": pounds_text(call.budget),
            "max_award": pounds_text(call.max_award),
            "opens_on": opens.date(),
            "opens_time": opens.strftime("%H:%M"),
            "closes_on": closes.date(),
            "closes_time": closes.strftime("%H:%M"),
            "decision_expected_on": call.decision_expected_on,
            "min_partners": call.min_partners,
            "nations": call.nations,
            "council_types": call.council_types,
            "service_areas": [a.slug for a in call.service_areas.all()],
            "phases": call.phases,
            "required_commitments": [c.slug for c in call.required_commitments.all()],
            "awards_per_service_area": call.awards_per_service_area,
        }

    def _pounds(self, name: str) -> int | None:
        text = self.cleaned_data.get(name, "")
        try:
            pence = parse_pounds(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if pence <= 0:
            raise forms.ValidationError(_("The amount must be more than zero."))
        return pence

    def clean_budget(self) -> int | None:
        return self._pounds("budget")

    def clean_max_award(self) -> int | None:
        return self._pounds("max_award")

    def _time(self, name: str) -> datetime.time | None:
        try:
            return parse_time(self.cleaned_data.get(name, ""))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_opens_time(self):
        return self._time("opens_time")

    def clean_closes_time(self):
        return self._time("closes_time")

    def clean(self):
        data = super().clean()
        budget, max_award = data.get("budget"), data.get("max_award")
        if budget and max_award and max_award > budget:
            self.add_error("max_award", _("The largest award cannot be more than the budget"))
        for day, time, name in (
            ("opens_on", "opens_time", "opens_at"),
            ("closes_on", "closes_time", "closes_at"),
        ):
            if data.get(day) and data.get(time):
                data[name] = timezone.make_aware(datetime.datetime.combine(data[day], data[time]))
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_on", _("The call must close after it opens"))
        elif closes and closes <= timezone.now():
            self.add_error("closes_on", _("The closing time must be in the future"))
        decision = data.get("decision_expected_on")
        if decision and closes and decision < timezone.localtime(closes).date():
            self.add_error(
                "decision_expected_on", _("Decisions cannot be expected before the call closes")
            )
        return data

    def service_fields(self) -> dict:
        """The values as ``call_create`` and ``call_update`` take them."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "summary": data["summary"],
            "description": data["description"],
            "language": data["language"],
            "budget": data["budget"],
            "max_award": data["max_award"],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "decision_expected_on": data.get("decision_expected_on"),
            "min_partners": data["min_partners"],
            "nations": data["nations"],
            "council_types": data["council_types"],
            "service_areas": list(data["service_areas"]),
            "phases": data["phases"],
            "required_commitments": list(data["required_commitments"]),
            "awards_per_service_area": data.get("awards_per_service_area"),
        }


class LateCallForm(forms.Form):
    """What may still change once a published call has opened."""

    description = CallForm.base_fields["description"]
    decision_expected_on = CallForm.base_fields["decision_expected_on"]

    def __init__(self, *args, closes_on: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.closes_on = closes_on

    def clean_decision_expected_on(self):
        value = self.cleaned_data.get("decision_expected_on")
        if value and value < self.closes_on:
            raise forms.ValidationError(_("Decisions cannot be expected before the call closes"))
        return value


# --- questions and criteria: repeated fields that work without JavaScript -------------------


class QuestionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=_("Question"),
        max_length=500,
        error_messages={"required": _("Enter the question, or tick “Remove”")},
    )
    guidance = forms.CharField(
        label=_("Guidance for applicants (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    word_limit = forms.IntegerField(
        label=_("Word limit"),
        min_value=1,
        max_value=5000,
        initial=250,
        widget=forms.TextInput(attrs={"data-width": "4", "inputmode": "numeric"}),
        error_messages={
            "required": _("Enter a word limit, like 250"),
            "invalid": _("Enter a word limit as a whole number, like 250"),
            "min_value": _("Enter a word limit from 1 to 5,000"),
            "max_value": _("Enter a word limit from 1 to 5,000"),
        },
    )
    required = forms.BooleanField(
        label=_("Applicants must answer it"), required=False, initial=True
    )

    def as_service(self) -> dict:
        data = self.cleaned_data
        return {
            "id": data.get("id"),
            "text": data["text"],
            "guidance": data.get("guidance", ""),
            "word_limit": data["word_limit"],
            "required": data.get("required", False),
        }


class CriterionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(
        label=_("Criterion"),
        max_length=200,
        help_text=_("What assessors score, like “Need and impact”."),
        error_messages={"required": _("Enter what assessors score, or tick “Remove”")},
    )
    description = forms.CharField(
        label=_("What assessors look for (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    weight = forms.IntegerField(
        label=_("Weight"),
        help_text=_(
            "A whole number above 0. A criterion weighing 60 counts three times one of 20."
        ),
        min_value=1,
        max_value=1000,
        widget=forms.TextInput(attrs={"data-width": "4", "inputmode": "numeric"}),
        error_messages={
            "required": _("Enter the criterion’s weight, like 40"),
            "invalid": _("Enter the weight as a whole number, like 40"),
            "min_value": _("The weight must be more than 0"),
            "max_value": _("The weight must be 1,000 or less"),
        },
    )

    def as_service(self) -> dict:
        data = self.cleaned_data
        return {
            "id": data.get("id"),
            "title": data["title"],
            "description": data.get("description", ""),
            "weight": data["weight"],
        }


class RowsFormSet(forms.BaseFormSet):
    """Rows that can be removed (a tick) and reordered (a number), with no JavaScript. Blank
    rows at the end are room for more, and are ignored when left blank."""

    remove_label = ""
    empty_message = ""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"] = forms.IntegerField(
            label=_("Position"),
            required=False,
            min_value=1,
            max_value=99,
            help_text=_("Change the numbers to change the order."),
            widget=forms.TextInput(attrs={"data-width": "2", "inputmode": "numeric"}),
            error_messages={
                "invalid": _("Enter the position as a whole number, like 2"),
                "min_value": _("Enter a position from 1 to 99"),
                "max_value": _("Enter a position from 1 to 99"),
            },
        )
        if index is not None and index < self.initial_form_count():
            form.fields["DELETE"] = forms.BooleanField(label=self.remove_label, required=False)
        else:
            form.fields.pop("DELETE", None)

    def rows(self) -> list[dict]:
        """The rows kept, in the order asked for (a row with no number keeps its place after
        the numbered ones), as the service takes them."""
        kept = []
        for index, form in enumerate(self.forms):
            if not form.has_changed() and index >= self.initial_form_count():
                continue
            if self._should_delete_form(form):
                continue
            order = form.cleaned_data.get("ORDER")
            kept.append((order if order is not None else 100 + index, index, form.as_service()))
        return [row for _order, _index, row in sorted(kept, key=lambda item: item[:2])]

    def clean(self):
        if any(self.errors):
            return
        if not self.rows() and self.empty_message:
            raise forms.ValidationError(self.empty_message)


class QuestionFormSet(RowsFormSet):
    remove_label = _("Remove this question")


class CriterionFormSet(RowsFormSet):
    remove_label = _("Remove this criterion")


def question_formset(data=None, *, initial=None, extra: int = 1):
    cls = forms.formset_factory(
        QuestionForm,
        formset=QuestionFormSet,
        extra=extra,
        can_order=True,
        can_delete=True,
        max_num=30,
        validate_max=True,
        absolute_max=40,
    )
    return cls(data, initial=initial, prefix="questions")


def criterion_formset(data=None, *, initial=None, extra: int = 1):
    cls = forms.formset_factory(
        CriterionForm,
        formset=CriterionFormSet,
        extra=extra,
        can_order=True,
        can_delete=True,
        max_num=20,
        validate_max=True,
        absolute_max=30,
    )
    return cls(data, initial=initial, prefix="criteria")


def question_initial(call) -> list[dict]:
    return [
        {
            "id": q.pk,
            "text": q.text,
            "guidance": q.guidance,
            "word_limit": q.word_limit,
            "required": q.required,
            "ORDER": n,
        }
        for n, q in enumerate(call.questions.all(), 1)
    ]


def criterion_initial(call) -> list[dict]:
    return [
        {
            "id": c.pk,
            "title": c.title,
            "description": c.description,
            "weight": c.weight,
            "ORDER": n,
        }
        for n, c in enumerate(call.criteria.all(), 1)
    ]


# --- funders and their members ---------------------------------------------------------------


class FunderRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you refusing this request?"),
        help_text=_("We will email this to the person."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Enter a reason; the person will see it")},
    )


class FunderRoleForm(forms.Form):
    role = forms.ChoiceField(choices=FunderRole.choices, label=_("Role"))
