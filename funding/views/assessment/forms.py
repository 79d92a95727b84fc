"""Web forms for assessment and decisions: shape only; the services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.formatting import format_pence, parse_pounds
from delivery.models import Milestone
from projects.models import Phase

from ...models import (
    MAX_SCORE,
    MAX_TRANCHES,
    TRANCHE_PHASES,
    Application,
    AwardTranche,
    Call,
    Criterion,
    DecisionOutcome,
)

# What each mark means, in words an assessor can apply the same way across applications.
SCORE_WORDS = {
    0: (_("No evidence"), _("The application does not address this.")),
    1: (_("Weak"), _("Little evidence, with major gaps or risks.")),
    2: (_("Adequate"), _("Some evidence, with gaps a funder would want closed.")),
    3: (_("Good"), _("Clear evidence, with only minor gaps.")),
    4: (_("Strong"), _("Compelling evidence throughout, with no gaps.")),
}
assert set(SCORE_WORDS) == set(range(MAX_SCORE + 1))


class ScoreChoiceField(forms.ChoiceField):
    """0 to 4 as radios, each with its words and a hint (``includes/field.html`` draws them)."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        super().__init__(
            choices=[(str(n), f"{n} – {SCORE_WORDS[n][0]}") for n in SCORE_WORDS],
            required=False,
            **kwargs,
        )
        self.option_hints = {str(n): hint for n, (_word, hint) in SCORE_WORDS.items()}


class AssessmentForm(forms.Form):
    """A score and a comment for each of the call's criteria. Nothing is required here: saving
    as you go keeps what is there; submitting asks the service for every score."""

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = ScoreChoiceField(
                label=_("Score for ‘%(criterion)s’") % {"criterion": criterion.title},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Why this score? (optional)"),
                help_text=_("Moderators read this beside your score."),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def sections(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple[int | None, str]]:
        data = self.cleaned_data
        return {
            c.pk: (
                int(data[f"score_{c.pk}"]) if data.get(f"score_{c.pk}") not in (None, "") else None,
                data.get(f"comment_{c.pk}", ""),
            )
            for c in self.criteria
        }

    @property
    def submitting(self) -> bool:
        return self.data.get("action") == "submit"


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you have a conflict of interest?"),
        help_text=_(
            "For example: you used to work for one of the councils, or you advised on the bid. "
            "Moderators see this."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say why you have a conflict of interest")},
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=DecisionOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to fund the application")},
    )
    # The service's errors about the award name this field.
    award_amount = forms.CharField(
        label=_("Amount to award, if you fund it"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "decimal"}),
    )
    feedback = forms.CharField(
        label=_("Feedback to the applicants"),
        help_text=_(
            "What was strong and what was not. The lead council and its partners receive it "
            "when the decisions are published, and it is then public."
        ),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Enter feedback for the applicants")},
    )

    def __init__(
        self,
        *args,
        application: Application,
        call: Call,
        milestones: list[Milestone] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        when = [("", _("On award"))]
        when += [
            (
                f"milestone:{m.pk}",
                _("When the milestone “%(milestone)s” is reached") % {"milestone": m.title},
            )
            for m in milestones
        ]
        when += [
            (
                f"phase:{p}",
                _("When the project enters %(phase)s") % {"phase": Phase(p).label.lower()},
            )
            for p in TRANCHE_PHASES
        ]
        for number in range(1, MAX_TRANCHES + 1):
            self.fields[f"tranche_{number}_amount"] = forms.CharField(
                label=_("Tranche %(number)s: amount") % {"number": number},
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "decimal"}),
            )
            self.fields[f"tranche_{number}_when"] = forms.ChoiceField(
                label=_("Tranche %(number)s: released") % {"number": number},
                choices=when,
                required=False,
            )
        self.fields["outcome"].option_hints = {
            DecisionOutcome.FUND: _("Only an application on the shortlist can be funded."),
        }
        most = min(filter(None, (application.amount_requested, call.max_award)))
        self.fields["award_amount"].help_text = _(
            "In pounds, like 60000 or 60000.50: at most %(most)s (they asked for %(asked)s)."
        ) % {
            "most": format_pence(most),
            "asked": format_pence(application.amount_requested or 0),
        }

    def tranche_rows(self) -> list[tuple]:
        return [
            (number, self[f"tranche_{number}_amount"], self[f"tranche_{number}_when"])
            for number in range(1, MAX_TRANCHES + 1)
        ]

    def clean(self):
        data = super().clean()
        raw = (data.get("award_amount") or "").strip()
        data["award_amount"] = None
        data["tranches"] = []
        if data.get("outcome") == DecisionOutcome.FUND:
            if not raw:
                self.add_error("award_amount", _("Enter the amount to award"))
                return data
            try:
                data["award_amount"] = parse_pounds(raw)
            except ValueError as exc:
                self.add_error("award_amount", str(exc))
            data["tranches"] = self._tranches(data)
        return data

    def _tranches(self, data) -> list[dict]:
        """The filled-in rows, in order: the amount in pence and what releases it."""
        tranches = []
        for number in range(1, MAX_TRANCHES + 1):
            raw = (data.get(f"tranche_{number}_amount") or "").strip()
            when = data.get(f"tranche_{number}_when") or ""
            if not raw:
                if when:
                    self.add_error(
                        f"tranche_{number}_amount",
                        _("Enter the amount of tranche %(number)s") % {"number": number},
                    )
                continue
            try:
                amount = parse_pounds(raw)
            except ValueError as exc:
                self.add_error(f"tranche_{number}_amount", str(exc))
                continue
            kind, _sep, value = when.partition(":")
            tranches.append(
                {
                    "amount": amount,
                    "milestone": int(value) if kind == "milestone" else None,
                    "phase": value if kind == "phase" else "",
                }
            )
        return tranches

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "award_amount": data["award_amount"],
            "feedback": data["feedback"],
            "tranches": data["tranches"],
        }


def pounds_text(pence: int) -> str:
    """Pence as the pounds a person would type back: 1234550 → '12345.50'."""
    pounds, rest = divmod(pence, 100)
    return f"{pounds}.{rest:02d}" if rest else str(pounds)


def tranche_initial(tranches: list[AwardTranche]) -> dict:
    """The plan as the form shows it again (pounds a person would type)."""
    initial = {}
    for tranche in tranches:
        number = tranche.position
        initial[f"tranche_{number}_amount"] = pounds_text(tranche.amount)
        if tranche.milestone_id:
            initial[f"tranche_{number}_when"] = f"milestone:{tranche.milestone_id}"
        elif tranche.phase:
            initial[f"tranche_{number}_when"] = f"phase:{tranche.phase}"
    return initial


class TrancheReleaseForm(forms.Form):
    note = forms.CharField(
        label=_("Why release it now? (optional)"),
        help_text=_("Public: it is shown in the pledge’s history on the project."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
