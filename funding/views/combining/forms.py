"""Web forms for combining bids: shape only; the services decide the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ...models import Application


class SuggestForm(forms.Form):
    """Which of the two bids continues, and a note to both councils."""

    continuing = forms.TypedChoiceField(
        label=_("Which bid continues?"),
        help_text=_("The other bid joins it: it is withdrawn once both councils agree."),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the bid that continues."),
            "invalid_choice": _("Choose one of the two bids."),
        },
    )
    note = forms.CharField(
        label=_("Note to both councils (optional)"),
        help_text=_("Why these bids could be one: both lead councils read it."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, pair: tuple[Application, Application], **kwargs):
        super().__init__(*args, **kwargs)
        self.pair = pair
        self.fields["continuing"].choices = [
            (
                app.pk,
                _("%(project)s, led by %(council)s")
                % {"project": app.project.title, "council": app.lead_council.display_name},
            )
            for app in pair
        ]

    def service_arguments(self) -> dict:
        first, second = self.pair
        continuing = self.cleaned_data["continuing"]
        return {
            "continuing": first if first.pk == continuing else second,
            "absorbed": second if first.pk == continuing else first,
            "note": self.cleaned_data["note"],
        }


class AnswerForm(forms.Form):
    """Agree, decline (with a reason), or withdraw the suggestion (with an optional reason)."""

    ACTIONS = ("agree", "decline", "withdraw")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Both lead councils see it."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for declining; both councils will see it."))
        return data
