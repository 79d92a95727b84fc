"""Forms check the shape of input only; services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from councils.models import Council
from pipeline.forms import WebAddressField

from .formatting import parse_days, parse_pounds
from .models import Kind, Language, Licence, Phase, Project, Role, ServiceArea, State

MARKDOWN_HINT = _(
    "You can use Markdown: **bold**, *italic*, lists with - and links like [text](https://…)."
)


class DateInput(forms.DateInput):
    input_type = "date"


class AboutForm(forms.Form):
    lead_council = forms.ModelChoiceField(
        queryset=Council.objects.none(),
        label=_("Which council is leading this project?"),
        empty_label=None,
        error_messages={"required": _("Choose the lead council")},
    )
    language = forms.ChoiceField(
        label=_("Which language will you write about the project in?"),
        choices=Language.choices,
        initial=Language.ENGLISH,
        required=False,
        help_text=_("So that screen readers read it in the right language."),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose English or Welsh")},
    )
    title = forms.CharField(
        label=_("Project name"),
        max_length=120,
        help_text=_("Say what it does, for example “Book a bulky waste collection”."),
        error_messages={"required": _("Enter the project name")},
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        help_text=_("One or two sentences shown in listings. 300 characters at most."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Enter a summary")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20_000,
        help_text=MARKDOWN_HINT,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    service_areas = forms.ModelMultipleChoiceField(
        queryset=ServiceArea.objects.all(),
        to_field_name="slug",
        required=False,
        label=_("Service areas"),
        help_text=_("Choose all that apply. People following these areas will hear about it."),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, councils=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_council"].queryset = (
            councils if councils is not None else Council.objects.none()
        )

    def clean_language(self) -> str:
        # Optional, as the form a browser sends always has one ticked; left out, it stays as it
        # was (English for a new project).
        return self.cleaned_data.get("language") or self.initial.get("language") or Language.ENGLISH


class ProblemForm(forms.Form):
    problem = forms.CharField(
        label=_("What problem does it solve?"),
        max_length=10_000,
        help_text=MARKDOWN_HINT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Describe the problem")},
    )
    users = forms.CharField(
        label=_("Who are the users?"),
        max_length=10_000,
        help_text=_(
            "Residents, staff or businesses: who will use what you build, and what they need."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Say who the users are")},
    )
    outcomes = forms.CharField(
        label=_("What outcomes do you expect?"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class DetailsForm(forms.Form):
    pledging_deadline = forms.DateField(
        label=_("Pledging deadline (optional)"),
        required=False,
        help_text=_("The last day councils can pledge. Leave empty for no deadline."),
        widget=DateInput,
        error_messages={"invalid": _("Enter a real date, like 31/3/2027")},
    )
    partner_target = forms.IntegerField(
        label=_("How many partner councils do you want? (optional)"),
        required=False,
        min_value=1,
        max_value=400,
        help_text=_("The collaboration quorum: councils pledging or joining the team."),
        widget=forms.NumberInput(attrs={"data-width": "4", "inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter a whole number of councils, like 3"),
            "min_value": _("Enter at least 1 council"),
            "max_value": _("Enter 400 councils or fewer"),
        },
    )
    code_url = WebAddressField(
        label=_("Code repository (optional)"),
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": _("Enter a web address, like https://github.com/your-council/project")
        },
    )
    prototype_url = WebAddressField(
        label=_("Prototype (optional)"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a web address, like https://prototype.example.gov.uk")},
    )
    licence = forms.ChoiceField(
        label=_("Licence"), choices=Licence.choices, required=False, widget=forms.RadioSelect
    )


class NeedForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you need?"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose money or staff time")},
    )
    amount = forms.CharField(
        label=_("How much?"),
        max_length=20,
        help_text=_("Pounds for money (like 25000), days for staff time (like 20 or 12.5)."),
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "decimal"}),
        error_messages={"required": _("Enter how much you need")},
    )
    role = forms.ChoiceField(
        label=_("Which role? (for staff time)"),
        choices=[("", _("Choose a role")), *Role.choices],
        required=False,
    )
    description = forms.CharField(
        label=_("What it is for (optional)"), max_length=300, required=False
    )

    def clean(self):
        data = super().clean()
        kind, raw = data.get("kind"), data.get("amount")
        if kind and raw:
            try:
                data["amount_value"] = parse_pounds(raw) if kind == Kind.MONEY else parse_days(raw)
            except ValueError as exc:
                self.add_error("amount", str(exc))
        if kind == Kind.TIME and not data.get("role"):
            self.add_error("role", _("Choose the role you need"))
        if kind == Kind.MONEY:
            data["role"] = ""
        return data


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices, widget=forms.RadioSelect)


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=State.choices, widget=forms.RadioSelect)


WHOLE_MONEY = "money"
WHOLE_TIME = "time"


class PledgeForm(forms.Form):
    council = forms.ModelChoiceField(
        queryset=Council.objects.none(),
        label=_("Which council is pledging?"),
        empty_label=None,
        error_messages={"required": _("Choose the council that is pledging")},
    )
    towards = forms.ChoiceField(
        label=_("What are you pledging toward?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you are pledging toward")},
    )
    amount = forms.CharField(
        label=_("How much?"),
        max_length=20,
        help_text=_(
            "Pounds for money (like 5000 or 5000.50). "
            "Days for staff time, in whole or half days (like 10 or 2.5)."
        ),
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "decimal"}),
        error_messages={"required": _("Enter how much you are pledging")},
    )
    role = forms.ChoiceField(
        label=_("Role (for staff time toward the project as a whole, optional)"),
        choices=[("", _("No particular role")), *Role.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Note to the project team (optional)"),
        help_text=_("For example who will do the work, or conditions of the offer."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, project: Project, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["council"].queryset = councils
        self.needs = {str(n.pk): n for n in project.needs.all()}
        choices = [
            (
                pk,
                _("%(need)s%(what)s")
                % {
                    "need": str(need),
                    "what": f" – {need.description}" if need.description else "",
                },
            )
            for pk, need in self.needs.items()
        ]
        choices += [
            (WHOLE_MONEY, _("Money for the project as a whole")),
            (WHOLE_TIME, _("Staff time for the project as a whole")),
        ]
        self.fields["towards"].choices = choices

    def clean(self):
        data = super().clean()
        towards, raw = data.get("towards"), data.get("amount")
        if not towards:
            return data
        need = self.needs.get(towards)
        kind = need.kind if need else (Kind.MONEY if towards == WHOLE_MONEY else Kind.TIME)
        data["need"], data["kind"] = need, kind
        if kind == Kind.MONEY:
            data["role"] = ""
        elif need:
            data["role"] = need.role
        if raw:
            try:
                data["amount_value"] = parse_pounds(raw) if kind == Kind.MONEY else parse_days(raw)
            except ValueError as exc:
                self.add_error("amount", str(exc))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        help_text=_("The council that pledged will see this."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing this pledge?"),
        help_text=_("The project team will see this."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason for withdrawing")},
    )


def _council_field(label: str, *, required: bool = True) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Council.objects.none(),
        label=label,
        required=required,
        empty_label=None if required else _("Not for a council"),
        error_messages={"required": _("Choose your council")},
    )


class TeamJoinForm(forms.Form):
    role = forms.ChoiceField(
        label=_("What role would you take?"),
        choices=[("", _("Choose a role")), *Role.choices],
        error_messages={"required": _("Choose the role you would take")},
    )
    council = _council_field(_("Which council are you joining for? (optional)"), required=False)
    message = forms.CharField(
        label=_("Message to the project owner (optional)"),
        help_text=_("Say what you could bring and how much time you have."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils


class TeamRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class UpdateForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=150, error_messages={"required": _("Give the update a title")}
    )
    body = forms.CharField(
        label=_("Update"),
        help_text=MARKDOWN_HINT,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write the update")},
    )
    to_phase = forms.ChoiceField(
        label=_("Has the project moved phase? (optional)"),
        choices=[("", _("No change")), *Phase.choices],
        required=False,
    )


class AdoptionForm(forms.Form):
    council = _council_field(_("Which council adopted it?"))
    adopted_on = forms.DateField(
        label=_("When did it start using it?"),
        widget=DateInput,
        error_messages={
            "required": _("Enter the date it was adopted"),
            "invalid": _("Enter a real date, like 31/3/2026"),
        },
    )
    note = forms.CharField(
        label=_("How are you using it? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils


class DemandForm(forms.Form):
    council = _council_field(_("Which council needs this too?"))

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils


class DecisionNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the person (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
