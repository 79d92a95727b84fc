from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.formatting import half_days_to_days, parse_days, parse_pounds
from core.forms import GovukDateField, WebAddressField

from .models import Commitment, Council, MembershipRole


class JoinCouncilForm(forms.Form):
    council = forms.ModelChoiceField(
        queryset=Council.objects.none(),  # the councils current today: see __init__
        label=_("Which council do you work for?"),
        empty_label=_("Choose a council"),
        error_messages={
            "required": _("Choose the council you work for"),
            "invalid_choice": _("Choose a council from the list"),
        },
    )
    message = forms.CharField(
        label=_("Message to the council's admins (optional)"),
        help_text=_("For example your team, if your email address is not a council one."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Made per form, not when the module is imported: a council that ends while the server
        # runs stops being offered the next day.
        self.fields["council"].queryset = Council.objects.current().order_by("short_name")


class JoinThisCouncilForm(forms.Form):
    message = JoinCouncilForm.base_fields["message"]


class RefuseMembershipForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you refusing this request?"),
        help_text=_("We will email this to the person, and they will see it on their profile."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Enter a reason; the person will see it")},
    )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=MembershipRole.choices, label=_("Role"))


class CouncilDomainForm(forms.Form):
    domain = forms.CharField(
        label=_("Email domain"),
        help_text=_("People who confirm an address at this domain are verified at once."),
        max_length=253,
    )


class CouncilLimitsForm(forms.Form):
    """The council's delegated limits, typed as people say them (pounds, days); empty for none."""

    money_limit = forms.CharField(
        label=_("Money limit, in pounds (optional)"),
        help_text=_(
            "Pledges of more money than this need an approver's sign-off. Leave empty for no limit."
        ),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "decimal"}),
    )
    half_days_limit = forms.CharField(
        label=_("Staff time limit, in days (optional)"),
        help_text=_(
            "Pledges of more staff time than this need an approver's sign-off. "
            "Whole or half days. Leave empty for no limit."
        ),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"data-width": "5", "inputmode": "decimal"}),
    )

    @staticmethod
    def initial_for(council) -> dict:
        return {
            "money_limit": ""
            if council.money_limit is None
            else f"{council.money_limit // 100}.{council.money_limit % 100:02d}",
            "half_days_limit": ""
            if council.half_days_limit is None
            else str(half_days_to_days(council.half_days_limit)),
        }

    def _parsed(self, name: str, parse, top: int, too_big) -> int | None:
        text = self.cleaned_data.get(name, "").strip()
        if not text:
            return None
        if text.startswith("-"):  # 0 is a limit (everything needs sign-off); below it is not
            raise forms.ValidationError(
                _(
                    "A limit cannot be below 0. Enter 0 if every pledge of this kind needs "
                    "sign-off, or leave it empty for no limit."
                )
            )
        try:
            value = parse(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if value > top:  # as big as the largest pledge Pipeline takes, and no bigger
            raise forms.ValidationError(too_big)
        return value

    def clean_money_limit(self) -> int | None:
        from projects.models import MAX_MONEY_PENCE

        return self._parsed(
            "money_limit",
            parse_pounds,
            MAX_MONEY_PENCE,
            _("The amount must be £10,000,000 or less."),
        )

    def clean_half_days_limit(self) -> int | None:
        from projects.models import MAX_HALF_DAYS

        return self._parsed(
            "half_days_limit", parse_days, MAX_HALF_DAYS, _("The time must be 2,000 days or less.")
        )


class CouncilCommitmentForm(forms.Form):
    """A commitment the council signed: which one, when, and where anyone can check."""

    commitment = forms.ModelChoiceField(
        queryset=Commitment.objects.none(),  # those not yet recorded: see __init__
        label=_("Which commitment did the council sign?"),
        empty_label=_("Choose a commitment"),
        error_messages={
            "required": _("Choose the commitment the council signed"),
            "invalid_choice": _("Choose a commitment from the list"),
        },
    )
    signed_on = GovukDateField(
        what=_("the date signed"),
        label=_("Date signed"),
        help_text=_("For example 4 7 2018"),
        error_messages={"required": _("Enter the date the council signed it")},
    )
    evidence_url = WebAddressField(
        label=_("Link to the signed commitment (optional)"),
        help_text=_(
            "Where anyone can check it, such as the list of signatories or your council’s "
            "announcement, starting https://"
        ),
        max_length=200,
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": _("Enter a web address, like https://www.localdigital.gov.uk/signatories/"),
        },
    )

    def __init__(self, *args, commitments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if commitments is not None:
            self.fields["commitment"].queryset = commitments

    def clean_signed_on(self):
        value = self.cleaned_data.get("signed_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date signed must be today or in the past"))
        if value and value.year < 2000:
            raise forms.ValidationError(_("The date signed must be in 2000 or later"))
        return value
