from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from core.formatting import format_half_days, format_pence
from core.links import object_url
from core.vocabulary import Term, in_reader_language, reader_language

from .vocabulary import AUTHORITY_TYPES, REGIONS


class Nation(models.TextChoices):
    ENGLAND = "England", _("England")
    SCOTLAND = "Scotland", _("Scotland")
    WALES = "Wales", _("Wales")
    NORTHERN_IRELAND = "Northern Ireland", _("Northern Ireland")
    UK = "United Kingdom", _("United Kingdom (national body)")


# The register's regions and authority types are fixed vocabularies (councils/vocabulary.py), so
# the directory's filters (and the API's schema) can list every value they accept. A register
# that brings a new one needs it added there to be filterable.


def current_council_q() -> Q:
    """A council is current until its end date has passed."""
    return Q(end_date__isnull=True) | Q(end_date__gt=timezone.localdate())


class CouncilQuerySet(models.QuerySet):
    def current(self) -> "CouncilQuerySet":
        return self.filter(current_council_q())

    def ended(self) -> "CouncilQuerySet":
        return self.exclude(current_council_q())


class Council(index.Indexed, models.Model):
    """A UK local authority from the register, or another public body an organiser added."""

    code = models.CharField(
        _("register code"),
        max_length=16,
        unique=True,
        help_text=_("Stable register code, for example GRT."),
    )
    gss_code = models.CharField(_("GSS code"), max_length=9, blank=True, db_index=True)
    name = models.CharField(_("official name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=120)
    name_cy = models.CharField(_("Welsh short name"), max_length=120, blank=True)
    official_name_cy = models.CharField(_("Welsh official name"), max_length=200, blank=True)
    slug = models.SlugField(max_length=140, unique=True)
    authority_type = models.CharField(_("type code"), max_length=8, blank=True)
    authority_type_name = models.CharField(_("type"), max_length=80, blank=True)
    nation = models.CharField(_("nation"), max_length=20, choices=Nation.choices)
    region = models.CharField(_("region"), max_length=60, blank=True)
    county_code = models.CharField(_("county"), max_length=16, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    replaced_by = models.CharField(_("replaced by"), max_length=60, blank=True)
    # People living in the area (the register's 2020 estimate): the consortium builder suggests
    # councils of a similar size.
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    on_register = models.BooleanField(
        _("on the register"),
        default=True,
        help_text=_("False for public bodies that organisers add by hand."),
    )
    # Delegated limits: a pledge above one, made by someone who is not an approver, waits for
    # an approver's sign-off before the lead council sees it. Empty means no limit.
    money_limit = models.BigIntegerField(
        _("money limit (pence)"),
        null=True,
        blank=True,
        help_text=_("Pledges of more money than this need an approver's sign-off."),
    )
    half_days_limit = models.IntegerField(
        _("staff time limit (half-days)"),
        null=True,
        blank=True,
        help_text=_("Pledges of more staff time than this need an approver's sign-off."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CouncilQuerySet.as_manager()

    # Site search (Wagtail's search backend).
    search_fields = [
        index.SearchField("short_name", boost=3),
        index.AutocompleteField("short_name"),
        index.SearchField("name", boost=2),
        index.SearchField("name_cy", boost=2),
        index.SearchField("official_name_cy"),
        index.SearchField("code"),
        index.FilterField("end_date"),
    ]

    class Meta:
        ordering = ["short_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="council_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=(Q(money_limit__isnull=True) | Q(money_limit__gte=0))
                & (Q(half_days_limit__isnull=True) | Q(half_days_limit__gte=0)),
                name="council_limits_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["nation", "region"])]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return object_url("councils:detail", "slug", self.slug)

    @property
    def display_name(self) -> str:
        """The short name in the reader's language (Welsh councils have Welsh names)."""
        if self.name_cy and (get_language() or "").startswith("cy"):
            return self.name_cy
        return self.short_name

    @property
    def type_display(self) -> Term:
        """The register's type ("Non-metropolitan district") in the reader's language."""
        return in_reader_language(self.authority_type_name, AUTHORITY_TYPES)

    @property
    def region_display(self) -> Term:
        return in_reader_language(self.region, REGIONS)

    @property
    def display_official_name(self) -> str:
        if self.official_name_cy and (get_language() or "").startswith("cy"):
            return self.official_name_cy
        return self.name

    @property
    def is_current(self) -> bool:
        return self.end_date is None or self.end_date > timezone.localdate()

    @property
    def money_limit_display(self) -> str:
        return "" if self.money_limit is None else format_pence(self.money_limit)

    @property
    def half_days_limit_display(self) -> str:
        return "" if self.half_days_limit is None else format_half_days(self.half_days_limit)

    def limit_for(self, kind: str) -> int | None:
        """The delegated limit for pledges of this kind ("money" or "time"), None if none."""
        return self.money_limit if kind == "money" else self.half_days_limit


class CouncilDomain(models.Model):
    """An email domain whose confirmed addresses belong to the council's officers."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("email domain"), max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs) -> None:
        self.domain = self.domain.strip().lower().lstrip("@")
        super().save(*args, **kwargs)


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    # Signs off pledges over the council's delegated limits (its scheme of delegation).
    APPROVER = "approver", _("Approver")
    ADMIN = "admin", _("Council admin")


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    VERIFIED = "verified", _("Verified")
    REFUSED = "refused", _("Refused")
    LEFT = "left", _("Left")


ACTIVE_MEMBERSHIP_STATUSES = (MembershipStatus.PENDING, MembershipStatus.VERIFIED)


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        return self.filter(status__in=ACTIVE_MEMBERSHIP_STATUSES)

    def verified(self) -> "MembershipQuerySet":
        return self.filter(status=MembershipStatus.VERIFIED)

    def pending(self) -> "MembershipQuerySet":
        return self.filter(status=MembershipStatus.PENDING)


class Membership(models.Model):
    """A person's link to a council. Only a verified membership lets a person act for it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("role"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.PENDING,
    )
    verified_by_domain = models.BooleanField(default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    message = models.TextField(_("message to the council"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "council"],
                condition=Q(status__in=["pending", "verified"]),
                name="one_active_membership_per_person_per_council",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in MembershipStatus]),
                name="membership_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in MembershipRole]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.council} ({self.get_status_display()})"

    @property
    def is_verified(self) -> bool:
        return self.status == MembershipStatus.VERIFIED

    @property
    def is_admin(self) -> bool:
        return self.is_verified and self.role == MembershipRole.ADMIN

    @property
    def is_approver(self) -> bool:
        return self.is_verified and self.role == MembershipRole.APPROVER


class Commitment(models.Model):
    """A public commitment a council can sign, such as the Local Digital Declaration; a call
    may require it of every council in a bid."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_cy = models.CharField(_("Welsh name"), max_length=200, blank=True)
    slug = models.SlugField(max_length=140, unique=True)
    url = models.URLField(_("where to read it"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return str(self.display_name)

    @property
    def display_name(self) -> Term:
        if self.name_cy and reader_language().startswith("cy"):
            return Term(self.name_cy, "cy")
        return Term(self.name, settings.LANGUAGE_CODE)


class CouncilCommitment(models.Model):
    """A council's record that it signed a commitment, with when and where to see it."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="commitments")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="signatories")
    signed_on = models.DateField(_("date signed"))
    evidence_url = models.URLField(_("link to the signed commitment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["commitment__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "commitment"], name="one_record_per_commitment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council} signed {self.commitment}"
