"""Reads for assessment and moderation: who may assess or moderate a call, the conflicts of
interest that keep an assessor off an application, an assessor's queue, and the moderation
board (every assessor's scores side by side, weighted totals, the money and the warnings).

Weighted totals are exact: a ``Fraction`` of the best possible mark, turned into a percentage
with integer arithmetic only when it is shown. Every read here runs a fixed number of queries
whatever the number of applications, assessors and criteria.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.mfa import SecondFactorRequired, acts_as_organiser, user_has_second_factor
from core.errors import NotAllowed
from councils.models import ACTIVE_MEMBERSHIP_STATUSES, Membership, MembershipStatus

from ..models import (
    MAX_SCORE,
    Application,
    ApplicationPartner,
    ApplicationState,
    Assessment,
    Call,
    CallStatus,
    Criterion,
    Decision,
    DecisionOutcome,
    FunderMembership,
    FunderRole,
    PartnerState,
    Score,
)

User = get_user_model()

# Who may do what, by their verified role in the call's funder.
ASSESSING_ROLES = (FunderRole.ASSESSOR, FunderRole.MODERATOR)
MODERATING_ROLES = (FunderRole.MODERATOR, FunderRole.ADMIN)
# Applications assessors see: submitted, and not withdrawn.
LIVE_STATES = (ApplicationState.SUBMITTED, ApplicationState.SHORTLISTED)
ASSESSED_STATES = (*LIVE_STATES, ApplicationState.FUNDED, ApplicationState.NOT_FUNDED)
# Partner councils that count for conflicts: invited or confirmed (not those that declined).
CONFLICTING_PARTNER_STATES = (PartnerState.INVITED, PartnerState.CONFIRMED)
# An assessor's progress on one application (the API's ``status``).
ASSESSMENT_STATUSES = ("not_started", "in_progress", "submitted", "conflict")
# Scores this far apart on one criterion are a disagreement for the moderator to look at.
WIDE_SPREAD = 2


def _second_factor_message(power: str) -> str:
    if power == "moderate":
        return _(
            "You need to set up two-factor authentication before you can moderate "
            "applications and decide them."
        )
    return _("You need to set up two-factor authentication before you can assess applications.")


def require_funder_second_factor(*, user, power: str) -> None:
    """As ``accounts.mfa.require_second_factor``, in the words of the funder's powers."""
    if not user_has_second_factor(user=user):
        raise SecondFactorRequired(_second_factor_message(power))


# --- roles ------------------------------------------------------------------------------------


def funder_role(*, user, call: Call) -> str | None:
    """The person's verified role in the call's funder, or None. Remembered on the user object
    for the request (a page asks several times)."""
    if user is None or not user.is_authenticated:
        return None
    cache = user.__dict__.setdefault("_funder_roles", {})
    if call.funder_id not in cache:
        cache[call.funder_id] = (
            FunderMembership.objects.filter(
                user=user, funder_id=call.funder_id, status=MembershipStatus.VERIFIED
            )
            .values_list("role", flat=True)
            .first()
        )
    return cache[call.funder_id]


def require_assessor(*, user, call: Call) -> None:
    """Verified assessors and moderators of the call's funder, with a second factor."""
    if funder_role(user=user, call=call) not in ASSESSING_ROLES:
        raise NotAllowed(
            _("Only the assessors and moderators of %(funder)s can assess this call.")
            % {"funder": call.funder.display_name}
        )
    require_funder_second_factor(user=user, power="assess")


def require_moderator(*, user, call: Call) -> None:
    """Verified moderators and admins of the call's funder, with a second factor."""
    if funder_role(user=user, call=call) not in MODERATING_ROLES:
        raise NotAllowed(
            _("Only the moderators and admins of %(funder)s can moderate this call.")
            % {"funder": call.funder.display_name}
        )
    require_funder_second_factor(user=user, power="moderate")


def moderation_access(*, user, call: Call) -> bool:
    """May this person see the scores side by side? True for the funder's moderators and
    admins (who may also act), False for organisers (who only read); a refusal for everyone
    else, or for anyone without a second factor."""
    if funder_role(user=user, call=call) in MODERATING_ROLES:
        require_funder_second_factor(user=user, power="moderate")
        return True
    if acts_as_organiser(user):
        return False
    raise NotAllowed(
        _("Only the moderators and admins of %(funder)s can see the scores.")
        % {"funder": call.funder.display_name}
    )


# --- when -------------------------------------------------------------------------------------


def assessment_stage(call: Call, now=None) -> str:
    """``not_yet`` (the call has not closed: assessment starts when it does), ``open`` (closed,
    decisions not yet published) or ``decided``. The server's clock decides."""
    now = now or timezone.now()
    if call.status == CallStatus.DECIDED:
        return "decided"
    if call.status == CallStatus.PUBLISHED and call.closes_at <= now:
        return "open"
    return "not_yet"


# --- conflicts of interest --------------------------------------------------------------------


def assessor_council_ids(*, user) -> set[int]:
    """Councils the person is a verified or pending member of (pending counts: they asked to
    join, so they may well work there)."""
    return set(
        Membership.objects.filter(user=user, status__in=ACTIVE_MEMBERSHIP_STATUSES).values_list(
            "council_id", flat=True
        )
    )


def _partners_prefetch() -> Prefetch:
    return Prefetch(
        "partners",
        queryset=ApplicationPartner.objects.filter(state__in=CONFLICTING_PARTNER_STATES)
        .select_related("council")
        .order_by("invited_at", "pk"),
        to_attr="conflicting_partners",
    )


def conflict_reasons(
    *, application: Application, council_ids: set[int], assessment: Assessment | None = None
) -> list[str]:
    """Why this person may not assess this application, in words; empty when they may.

    ``application`` needs ``conflicting_partners`` (``_partners_prefetch``) or reads them.
    """
    reasons = []
    if application.lead_council_id in council_ids:
        reasons.append(
            _("You are a member of %(council)s, the lead council.")
            % {"council": application.lead_council.display_name}
        )
    partners = getattr(application, "conflicting_partners", None)
    if partners is None:
        partners = list(
            application.partners.filter(state__in=CONFLICTING_PARTNER_STATES).select_related(
                "council"
            )
        )
    for partner in partners:
        if partner.council_id in council_ids:
            reasons.append(
                _("You are a member of %(council)s, a partner council.")
                % {"council": partner.council.display_name}
            )
    if assessment is not None and assessment.conflict_declared_at is not None:
        reasons.append(
            _("You declared a conflict of interest: %(reason)s")
            % {"reason": assessment.conflict_reason}
        )
    return reasons


def application_conflicts(*, user, application: Application) -> list[str]:
    """The conflicts of one person with one application (services check these)."""
    assessment = Assessment.objects.filter(application=application, assessor=user).first()
    return conflict_reasons(
        application=application,
        council_ids=assessor_council_ids(user=user),
        assessment=assessment,
    )


# --- links to the other funding pages ---------------------------------------------------------


def call_url(call: Call) -> str:
    """The call's public page (``funding:call``)."""
    return reverse("funding:call", kwargs={"slug": call.slug})


def application_url(application: Application) -> str:
    """The application's page (``funding:application``)."""
    return reverse("funding:application", kwargs={"pk": application.pk})


# --- weighted totals --------------------------------------------------------------------------


def weighted_total(scores: dict[int, int], weights: dict[int, int]) -> Fraction | None:
    """Σ score × weight ÷ (MAX_SCORE × Σ weights), exactly; None unless every criterion in
    ``weights`` (criterion id → weight) has a score."""
    if not weights or any(pk not in scores for pk in weights):
        return None
    return Fraction(
        sum(scores[pk] * weight for pk, weight in weights.items()),
        MAX_SCORE * sum(weights.values()),
    )


def as_percentage(value: Fraction | None) -> Decimal | None:
    """A fraction of the best mark as a percentage to one decimal place, halves rounded up,
    with integer arithmetic only (2/3 → 66.7)."""
    if value is None:
        return None
    tenths = (value.numerator * 1000 * 2 + value.denominator) // (2 * value.denominator)
    return Decimal(tenths).scaleb(-1)  # 750 → 75.0


def mean(values: list[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


# --- an assessor's queue ----------------------------------------------------------------------


@dataclass
class QueueRow:
    application: Application
    assessment: Assessment | None
    scored: int  # criteria scored so far
    criteria: int
    conflicts: list[str]

    @property
    def status(self) -> str:
        if self.conflicts:
            return "conflict"
        if self.assessment is None or (self.assessment.submitted_at is None and self.scored == 0):
            return "not_started"
        if self.assessment.submitted_at is None:
            return "in_progress"
        return "submitted"

    @property
    def status_label(self) -> str:
        return {
            "conflict": _("Not offered to you"),
            "not_started": _("Not started"),
            "in_progress": _("In progress"),
            "submitted": _("Submitted"),
        }[self.status]

    @property
    def status_colour(self) -> str:
        return {
            "conflict": "govuk-tag--grey",
            "not_started": "govuk-tag--blue",
            "in_progress": "govuk-tag--yellow",
            "submitted": "govuk-tag--green",
        }[self.status]

    @property
    def url(self) -> str:
        return reverse("funding:assess", kwargs={"pk": self.application.pk})


def call_applications(*, call: Call, states=ASSESSED_STATES) -> QuerySet[Application]:
    """The call's submitted applications, oldest submission first, with what every row shows."""
    return (
        Application.objects.filter(call=call, state__in=states)
        .select_related("project", "lead_council")
        .prefetch_related(_partners_prefetch())
        .order_by("submitted_at", "pk")
    )


def assessment_queue(*, call: Call, user) -> list[QueueRow]:
    """Every submitted application of the call with this assessor's progress on it, and why
    it is not offered to them where it is not."""
    applications = list(call_applications(call=call))
    criteria = call.criteria.count()
    council_ids = assessor_council_ids(user=user)
    assessments = {
        a.application_id: a
        for a in Assessment.objects.filter(
            assessor=user, application__in=[app.pk for app in applications]
        ).prefetch_related("scores")
    }
    rows = []
    for application in applications:
        assessment = assessments.get(application.pk)
        rows.append(
            QueueRow(
                application=application,
                assessment=assessment,
                scored=len(assessment.scores.all()) if assessment else 0,
                criteria=criteria,
                conflicts=conflict_reasons(
                    application=application, council_ids=council_ids, assessment=assessment
                ),
            )
        )
    return rows


def queue_progress(rows: list[QueueRow]) -> dict[str, int]:
    counts = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
    return {
        "submitted": counts["submitted"],
        "to_do": counts["not_started"] + counts["in_progress"],
        "conflicts": counts["conflict"],
        "total": len(rows),
    }


# --- one application, for its assessor ------------------------------------------------------


def application_for_assessment(*, pk: int) -> Application | None:
    """A submitted application with its call, answers, partners and criteria."""
    from ..models import Answer

    return (
        Application.objects.filter(pk=pk, state__in=ASSESSED_STATES)
        .select_related("call__funder", "project", "lead_council")
        .prefetch_related(
            _partners_prefetch(),
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question").order_by("question__position"),
            ),
            Prefetch("partners", queryset=ApplicationPartner.objects.select_related("council")),
            Prefetch("call__criteria", queryset=Criterion.objects.order_by("position")),
        )
        .first()
    )


def assessment_of(*, application: Application, user) -> Assessment | None:
    return (
        Assessment.objects.filter(application=application, assessor=user)
        .prefetch_related("scores")
        .first()
    )


# --- the moderation board ---------------------------------------------------------------------


@dataclass
class AssessorColumn:
    """One assessor's submitted assessment of one application."""

    assessor: object
    scores: dict[int, int]  # criterion id → score
    comments: dict[int, str]
    total: Fraction | None
    conflicts: list[str]  # a conflict found since they submitted: their scores do not count

    @property
    def percentage(self) -> Decimal | None:
        return as_percentage(self.total)


@dataclass
class CriterionRow:
    criterion: Criterion
    scores: list[tuple[object, int, str]]  # (assessor, score, comment), counted ones only
    cells: list[tuple[int | None, str]]  # (score, comment) for each of the row's columns

    @property
    def spread(self) -> int | None:
        values = [score for _, score, _ in self.scores]
        return max(values) - min(values) if len(values) > 1 else None

    @property
    def spread_words(self) -> str:
        spread = self.spread
        if spread is None:
            return _("One assessor")
        if spread == 0:
            return _("Assessors agree")
        if spread < WIDE_SPREAD:
            return _("Close: 1 point apart")
        values = [score for _, score, _ in self.scores]
        return _("Assessors disagree: scores from %(low)s to %(high)s") % {
            "low": min(values),
            "high": max(values),
        }

    @property
    def wide(self) -> bool:
        return (self.spread or 0) >= WIDE_SPREAD


@dataclass
class BoardRow:
    application: Application
    columns: list[AssessorColumn]  # submitted assessments, counted or not
    criteria: list[CriterionRow]
    in_progress: int  # assessments started and not submitted
    declared: int  # assessors who declared a conflict
    decision: Decision | None

    @property
    def counted(self) -> list[AssessorColumn]:
        return [c for c in self.columns if not c.conflicts and c.total is not None]

    @property
    def total(self) -> Fraction | None:
        return mean([c.total for c in self.counted])

    @property
    def percentage(self) -> Decimal | None:
        return as_percentage(self.total)

    @property
    def total_spread(self) -> Decimal | None:
        """The gap between the highest and lowest assessor's total, in percentage points."""
        totals = [c.total for c in self.counted]
        if len(totals) < 2:
            return None
        return as_percentage(max(totals) - min(totals))

    @property
    def wide_criteria(self) -> int:
        return sum(1 for row in self.criteria if row.wide)

    @property
    def shortlisted(self) -> bool:
        return self.application.state == ApplicationState.SHORTLISTED

    @property
    def would_be_funded(self) -> bool:
        """Funded by its decision, or shortlisted and not yet decided against."""
        if self.application.state == ApplicationState.FUNDED:
            return True
        if self.decision is not None and self.application.state in LIVE_STATES:
            return self.decision.outcome == DecisionOutcome.FUND
        return self.shortlisted

    @property
    def money_if_funded(self) -> int:
        """The award decided, or else the amount requested."""
        if self.application.award_amount:
            return self.application.award_amount
        if self.decision is not None and self.decision.award_amount:
            return self.decision.award_amount
        return self.application.amount_requested or 0

    @property
    def url(self) -> str:
        return application_url(self.application)

    @property
    def caption_id(self) -> str:
        return f"scores-caption-{self.application.pk}"


@dataclass
class AreaWarning:
    area: object
    count: int
    limit: int

    @property
    def text(self) -> str:
        return ngettext(
            "%(area)s: %(count)s bid would be funded, and this call funds at most %(limit)s "
            "in one service area.",
            "%(area)s: %(count)s bids would be funded, and this call funds at most %(limit)s "
            "in one service area.",
            self.count,
        ) % {"area": self.area.display_name, "count": self.count, "limit": self.limit}


@dataclass
class Board:
    call: Call
    criteria: list[Criterion]
    rows: list[BoardRow]
    warnings: list[AreaWarning] = field(default_factory=list)

    @property
    def funded_total(self) -> int:
        """What the decisions to fund add up to."""
        return sum(
            row.money_if_funded
            for row in self.rows
            if row.application.state == ApplicationState.FUNDED
            or (
                row.decision is not None
                and row.decision.outcome == DecisionOutcome.FUND
                and row.application.state in LIVE_STATES
            )
        )

    @property
    def shortlist_total(self) -> int:
        """What the call would spend if every bid decided for or shortlisted were funded."""
        return sum(row.money_if_funded for row in self.rows if row.would_be_funded)

    @property
    def over_budget(self) -> bool:
        return self.shortlist_total > self.call.budget

    @property
    def remaining(self) -> int:
        return self.call.budget - self.shortlist_total

    @property
    def over_by(self) -> int:
        return max(self.shortlist_total - self.call.budget, 0)

    @property
    def undecided(self) -> int:
        return sum(
            1 for row in self.rows if row.application.state in LIVE_STATES and not row.decision
        )

    @property
    def decided(self) -> int:
        return sum(1 for row in self.rows if row.decision is not None)


def moderation_board(*, call: Call) -> Board:
    """Every submitted application of the call with every submitted assessment side by side."""
    criteria = list(Criterion.objects.filter(call=call).order_by("position"))
    weights = {c.pk: c.weight for c in criteria}
    applications = list(
        call_applications(call=call)
        .select_related("decision")
        .prefetch_related("project__service_areas")
    )
    assessments = list(
        Assessment.objects.filter(application__in=[a.pk for a in applications])
        .select_related("assessor")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.order_by("criterion_id")))
        .order_by("assessor__first_name", "assessor__last_name", "assessor_id")
    )
    assessor_ids = {a.assessor_id for a in assessments if a.submitted_at is not None}
    councils_of: dict[int, set[int]] = defaultdict(set)
    for user_id, council_id in Membership.objects.filter(
        user_id__in=assessor_ids, status__in=ACTIVE_MEMBERSHIP_STATUSES
    ).values_list("user_id", "council_id"):
        councils_of[user_id].add(council_id)
    by_application: dict[int, list[Assessment]] = defaultdict(list)
    for assessment in assessments:
        by_application[assessment.application_id].append(assessment)

    rows = []
    for application in applications:
        columns = []
        in_progress = declared = 0
        for assessment in by_application[application.pk]:
            if assessment.conflict_declared_at is not None:
                declared += 1
                continue
            if assessment.submitted_at is None:
                in_progress += 1
                continue
            scores = {s.criterion_id: s.score for s in assessment.scores.all()}
            columns.append(
                AssessorColumn(
                    assessor=assessment.assessor,
                    scores=scores,
                    comments={s.criterion_id: s.comment for s in assessment.scores.all()},
                    total=weighted_total(scores, weights),
                    conflicts=conflict_reasons(
                        application=application,
                        council_ids=councils_of[assessment.assessor_id],
                    ),
                )
            )
        counted = [c for c in columns if not c.conflicts]
        criterion_rows = [
            CriterionRow(
                criterion=criterion,
                scores=[
                    (c.assessor, c.scores[criterion.pk], c.comments.get(criterion.pk, ""))
                    for c in counted
                    if criterion.pk in c.scores
                ],
                cells=[
                    (c.scores.get(criterion.pk), c.comments.get(criterion.pk, "")) for c in columns
                ],
            )
            for criterion in criteria
        ]
        rows.append(
            BoardRow(
                application=application,
                columns=columns,
                criteria=criterion_rows,
                in_progress=in_progress,
                declared=declared,
                decision=application.decision if _has_decision(application) else None,
            )
        )
    board = Board(call=call, criteria=criteria, rows=rows)
    board.warnings = _area_warnings(call, rows)
    return board


def _has_decision(application: Application) -> bool:
    try:
        application.decision  # noqa: B018 - select_related filled it, or it is missing
    except Decision.DoesNotExist:
        return False
    return True


def _area_warnings(call: Call, rows: list[BoardRow]) -> list[AreaWarning]:
    limit = call.awards_per_service_area
    if not limit:
        return []
    counts: dict[int, int] = defaultdict(int)
    areas = {}
    for row in rows:
        if not row.would_be_funded:
            continue
        for area in row.application.project.service_areas.all():
            counts[area.pk] += 1
            areas[area.pk] = area
    return [
        AreaWarning(area=areas[pk], count=count, limit=limit)
        for pk, count in sorted(counts.items(), key=lambda item: str(areas[item[0]].display_name))
        if count > limit
    ]


def ranked(rows: list[BoardRow]) -> list[BoardRow]:
    """Highest weighted total first; rows with no counted assessment last, oldest first."""
    return sorted(
        rows,
        key=lambda row: (row.total is None, -(row.total or 0), row.application.submitted_at),
    )
