"""Funding: public bodies that are not councils (funders) run calls for money, and councils
apply to them with their projects, as partnerships.

A funder is an organisation with members, verified like a council (an email domain it vouches
for, or an admin's approval). A call says who may apply (eligibility rules), what they must
answer (questions) and how bids are judged (criteria with weights). An application is one
project's bid to one call by its lead council, with partner councils that each confirm their
part before the bid can be submitted.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.vocabulary import Term, reader_language
from councils.models import ACTIVE_MEMBERSHIP_STATUSES, Commitment, Council, MembershipStatus
from delivery.models import Milestone
from projects.models import MAX_MONEY_PENCE, Language, Phase, Pledge, Project, ServiceArea

# Scores run 0 (no evidence) to 4 (strong evidence) on every criterion.
MAX_SCORE = 4


class FunderKind(models.TextChoices):
    GOVERNMENT = "government", _("Government department")
    DEVOLVED = "devolved", _("Devolved government")
    MEMBERSHIP = "membership", _("Membership body")
    OTHER = "other", _("Other public body")


class Funder(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    name_cy = models.CharField(_("Welsh name"), max_length=200, blank=True)
    slug = models.SlugField(max_length=140, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=FunderKind.choices)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("about"), blank=True, max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FunderKind.values), name="funder_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.display_name)

    def get_absolute_url(self) -> str:
        return reverse("funding:funder", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> Term:
        """The name in the reader's language: Welsh where it has one, else English (marked)."""
        if self.name_cy and reader_language().startswith("cy"):
            return Term(self.name_cy, "cy")
        return Term(self.name, settings.LANGUAGE_CODE)


class FunderDomain(models.Model):
    """An email domain the funder vouches for: a person signing up from it is verified."""

    funder = models.ForeignKey(Funder, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("email domain"), max_length=253, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain=models.functions.Lower("domain")),
                name="funder_domain_lower_case",
            ),
        ]

    def __str__(self) -> str:
        return self.domain


class FunderRole(models.TextChoices):
    MEMBER = "member", _("Member")
    # Scores applications against a call's criteria (never one from their own council).
    ASSESSOR = "assessor", _("Assessor")
    # Sees the scores side by side, shortlists and decides.
    MODERATOR = "moderator", _("Moderator")
    # Runs the funder's calls and approves its members.
    ADMIN = "admin", _("Funder admin")


class FunderMembership(models.Model):
    """A person's link to a funder. Only a verified membership lets a person act for it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="funder_memberships"
    )
    funder = models.ForeignKey(Funder, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("role"), max_length=16, choices=FunderRole.choices, default=FunderRole.MEMBER
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
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "funder"],
                condition=Q(status__in=ACTIVE_MEMBERSHIP_STATUSES),
                name="one_active_funder_membership",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MembershipStatus.values),
                name="funder_membership_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(role__in=FunderRole.values), name="funder_membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.funder} ({self.get_status_display()})"


class CallStatus(models.TextChoices):
    """What the funder has done with the call. Open or closed follows from the times."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    DECIDED = "decided", _("Decided")


class Call(models.Model):
    """A funding round. Eligibility rules left empty admit everyone."""

    funder = models.ForeignKey(Funder, on_delete=models.PROTECT, related_name="calls")
    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(max_length=160, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    description = models.TextField(_("description"), blank=True, max_length=20_000)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    budget = models.BigIntegerField(_("budget"), help_text=_("In pence"))
    max_award = models.BigIntegerField(_("maximum award"), help_text=_("In pence"))
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    decision_expected_on = models.DateField(_("decisions expected"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CallStatus.choices, default=CallStatus.DRAFT
    )
    # Eligibility. Partner councils are those besides the lead.
    min_partners = models.PositiveSmallIntegerField(_("minimum partner councils"), default=0)
    nations = models.JSONField(_("nations"), default=list, blank=True)  # Nation values
    council_types = models.JSONField(_("council types"), default=list, blank=True)  # type codes
    phases = models.JSONField(_("phases"), default=list, blank=True)  # Phase values
    service_areas = models.ManyToManyField(
        ServiceArea, blank=True, related_name="calls", verbose_name=_("service areas")
    )
    # Asked of the lead and of every partner council counted toward ``min_partners``.
    required_commitments = models.ManyToManyField(
        Commitment, blank=True, related_name="calls", verbose_name=_("required commitments")
    )
    # "Rarely more than one bid funded per service area": decisions warn past this.
    awards_per_service_area = models.PositiveSmallIntegerField(
        _("awards per service area"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-closes_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gt=0) & Q(budget__lte=MAX_MONEY_PENCE * 100),
                name="call_budget_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_award__gt=0) & Q(max_award__lte=F("budget")),
                name="call_max_award_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="call_closes_after_it_opens"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CallStatus.values), name="call_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=CallStatus.DRAFT) | Q(published_at__isnull=False),
                name="call_published_at_when_published",
            ),
            models.CheckConstraint(
                condition=~Q(status=CallStatus.DECIDED) | Q(decided_at__isnull=False),
                name="call_decided_at_when_decided",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now=None) -> bool:
        """Taking applications: published, and the server's clock between opening and closing."""
        now = now or timezone.now()
        return self.status == CallStatus.PUBLISHED and self.opens_at <= now < self.closes_at


class CallQuestion(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("question"), max_length=500)
    guidance = models.TextField(_("guidance"), blank=True, max_length=2000)
    word_limit = models.PositiveSmallIntegerField(_("word limit"), default=250)
    required = models.BooleanField(_("must be answered"), default=True)

    class Meta:
        ordering = ["call", "position"]
        constraints = [
            models.UniqueConstraint(fields=["call", "position"], name="one_question_per_place"),
            models.CheckConstraint(condition=Q(word_limit__gt=0), name="question_word_limit"),
        ]

    def __str__(self) -> str:
        return self.text


class Criterion(models.Model):
    """What assessors score (0 to ``MAX_SCORE``); an application's total weighs each score."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(_("what assessors look for"), blank=True, max_length=2000)
    weight = models.PositiveSmallIntegerField(_("weight"))

    class Meta:
        ordering = ["call", "position"]
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["call", "position"], name="one_criterion_per_place"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    FUNDED = "funded", _("Funded")
    NOT_FUNDED = "not_funded", _("Not funded")


# Past these, nothing about the bid changes but the funder's decision.
DECIDED_STATES = (ApplicationState.FUNDED, ApplicationState.NOT_FUNDED)
# Published as open data (with the decision once there is one). A shortlisted bid is published
# too, but as submitted: see ``Application.public_state``.
PUBLIC_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.SHORTLISTED,
    ApplicationState.FUNDED,
    ApplicationState.NOT_FUNDED,
)
# The states the public (and the applicants) ever see: the shortlist is not one of them.
SHOWN_STATES = tuple(s for s in ApplicationState.values if s != ApplicationState.SHORTLISTED)


class Application(models.Model):
    """One project's bid to one call, made by the project's lead council."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="applications")
    lead_council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="applications_led"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Published with the bid once it is submitted.
    summary = models.TextField(_("summary of the bid"), blank=True, max_length=2000)
    amount_requested = models.BigIntegerField(
        _("amount requested"), null=True, blank=True, help_text=_("In pence")
    )
    phase = models.CharField(_("phase the money is for"), max_length=16, choices=Phase.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The officer with authority for the lead council who signed the bid off.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Why the lead council withdrew it: told to its partners and team, and public once the bid
    # was submitted (a withdrawn bid stays in the open data as withdrawn).
    withdrawn_reason = models.TextField(_("why it was withdrawn"), blank=True, max_length=2000)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    feedback = models.TextField(_("feedback to the applicants"), blank=True, max_length=10_000)
    award_amount = models.BigIntegerField(_("amount awarded"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "project"],
                condition=~Q(state=ApplicationState.WITHDRAWN),
                name="one_live_application_per_project_per_call",
            ),
            models.CheckConstraint(
                condition=Q(state__in=ApplicationState.values), name="application_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount_requested__isnull=True)
                | (Q(amount_requested__gt=0) & Q(amount_requested__lte=MAX_MONEY_PENCE)),
                name="application_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[ApplicationState.DRAFT, ApplicationState.WITHDRAWN])
                | Q(submitted_at__isnull=False),
                name="application_submitted_at_when_submitted",
            ),
            models.CheckConstraint(
                condition=~Q(state=ApplicationState.FUNDED)
                | (
                    Q(award_amount__isnull=False)
                    & Q(award_amount__gt=0)
                    & Q(decided_at__isnull=False)
                ),
                name="application_funded_has_award",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} → {self.call}"

    @property
    def public_state(self) -> str:
        """The state as everyone but the funder's assessors, moderators and admins and the
        organisers sees it. The shortlist is the funder's working list until it publishes its
        decisions (which turns every shortlisted bid into funded or not funded), so until then
        a shortlisted bid reads as submitted, to the applicants too."""
        if self.state == ApplicationState.SHORTLISTED:
            return ApplicationState.SUBMITTED
        return self.state

    def get_public_state_display(self) -> str:
        return ApplicationState(self.public_state).label


class Answer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(CallQuestion, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(_("answer"), blank=True, max_length=20_000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="one_answer_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.question}"


class PartnerState(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    # Confirmed, then took the confirmation back (with a reason) before the bid was submitted.
    WITHDRAWN = "withdrawn", _("Withdrew")


class ApplicationPartner(models.Model):
    """A council in a bid besides the lead. It counts once an officer with authority for it (an
    approver or council admin) has confirmed its part."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="application_partnerships"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=PartnerState.choices, default=PartnerState.INVITED
    )
    # What the partner brings, as the lead asked and the partner confirms it.
    contribution = models.TextField(_("what this council brings"), blank=True, max_length=2000)
    # Why the consortium builder suggested it, when it did (shown to the invited council).
    suggested_because = models.TextField(blank=True, max_length=2000)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)

    class Meta:
        ordering = ["invited_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "council"], name="one_place_per_council_per_bid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=PartnerState.values), name="partner_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(state=PartnerState.INVITED) | Q(decided_at__isnull=False),
                name="partner_decided_at_when_decided",
            ),
            # Declining and withdrawing are explained to the lead council.
            models.CheckConstraint(
                condition=~Q(state__in=[PartnerState.DECLINED, PartnerState.WITHDRAWN])
                | ~Q(reason=""),
                name="partner_reason_when_declined_or_withdrawn",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.council} in {self.application}"


# --- assessment and decisions ---------------------------------------------------------------


class Assessment(models.Model):
    """One assessor's work on one application: their scores (``Score``), submitted once every
    criterion is scored, or a conflict of interest they declared instead (then no scores).

    Conflicts that follow from membership (of the lead or a partner council) are not stored:
    memberships change, so the services and selectors work them out each time.
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assessments"
    )
    # PROTECT: deleting an account keeps its row (accounts.services.account_delete), and must
    # not take the scores a decision rested on with it.
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="funding_assessments"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Null while in progress.
    submitted_at = models.DateTimeField(null=True, blank=True)
    conflict_declared_at = models.DateTimeField(null=True, blank=True)
    conflict_reason = models.TextField(_("reason for the conflict"), blank=True, max_length=2000)

    class Meta:
        ordering = ["application", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "assessor"], name="one_assessment_per_assessor"
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(conflict_declared_at__isnull=True),
                name="assessment_not_submitted_and_conflicted",
            ),
            models.CheckConstraint(
                condition=(Q(conflict_declared_at__isnull=True) & Q(conflict_reason=""))
                | (Q(conflict_declared_at__isnull=False) & ~Q(conflict_reason="")),
                name="assessment_conflict_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} on {self.application}"


class Score(models.Model):
    """An assessor's mark for one criterion, 0 to ``MAX_SCORE``, with their reasons."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_score_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=MAX_SCORE), name="score_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class DecisionOutcome(models.TextChoices):
    FUND = "fund", _("Fund")
    NOT_FUND = "not_fund", _("Do not fund")


class Decision(models.Model):
    """The moderators' decision on one application, private until the call's decisions are
    published: then it is copied onto the application (state, award, feedback), which is public.
    Until then it can be changed."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(_("decision"), max_length=12, choices=DecisionOutcome.choices)
    award_amount = models.BigIntegerField(_("amount awarded"), null=True, blank=True)
    feedback = models.TextField(_("feedback to the applicants"), max_length=10_000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["application"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=DecisionOutcome.values), name="decision_outcome_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(outcome=DecisionOutcome.FUND)
                    & Q(award_amount__isnull=False)
                    & Q(award_amount__gt=0)
                    & Q(award_amount__lte=MAX_MONEY_PENCE)
                )
                | (Q(outcome=DecisionOutcome.NOT_FUND) & Q(award_amount__isnull=True)),
                name="decision_award_only_when_funded",
            ),
            models.CheckConstraint(condition=~Q(feedback=""), name="decision_has_feedback"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.application}"


# --- awards in the ledger ---------------------------------------------------------------------

# A tranche may wait for a phase the project works in (not idea, where every project starts).
TRANCHE_PHASES = tuple(p for p in Phase.values if p not in (Phase.IDEA, Phase.RETIRED))
MAX_TRANCHES = 6


class AwardTranche(models.Model):
    """One part of a funded application's award, planned with the decision: released at once
    when the decisions are published, or when the project reaches a milestone or enters a phase.
    On publication each becomes the funder's pledge on the project (``pledge``), accepted, and
    fulfilled when released (README, "Awards in the ledger"). The amounts add up to the award
    (checked by the service that plans them, under the decision's lock)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="tranches")
    position = models.PositiveSmallIntegerField(_("order"))
    amount = models.BigIntegerField(_("amount"), help_text=_("In pence"))
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_tranches",
        verbose_name=_("milestone"),
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, blank=True)
    pledge = models.OneToOneField(
        Pledge,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_tranche",
    )

    class Meta:
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "position"], name="one_tranche_per_place"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_MONEY_PENCE),
                name="tranche_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(phase="") | Q(phase__in=TRANCHE_PHASES), name="tranche_phase_valid"
            ),
            models.CheckConstraint(
                condition=Q(milestone__isnull=True) | Q(phase=""),
                name="tranche_milestone_or_phase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} #{self.position}"

    @property
    def state(self) -> str:
        """planned (until the decisions are published), awarded, or released."""
        if self.pledge_id is None:
            return "planned"
        return self.pledge.award_state

    @property
    def state_display(self) -> str:
        return {
            "planned": _("Planned"),
            "awarded": _("Awarded"),
            "released": _("Released"),
        }[self.state]

    @property
    def when_display(self) -> str:
        """What releases it, in words."""
        if self.milestone_id is not None:
            return _("When the milestone “%(milestone)s” is reached") % {
                "milestone": self.milestone.title
            }
        if self.phase:
            return _("When the project enters %(phase)s") % {
                "phase": Phase(self.phase).label.lower()
            }
        return _("On award")


# --- similar bids and combining ---------------------------------------------------------------


class CombineState(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")
    ACCEPTED = "accepted", _("Combined")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CombineSuggestion(models.Model):
    """An organiser's or the funder's suggestion that two similar bids to one call become one:
    ``continuing`` goes on, ``absorbed`` joins it. Each lead council's officer with authority
    agrees or declines; once both agree, the bids and their projects are combined
    (``funding.services.combining``). At most one live suggestion per pair, whichever way round."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="combine_suggestions")
    continuing = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="combine_suggestions_continuing"
    )
    absorbed = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="combine_suggestions_absorbed"
    )
    state = models.CharField(
        _("state"), max_length=12, choices=CombineState.choices, default=CombineState.SUGGESTED
    )
    note = models.TextField(_("note to both councils"), blank=True, max_length=2000)
    # What the similarity check showed when it was suggested, 0 to 1 (none if typed in by hand).
    similarity = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    continuing_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    continuing_agreed_at = models.DateTimeField(null=True, blank=True)
    absorbed_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    absorbed_agreed_at = models.DateTimeField(null=True, blank=True)
    # Who declined or withdrew it, and why (declined) or when (both).
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    combined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=CombineState.values), name="combine_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(continuing=F("absorbed")), name="combine_two_different_bids"
            ),
            models.UniqueConstraint(
                models.functions.Least("continuing", "absorbed"),
                models.functions.Greatest("continuing", "absorbed"),
                condition=Q(state=CombineState.SUGGESTED),
                name="combine_one_live_suggestion_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(state=CombineState.ACCEPTED)
                | (
                    Q(continuing_agreed_at__isnull=False)
                    & Q(absorbed_agreed_at__isnull=False)
                    & Q(combined_at__isnull=False)
                ),
                name="combine_accepted_when_both_agreed",
            ),
            models.CheckConstraint(
                condition=Q(state=CombineState.ACCEPTED) | Q(combined_at__isnull=True),
                name="combine_combined_at_when_accepted",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=(CombineState.DECLINED, CombineState.WITHDRAWN))
                | Q(closed_at__isnull=False),
                name="combine_closed_at_when_closed",
            ),
            models.CheckConstraint(
                condition=~Q(state=CombineState.DECLINED) | ~Q(reason=""),
                name="combine_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.absorbed} ⇒ {self.continuing} ({self.get_state_display()})"

    @property
    def is_live(self) -> bool:
        return self.state == CombineState.SUGGESTED
