"""Projects, what they need, and the pledges councils make toward them.

Quantities are exact integers: money in pence, staff time in half-days. A ``Need`` or ``Pledge``
of kind MONEY keeps pence in ``amount``; one of kind TIME keeps half-days.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from core.choices import choice_label
from core.formatting import format_half_days, format_pence
from core.links import object_url
from core.vocabulary import Term, reader_language
from councils.models import Council

MAX_MONEY_PENCE = 10_000_000 * 100  # £10,000,000
MAX_HALF_DAYS = 2_000 * 2  # 2,000 days
DORMANT_AFTER = datetime.timedelta(days=90)


class Phase(models.TextChoices):
    """GDS phases, with "idea" before discovery."""

    IDEA = "idea", _("Idea")
    DISCOVERY = "discovery", _("Discovery")
    ALPHA = "alpha", _("Alpha")
    BETA = "beta", _("Beta")
    LIVE = "live", _("Live")
    RETIRED = "retired", _("Retired")


PHASE_ORDER = list(Phase.values)
# What a need may be tied to ("£40,000 for beta"): a phase a project works in, not retired.
NEED_PHASES = tuple(p for p in Phase.values if p != Phase.RETIRED)
# A project being worked on is expected to report this often before its first report, and is
# "not active" once its next report is overdue (``delivery`` keeps the schedule).
FIRST_REPORT_AFTER = datetime.timedelta(days=30)


def phase_rank(phase: str) -> int:
    """A phase's place in ``PHASE_ORDER``; no phase (a need wanted now) ranks before all."""
    return PHASE_ORDER.index(phase) if phase else -1


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SEEKING_SUPPORT = "seeking_support", _("Seeking support")
    IN_DELIVERY = "in_delivery", _("In delivery")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")


# The only state changes a project can make. Completed and closed are final.
STATE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    State.DRAFT: (State.SEEKING_SUPPORT, State.CLOSED),
    State.SEEKING_SUPPORT: (State.IN_DELIVERY, State.CLOSED),
    State.IN_DELIVERY: (State.SEEKING_SUPPORT, State.COMPLETED, State.CLOSED),
    State.COMPLETED: (),
    State.CLOSED: (),
}
PLEDGEABLE_STATES = (State.SEEKING_SUPPORT, State.IN_DELIVERY)
PUBLIC_STATES = (State.SEEKING_SUPPORT, State.IN_DELIVERY, State.COMPLETED, State.CLOSED)
# What the public sees: published and not hidden by an organiser. One condition for the
# listings' query and the partial indexes built for it: PostgreSQL uses such an index only
# when the query's condition implies the index's.
VISIBLE = Q(state__in=PUBLIC_STATES, is_hidden=False)
# The stored totals the home page's national figures add up (``selectors.headline_stats``),
# kept in an index beside each visible project's phase so they are read without the table.
HEADLINE_TOTALS = (
    "money_offered",
    "money_accepted",
    "money_fulfilled",
    "half_days_offered",
    "half_days_accepted",
    "half_days_fulfilled",
    "money_conditional",
    "money_matched",
    "half_days_conditional",
    "half_days_matched",
)


class Kind(models.TextChoices):
    MONEY = "money", _("Money")
    TIME = "time", _("Staff time")


def format_amount(kind: str, amount: int) -> str:
    """A pledge's or need's amount as people read it: pounds for money, days for time."""
    if kind == Kind.MONEY:
        return format_pence(amount)
    if kind == Kind.TIME:
        return format_half_days(amount)
    return str(_("unknown"))


class Role(models.TextChoices):
    DEVELOPER = "developer", _("Developer")
    DESIGNER = "designer", _("Designer")
    USER_RESEARCHER = "user_researcher", _("User researcher")
    CONTENT_DESIGNER = "content_designer", _("Content designer")
    DELIVERY_MANAGER = "delivery_manager", _("Delivery manager")
    PRODUCT_MANAGER = "product_manager", _("Product manager")
    DATA_ANALYST = "data_analyst", _("Data analyst")
    SERVICE_OWNER = "service_owner", _("Service owner")
    OTHER = "other", _("Other")


class Licence(models.TextChoices):
    OGL = "OGL-UK-3.0", _("Open Government Licence v3.0")
    MIT = "MIT", _("MIT License")
    APACHE = "Apache-2.0", _("Apache License 2.0")
    GPL = "GPL-3.0-or-later", _("GNU General Public License v3.0 or later")
    AGPL = "AGPL-3.0-or-later", _("GNU Affero General Public License v3.0 or later")
    CC_BY = "CC-BY-4.0", _("Creative Commons Attribution 4.0")
    UNDECIDED = "", _("Not decided yet")


class Language(models.TextChoices):
    """The language a council writes its project in (BCP 47 codes, as in HTML lang)."""

    ENGLISH = "en", _("English")
    WELSH = "cy", _("Welsh")


class ServiceArea(models.Model):
    """A service-area tag such as "Waste and recycling"."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    name_cy = models.CharField(_("Welsh name"), max_length=80, blank=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> Term:
        """The name in the reader's language: Welsh where it has one, else English (marked)."""
        if self.name_cy and reader_language().startswith("cy"):
            return Term(self.name_cy, "cy")
        return Term(self.name, settings.LANGUAGE_CODE)


class ProjectQuerySet(models.QuerySet):
    def visible(self) -> "ProjectQuerySet":
        """What the public sees (``VISIBLE``)."""
        return self.filter(VISIBLE)

    def seeking_support(self) -> "ProjectQuerySet":
        return self.visible().filter(state=State.SEEKING_SUPPORT)

    def no_recent_update(self) -> "ProjectQuerySet":
        """Seeking support or in delivery, with no update for 90 days (the owner's nudge to
        post one; an overdue status report has its own nudge, in ``delivery``)."""
        return self.filter(
            state__in=(State.SEEKING_SUPPORT, State.IN_DELIVERY),
            last_activity_at__lt=timezone.now() - DORMANT_AFTER,
        )

    def report_overdue(self) -> "ProjectQuerySet":
        """Published, visible and being worked on, with the next status report overdue: the
        schedule's date has passed, or, with no schedule and no report yet, the project was
        published more than a month (``FIRST_REPORT_AFTER``) before today."""
        return self.filter(report_overdue_q())

    def dormant(self) -> "ProjectQuerySet":
        """No recent activity: no update for 90 days, or a status report overdue."""
        return self.filter(
            Q(
                state__in=(State.SEEKING_SUPPORT, State.IN_DELIVERY),
                last_activity_at__lt=timezone.now() - DORMANT_AFTER,
            )
            | report_overdue_q()
        )


def report_overdue_q(*, today: datetime.date | None = None) -> Q:
    """Projects whose next status report is overdue (``ProjectQuerySet.report_overdue``), as a
    condition other filters can combine. Reads ``delivery``'s tables through their reverse
    relations (``report_schedule``, ``status_reports``): projects never imports delivery."""
    today = today or timezone.localdate()
    # Published before the start of the day a month ago: its first report was due before today,
    # as ``delivery.selectors.report_due_on`` counts (the local date of publication + 30 days).
    cutoff = timezone.make_aware(
        datetime.datetime.combine(today - FIRST_REPORT_AFTER, datetime.time.min)
    )
    reports = Project._meta.get_field("status_reports").related_model.objects.filter(
        project=models.OuterRef("pk")
    )
    return Q(state__in=(State.SEEKING_SUPPORT, State.IN_DELIVERY), is_hidden=False) & (
        Q(report_schedule__next_due_on__lt=today)
        | (Q(report_schedule__isnull=True, published_at__lt=cutoff) & ~models.Exists(reports))
    )


class Project(index.Indexed, models.Model):
    title = models.CharField(_("project name"), max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True, max_length=20_000)
    problem = models.TextField(_("the problem"), blank=True, max_length=10_000)
    users = models.TextField(_("who the users are"), blank=True, max_length=10_000)
    outcomes = models.TextField(_("expected outcomes"), blank=True, max_length=10_000)
    # What the council wrote (title, summary, description, …) is marked with this language
    # wherever the interface is in the other one (WCAG 3.1.2, language of parts).
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.IDEA)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    lead_council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        related_name="projects_led",
        verbose_name=_("lead council"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="projects_owned"
    )
    service_areas = models.ManyToManyField(
        ServiceArea, blank=True, related_name="projects", verbose_name=_("service areas")
    )
    pledging_deadline = models.DateField(_("pledging deadline"), null=True, blank=True)
    partner_target = models.PositiveSmallIntegerField(
        _("target number of partner councils"), null=True, blank=True
    )
    code_url = models.URLField(_("code repository"), blank=True)
    prototype_url = models.URLField(_("prototype"), blank=True)
    licence = models.CharField(
        _("licence"), max_length=32, choices=Licence.choices, blank=True, default=""
    )
    is_featured = models.BooleanField(_("featured"), default=False)
    is_hidden = models.BooleanField(_("hidden by an organiser"), default=False)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    # Set when the project was combined into another (two councils' similar bids joined, through
    # ``projects.services.combine``): its followers and live pledges moved there.
    combined_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="combined_from",
        verbose_name=_("combined into"),
    )
    combined_at = models.DateTimeField(null=True, blank=True)

    # Stored totals, recalculated from the pledges inside every pledge transaction
    # (the project row is locked), and reconciled with the ledger by `check_ledger`.
    money_offered = models.BigIntegerField(default=0)
    money_accepted = models.BigIntegerField(default=0)
    money_fulfilled = models.BigIntegerField(default=0)
    half_days_offered = models.IntegerField(default=0)
    half_days_accepted = models.IntegerField(default=0)
    half_days_fulfilled = models.IntegerField(default=0)
    partner_count = models.IntegerField(default=0)
    demand_count = models.IntegerField(default=0)
    money_needed = models.BigIntegerField(default=0)
    half_days_needed = models.IntegerField(default=0)
    # Conditional and match money, kept apart from the totals above (README, "Conditional and
    # match pledges"): pledges still waiting for other councils, and what match pledges on the
    # table give now. Recalculated with them.
    money_conditional = models.BigIntegerField(default=0)
    money_matched = models.BigIntegerField(default=0)
    half_days_conditional = models.IntegerField(default=0)
    half_days_matched = models.IntegerField(default=0)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    dormancy_nudged_at = models.DateTimeField(null=True, blank=True)

    objects = ProjectQuerySet.as_manager()

    # Site search (Wagtail's search backend); the filter fields let it search visible() only.
    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("summary", boost=2),
        index.SearchField("description"),
        index.SearchField("problem"),
        index.SearchField("users"),
        index.SearchField("outcomes"),
        index.FilterField("state"),
        index.FilterField("is_hidden"),
    ]

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="project_state_valid"),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="project_phase_valid"),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="project_language_valid"
            ),
            models.CheckConstraint(
                condition=Q(money_offered__gte=0)
                & Q(money_accepted__gte=0)
                & Q(money_fulfilled__gte=0)
                & Q(half_days_offered__gte=0)
                & Q(half_days_accepted__gte=0)
                & Q(half_days_fulfilled__gte=0)
                & Q(partner_count__gte=0)
                & Q(demand_count__gte=0)
                & Q(money_needed__gte=0)
                & Q(half_days_needed__gte=0),
                name="project_totals_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(money_conditional__gte=0)
                & Q(money_matched__gte=0)
                & Q(half_days_conditional__gte=0)
                & Q(half_days_matched__gte=0),
                name="project_conditional_totals_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(partner_target__isnull=True)
                | Q(partner_target__gte=1, partner_target__lte=400),
                name="project_partner_target_range",
            ),
            models.CheckConstraint(
                condition=Q(is_hidden=False) | ~Q(hidden_reason=""),
                name="project_hidden_has_reason",
            ),
            models.CheckConstraint(
                condition=(Q(combined_into__isnull=True) & Q(combined_at__isnull=True))
                | (
                    Q(combined_into__isnull=False)
                    & Q(combined_at__isnull=False)
                    & ~Q(combined_into=F("pk"))
                ),
                name="project_combined_into_another",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "is_hidden", "-published_at"]),
            models.Index(fields=["pledging_deadline"]),
            # The public listings' default order (newest first) read straight off an index:
            # first pages and cursor pages stop after a page of rows instead of sorting them all.
            models.Index(
                fields=["-published_at", "-id"],
                condition=VISIBLE,
                name="project_visible_newest_idx",
            ),
            # The same order within one phase (the listing's most used filter): a phase's
            # newest page was found by reading past every other phase's projects in the one
            # above (2.0 ms → 1.0 ms for a page of beta projects needing money).
            models.Index(
                fields=["phase", "-published_at", "-id"],
                condition=VISIBLE,
                name="project_phase_newest_idx",
            ),
            # The home page's national figures: the visible projects' counts and totals by
            # phase, drawn again after every pledge. Read from this index alone, that is about
            # 100 pages, not the whole table's 1,600 (3.5 ms, not 10–18 ms, for the bench's
            # 10,000 projects).
            models.Index(
                fields=["phase"],
                include=HEADLINE_TOTALS,
                condition=VISIBLE,
                name="project_headline_totals_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("projects:detail", "slug", self.slug)

    @property
    def is_published(self) -> bool:
        return self.state != State.DRAFT

    @property
    def money_committed(self) -> int:
        return self.money_accepted + self.money_fulfilled

    @property
    def half_days_committed(self) -> int:
        return self.half_days_accepted + self.half_days_fulfilled

    @property
    def deadline_passed(self) -> bool:
        return self.pledging_deadline is not None and self.pledging_deadline < timezone.localdate()

    @property
    def days_left(self) -> int | None:
        if self.pledging_deadline is None:
            return None
        return (self.pledging_deadline - timezone.localdate()).days

    @property
    def is_dormant(self) -> bool:
        return (
            self.state in (State.SEEKING_SUPPORT, State.IN_DELIVERY)
            and self.last_activity_at < timezone.now() - DORMANT_AFTER
        )

    @property
    def is_open_for_pledges(self) -> bool:
        return self.state in PLEDGEABLE_STATES and not self.deadline_passed and not self.is_hidden


class Need(models.Model):
    """One thing a project asks for: an amount of money, or days of a role."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True)
    amount = models.BigIntegerField(_("amount"), help_text=_("Pence for money, half-days for time"))
    description = models.CharField(_("what it is for"), max_length=300, blank=True)
    # Empty: needed now. A phase: needed for that phase ("£40,000 for beta"); pledges toward it
    # are committed for that phase and fall due when the project enters it.
    phase = models.CharField(
        _("needed for phase"),
        max_length=16,
        choices=[(p, Phase(p).label) for p in NEED_PHASES],
        blank=True,
        default="",
    )
    position = models.PositiveSmallIntegerField(default=0)
    # Set when the owner marks the need met: it takes no new offers until reopened. Pledges
    # already made toward it, and the totals, are untouched.
    met_at = models.DateTimeField(_("met"), null=True, blank=True)

    offered = models.BigIntegerField(default=0)
    accepted = models.BigIntegerField(default=0)
    fulfilled = models.BigIntegerField(default=0)
    # Apart from the three above, as on the project: waiting conditional pledges, and match
    # pledges on the table at what they give now.
    conditional = models.BigIntegerField(default=0)
    matched = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="need_kind_valid"),
            models.CheckConstraint(
                condition=(Q(kind=Kind.MONEY) & Q(role="") & Q(amount__lte=MAX_MONEY_PENCE))
                | (
                    Q(kind=Kind.TIME)
                    & Q(role__in=Role.values)
                    & ~Q(role="")
                    & Q(amount__lte=MAX_HALF_DAYS)
                ),
                name="need_kind_role_and_limit",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="need_amount_positive"),
            models.CheckConstraint(
                condition=Q(offered__gte=0) & Q(accepted__gte=0) & Q(fulfilled__gte=0),
                name="need_totals_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(conditional__gte=0) & Q(matched__gte=0),
                name="need_conditional_totals_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(phase="") | Q(phase__in=NEED_PHASES), name="need_phase_valid"
            ),
        ]

    def __str__(self) -> str:
        if self.kind == Kind.TIME:
            text = f"{self.get_role_display()}: {self.amount_display}"
        else:
            text = self.amount_display
        if self.phase:
            return str(_("%(need)s for %(phase)s")) % {
                "need": text,
                "phase": self.phase_display,
            }
        return text

    @property
    def phase_display(self) -> str:
        """The phase it is needed for, as a sentence reads it ("for beta"); empty if now."""
        return choice_label(Phase, self.phase).lower() if self.phase else ""

    def get_role_display(self) -> str:
        return choice_label(Role, self.role)

    def is_for_later(self, project_phase: str) -> bool:
        """Needed for a phase the project has not reached yet."""
        return phase_rank(self.phase) > phase_rank(project_phase)

    @property
    def amount_display(self) -> str:
        """The amount alone, for lists whose row already names the role."""
        return format_amount(self.kind, self.amount)

    @property
    def is_met(self) -> bool:
        return self.met_at is not None


class PledgeState(models.TextChoices):
    # Internal to the pledging council: over its delegated limit, waiting for an approver.
    PENDING = "pending", _("Awaiting approval")
    # Internal too, and final: an approver of the pledging council said no.
    REFUSED = "refused", _("Refused by the council")
    # Public: an offer on the table that stands only once enough other councils pledge too.
    CONDITIONAL = "conditional", _("Conditional: waiting for other councils")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    FULFILLED = "fulfilled", _("Fulfilled")
    # Final: its condition was not met by the pledging deadline or before the project closed.
    LAPSED = "lapsed", _("Lapsed: condition not met")
    # An amendment: a changed amount the pledging council proposes for an offered or accepted
    # pledge, waiting for the project's owner. It counts toward nothing until accepted.
    PROPOSED = "proposed", _("Change proposed")
    # Final: the owner accepted an amendment of this pledge, which took its place.
    SUPERSEDED = "superseded", _("Replaced by an amendment")


# The GOV.UK tag colour of each state, as every list of pledges shows it.
STATE_TAG_COLOURS = {
    PledgeState.OFFERED: "yellow",
    PledgeState.ACCEPTED: "blue",
    PledgeState.FULFILLED: "green",
    PledgeState.DECLINED: "red",
    PledgeState.REFUSED: "red",
    PledgeState.PENDING: "orange",
    PledgeState.CONDITIONAL: "purple",
    PledgeState.PROPOSED: "purple",
}


# Seen only by the pledging council and organisers; the lead council and the public never do.
INTERNAL_STATES = (PledgeState.PENDING, PledgeState.REFUSED)
# What the public ledger has ever shown: everything but the internal states.
PUBLIC_PLEDGE_STATES = tuple(s for s in PledgeState.values if s not in INTERNAL_STATES)

# An amendment's own moves are narrower than this table (signed off it becomes proposed, never
# offered; accepted it takes the state its original had): ``check_ledger`` holds both to them.
PLEDGE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    PledgeState.PENDING: (
        PledgeState.OFFERED,
        PledgeState.CONDITIONAL,
        PledgeState.PROPOSED,
        PledgeState.REFUSED,
        PledgeState.WITHDRAWN,
    ),
    PledgeState.REFUSED: (),
    # To offered by the system when the condition is met, to lapsed when it can no longer be.
    PledgeState.CONDITIONAL: (PledgeState.OFFERED, PledgeState.WITHDRAWN, PledgeState.LAPSED),
    PledgeState.LAPSED: (),
    PledgeState.OFFERED: (
        PledgeState.ACCEPTED,
        PledgeState.DECLINED,
        PledgeState.WITHDRAWN,
        PledgeState.SUPERSEDED,
    ),
    PledgeState.ACCEPTED: (PledgeState.FULFILLED, PledgeState.WITHDRAWN, PledgeState.SUPERSEDED),
    PledgeState.DECLINED: (),
    PledgeState.WITHDRAWN: (),
    PledgeState.FULFILLED: (),
    PledgeState.PROPOSED: (
        PledgeState.OFFERED,
        PledgeState.ACCEPTED,
        PledgeState.DECLINED,
        PledgeState.WITHDRAWN,
    ),
    PledgeState.SUPERSEDED: (),
}
# A pledge an amendment may change, and the states an amendment is open in (waiting for its
# council's approver or for the owner).
AMENDABLE_STATES = (PledgeState.OFFERED, PledgeState.ACCEPTED)
OPEN_AMENDMENT_STATES = (PledgeState.PENDING, PledgeState.PROPOSED)
# An amendment still in play: open, or the replacement that took its original's place. At most
# one per original (a database constraint), so two replacements can never both count.
LIVE_AMENDMENT_STATES = (
    *OPEN_AMENDMENT_STATES,
    PledgeState.OFFERED,
    PledgeState.ACCEPTED,
    PledgeState.FULFILLED,
)
# States that count toward a total, and the total each feeds.
COUNTED_STATES = (PledgeState.OFFERED, PledgeState.ACCEPTED, PledgeState.FULFILLED)
# A council "also pledges" to a project with a pledge in one of these states (README,
# "Conditional and match pledges").
LIVE_PLEDGE_STATES = COUNTED_STATES
# What a match pledge matches: other councils' pledges the project's owner has taken on.
MATCHED_STATES = (PledgeState.ACCEPTED, PledgeState.FULFILLED)
MAX_OTHER_COUNCILS = 50
# A council decision behind a pledge is no older than this (a typo like 1026 or 1850 is caught).
EARLIEST_DECISION_DATE = datetime.date(2000, 1, 1)


class PledgeQuerySet(models.QuerySet):
    def public(self) -> "PledgeQuerySet":
        """Pledges that were offered to the lead council at some time: what the public sees.
        One that waited for sign-off and was refused or withdrawn never was."""
        return self.filter(offered_at__isnull=False)


class Pledge(models.Model):
    """A council's offer toward a project. Amount and note never change; state follows events."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="pledges")
    need = models.ForeignKey(
        Need, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges"
    )
    # Who pledges: a council, or a funder whose award is paid into the project (README, "Awards
    # in the ledger"). Exactly one of the two.
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, null=True, blank=True, related_name="pledges"
    )
    funder = models.ForeignKey(
        "funding.Funder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
        verbose_name=_("funder"),
    )
    # An amendment: the pledge whose amount it would change. Set once when it is proposed; the
    # original is never edited, it is replaced (superseded) if the owner accepts the change.
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("amends"),
    )
    pledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="pledges_made"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, blank=True)
    amount = models.BigIntegerField(_("amount"), help_text=_("Pence for money, half-days for time"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    # Seen only by verified members of the pledging and the lead council (never public).
    private_note = models.TextField(
        _("note for the two councils only"), blank=True, max_length=2000
    )
    state = models.CharField(
        _("state"), max_length=12, choices=PledgeState.choices, default=PledgeState.OFFERED
    )
    created_at = models.DateTimeField(default=timezone.now)
    state_changed_at = models.DateTimeField(default=timezone.now)
    # When the lead council was first offered it (as an offer or a conditional one): at once, or
    # when an approver signed it off. Empty while it waits or if it never left the council.
    offered_at = models.DateTimeField(null=True, blank=True)
    # Conditions, fixed when the pledge is made, like its amount (README, "Conditional and match
    # pledges"). "Only if at least N other councils also pledge to this project":
    min_other_councils = models.PositiveSmallIntegerField(
        _("only if this many other councils pledge too"), null=True, blank=True
    )
    # A match: this percentage of what other councils' accepted pledges of the same kind give,
    # rounded down, and never more than ``amount`` (the cap).
    match_percent = models.PositiveSmallIntegerField(_("match percentage"), null=True, blank=True)
    # What a match pledge gives now, derived from the other pledges under the project's lock
    # whenever any pledge to the project changes; fixed once it is fulfilled. Empty if not a
    # match.
    matched_amount = models.BigIntegerField(null=True, blank=True)
    # When Pipeline found the condition met and made it an offer; empty otherwise.
    condition_met_at = models.DateTimeField(null=True, blank=True)

    objects = PledgeQuerySet.as_manager()

    # Ledger rows, listed in the Wagtail admin to view only and never deleted: kept out of
    # Wagtail's reference index, whose upkeep queued a task on every save (two for each pledge
    # written, each run by a worker) to record links to the project, council and people that
    # the pledge shows itself.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="pledge_amount_positive"),
            models.CheckConstraint(
                condition=(Q(state__in=INTERNAL_STATES) & Q(offered_at__isnull=True))
                | Q(state=PledgeState.WITHDRAWN)
                | (~Q(state__in=INTERNAL_STATES) & Q(offered_at__isnull=False)),
                name="pledge_offered_at_matches_state",
            ),
            models.CheckConstraint(
                condition=(Q(kind=Kind.MONEY) & Q(role="") & Q(amount__lte=MAX_MONEY_PENCE))
                | (Q(kind=Kind.TIME) & Q(amount__lte=MAX_HALF_DAYS)),
                name="pledge_kind_and_limit",
            ),
            models.CheckConstraint(
                condition=Q(state__in=PledgeState.values), name="pledge_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_other_councils__isnull=True)
                | Q(min_other_councils__gte=1, min_other_councils__lte=MAX_OTHER_COUNCILS),
                name="pledge_min_other_councils_range",
            ),
            models.CheckConstraint(
                condition=(Q(match_percent__isnull=True) & Q(matched_amount__isnull=True))
                | (
                    Q(match_percent__gte=1)
                    & Q(match_percent__lte=100)
                    & Q(matched_amount__gte=0)
                    & Q(matched_amount__lte=F("amount"))
                ),
                name="pledge_match_within_cap",
            ),
            # Waiting for other councils only makes sense with a condition to wait for.
            models.CheckConstraint(
                condition=~Q(state__in=(PledgeState.CONDITIONAL, PledgeState.LAPSED))
                | Q(min_other_councils__isnull=False),
                name="pledge_conditional_has_condition",
            ),
            models.CheckConstraint(
                condition=Q(condition_met_at__isnull=True) | Q(min_other_councils__isnull=False),
                name="pledge_condition_met_has_condition",
            ),
            models.UniqueConstraint(
                fields=["amends"],
                condition=Q(state__in=LIVE_AMENDMENT_STATES),
                name="pledge_one_live_amendment",
            ),
            models.CheckConstraint(
                condition=Q(council__isnull=False, funder__isnull=True)
                | Q(council__isnull=True, funder__isnull=False),
                name="pledge_council_or_funder",
            ),
            # An award is money, plain: no conditions, no match, no amendment, no need.
            models.CheckConstraint(
                condition=Q(funder__isnull=True)
                | Q(
                    kind=Kind.MONEY,
                    min_other_councils__isnull=True,
                    match_percent__isnull=True,
                    amends__isnull=True,
                    need__isnull=True,
                    private_note="",
                ),
                name="pledge_award_is_plain_money",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "state"]),
            models.Index(fields=["council", "state"]),
            # A project's and a council's pledges newest first (pages and API), by index order.
            # The project's also holds what its public listing's keys read, so the busiest
            # project's listing is read from the index alone: 11 pages of it, not 570 of the
            # table (README, "Tenth round").
            models.Index(
                fields=["project", "-created_at", "-id"],
                include=["council", "offered_at"],
                name="pledge_project_listing_idx",
            ),
            models.Index(
                fields=["council", "-created_at", "-id"], name="pledge_council_newest_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledger} → {self.project}: {self.amount_display}"

    def get_absolute_url(self) -> str:
        return object_url("projects:pledge_detail", "pk", self.pk)

    @property
    def is_award(self) -> bool:
        """A funder's award (or one tranche of it), not a council's offer."""
        return self.funder_id is not None

    @property
    def pledger(self):
        """The council or the funder behind the pledge: both have ``display_name`` and
        ``get_absolute_url``."""
        return self.funder if self.is_award else self.council

    @property
    def pledger_name(self) -> Term:
        return self.pledger.display_name

    @property
    def award_state(self) -> str | None:
        """For an award: "awarded" until it is released to the project, then "released"."""
        if not self.is_award:
            return None
        return "released" if self.state == PledgeState.FULFILLED else "awarded"

    def get_state_display(self) -> str:
        return choice_label(PledgeState, self.state)

    def get_role_display(self) -> str:
        return choice_label(Role, self.role)

    @property
    def state_colour(self) -> str:
        """The colour of the pledge's state tag (``projects/_pledge_state.html``)."""
        return STATE_TAG_COLOURS.get(self.state, "grey")

    @property
    def award_state_display(self) -> str:
        return {"awarded": _("Awarded"), "released": _("Released")}.get(self.award_state, "")

    @property
    def amount_display(self) -> str:
        return format_amount(self.kind, self.amount)

    @property
    def is_public(self) -> bool:
        return self.offered_at is not None

    @property
    def is_match(self) -> bool:
        return self.match_percent is not None

    @property
    def has_condition(self) -> bool:
        return self.min_other_councils is not None

    @property
    def counted_amount(self) -> int:
        """What the pledge gives toward totals now: its amount, or a match's matched amount."""
        return (self.matched_amount or 0) if self.is_match else self.amount

    @property
    def condition_status(self) -> str | None:
        """waiting, met, lapsed, or not_met (awaiting approval, refused, or withdrawn while
        waiting); None without a condition."""
        if not self.has_condition:
            return None
        if self.state == PledgeState.CONDITIONAL:
            return "waiting"
        if self.condition_met_at is not None:
            return "met"
        if self.state == PledgeState.LAPSED:
            return "lapsed"
        return "not_met"

    @property
    def matched_display(self) -> str:
        return format_amount(self.kind, self.matched_amount or 0)

    @property
    def amended_by_id(self) -> int | None:
        """The public amendment that replaced this pledge (it is superseded), or the change
        proposed to it and waiting for the owner; else None. Uses ``public_amendments``
        (newest first, from ``selectors.with_amendment_links``) where a listing read them.

        Only the newest can be either: one live amendment at a time, and once superseded a
        pledge takes no more."""
        newest = getattr(self, "public_amendments", None)
        if newest is None:
            newest = list(self.amendments.public().order_by("-pk")[:1])
        if not newest:
            return None
        if self.state == PledgeState.SUPERSEDED or newest[0].state == PledgeState.PROPOSED:
            return newest[0].pk
        return None


class PledgeEvent(models.Model):
    """One line of the append-only pledge ledger. Never updated or deleted."""

    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    # Empty for Pipeline itself: a condition met or lapsed is nobody's act.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledge_events",
    )
    from_state = models.CharField(max_length=12, choices=PledgeState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=PledgeState.choices)
    note = models.TextField(blank=True, max_length=2000)
    # Like Pledge.private_note: for the pledging and the lead council only.
    private_note = models.TextField(blank=True, max_length=2000)
    # Where an amendment meets its original: on the amendment's first event and on the event
    # where it takes the original's place, the original; on the original's move to superseded,
    # the amendment that replaced it. Empty on every other event.
    linked_pledge = models.ForeignKey(
        Pledge, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A move, not a change of state: the pledge went from one project to another when the first
    # was combined into the second (``projects.services.combine``). ``from_state`` and
    # ``to_state`` are then both the state it kept; both projects are set, and only on a move.
    moved_from = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    moved_to = models.ForeignKey(
        Project, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    # See Pledge.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["pledge_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "sequence"], name="pledge_event_sequence"),
            models.CheckConstraint(
                condition=Q(to_state__in=PledgeState.values), name="pledge_event_to_state_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(sequence=1)
                    & Q(from_state="")
                    & Q(
                        to_state__in=(
                            PledgeState.OFFERED,
                            PledgeState.PENDING,
                            PledgeState.CONDITIONAL,
                            PledgeState.PROPOSED,
                        )
                    )
                )
                | (
                    Q(sequence__gt=1)
                    & ~Q(from_state="")
                    & ~Q(to_state=F("from_state"))
                    & Q(moved_from__isnull=True)
                    & Q(moved_to__isnull=True)
                )
                | (
                    Q(sequence__gt=1)
                    & Q(to_state=F("from_state"))
                    & Q(moved_from__isnull=False)
                    & Q(moved_to__isnull=False)
                    & ~Q(moved_to=F("moved_from"))
                ),
                name="pledge_event_shape",
            ),
            # Only Pipeline moves a pledge when its condition is met or lapses, and only it.
            models.CheckConstraint(
                condition=(
                    Q(actor__isnull=True)
                    & Q(from_state=PledgeState.CONDITIONAL)
                    & Q(to_state__in=(PledgeState.OFFERED, PledgeState.LAPSED))
                )
                | (
                    Q(actor__isnull=False)
                    & ~Q(to_state=PledgeState.LAPSED)
                    & ~Q(from_state=PledgeState.CONDITIONAL, to_state=PledgeState.OFFERED)
                )
                # A move to a combined project is the act of whoever combined them.
                | (Q(actor__isnull=False) & Q(moved_to__isnull=False)),
                name="pledge_event_system_moves",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pledge_id}.{self.sequence} {self.from_state or '∅'} → {self.to_state}"

    def get_from_state_display(self) -> str:
        return choice_label(PledgeState, self.from_state)

    def get_to_state_display(self) -> str:
        return choice_label(PledgeState, self.to_state)

    @property
    def is_move(self) -> bool:
        """A move to another project when two were combined, not a change of state."""
        return self.moved_to_id is not None

    @property
    def actor_display(self) -> str:
        """Who made the move, for people: a name, or Pipeline itself."""
        if self.actor_id is None:
            return str(_("Pipeline (automatic)"))
        return str(self.actor)


class PledgeDecisionRecord(models.Model):
    """The council's published decision behind a pledge: a delegated decision, a cabinet or
    committee minute. Attached once, by an approver of the pledging council or by the pledger of
    a pledge within the delegated limit, and never changed or removed."""

    pledge = models.OneToOneField(
        Pledge, on_delete=models.PROTECT, primary_key=True, related_name="decision_record"
    )
    title = models.CharField(_("decision title"), max_length=200)
    decided_on = models.DateField(_("date of the decision"))
    url = models.URLField(_("link to the published decision"), max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decision_records"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(title=""), name="pledge_decision_record_title_present"
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="https://") | Q(url__startswith="http://"),
                name="pledge_decision_record_url_http",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.decided_on:%Y-%m-%d})"


# --- People around a project ------------------------------------------------------------------


class TeamStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked to join")
    ACTIVE = "active", _("Member")
    DECLINED = "declined", _("Declined")
    LEFT = "left", _("Left")
    REMOVED = "removed", _("Removed")


ACTIVE_TEAM_STATUSES = (TeamStatus.REQUESTED, TeamStatus.ACTIVE)


class TeamMembership(models.Model):
    """A person on a project's maker team. Joining is a request the owner decides."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    council = models.ForeignKey(
        Council,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_memberships",
        help_text=_("The council the person works for on this team, if any."),
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    message = models.TextField(_("message"), blank=True, max_length=2000)
    status = models.CharField(
        _("status"), max_length=12, choices=TeamStatus.choices, default=TeamStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"],
                condition=Q(status__in=["requested", "active"]),
                name="one_active_team_membership_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TeamStatus.values), name="team_status_valid"
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="team_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.project} ({self.get_role_display()})"

    def get_role_display(self) -> str:
        return choice_label(Role, self.role)


class Follow(models.Model):
    """A person watching a project; they hear of its updates."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="one_follow_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.project}"


class Update(models.Model):
    """A dated post on a project's timeline, optionally recording a phase change."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="updates"
    )
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("update"), max_length=20_000)
    from_phase = models.CharField(max_length=16, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=16, choices=Phase.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title="") & ~Q(body=""), name="update_not_empty"),
        ]
        indexes = [models.Index(fields=["project", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{self.project.get_absolute_url()}#update-{self.pk}"


class TagFollow(models.Model):
    """A person, or a whole council, following a service area to hear of new projects in it."""

    area = models.ForeignKey(ServiceArea, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tag_follows",
    )
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, null=True, blank=True, related_name="tag_follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(council__isnull=True))
                | (Q(user__isnull=True) & Q(council__isnull=False)),
                name="tag_follow_person_or_council",
            ),
            models.UniqueConstraint(
                fields=["area", "user"],
                condition=Q(user__isnull=False),
                name="one_tag_follow_per_person",
            ),
            models.UniqueConstraint(
                fields=["area", "council"],
                condition=Q(council__isnull=False),
                name="one_tag_follow_per_council",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.council} follows {self.area}"


class Adoption(models.Model):
    """A council reusing what a live project built."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="adoptions")
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="adoptions")
    adopted_on = models.DateField(_("date adopted"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-adopted_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "council"], name="one_adoption_per_council")
        ]

    def __str__(self) -> str:
        return f"{self.council} adopted {self.project}"


class DemandSignal(models.Model):
    """'We need this too': a council saying it has the same need, before anyone pledges."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="demand_signals")
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="demand_signals")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "council"], name="one_demand_signal_per_council"
            )
        ]

    def __str__(self) -> str:
        return f"{self.council} needs {self.project} too"


class NotificationKind(models.TextChoices):
    UPDATE = "update", _("Project update")
    NEW_PROJECT = "new_project", _("New project in an area you follow")
    SEEKING_SUPPORT = "seeking_support", _("A project you need is seeking support")
    DORMANT = "dormant", _("Your project has had no update for 90 days")


class Notification(models.Model):
    """Something a person should hear of. Sent at once, or gathered into their next digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    update = models.ForeignKey(
        Update, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The email that carries it: its own (at once) or a digest. Waiting while empty, or while
    # that email has failed for good (the next digest takes it).
    delivery = models.ForeignKey(
        "mail.Delivery",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "update"],
                condition=Q(update__isnull=False),
                name="one_notification_per_update",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "project"],
                condition=Q(update__isnull=True),
                name="one_notification_per_project_event",
            ),
        ]
        indexes = [models.Index(fields=["user", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user}"


class FormSubmission(models.Model):
    """A web form's one-time key, stored in the same transaction as the write it made.

    A form carries a fresh key; sending it again (a double click, Back and resubmit, a retry
    after a dropped connection) finds the key taken and is shown what the first one did.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    result_url = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_submission_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
