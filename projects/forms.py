"""Forms check the shape of input only; services decide what is allowed."""

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.formatting import parse_days, parse_pounds
from core.forms import GovukDateField, WebAddressField
from councils.models import Council

from .models import (
    EARLIEST_DECISION_DATE,
    MAX_OTHER_COUNCILS,
    NEED_PHASES,
    Kind,
    Language,
    Licence,
    Phase,
    Pledge,
    Project,
    Role,
    ServiceArea,
    State,
    format_amount,
)

MARKDOWN_HINT = _(
    "You can use Markdown: **bold**, *italic*, lists with - and links like [text](https://…)."
)
PUBLIC_NOTE_HINT = _(
    "Public: anyone can read it, with your name, on the pledge’s page, in its history and in "
    "the open data."
)
PRIVATE_NOTE_LABEL = _("Note for the two councils only (optional)")
PRIVATE_NOTE_HINT = _(
    "Only verified members of the pledging council and of the council leading the project see "
    "this. For example budget codes or who to contact."
)


def private_note_field() -> forms.CharField:
    return forms.CharField(
        label=PRIVATE_NOTE_LABEL,
        help_text=PRIVATE_NOTE_HINT,
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


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
    phase = forms.ChoiceField(
        label=_("Which phase is the project in?"),
        choices=[(value, label) for value, label in Phase.choices if value != Phase.RETIRED],
        initial=Phase.IDEA,
        required=False,
        help_text=_(
            "An idea has not started yet. Discovery, alpha, beta and live are the GDS phases."
        ),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose the phase the project is in")},
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

    def clean_phase(self) -> str:
        # The same: left out, an idea (or the draft's phase as it was).
        return self.cleaned_data.get("phase") or self.initial.get("phase") or Phase.IDEA


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
    pledging_deadline = GovukDateField(
        what=_("pledging deadline"),
        label=_("Pledging deadline (optional)"),
        required=False,
        help_text=_(
            "The last day councils can pledge, for example 31 3 2027. Leave empty for no deadline."
        ),
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

    def clean_pledging_deadline(self):
        value = self.cleaned_data.get("pledging_deadline")
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("Pledging deadline must be today or in the future"))
        return value


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
    phase = forms.ChoiceField(
        label=_("Which phase is it for? (optional)"),
        choices=[("", _("Needed now")), *((p, Phase(p).label) for p in NEED_PHASES)],
        required=False,
        help_text=_(
            "Pledges toward a need for a later phase are committed for that phase and fall due "
            "when the project enters it."
        ),
        error_messages={"invalid_choice": _("Choose a phase from the list, or needed now")},
    )

    def clean(self):
        data = super().clean()
        kind, raw = data.get("kind"), data.get("amount")
        if kind and raw:
            parse_amount(self, kind, raw)
        if kind == Kind.TIME and not data.get("role"):
            self.add_error("role", _("Choose the role you need"))
        if kind == Kind.MONEY:
            data["role"] = ""
        return data


def parse_amount(form: forms.Form, kind: str, raw: str) -> None:
    """Pounds or days typed into ``amount``, as pence or half-days in ``amount_value``, within
    the limits the services apply; or the error beside the field."""
    from core.errors import InvalidInput

    from .services.projects import validate_amount

    try:
        value = parse_pounds(raw) if kind == Kind.MONEY else parse_days(raw)
        validate_amount(kind, value)
    except ValueError as exc:
        form.add_error("amount", str(exc))
    except InvalidInput as exc:
        form.add_error("amount", exc.message)
    else:
        form.cleaned_data["amount_value"] = value


class MoveForm(forms.Form):
    """Where a project may move now: only those choices are offered (and accepted)."""

    name, choices_of = "", None

    def __init__(self, *args, moves: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.name].choices = [(m, self.choices_of(m).label) for m in moves]


class PhaseForm(MoveForm):
    """The phases the project may move to now (``services.projects.phase_moves``)."""

    name, choices_of = "phase", Phase
    phase = forms.ChoiceField(
        label=_("Move to phase"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the phase to move to"),
            "invalid_choice": _("The project cannot move to that phase now. Choose one listed."),
        },
    )


class StateForm(MoveForm):
    """The states the project may move to now (``models.STATE_TRANSITIONS``)."""

    name, choices_of = "state", State
    state = forms.ChoiceField(
        label=_("Move to state"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the state to move to"),
            "invalid_choice": _("The project cannot move to that state now. Choose one listed."),
        },
    )


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
        label=_("Public note to the project team (optional)"),
        help_text=format_lazy(
            "{} {}",
            _("For example who will do the work, or conditions of the offer."),
            PUBLIC_NOTE_HINT,
        ),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    private_note = private_note_field()
    # Conditions (README, "Conditional and match pledges"): each a checkbox revealing its number.
    only_if_others = forms.BooleanField(
        label=_("Only if other councils pledge too"),
        help_text=_(
            "Your pledge waits until enough other councils have pledged, then becomes an offer "
            "by itself. If they have not by the pledging deadline, it lapses."
        ),
        required=False,
    )
    min_other_councils = forms.CharField(
        label=_("How many other councils must pledge?"),
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"data-width": "3", "inputmode": "numeric"}),
    )
    match = forms.BooleanField(
        label=_("Match what other councils give"),
        help_text=_(
            "Give a percentage of what other councils’ accepted pledges give. The amount above "
            "is the most your council will give."
        ),
        required=False,
    )
    match_percent = forms.CharField(
        label=_("What percentage will you match?"),
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"data-width": "3", "inputmode": "numeric"}),
    )

    def __init__(self, *args, project: Project, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["council"].queryset = councils
        self.fields["private_note"].help_text = _(
            "Only verified members of your council and of %(lead)s see this. For example budget "
            "codes or who to contact."
        ) % {"lead": project.lead_council.display_name}
        needs = list(project.needs.all())
        # A need marked met takes no new offers: it is not a choice, only listed as met.
        self.needs = {str(n.pk): n for n in needs if not n.is_met}
        self.met_needs = [n for n in needs if n.is_met]
        # What is still to find for each choice, shown beside it.
        self.still_needed = still_needed(project, self.needs.values(), self.met_needs)
        self.fields["towards"].option_hints = {
            key: _("%(left)s still to find (%(asked)s asked, %(pledged)s pledged so far)")
            % {
                "left": format_amount(kind, left),
                "asked": format_amount(kind, asked),
                "pledged": format_amount(kind, asked - left),
            }
            if left
            else _("Fully pledged: %(asked)s asked") % {"asked": format_amount(kind, asked)}
            for key, (kind, asked, left) in self.still_needed.items()
            if asked
        }
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
        self.fields["towards"].error_messages["invalid_choice"] = self._unavailable_choice()

    def _unavailable_choice(self) -> str:
        """What to say when the choice sent is no longer on the form: most often a need the
        project marked met after this form was filled in (or its draft saved)."""
        sent = str(self.data.get(self.add_prefix("towards"), "")) if self.is_bound else ""
        met = next((n for n in self.met_needs if str(n.pk) == sent), None)
        if met is not None:
            message = _(
                "%(need)s is now met and takes no new offers. Choose something else to "
                "pledge toward."
            ) % {"need": str(met)}
        else:
            message = _("That is no longer something this project needs. Choose again.")
        return message.replace("%", "%%")  # the field fills in its own %(value)s after

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
            parse_amount(self, kind, raw)
        self._clean_conditions(data)
        return data

    def condition_pairs(self) -> list[tuple]:
        """Each condition's checkbox and the number it reveals, for the template."""
        return [
            (self["only_if_others"], self["min_other_councils"]),
            (self["match"], self["match_percent"]),
        ]

    def _clean_conditions(self, data: dict) -> None:
        """A ticked condition needs its whole number; an unticked one is ignored."""
        data["min_other_councils_value"] = data["match_percent_value"] = None
        checks = (
            (
                "only_if_others",
                "min_other_councils",
                MAX_OTHER_COUNCILS,
                _("Enter how many other councils must pledge"),
                _("Enter a whole number of councils between 1 and %(max)s")
                % {"max": MAX_OTHER_COUNCILS},
            ),
            (
                "match",
                "match_percent",
                100,
                _("Enter the percentage your council will match"),
                _("Enter a whole percentage between 1 and 100"),
            ),
        )
        for ticked, name, most, missing, wrong in checks:
            if not data.get(ticked):
                continue
            raw = (data.get(name) or "").strip().removesuffix("%").strip()
            if not raw:
                self.add_error(name, missing)
            elif not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= most:
                self.add_error(name, wrong)
            else:
                data[f"{name}_value"] = int(raw)

    def answers(self) -> dict[str, str]:
        """The checked answers in words, for Check your answers."""
        data = self.cleaned_data
        others, percent = data.get("min_other_councils_value"), data.get("match_percent_value")
        return {
            "council": data["council"].display_name,
            "towards": dict(self.fields["towards"].choices)[data["towards"]],
            "amount": format_amount(data["kind"], data["amount_value"]),
            "role": dict(Role.choices).get(data.get("role"), ""),
            "condition": ngettext(
                "Only if at least %(n)s other council also pledges",
                "Only if at least %(n)s other councils also pledge",
                others,
            )
            % {"n": others}
            if others
            else _("None"),
            "match": _("%(percent)s%% of what other councils’ accepted pledges give, up to %(cap)s")
            % {"percent": percent, "cap": format_amount(data["kind"], data["amount_value"])}
            if percent
            else _("No"),
        }

    def over_by(self) -> tuple[str, str] | None:
        """(still to find, offered) as text when the offer is more than is still needed: for
        the need chosen, and for the project as a whole (a need can still be open when money
        given to the whole project has already covered everything asked)."""
        data = self.cleaned_data
        key = data.get("towards")
        kind, asked, left = self.still_needed.get(key, (data.get("kind"), 0, 0))
        if key not in (WHOLE_MONEY, WHOLE_TIME):
            _kind, whole_asked, whole_left = self.still_needed[
                WHOLE_MONEY if kind == Kind.MONEY else WHOLE_TIME
            ]
            if whole_asked:
                left = min(left, whole_left)
        amount = data.get("amount_value") or 0
        if not asked or amount <= left:
            return None
        return format_amount(kind, left) if left else "", format_amount(kind, amount)


def still_needed(project: Project, needs, met_needs=()) -> dict[str, tuple[str, int, int]]:
    """For each thing a pledge can go toward: (kind, asked, still to find), counting every offer
    not declined or withdrawn. The project as a whole is the sum of its needs, less those in
    ``met_needs``: a need marked met is no longer asked for, nor are its pledges still to find."""
    rows = {
        str(need.pk): (
            need.kind,
            need.amount,
            max(0, need.amount - need.offered - need.accepted - need.fulfilled),
        )
        for need in needs
    }
    met = {Kind.MONEY: [0, 0], Kind.TIME: [0, 0]}  # (asked, pledged) of the needs marked met
    for need in met_needs:
        met[need.kind][0] += need.amount
        met[need.kind][1] += need.offered + need.accepted + need.fulfilled
    money_asked = project.money_needed - met[Kind.MONEY][0]
    money_pledged = (
        project.money_offered + project.money_accepted + project.money_fulfilled
    ) - met[Kind.MONEY][1]
    time_asked = project.half_days_needed - met[Kind.TIME][0]
    time_pledged = (
        project.half_days_offered + project.half_days_accepted + project.half_days_fulfilled
    ) - met[Kind.TIME][1]
    rows[WHOLE_MONEY] = (Kind.MONEY, money_asked, max(0, money_asked - money_pledged))
    rows[WHOLE_TIME] = (Kind.TIME, time_asked, max(0, time_asked - time_pledged))
    return rows


class AmendForm(forms.Form):
    """A changed amount for a pledge, in the pledge's kind, and the reason for it."""

    amount = forms.CharField(
        label=_("What should the new amount be?"),
        max_length=20,
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "decimal"}),
        error_messages={"required": _("Enter the new amount")},
    )
    note = forms.CharField(
        label=_("Why is the amount changing?"),
        help_text=format_lazy(
            "{} {}",
            _("For example a budget that grew or was cut, or a team that changed."),
            PUBLIC_NOTE_HINT,
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Give a reason for the change")},
    )
    private_note = private_note_field()

    def __init__(self, *args, pledge: Pledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.pledge = pledge
        self.fields["amount"].help_text = (
            _("In pounds, like 12000 or 12000.50. The pledge is now %(amount)s.")
            if pledge.kind == Kind.MONEY
            else _("In whole or half days, like 10 or 2.5. The pledge is now %(amount)s.")
        ) % {"amount": pledge.amount_display}

    def clean(self):
        data = super().clean()
        raw = data.get("amount")
        if raw:
            parse_amount(self, self.pledge.kind, raw)
        value = data.get("amount_value")
        if value is not None and value == self.pledge.amount:
            self.add_error(
                "amount",
                _("Enter an amount different from the pledge’s %(amount)s")
                % {"amount": self.pledge.amount_display},
            )
        return data

    def over_by(self) -> tuple[str, str] | None:
        """(still to find, the increase) as text when the change adds more than is still
        needed toward the pledge's need (or the project as a whole), as the pledge form warns."""
        increase = self.cleaned_data["amount_value"] - self.pledge.amount
        if increase <= 0:
            return None
        project, kind = self.pledge.project, self.pledge.kind
        needs = [self.pledge.need] if self.pledge.need else []
        rows = still_needed(project, needs)
        whole = rows[WHOLE_MONEY if kind == Kind.MONEY else WHOLE_TIME]
        asked, left = whole[1], whole[2]
        if self.pledge.need:
            _kind, asked, need_left = rows[str(self.pledge.need.pk)]
            left = min(need_left, left) if whole[1] else need_left
        if not asked or increase <= left:
            return None
        return (format_amount(kind, left) if left else "", format_amount(kind, increase))


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Public note (optional)"),
        help_text=PUBLIC_NOTE_HINT,
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    private_note = private_note_field()


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing this pledge?"),
        help_text=PUBLIC_NOTE_HINT,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason for withdrawing")},
    )
    private_note = private_note_field()


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=_("Public note (optional)"),
        help_text=_("Shown with the offer once it is approved."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you refusing this pledge?"),
        help_text=_(
            "The person who pledged will see this. The lead council never sees a refused pledge."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give a reason for refusing")},
    )


class DecisionRecordForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the decision"),
        help_text=_("As your council published it, for example ‘Delegated decision 2026/041’."),
        max_length=200,
        error_messages={"required": _("Enter the title of the decision")},
    )
    date = GovukDateField(
        what=_("the date of the decision"),
        label=_("Date of the decision"),
        help_text=_("For example 31 3 2026"),
        error_messages={"required": _("Enter the date of the decision")},
    )
    url = WebAddressField(
        label=_("Link to the published decision"),
        help_text=_(
            "The delegated decision, cabinet or committee minute on your council’s website, "
            "starting https://"
        ),
        max_length=500,
        assume_scheme="https",
        error_messages={
            "required": _("Enter the link to the published decision"),
            "invalid": _("Enter a web address, like https://democracy.example.gov.uk/decision/41"),
        },
    )

    def clean_date(self):
        value = self.cleaned_data.get("date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of the decision must be today or in the past"))
        if value and value < EARLIEST_DECISION_DATE:
            raise forms.ValidationError(_("The date of the decision must be in 2000 or later"))
        return value


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
        help_text=format_lazy(
            "{} {}",
            _("Updates are public and sent to followers and partner councils."),
            MARKDOWN_HINT,
        ),
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
    adopted_on = GovukDateField(
        what=_("the date it was adopted"),
        label=_("When did it start using it?"),
        help_text=_("For example 31 3 2026"),
        error_messages={"required": _("Enter the date it was adopted")},
    )
    note = forms.CharField(
        label=_("How are you using it? (optional)"),
        help_text=_("Public: shown on the project’s page."),
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
