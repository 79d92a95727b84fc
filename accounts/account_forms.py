"""allauth's sign-in and sign-up forms, with GOV.UK error messages that name the missing field.

allauth's own say "This field is required." for every field, so the error summary at the top of
the page had several links with the same words going to different fields (WCAG 2.4.4).
``ACCOUNT_FORMS`` in the settings points allauth here. (This is its own module because allauth's
forms import ``accounts.forms`` for the sign-up form's extra fields.)
"""

from allauth.account import forms as allauth_forms
from django.utils.translation import gettext_lazy as _


def _name_required_fields(form, messages: dict) -> None:
    for name, message in messages.items():
        if name in form.fields:
            form.fields[name].error_messages["required"] = message


class LoginForm(allauth_forms.LoginForm):
    required_messages = {
        "login": _("Enter your email address"),
        "password": _("Enter your password"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _name_required_fields(self, self.required_messages)


class SignupForm(allauth_forms.SignupForm):
    email_hint = _(
        "Use your work email address. If it is at your council’s email domain, you are "
        "verified as a member of your council as soon as you join it, with no one to wait for."
    )
    required_messages = {
        "first_name": _("Enter your first name"),
        "last_name": _("Enter your last name"),
        "email": _("Enter your email address"),
        "password1": _("Enter a password"),
        "password2": _("Enter the password again"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _name_required_fields(self, self.required_messages)
        self.fields["email"].help_text = self.email_hint
