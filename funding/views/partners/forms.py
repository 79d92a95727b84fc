"""Forms for a bid's partner councils. They check the shape of what was sent; the services
decide whether it may be done."""

from django import forms
from django.utils.translation import gettext_lazy as _

from councils.models import Council

from ...selectors.partners import find_councils

TEXT_LIMIT = 2000
CHOICES_SHOWN = 10


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class InviteForm(forms.Form):
    """Invite a council: one chosen already (from a suggestion), or one found by what the lead
    types. Typing part of a name that several councils share asks which one (radios)."""

    council = forms.CharField(
        label=_("Which council do you want to invite?"),
        help_text=_("Its name or register code, for example Kent or KEN."),
        max_length=200,
        error_messages={
            "required": _("Enter the name or register code of the council to invite"),
            "max_length": _("Enter a council’s name, not more than 200 characters"),
        },
    )
    choice = forms.CharField(
        label=_("Which council do you mean?"), required=False, widget=forms.RadioSelect
    )
    contribution = forms.CharField(
        label=_("What would this council bring? (optional)"),
        help_text=_(
            "For example money, a user researcher’s time, or testing with its residents. The "
            "council can change this when it confirms its part."
        ),
        required=False,
        max_length=TEXT_LIMIT,
        widget=_textarea(),
        error_messages={
            "max_length": _("What the council would bring must be 2,000 characters or fewer")
        },
    )
    message = forms.CharField(
        label=_("Message to the council (optional)"),
        help_text=_("Sent with the invitation email to its approvers and admins."),
        required=False,
        max_length=TEXT_LIMIT,
        widget=_textarea(),
        error_messages={"max_length": _("The message must be 2,000 characters or fewer")},
    )
    suggested = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, chosen: Council | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen = chosen
        self.show_choice = False
        if chosen is not None:
            del self.fields["council"]
            del self.fields["choice"]
        else:
            self.fields["choice"].widget.choices = []

    def clean(self):
        data = super().clean()
        if self.chosen is not None or "council" not in data:
            return data
        text = data["council"]
        matches = find_councils(text, limit=CHOICES_SHOWN)
        picked = next((c for c in matches if c.slug == data.get("choice")), None)
        if picked is None and len(matches) == 1:
            picked = matches[0]
        if picked is not None:
            self.chosen = picked
        elif not matches:
            self.add_error(
                "council",
                _(
                    "No current council matches ‘%(text)s’. Check the spelling, or enter its "
                    "register code"
                )
                % {"text": text},
            )
        else:
            self.show_choice = True
            shown = matches[:CHOICES_SHOWN]
            self.fields["choice"].widget.choices = [(c.slug, _choice_label(c)) for c in shown]
            self.add_error(
                "choice",
                _("More than one council matches ‘%(text)s’. Choose one") % {"text": text}
                if len(matches) <= CHOICES_SHOWN
                else _(
                    "Many councils match ‘%(text)s’. Choose one of these, or type more of its name"
                )
                % {"text": text},
            )
        return data


def _choice_label(council: Council) -> str:
    parts = [f"{council.display_official_name} ({council.code})"]
    if council.authority_type_name:
        parts.append(str(council.type_display))
    if council.region:
        parts.append(str(council.region_display))
    return ", ".join(parts)


class ConfirmForm(forms.Form):
    contribution = forms.CharField(
        label=_("What will your council bring?"),
        help_text=_(
            "The lead council sees this now, and everyone once the bid is submitted. Start "
            "from what the lead council asked for, if it did."
        ),
        max_length=TEXT_LIMIT,
        widget=_textarea(5),
        error_messages={
            "required": _("Say what your council will bring to the bid"),
            "max_length": _("What your council brings must be 2,000 characters or fewer"),
        },
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is your council declining?"),
        help_text=_("The lead council sees this."),
        max_length=TEXT_LIMIT,
        widget=_textarea(),
        error_messages={
            "required": _("Give a reason for declining"),
            "max_length": _("The reason must be 2,000 characters or fewer"),
        },
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is your council withdrawing?"),
        help_text=_(
            "The lead council sees this. Your council will no longer count as a partner in the bid."
        ),
        max_length=TEXT_LIMIT,
        widget=_textarea(),
        error_messages={
            "required": _("Give a reason for withdrawing"),
            "max_length": _("The reason must be 2,000 characters or fewer"),
        },
    )
