"""The organisers' form for a council's sign-in provider. It checks shape only; the service
decides (and its refusals appear beside the field they are about)."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from councils.models import Council

from .models import CouncilIdentityProvider


class IdentityProviderForm(forms.ModelForm):
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Stored encrypted and never shown again. Leave empty to keep the stored secret, or "
            "when the secret comes from an environment variable."
        ),
    )
    vouched_domains = forms.CharField(
        label=_("Email domains it vouches for"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line. Each must be one of the council’s own email domains; people at them who "
            "sign in through this provider are verified members of the council at once."
        ),
    )

    issuer = forms.URLField(
        label=capfirst(CouncilIdentityProvider._meta.get_field("issuer").verbose_name),
        help_text=CouncilIdentityProvider._meta.get_field("issuer").help_text,
        max_length=500,
        assume_scheme="https",
    )

    class Meta:
        model = CouncilIdentityProvider
        fields = [
            "council",
            "enabled",
            "issuer",
            "client_id",
            "secret_env",
            "require_email_verified",
        ]

    field_order = [
        "council",
        "enabled",
        "issuer",
        "client_id",
        "secret_env",
        "client_secret",
        "vouched_domains",
        "require_email_verified",
    ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = Council.objects.current()
        if self.instance.pk:
            self.fields["council"].disabled = True
            self.initial["vouched_domains"] = "\n".join(self.instance.domain_names())

    def _post_clean(self) -> None:
        """No model validation here: the service checks each value and says which field is
        wrong (the model's constraints would only say "constraint violated")."""

    def domain_list(self) -> list[str]:
        return self.cleaned_data.get("vouched_domains", "").replace(",", "\n").splitlines()
