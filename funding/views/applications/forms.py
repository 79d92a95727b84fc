"""Forms for applying and for the bid: shape only; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from projects.forms import parse_amount
from projects.models import Kind, Phase

from ...eligibility import joined_or, word_count
from ...models import Application, Call
from ...services.applications import BID_PHASES, SUMMARY_MAX


def pounds(pence: int | None) -> str:
    """Pence as the pounds a person would type back: 8000000 → '80000', 1250 → '12.50'."""
    if pence is None:
        return ""
    whole, rest = divmod(pence, 100)
    return f"{whole}.{rest:02d}" if rest else str(whole)


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, project) -> str:
        return project.title


class ApplyForm(forms.Form):
    project = ProjectChoiceField(
        queryset=None,
        label=_("Which project are you applying with?"),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the project you are applying with"),
            "invalid_choice": _("Choose one of your council’s projects from the list"),
        },
    )

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


def answer_field_name(question) -> str:
    return f"answer_{question.pk}"


def _words_hint(question, text: str) -> str:
    words = word_count(text)
    limit = ngettext("Up to %(limit)s word.", "Up to %(limit)s words.", question.word_limit) % {
        "limit": question.word_limit
    }
    now = ngettext("Your answer is %(words)s word.", "Your answer is %(words)s words.", words) % {
        "words": words
    }
    return f"{limit} {now}"


class ApplicationForm(forms.Form):
    """The draft as it is saved: everything optional except the phase (required answers are
    checked at submission); word limits checked now."""

    summary = forms.CharField(
        label=_("Summary of the bid"),
        help_text=_(
            "What the money is for and what it will achieve, in a paragraph. Public: it is "
            "published with the bid once it is submitted."
        ),
        required=False,
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    amount = forms.CharField(
        label=_("Amount requested"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "decimal"}),
    )
    phase = forms.ChoiceField(
        label=_("Which phase is the money for?"),
        choices=[(p, Phase(p).label) for p in BID_PHASES],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the phase the money is for"),
            "invalid_choice": _("Choose the phase the money is for"),
        },
    )

    def __init__(self, *args, application: Application, answers: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        call: Call = application.call
        self.questions = list(call.questions.all())
        self.fields["amount"].help_text = _(
            "In pounds, like 60000 or 60000.50. The most this call awards is %(max)s."
        ) % {"max": _pounds_display(call.max_award)}
        if call.phases:
            self.fields["phase"].help_text = _("This call funds: %(phases)s.") % {
                "phases": joined_or([str(Phase(p).label) for p in call.phases])
            }
        for question in self.questions:
            name = answer_field_name(question)
            text = self.data.get(name, "") if self.is_bound else answers.get(question.pk, "")
            hint = " ".join(
                part
                for part in (
                    question.guidance,
                    "" if question.required else str(_("Optional.")),
                    _words_hint(question, text),
                )
                if part
            )
            self.fields[name] = forms.CharField(
                label=question.text,
                help_text=hint,
                required=False,
                max_length=20_000,
                widget=forms.Textarea(attrs={"rows": 8}),
            )

    def clean(self):
        data = super().clean()
        raw = (data.get("amount") or "").strip()
        if raw:
            parse_amount(self, Kind.MONEY, raw)
        for question in self.questions:
            name = answer_field_name(question)
            words = word_count(data.get(name, ""))
            if words > question.word_limit:
                self.add_error(
                    name,
                    ngettext(
                        "Your answer to ‘%(question)s’ must be %(limit)s words or fewer; it is "
                        "%(words)s word",
                        "Your answer to ‘%(question)s’ must be %(limit)s words or fewer; it is "
                        "%(words)s words",
                        words,
                    )
                    % {"question": question.text, "limit": question.word_limit, "words": words},
                )
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        raw = (data.get("amount") or "").strip()
        return {
            "summary": data["summary"],
            "amount_requested": data["amount_value"] if raw else None,
            "phase": data["phase"],
            "answers": {q.pk: data.get(answer_field_name(q), "") for q in self.questions},
        }


def _pounds_display(pence: int) -> str:
    from core.formatting import format_pence

    return format_pence(pence)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing this application?"),
        help_text=_(
            "The project team and the partner councils will see this. Once the application has "
            "been submitted, the reason is published with it."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Give a reason for withdrawing")},
    )
