from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def organisers(self) -> models.QuerySet["User"]:
        """Active organisers: superusers and the Organisers group (see ``User.is_organiser``)."""
        return (
            self.filter(is_active=True)
            .filter(models.Q(is_superuser=True) | models.Q(groups__name=ORGANISERS_GROUP))
            .distinct()
        )


class NotificationFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    NEVER = "never", _("Never")


class User(AbstractUser):
    """A person. Signs in with an email address; there is no username."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    notification_frequency = models.CharField(
        _("how often to hear of updates"),
        max_length=16,
        choices=NotificationFrequency.choices,
        default=NotificationFrequency.DAILY,
    )
    language = models.CharField(
        _("language for emails"),
        max_length=8,
        choices=[("en-gb", _("English")), ("cy", _("Welsh"))],
        default="en-gb",
    )
    # When the person deleted their account. The row stays (pledges, ledger events and updates
    # refer to it and must not change), stripped of everything that identifies them.
    deleted_at = models.DateTimeField(_("account deleted"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name()

    def get_full_name(self) -> str:
        if self.deleted_at is not None:
            return str(_("A former officer"))
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_organiser(self) -> bool:
        """LocalGov Digital organisers: superusers or members of the Organisers group."""
        if self.is_superuser:
            return True
        cached = getattr(self, "_is_organiser", None)
        if cached is None:
            cached = self.groups.filter(name=ORGANISERS_GROUP).exists()
            self._is_organiser = cached
        return cached


ORGANISERS_GROUP = "Organisers"


class TokenAccess(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class TokenTerms(models.Model):
    """What a personal API token may do and until when. Wagtail's ``APIToken`` has no room for
    either, so they live beside it, made in the same transaction as the token. A token without
    terms (none since migration 0004) may read and write and never expires."""

    token = models.OneToOneField(
        "wagtailcore.APIToken", on_delete=models.CASCADE, primary_key=True, related_name="terms"
    )
    access = models.CharField(
        _("access"), max_length=8, choices=TokenAccess.choices, default=TokenAccess.WRITE
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token terms")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(access__in=TokenAccess.values), name="token_terms_access_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token_id}: {self.access}"

    @property
    def is_read_only(self) -> bool:
        return self.access == TokenAccess.READ

    def has_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())
