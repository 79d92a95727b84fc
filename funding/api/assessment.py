"""API routes: assessment and moderation, for the funder's people only.

- ``GET calls/<slug>/assessment/``: the signed-in assessor's queue (their progress on every
  submitted application, and why any is not offered to them).
- ``GET|POST applications/<pk>/assessment/``: their own scores on one application; POST saves
  them (``submit: true`` hands the assessment in).
- ``POST applications/<pk>/assessment/conflict/``: declare a conflict of interest.
- ``GET calls/<slug>/moderation/``: every assessor's scores side by side (moderators and admins
  of the funder; organisers read it too).
- ``POST applications/<pk>/shortlist/``, ``POST applications/<pk>/decision/`` and
  ``POST calls/<slug>/decisions/publish/``: the moderators' actions.

Every rule (role, second factor, conflicts, timing, money) is the services' and selectors',
as for the pages; this module only turns JSON into their arguments and their answers into JSON.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.serializers import ErrorSerializer, MoneySerializer, StrictInputSerializer, money
from core.api.views import ApiView
from core.errors import InvalidInput, NotAllowed, ServiceError
from projects.api.serializers import CouncilRefSerializer, council_ref
from projects.models import MAX_MONEY_PENCE

from ..models import (
    MAX_SCORE,
    Application,
    ApplicationState,
    Assessment,
    Call,
    CallStatus,
    Decision,
    DecisionOutcome,
)
from ..selectors import assessment as selectors
from ..services import assessment as services

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: `errors` names each field"),
    401: OpenApiResponse(ErrorSerializer, description="Sign in or send a token"),
    403: OpenApiResponse(
        ErrorSerializer,
        description="Not one of the funder's assessors or moderators, no second factor, or a "
        "conflict of interest",
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such call or submitted application"),
    409: OpenApiResponse(
        ErrorSerializer,
        description="Not now: the call has not closed, the decisions are published, or the "
        "assessment is submitted",
    ),
    422: OpenApiResponse(
        ErrorSerializer,
        description="The Idempotency-Key was used in the last 24 hours for a different request",
    ),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; see Retry-After"),
}
READ_ERRORS = {k: v for k, v in ERRORS.items() if k in (401, 403, 404, 429)}


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _percent(value) -> str | None:
    return None if value is None else str(selectors.as_percentage(value))


# --- shapes -----------------------------------------------------------------------------------


class AssessedProjectRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()


class QueueRowSerializer(serializers.Serializer):
    application = serializers.IntegerField(help_text="The application's id")
    project = AssessedProjectRefSerializer()
    lead_council = CouncilRefSerializer()
    amount_requested = MoneySerializer(allow_null=True)
    state = serializers.ChoiceField(choices=ApplicationState.choices)
    status = serializers.ChoiceField(
        choices=selectors.ASSESSMENT_STATUSES,
        help_text="Your progress; `conflict` when it is not offered to you",
    )
    criteria_scored = serializers.IntegerField()
    criteria = serializers.IntegerField()
    conflicts = serializers.ListField(
        child=serializers.CharField(), help_text="Why it is not offered to you, if it is not"
    )
    url = serializers.URLField(help_text="The page to assess it on")

    def to_representation(self, row: selectors.QueueRow) -> dict:
        app = row.application
        request = self.context.get("request")
        return {
            "application": app.pk,
            "project": {"slug": app.project.slug, "title": app.project.title},
            "lead_council": council_ref(app.lead_council),
            "amount_requested": money(app.amount_requested) if app.amount_requested else None,
            "state": app.state,
            "status": row.status,
            "criteria_scored": row.scored,
            "criteria": row.criteria,
            "conflicts": row.conflicts,
            "url": request.build_absolute_uri(row.url) if request else row.url,
        }


class QueueSerializer(serializers.Serializer):
    call = serializers.SlugField()
    stage = serializers.ChoiceField(
        choices=["not_yet", "open", "decided"],
        help_text="`not_yet`: assessment starts when the call closes",
    )
    applications = QueueRowSerializer(many=True)


class ScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    title = serializers.CharField()
    weight = serializers.IntegerField()
    score = serializers.IntegerField(allow_null=True, min_value=0, max_value=MAX_SCORE)
    comment = serializers.CharField(allow_blank=True)


class AssessmentSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    status = serializers.ChoiceField(choices=selectors.ASSESSMENT_STATUSES)
    submitted_at = serializers.DateTimeField(allow_null=True)
    conflict_declared_at = serializers.DateTimeField(allow_null=True)
    conflict_reason = serializers.CharField(allow_blank=True)
    weighted_total = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        allow_null=True,
        help_text="Per cent of the best mark, once every criterion is scored",
    )
    scores = ScoreSerializer(many=True, help_text="One per criterion, in order")


def assessment_data(application: Application, assessment: Assessment | None) -> dict:
    criteria = list(application.call.criteria.all())
    given = {s.criterion_id: s for s in assessment.scores.all()} if assessment else {}
    if assessment is None:
        status = "not_started"
    elif assessment.conflict_declared_at is not None:
        status = "conflict"
    elif assessment.submitted_at is not None:
        status = "submitted"
    else:
        status = "in_progress" if given else "not_started"
    total = selectors.weighted_total(
        {pk: s.score for pk, s in given.items()}, {c.pk: c.weight for c in criteria}
    )
    return {
        "application": application.pk,
        "status": status,
        "submitted_at": _iso(assessment.submitted_at) if assessment else None,
        "conflict_declared_at": _iso(assessment.conflict_declared_at) if assessment else None,
        "conflict_reason": assessment.conflict_reason if assessment else "",
        "weighted_total": _percent(total),
        "scores": [
            {
                "criterion": c.pk,
                "title": c.title,
                "weight": c.weight,
                "score": given[c.pk].score if c.pk in given else None,
                "comment": given[c.pk].comment if c.pk in given else "",
            }
            for c in criteria
        ],
    }


class ScoreInputSerializer(StrictInputSerializer):
    criterion = serializers.IntegerField(help_text="The criterion's id")
    score = serializers.IntegerField(
        allow_null=True,
        min_value=0,
        max_value=MAX_SCORE,
        help_text="0 (no evidence) to 4 (strong evidence); null to clear it",
    )
    comment = serializers.CharField(
        allow_blank=True, required=False, default="", max_length=services.COMMENT_LIMIT
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field is not accepted here."] for name in unknown}
                )
        return super().to_internal_value(data)


class AssessmentInputSerializer(StrictInputSerializer):
    scores = ScoreInputSerializer(
        many=True,
        required=False,
        max_length=100,
        help_text="The criteria to score; those left out keep what they had",
    )
    submit = serializers.BooleanField(
        default=False, help_text="Hand the assessment in: every criterion must be scored"
    )

    def validate_scores(self, value):
        criteria = [row["criterion"] for row in value]
        if len(criteria) != len(set(criteria)):
            raise serializers.ValidationError("Score each criterion once.")
        return value


class ConflictInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=services.REASON_LIMIT)


class ShortlistInputSerializer(StrictInputSerializer):
    shortlisted = serializers.BooleanField()


class ShortlistSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    state = serializers.ChoiceField(choices=ApplicationState.choices)


class DecisionInputSerializer(StrictInputSerializer):
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    award_amount_pence = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_MONEY_PENCE,
        help_text="Needed to fund: no more than asked for and the call's maximum award",
    )
    feedback = serializers.CharField(max_length=services.FEEDBACK_LIMIT)


class DecisionSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices)
    award_amount = MoneySerializer(allow_null=True)
    feedback = serializers.CharField()
    decided_at = serializers.DateTimeField()
    published = serializers.BooleanField(help_text="False until the call's decisions are published")


def decision_data(decision: Decision, *, published: bool) -> dict:
    return {
        "application": decision.application_id,
        "outcome": decision.outcome,
        "award_amount": money(decision.award_amount) if decision.award_amount else None,
        "feedback": decision.feedback,
        "decided_at": _iso(decision.decided_at),
        "published": published,
    }


class CriterionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    weight = serializers.IntegerField()


class AssessorScoresSerializer(serializers.Serializer):
    assessor = serializers.CharField(help_text="The assessor's name")
    counted = serializers.BooleanField(
        help_text="False when a conflict of interest came to light after they submitted"
    )
    not_counted_because = serializers.ListField(child=serializers.CharField())
    weighted_total = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    scores = serializers.DictField(
        child=serializers.IntegerField(), help_text="Criterion id → score"
    )
    comments = serializers.DictField(
        child=serializers.CharField(allow_blank=True), help_text="Criterion id → comment"
    )


class SpreadSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    spread = serializers.IntegerField(allow_null=True, help_text="Highest minus lowest score")
    words = serializers.CharField()
    wide = serializers.BooleanField(help_text="Two points or more apart")


class BoardRowSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    project = AssessedProjectRefSerializer()
    lead_council = CouncilRefSerializer()
    partner_councils = CouncilRefSerializer(many=True, help_text="Confirmed and invited")
    amount_requested = MoneySerializer(allow_null=True)
    state = serializers.ChoiceField(choices=ApplicationState.choices)
    weighted_total = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        allow_null=True,
        help_text="The mean of the counted assessors' totals, per cent of the best mark",
    )
    assessments = AssessorScoresSerializer(many=True)
    assessments_in_progress = serializers.IntegerField()
    conflicts_declared = serializers.IntegerField()
    spread = SpreadSerializer(many=True)
    decision = DecisionSerializer(allow_null=True)


class BoardSerializer(serializers.Serializer):
    call = serializers.SlugField()
    stage = serializers.ChoiceField(choices=["not_yet", "open", "decided"])
    budget = MoneySerializer()
    max_award = MoneySerializer()
    funded_total = MoneySerializer(help_text="The awards decided so far")
    shortlist_total = MoneySerializer(
        help_text="The awards decided plus what the shortlisted, undecided bids ask for"
    )
    over_budget = serializers.BooleanField()
    warnings = serializers.ListField(child=serializers.CharField())
    criteria = CriterionRefSerializer(many=True)
    applications = BoardRowSerializer(many=True, help_text="Highest weighted total first")


def board_data(board: selectors.Board, *, stage: str) -> dict:
    published = stage == "decided"
    return {
        "call": board.call.slug,
        "stage": stage,
        "budget": money(board.call.budget),
        "max_award": money(board.call.max_award),
        "funded_total": money(board.funded_total),
        "shortlist_total": money(board.shortlist_total),
        "over_budget": board.over_budget,
        "warnings": [w.text for w in board.warnings],
        "criteria": [{"id": c.pk, "title": c.title, "weight": c.weight} for c in board.criteria],
        "applications": [
            {
                "application": row.application.pk,
                "project": {
                    "slug": row.application.project.slug,
                    "title": row.application.project.title,
                },
                "lead_council": council_ref(row.application.lead_council),
                "partner_councils": [
                    council_ref(p.council) for p in row.application.conflicting_partners
                ],
                "amount_requested": money(row.application.amount_requested)
                if row.application.amount_requested
                else None,
                "state": row.application.state,
                "weighted_total": str(row.percentage) if row.percentage is not None else None,
                "assessments": [
                    {
                        "assessor": column.assessor.get_full_name(),
                        "counted": not column.conflicts,
                        "not_counted_because": column.conflicts,
                        "weighted_total": _percent(column.total),
                        "scores": {str(pk): score for pk, score in column.scores.items()},
                        "comments": {str(pk): text for pk, text in column.comments.items()},
                    }
                    for column in row.columns
                ],
                "assessments_in_progress": row.in_progress,
                "conflicts_declared": row.declared,
                "spread": [
                    {
                        "criterion": line.criterion.pk,
                        "spread": line.spread,
                        "words": line.spread_words,
                        "wide": line.wide,
                    }
                    for line in row.criteria
                ],
                "decision": decision_data(row.decision, published=published)
                if row.decision
                else None,
            }
            for row in selectors.ranked(board.rows)
        ],
    }


class PublishSerializer(serializers.Serializer):
    call = serializers.SlugField()
    status = serializers.ChoiceField(choices=CallStatus.choices)
    decided_at = serializers.DateTimeField()
    funded = serializers.IntegerField()
    not_funded = serializers.IntegerField()


class PublishInputSerializer(StrictInputSerializer):
    """Nothing to send: the call's recorded decisions are published as they are."""


# --- views ------------------------------------------------------------------------------------


def _field_for_api(exc: ServiceError, mapping: dict[str, str]) -> ServiceError:
    """The service names the web form's fields; the API's have other names."""
    field = exc.field or ""
    for prefix, name in mapping.items():
        if field.startswith(prefix):
            exc.field = name
            break
    return exc


class _Base(APIView):
    permission_classes = [IsAuthenticated]

    def call(self, slug: str) -> Call:
        return get_object_or_404(
            Call.objects.select_related("funder").exclude(status=CallStatus.DRAFT), slug=slug
        )

    def application(self, pk: int) -> Application:
        application = selectors.application_for_assessment(pk=pk)
        if application is None:
            raise Http404
        return application

    def valid(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class AssessmentQueueView(ApiView, _Base):
    @extend_schema(
        summary="Your assessment queue for a call (the funder's assessors and moderators)",
        responses={200: QueueSerializer, **READ_ERRORS},
    )
    def get(self, request, slug: str):
        call = self.call(slug)
        selectors.require_assessor(user=request.user, call=call)
        rows = selectors.assessment_queue(call=call, user=request.user)
        return Response(
            {
                "call": call.slug,
                "stage": selectors.assessment_stage(call),
                "applications": QueueRowSerializer(
                    rows, many=True, context={"request": request}
                ).data,
            }
        )


class AssessmentView(ApiView, _Base):
    def _mine(self, application: Application) -> Assessment | None:
        return selectors.assessment_of(application=application, user=self.request.user)

    @extend_schema(
        summary="Your scores on one application",
        responses={200: AssessmentSerializer, **READ_ERRORS},
    )
    def get(self, request, pk: int):
        application = self.application(pk)
        selectors.require_assessor(user=request.user, call=application.call)
        assessment = self._mine(application)
        conflicts = selectors.conflict_reasons(
            application=application,
            council_ids=selectors.assessor_council_ids(user=request.user),
        )
        if conflicts:
            # A declared conflict reads as the status "conflict" below.
            raise NotAllowed(conflicts[0], code="conflict_of_interest")
        return Response(assessment_data(application, assessment))

    @extend_schema(
        summary="Save your scores, and submit them with `submit: true`",
        request=AssessmentInputSerializer,
        responses={200: AssessmentSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        application = self.application(pk)
        data = self.valid(AssessmentInputSerializer)
        scores = {
            row["criterion"]: (row["score"], row.get("comment", ""))
            for row in data.get("scores", [])
        }
        try:
            services.assessment_save(
                actor=request.user,
                application=application,
                scores=scores,
                submit=data["submit"],
            )
        except InvalidInput as exc:
            raise _field_for_api(exc, {"score_": "scores", "comment_": "scores"}) from None
        return Response(assessment_data(application, self._mine(application)))


class ConflictView(ApiView, _Base):
    @extend_schema(
        summary="Declare a conflict of interest with an application (cannot be undone)",
        request=ConflictInputSerializer,
        responses={200: AssessmentSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        application = self.application(pk)
        data = self.valid(ConflictInputSerializer)
        assessment = services.assessment_declare_conflict(
            actor=request.user, application=application, reason=data["reason"]
        )
        return Response(assessment_data(application, assessment))


class ModerationView(ApiView, _Base):
    @extend_schema(
        summary="Every assessor's scores side by side, the money and the warnings "
        "(the funder's moderators and admins; organisers read it)",
        responses={200: BoardSerializer, **READ_ERRORS},
    )
    def get(self, request, slug: str):
        call = self.call(slug)
        selectors.moderation_access(user=request.user, call=call)
        board = selectors.moderation_board(call=call)
        return Response(board_data(board, stage=selectors.assessment_stage(call)))


class ShortlistView(ApiView, _Base):
    @extend_schema(
        summary="Put an application on the shortlist, or take it off",
        request=ShortlistInputSerializer,
        responses={200: ShortlistSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        application = self.application(pk)
        data = self.valid(ShortlistInputSerializer)
        application = services.application_shortlist(
            actor=request.user, application=application, shortlisted=data["shortlisted"]
        )
        return Response({"application": application.pk, "state": application.state})


class DecisionView(ApiView, _Base):
    @extend_schema(
        summary="Record or change the decision on an application (private until published)",
        request=DecisionInputSerializer,
        responses={200: DecisionSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        application = self.application(pk)
        data = self.valid(DecisionInputSerializer)
        try:
            decision = services.application_decide(
                actor=request.user,
                application=application,
                outcome=data["outcome"],
                award_amount=data.get("award_amount_pence"),
                feedback=data["feedback"],
            )
        except ServiceError as exc:
            raise _field_for_api(exc, {"award_amount": "award_amount_pence"}) from None
        return Response(decision_data(decision, published=False))


class PublishView(ApiView, _Base):
    @extend_schema(
        summary="Publish every decision on the call and email the applicants",
        request=PublishInputSerializer,
        responses={200: PublishSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        call = self.call(slug)
        self.valid(PublishInputSerializer)
        applications = services.call_publish_decisions(actor=request.user, call=call)
        call.refresh_from_db()
        funded = sum(1 for a in applications if a.state == ApplicationState.FUNDED)
        return Response(
            {
                "call": call.slug,
                "status": call.status,
                "decided_at": _iso(call.decided_at),
                "funded": funded,
                "not_funded": len(applications) - funded,
            }
        )


urlpatterns: list = [
    path("calls/<slug:slug>/assessment/", AssessmentQueueView.as_view(), name="call-assessment"),
    path(
        "applications/<int:pk>/assessment/",
        AssessmentView.as_view(),
        name="application-assessment",
    ),
    path(
        "applications/<int:pk>/assessment/conflict/",
        ConflictView.as_view(),
        name="application-assessment-conflict",
    ),
    path("calls/<slug:slug>/moderation/", ModerationView.as_view(), name="call-moderation"),
    path("applications/<int:pk>/shortlist/", ShortlistView.as_view(), name="application-shortlist"),
    path("applications/<int:pk>/decision/", DecisionView.as_view(), name="application-decision"),
    path(
        "calls/<slug:slug>/decisions/publish/",
        PublishView.as_view(),
        name="call-decisions-publish",
    ),
]
