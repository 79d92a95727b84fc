from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TokenAccess, User

NEVER = "never"


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form adds to email and password."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)

    field_order = ["first_name", "last_name", "job_title"]

    def signup(self, request, user: User) -> None:
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.job_title = self.cleaned_data["job_title"].strip()
        user.save(update_fields=["first_name", "last_name", "job_title"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "job_title", "notification_frequency", "language"]
        widgets = {
            "notification_frequency": forms.RadioSelect,
            "language": forms.RadioSelect,
        }
        help_texts = {
            "notification_frequency": _(
                "Updates from projects you follow and from projects your council supports."
            ),
            "language": _("Emails from Pipeline will be written in this language."),
        }


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What is the token for?"),
        help_text=_("For example “Finance report script”. You will see this name in the list."),
        max_length=80,
        error_messages={"required": _("Give the token a name")},
    )
    access = forms.ChoiceField(
        label=_("What may the token do?"),
        choices=[
            (TokenAccess.READ, _("Only read: look up projects, pledges and councils")),
            (TokenAccess.WRITE, _("Read and write: also make changes as you")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether the token may only read, or read and write"),
            "invalid_choice": _("Choose whether the token may only read, or read and write"),
        },
    )
    expires = forms.ChoiceField(
        label=_("When should it expire?"),
        choices=[
            ("30", _("After 30 days")),
            ("90", _("After 90 days")),
            ("365", _("After a year")),
            (NEVER, _("Never (until you revoke it)")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose when the token expires"),
            "invalid_choice": _("Choose when the token expires"),
        },
    )

    def expires_in_days(self) -> int | None:
        value = self.cleaned_data["expires"]
        return None if value == NEVER else int(value)


class AccountDeleteForm(forms.Form):
    """Deleting an account asks for the password (whoever left a browser signed in cannot
    delete it) and for the email address typed out (nobody deletes it by a slip)."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your current password")},
    )
    confirmation = forms.CharField(
        label=_("Type your email address to confirm"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
        ),
        error_messages={"required": _("Type your email address exactly as shown, to confirm")},
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirmation"].help_text = _("Your email address is %(email)s") % {
            "email": email
        }
