"""A council's own sign-in service (OpenID Connect), and the people who signed in through it."""

import os

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from councils.models import Council, CouncilDomain, Membership

from . import crypto

PROVIDER_ID_PREFIX = "council-"
LOOPBACK_PREFIXES = ("http://127.0.0.1", "http://localhost", "http://[::1]")
SECRET_ENV_PATTERN = r"^[A-Z_][A-Z0-9_]{0,99}$"  # noqa: S105 - a variable name's shape


class CouncilIdentityProviderQuerySet(models.QuerySet):
    def enabled(self) -> "CouncilIdentityProviderQuerySet":
        return self.filter(enabled=True, council__in=Council.objects.current())


class CouncilIdentityProvider(models.Model):
    """One council's OpenID Connect provider: the officers it vouches for sign in through it."""

    council = models.OneToOneField(
        Council,
        on_delete=models.CASCADE,
        related_name="identity_provider",
        verbose_name=_("council"),
    )
    enabled = models.BooleanField(
        _("enabled"),
        default=True,
        help_text=_("Untick to stop sign-in through this provider without losing its settings."),
    )
    issuer = models.URLField(
        _("issuer"),
        max_length=500,
        help_text=_(
            "The provider’s issuer URL, for Microsoft Entra ID "
            "https://login.microsoftonline.com/<tenant id>/v2.0"
        ),
    )
    client_id = models.CharField(_("client ID"), max_length=255)
    secret_env = models.CharField(
        _("client secret from environment variable"),
        max_length=100,
        blank=True,
        help_text=_(
            "The name of an environment variable on the app servers that holds the client "
            "secret, for example SSO_SECRET_GRT. Leave empty to store the secret below."
        ),
    )
    secret_encrypted = models.TextField(blank=True, editable=False)
    require_email_verified = models.BooleanField(
        _("require the email_verified claim"),
        default=True,
        help_text=_(
            "Refuse a sign-in unless the provider says the email address is verified. "
            "Microsoft Entra ID does not send this claim: untick it for a single-tenant "
            "Entra issuer, which is the authority for its own domains."
        ),
    )
    vouched_domains = models.ManyToManyField(
        CouncilDomain,
        through="VouchedDomain",
        related_name="+",
        verbose_name=_("email domains it vouches for"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CouncilIdentityProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("council sign-in provider")
        verbose_name_plural = _("council sign-in providers")
        ordering = ["council__short_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(issuer__startswith="https://")
                | Q(issuer__startswith="http://127.0.0.1")
                | Q(issuer__startswith="http://localhost")
                | Q(issuer__startswith="http://[::1]"),
                name="sso_issuer_https_or_loopback",
            ),
            models.CheckConstraint(
                condition=~(Q(secret_env="") & Q(secret_encrypted=""))
                & ~(~Q(secret_env="") & ~Q(secret_encrypted="")),
                name="sso_secret_from_env_or_stored",
            ),
            models.CheckConstraint(
                condition=Q(secret_env="") | Q(secret_env__regex=SECRET_ENV_PATTERN),
                name="sso_secret_env_is_a_variable_name",
            ),
            models.CheckConstraint(condition=~Q(client_id=""), name="sso_client_id_given"),
        ]

    def __str__(self) -> str:
        return str(self.council)

    @property
    def provider_id(self) -> str:
        """allauth's name for this provider, in its URLs (/accounts/oidc/<provider_id>/…)."""
        return f"{PROVIDER_ID_PREFIX}{self.council.slug}"

    def client_secret(self) -> str:
        """The secret, from the environment or decrypted; never shown in the admin."""
        if self.secret_env:
            return os.environ.get(self.secret_env, "")
        return crypto.decrypt(self.secret_encrypted)

    @property
    def secret_source(self) -> str:
        if self.secret_env:
            return _("Environment variable %(name)s") % {"name": self.secret_env}
        return _("Stored encrypted")

    def domain_names(self) -> list[str]:
        return sorted(d.domain for d in self.vouched_domains.all())


class VouchedDomain(models.Model):
    """A council domain whose addresses the provider vouches for (always the council's own)."""

    provider = models.ForeignKey(
        CouncilIdentityProvider, on_delete=models.CASCADE, related_name="vouched"
    )
    domain = models.ForeignKey(CouncilDomain, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "domain"], name="sso_domain_vouched_once")
        ]

    def __str__(self) -> str:
        return self.domain.domain


class CouncilSignIn(models.Model):
    """A person's account at a council's provider: who they are there (its ``sub``), the address
    it last vouched for, the membership it verified, and its refresh token (encrypted), which
    asks the provider at a later password sign-in whether the account still exists."""

    provider = models.ForeignKey(
        CouncilIdentityProvider, on_delete=models.CASCADE, related_name="sign_ins"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="council_sign_ins"
    )
    subject = models.CharField(max_length=255)
    email = models.EmailField(max_length=254)
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    refresh_token_encrypted = models.TextField(blank=True)
    last_signed_in_at = models.DateTimeField()
    last_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="sso_one_link_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.email} at {self.provider}"
