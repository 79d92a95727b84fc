"""Writes for assessment and decisions: scoring, declaring a conflict of interest,
shortlisting, deciding, and publishing a call's decisions (with the emails to the applicants).

Who may, checked here whatever the way in (page, API, demo):
- assessors and moderators of the call's funder score, with a second factor, once the call has
  closed and until its decisions are published; never an application whose lead or partner
  council (invited or confirmed) they belong to (verified or waiting), nor one they declared a
  conflict of interest with;
- moderators and admins of the funder shortlist, decide and publish, with a second factor.

Decisions are private (``Decision``) until "Publish decisions" copies them onto the
applications, whose state, award and feedback are public, and the call becomes decided. Each
funded award becomes the funder's pledge on the project, in the tranches the moderator planned
with the decision (``services.awards``; README, "Awards in the ledger").
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Sum
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activity.models import ActivityAction
from activity.services import activity_record
from core.errors import Conflict, InvalidInput, NotAllowed
from core.formatting import format_pence
from mail.messages import Gone, MessageKind, register
from mail.models import Delivery
from mail.services import delivery_add

from ..models import (
    MAX_SCORE,
    Application,
    ApplicationPartner,
    ApplicationState,
    Assessment,
    Call,
    Criterion,
    Decision,
    DecisionOutcome,
    PartnerState,
    Score,
)
from ..selectors.assessment import (
    LIVE_STATES,
    application_conflicts,
    assessment_stage,
    require_assessor,
    require_moderator,
)
from .awards import award_plan_clean, award_plan_replace, award_publish

User = get_user_model()

COMMENT_LIMIT = 5000
REASON_LIMIT = 2000
FEEDBACK_LIMIT = 10_000


def _when(value) -> str:
    return date_format(timezone.localtime(value), "j F Y, g:ia")


def _require_stage(call: Call) -> None:
    """Scores, shortlists and decisions change only between closing and publication."""
    stage = assessment_stage(call)
    if stage == "not_yet":
        raise Conflict(
            _("Assessment starts when the call closes, on %(when)s.")
            % {"when": _when(call.closes_at)},
            code="not_closed",
        )
    if stage == "decided":
        raise Conflict(
            _("The decisions on this call are published: nothing can change now."),
            code="decided",
        )


def _lock_application(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call__funder", "project", "lead_council")
        .get(pk=application.pk)
    )


def _lock_call(call: Call) -> Call:
    return Call.objects.select_for_update(of=("self",)).select_related("funder").get(pk=call.pk)


def _require_live(application: Application) -> None:
    if application.state not in LIVE_STATES:
        raise Conflict(
            _("This application is %(state)s: it is no longer assessed.")
            % {"state": application.get_state_display().lower()}
        )


def _clean_text(value, *, field: str, label: str, limit: int, required: bool) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if required and not value:
        raise InvalidInput(_("Enter %(what)s.") % {"what": label}, field=field)
    if len(value) > limit:
        raise InvalidInput(
            _("%(what)s must be %(limit)s characters or fewer.")
            % {"what": label[:1].upper() + label[1:], "limit": f"{limit:,}"},
            field=field,
        )
    return value


# --- scoring ----------------------------------------------------------------------------------


def _clean_scores(
    scores: dict, criteria: dict[int, Criterion]
) -> dict[int, tuple[int | None, str]]:
    """criterion id → (score or None, comment), every value checked; refuses unknown criteria."""
    cleaned = {}
    for key, value in scores.items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            pk = None
        if pk not in criteria:
            raise InvalidInput(_("Score only the criteria of this call."), field="scores")
        criterion = criteria[pk]
        score, comment = value
        if score is not None and (
            isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= MAX_SCORE
        ):
            raise InvalidInput(
                _("Choose a score from 0 to %(max)s for ‘%(criterion)s’.")
                % {"max": MAX_SCORE, "criterion": criterion.title},
                field=f"score_{pk}",
            )
        comment = _clean_text(
            comment,
            field=f"comment_{pk}",
            label=_("the comment on ‘%(criterion)s’") % {"criterion": criterion.title},
            limit=COMMENT_LIMIT,
            required=False,
        )
        cleaned[pk] = (score, comment)
    return cleaned


def _require_may_assess(*, actor: User, application: Application) -> None:
    require_assessor(user=actor, call=application.call)
    _require_stage(application.call)
    _require_live(application)
    conflicts = application_conflicts(user=actor, application=application)
    if conflicts:
        raise NotAllowed(
            _("You cannot assess this application: %(reason)s") % {"reason": conflicts[0]},
            code="conflict_of_interest",
        )


@transaction.atomic
def assessment_save(
    *, actor: User, application: Application, scores: dict, submit: bool = False
) -> Assessment:
    """Save the assessor's scores and comments (``{criterion id: (score or None, comment)}``;
    criteria left out keep what they had), and with ``submit`` hand the assessment in: every
    criterion must then be scored. A submitted assessment is final."""
    application = _lock_application(application)
    _require_may_assess(actor=actor, application=application)
    criteria = {c.pk: c for c in Criterion.objects.filter(call=application.call_id)}
    cleaned = _clean_scores(scores or {}, criteria)
    assessment, _created = Assessment.objects.select_for_update().get_or_create(
        application=application, assessor=actor
    )
    if assessment.submitted_at is not None:
        raise Conflict(
            _("You submitted this assessment on %(when)s: your scores are final.")
            % {"when": _when(assessment.submitted_at)},
            code="submitted",
        )
    existing = {s.criterion_id: s for s in assessment.scores.all()}
    for pk, (score, comment) in cleaned.items():
        row = existing.get(pk)
        if score is None:
            if comment:
                raise InvalidInput(
                    _("Choose a score for ‘%(criterion)s’ to keep your comment.")
                    % {"criterion": criteria[pk].title},
                    field=f"score_{pk}",
                )
            if row is not None:
                row.delete()
                existing.pop(pk)
            continue
        if row is None:
            existing[pk] = Score.objects.create(
                assessment=assessment, criterion_id=pk, score=score, comment=comment
            )
        elif (row.score, row.comment) != (score, comment):
            row.score, row.comment = score, comment
            row.save(update_fields=["score", "comment", "updated_at"])
    if submit:
        for criterion in sorted(criteria.values(), key=lambda c: c.position):
            if criterion.pk not in existing:
                raise InvalidInput(
                    _("Score ‘%(criterion)s’ before you submit your assessment.")
                    % {"criterion": criterion.title},
                    field=f"score_{criterion.pk}",
                )
        assessment.submitted_at = timezone.now()
    assessment.save()
    return assessment


@transaction.atomic
def assessment_declare_conflict(
    *, actor: User, application: Application, reason: str
) -> Assessment:
    """The assessor steps aside from this application, saying why. It is not offered to them
    again, and any scores they gave (submitted or not) no longer count. It cannot be undone."""
    application = _lock_application(application)
    require_assessor(user=actor, call=application.call)
    if assessment_stage(application.call) == "decided":
        raise Conflict(_("The decisions on this call are published: nothing can change now."))
    _require_live(application)
    reason = _clean_text(
        reason, field="reason", label=_("the reason"), limit=REASON_LIMIT, required=True
    )
    assessment, _created = Assessment.objects.select_for_update().get_or_create(
        application=application, assessor=actor
    )
    if assessment.conflict_declared_at is not None:
        raise Conflict(_("You have already declared a conflict of interest with this one."))
    assessment.scores.all().delete()
    assessment.submitted_at = None
    assessment.conflict_declared_at = timezone.now()
    assessment.conflict_reason = reason
    assessment.save()
    return assessment


# --- moderation ------------------------------------------------------------------------------


@transaction.atomic
def application_shortlist(
    *, actor: User, application: Application, shortlisted: bool
) -> Application:
    """Put a submitted application on the call's shortlist, or take it off again."""
    application = _lock_application(application)
    require_moderator(user=actor, call=application.call)
    _require_stage(application.call)
    _require_live(application)
    wanted = ApplicationState.SHORTLISTED if shortlisted else ApplicationState.SUBMITTED
    if application.state == wanted:
        return application
    decision = Decision.objects.filter(application=application).first()
    if not shortlisted and decision is not None and decision.outcome == DecisionOutcome.FUND:
        raise Conflict(
            _(
                "You decided to fund this application: change the decision before you take it "
                "off the shortlist."
            )  # fmt: skip
        )
    before = application.state
    application.state = wanted
    application.save(update_fields=["state", "updated_at"])
    activity_record(
        actor=actor,
        action=ActivityAction.FUNDING_SHORTLIST_CHANGED,
        project=application.project,
        target=f"{application.project.title} → {application.call.title}",
        details={"application": application.pk, "state": {"before": before, "after": wanted}},
    )
    return application


def _funded_elsewhere(call: Call, application: Application) -> int:
    """The awards decided on the call's other live applications."""
    total = (
        Decision.objects.filter(
            application__call=call,
            application__state__in=LIVE_STATES,
            outcome=DecisionOutcome.FUND,
        )
        .exclude(application=application)
        .aggregate(total=Sum("award_amount"))["total"]
    )
    return total or 0


@transaction.atomic
def application_decide(
    *,
    actor: User,
    application: Application,
    outcome: str,
    feedback: str,
    award_amount: int | None = None,
    tranches: list[dict] | None = None,
) -> Decision:
    """Record (or change) the decision on one application, with the feedback the applicants
    will read. Funding needs the application on the shortlist, an award no more than it asked
    for and the call's maximum, and the call's awards within its budget. ``tranches`` plans
    how the award is paid (``awards.award_plan_clean``; none: all of it on award), checked
    here under the application's lock. Private until the call's decisions are published."""
    call = _lock_call(application.call)  # one decision at a time per call: the budget holds
    application = _lock_application(application)
    require_moderator(user=actor, call=call)
    _require_stage(call)
    _require_live(application)
    if outcome not in DecisionOutcome.values:
        raise InvalidInput(_("Choose whether to fund the application."), field="outcome")
    feedback = _clean_text(
        feedback,
        field="feedback",
        label=_("feedback for the applicants"),
        limit=FEEDBACK_LIMIT,
        required=True,
    )
    if outcome == DecisionOutcome.FUND:
        if application.state != ApplicationState.SHORTLISTED:
            raise Conflict(
                _("Shortlist the application before you decide to fund it."), field="outcome"
            )
        if isinstance(award_amount, bool) or not isinstance(award_amount, int):
            raise InvalidInput(_("Enter the amount to award."), field="award_amount")
        if award_amount <= 0:
            raise InvalidInput(_("The award must be more than zero."), field="award_amount")
        requested = application.amount_requested
        if requested is not None and award_amount > requested:
            raise InvalidInput(
                _("The award must be no more than the %(amount)s asked for.")
                % {"amount": format_pence(requested)},
                field="award_amount",
            )
        if award_amount > call.max_award:
            raise InvalidInput(
                _("The award must be no more than the call’s maximum of %(amount)s.")
                % {"amount": format_pence(call.max_award)},
                field="award_amount",
            )
        elsewhere = _funded_elsewhere(call, application)
        if elsewhere + award_amount > call.budget:
            raise InvalidInput(
                _(
                    "The awards would come to %(total)s, over the call’s budget of %(budget)s: "
                    "at most %(left)s is left for this one."
                )
                % {
                    "total": format_pence(elsewhere + award_amount),
                    "budget": format_pence(call.budget),
                    "left": format_pence(max(call.budget - elsewhere, 0)),
                },
                field="award_amount",
            )
        plan = award_plan_clean(
            application=application, award_amount=award_amount, tranches=tranches
        )
    else:
        award_amount = None
        plan = []
    previous = Decision.objects.filter(application=application).first()
    award_plan_replace(application=application, tranches=plan)
    decision, _created = Decision.objects.update_or_create(
        application=application,
        defaults={
            "outcome": outcome,
            "award_amount": award_amount,
            "feedback": feedback,
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    activity_record(
        actor=actor,
        action=ActivityAction.FUNDING_DECISION_RECORDED,
        project=application.project,
        target=f"{application.project.title} → {call.title}",
        reason=feedback,
        details={
            "application": application.pk,
            "outcome": {"before": previous.outcome if previous else None, "after": outcome},
            "award_amount": {
                "before": previous.award_amount if previous else None,
                "after": award_amount,
            },
            "tranches": [t["amount"] for t in plan],
        },
    )
    return decision


@transaction.atomic
def call_publish_decisions(*, actor: User, call: Call) -> list[Application]:
    """Publish every decision on the call at once: each application becomes funded or not
    funded with its award and feedback (public from now on), the call becomes decided, and the
    lead council's team and the partner councils are emailed. Refused while any submitted
    application has no decision, or if the awards would exceed the budget."""
    call = _lock_call(call)
    require_moderator(user=actor, call=call)
    _require_stage(call)
    applications = list(
        Application.objects.select_for_update(of=("self",))
        .filter(call=call, state__in=LIVE_STATES)
        .select_related("project")
        .order_by("pk")
    )
    decisions = {
        d.application_id: d
        for d in Decision.objects.filter(application__in=[a.pk for a in applications])
    }
    missing = [a for a in applications if a.pk not in decisions]
    if missing:
        raise Conflict(
            _("Decide every application before you publish: %(count)s still have no decision.")
            % {"count": len(missing)},
            code="undecided",
        )
    funded = [d for d in decisions.values() if d.outcome == DecisionOutcome.FUND]
    total = sum(d.award_amount for d in funded)
    if total > call.budget:
        raise Conflict(
            _("The awards come to %(total)s, over the call’s budget of %(budget)s.")
            % {"total": format_pence(total), "budget": format_pence(call.budget)}
        )
    now = timezone.now()
    for application in applications:
        decision = decisions[application.pk]
        application.state = (
            ApplicationState.FUNDED
            if decision.outcome == DecisionOutcome.FUND
            else ApplicationState.NOT_FUNDED
        )
        application.award_amount = decision.award_amount
        application.feedback = decision.feedback
        application.decided_by = decision.decided_by
        application.decided_at = now
        application.save(
            update_fields=[
                "state",
                "award_amount",
                "feedback",
                "decided_by",
                "decided_at",
                "updated_at",
            ]
        )
    for application in applications:
        if application.state == ApplicationState.FUNDED:
            award_publish(
                actor=actor, application=application, award_amount=application.award_amount
            )
    call.status = "decided"
    call.decided_at = now
    call.save(update_fields=["status", "decided_at", "updated_at"])
    activity_record(
        actor=actor,
        action=ActivityAction.FUNDING_DECISIONS_PUBLISHED,
        target=call.title,
        details={
            "call": call.pk,
            "funded": len(funded),
            "not_funded": len(applications) - len(funded),
            "awarded_pence": total,
        },
    )
    for application in applications:
        decision_tell(application=application)
    return applications


# --- the email to applicants ------------------------------------------------------------------


def decision_recipients(application: Application) -> list[int]:
    """The lead council's team (the bid's author and the project's owner) and, for each
    partner council that confirmed its part, the officer who confirmed it."""
    ids = [application.created_by_id, application.project.owner_id]
    ids += list(
        ApplicationPartner.objects.filter(
            application=application, state=PartnerState.CONFIRMED, decided_by__isnull=False
        )
        .order_by("pk")
        .values_list("decided_by_id", flat=True)
    )
    active = set(
        User.objects.filter(pk__in=[i for i in ids if i], is_active=True).values_list(
            "pk", flat=True
        )
    )
    seen: list[int] = []
    for user_id in ids:
        if user_id in active and user_id not in seen:
            seen.append(user_id)
    return seen


def decision_tell(*, application: Application) -> None:
    """One email per person about the published decision (the outbox: sent by the workers)."""
    for user_id in decision_recipients(application):
        delivery_add(
            key=f"funding-decision:{application.pk}:{user_id}",
            user_id=user_id,
            kind="funding_decision",
            params={"application": application.pk},
        )


def _text(name: str, context: dict) -> str:
    # Plain text: no HTML escaping of names such as O'Brien.
    return get_template(name).template.render(Context(context, autoescape=False))


def _build_decision(delivery: Delivery) -> tuple[str, str]:
    from ..selectors.assessment import application_url, call_url

    application = Application.objects.select_related("call__funder", "project", "lead_council").get(
        pk=delivery.params["application"]
    )
    if application.state not in (ApplicationState.FUNDED, ApplicationState.NOT_FUNDED):
        raise Gone("the decision is not published")
    user = delivery.user
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "application": application,
            "call": application.call,
            "funded": application.state == ApplicationState.FUNDED,
            "award": format_pence(application.award_amount or 0),
            "user": user,
            "application_url": settings.PIPELINE_BASE_URL + application_url(application),
            "call_url": settings.PIPELINE_BASE_URL + call_url(application.call),
        }
        subject = " ".join(_text("emails/funding_decision_subject.txt", context).split())
        body = _text("emails/funding_decision.txt", context)
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body


register(
    "funding_decision",
    MessageKind(gettext_lazy("Funding decision"), _build_decision),
)
