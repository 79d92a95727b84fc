from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


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
