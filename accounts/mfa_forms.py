"""allauth's two-factor forms with GOV.UK labels and error messages that say what to do.

``MFA_FORMS`` in the settings points allauth here; allauth still checks the codes, counts wrong
ones toward the sign-in limit and records their use.
"""

from allauth.mfa.base import forms as base_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms
from django.utils.translation import gettext_lazy as _


def _code_field(form, *, label, hint, required) -> None:
    field = form.fields["code"]
    field.label = label
    field.help_text = hint
    field.error_messages["required"] = required
    field.widget.attrs.pop("placeholder", None)  # a hint, not a placeholder (GOV.UK)
    field.widget.attrs.update({"inputmode": "numeric", "spellcheck": "false"})


class _AnyCodeMixin:
    """Signing in and confirming it is you take an app code or a recovery code alike."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(
            self,
            label=_("Code"),
            hint=_(
                "The 6-digit code your authenticator app shows now, or one of your recovery codes."
            ),
            required=_("Enter the code from your authenticator app or a recovery code"),
        )
        self.fields["code"].widget.attrs.pop("inputmode", None)  # recovery codes too


class AuthenticateForm(_AnyCodeMixin, base_forms.AuthenticateForm):
    pass


class ReauthenticateForm(_AnyCodeMixin, base_forms.ReauthenticateForm):
    pass


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(
            self,
            label=_("Code from your authenticator app"),
            hint=_("The 6-digit code the app shows for Pipeline, for example 123456."),
            required=_("Enter the 6-digit code from your authenticator app"),
        )

    def clean_code(self) -> str:
        """Setting up, the person has no recovery codes yet: the adapter's wrong-code message
        (which offers one) would send them looking for something they do not have."""
        try:
            return super().clean_code()
        except forms.ValidationError as error:
            if error.code == "incorrect_code":
                raise forms.ValidationError(SETUP_CODE_WRONG, code="incorrect_code") from error
            raise


SETUP_CODE_WRONG = _(
    "The code is not right. Enter the 6-digit code your authenticator app shows for Pipeline now"
)


# What a browser sends after a passkey ceremony is JSON that allauth takes apart; a made-up or
# damaged one can raise KeyError and the like there, which would be a server error. Each is
# the same answer to the person: it could not be checked.
MALFORMED = (KeyError, TypeError, ValueError, AttributeError, IndexError)
PASSKEY_NOT_CHECKED = _(
    "Your passkey or security key could not be checked. Try again, or use your authenticator app"
)


class AddWebAuthnForm(webauthn_forms.AddWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name")
        self.fields["name"].help_text = _(
            "So you can tell your keys apart, for example “Work laptop” or “Blue USB key”."
        )

    def clean(self) -> dict:
        try:
            return super().clean()
        except MALFORMED:
            raise forms.ValidationError(PASSKEY_NOT_CHECKED) from None


class _CheckedCredential:
    def clean_credential(self):
        try:
            return super().clean_credential()
        except MALFORMED:
            raise forms.ValidationError(PASSKEY_NOT_CHECKED) from None


class AuthenticateWebAuthnForm(_CheckedCredential, webauthn_forms.AuthenticateWebAuthnForm):
    pass


class ReauthenticateWebAuthnForm(_CheckedCredential, webauthn_forms.ReauthenticateWebAuthnForm):
    pass


class EditWebAuthnForm(webauthn_forms.EditWebAuthnForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name")
        self.fields["name"].error_messages["required"] = _(
            "Enter a name for your passkey or security key"
        )
