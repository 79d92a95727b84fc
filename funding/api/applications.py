"""API routes: applications.

Open data: ``GET /api/v1/applications/`` lists every submitted (or later) bid's public record,
filtered by call, lead council, state and service area (``ApplicationFilterSet``, shared with
the CSV at ``/api/v1/applications.csv``). Never a draft, never answers, never a bid withdrawn
before it was submitted.

For applicants: start a draft (POST the list), change it (PATCH one), submit it and withdraw it
(POST …/submit/, …/withdraw/). The services decide who may; a draft is a 404 to anyone who may
not see it. Writes take an ``Idempotency-Key``.
"""

from decimal import Decimal

from django.db import transaction
from django.http import Http404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from core.api.exceptions import NON_FIELD, error_body
from core.api.serializers import ErrorSerializer, MoneySerializer, StrictInputSerializer, money
from core.api.views import ApiView
from core.errors import InvalidInput, ServiceError
from projects.api.serializers import CouncilRefSerializer, council_ref
from projects.api.views import CsvExportView
from projects.models import MAX_MONEY_PENCE, Project

from ..eligibility import application_shortfalls, word_count
from ..models import Application, ApplicationState, Call, CallStatus, PartnerState
from ..selectors import applications as selectors
from ..selectors.applications import published_tranches
from ..services import applications as services
from .awards import AwardTrancheSerializer, tranche_data

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: `errors` names each field"),
    401: OpenApiResponse(ErrorSerializer, description="Sign in or send a token"),
    403: OpenApiResponse(
        ErrorSerializer,
        description="You may not do this to this application (or you need a second factor: "
        "code `second_factor_required`)",
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such application, or not visible to you"),
    409: OpenApiResponse(
        ErrorSerializer,
        description="The application's state or the call's closing time does not allow this "
        "(code `call_closed` after the closing time by the server's clock; `not_eligible` "
        "with the missing things in `errors` and `shortfalls`)",
    ),
    422: OpenApiResponse(
        ErrorSerializer,
        description="The Idempotency-Key was used in the last 24 hours for a different request",
    ),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; see Retry-After"),
}
READ_ERRORS = {k: v for k, v in ERRORS.items() if k in (400, 404, 429)}
# The services' names for the fields, as this API names its input.
INPUT_NAMES = {"amount_requested": "amount_requested_pence"}


def _api_field(field: str | None) -> str:
    if not field:
        return NON_FIELD
    if field.startswith("answer_"):
        return "answers"
    return INPUT_NAMES.get(field, field)


def _shortfall(shortfall) -> dict:
    field = _api_field(shortfall.field) if shortfall.field else ""
    return {"code": shortfall.code, "message": shortfall.message, "field": field}


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _abs(request, address: str) -> str:
    return request.build_absolute_uri(address) if request is not None else address


# --- output -----------------------------------------------------------------------------------


class CallRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    funder = serializers.CharField(help_text="The funder's name")


class ProjectRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    url = serializers.URLField(help_text="The project's page on Pipeline")


class PartnerRefSerializer(serializers.Serializer):
    council = CouncilRefSerializer()
    state = serializers.ChoiceField(
        choices=PartnerState.choices,
        help_text="Open data lists confirmed partners only; the lead council and the project "
        "team see every invitation",
    )


class ApplicationSerializer(serializers.Serializer):
    """An application's public record."""

    id = serializers.IntegerField()
    call = CallRefSerializer()
    project = ProjectRefSerializer()
    lead_council = CouncilRefSerializer()
    partners = PartnerRefSerializer(many=True)
    summary = serializers.CharField(allow_blank=True)
    amount_requested = MoneySerializer(allow_null=True)
    phase = serializers.ChoiceField(choices=services.BID_PHASES, help_text="What the money is for")
    state = serializers.ChoiceField(
        choices=ApplicationState.choices,
        help_text="A shortlisted bid shows as submitted until the funder publishes its decisions "
        "(it is `shortlisted` only to the funder's assessors, moderators and admins and to "
        "organisers, in the one application's record)",
    )
    submitted_at = serializers.DateTimeField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawn_reason = serializers.CharField(allow_blank=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    award_amount = MoneySerializer(allow_null=True, help_text="Once the funder has decided")
    tranches = AwardTrancheSerializer(
        many=True,
        help_text="A funded bid's award, in the tranches the funder pays it in: each is the "
        "funder's pledge on the project, awarded, then released at once, at a milestone, in a "
        "phase or by the funder. Empty until the decisions are published.",
    )
    url = serializers.URLField(help_text="The application's page on Pipeline")
    api_url = serializers.URLField()

    def to_representation(self, a: Application) -> dict:
        request = self.context.get("request")
        partners = getattr(a, "confirmed_partners", None)
        if partners is None:
            partners = a.partners.filter(state="confirmed").select_related("council")
        decided = a.state in (ApplicationState.FUNDED, ApplicationState.NOT_FUNDED)
        return {
            "id": a.pk,
            "call": {
                "slug": a.call.slug,
                "title": a.call.title,
                "funder": a.call.funder.name,
            },
            "project": {
                "slug": a.project.slug,
                "title": a.project.title,
                "url": _abs(request, a.project.get_absolute_url()),
            },
            "lead_council": council_ref(a.lead_council),
            "partners": [{"council": council_ref(p.council), "state": p.state} for p in partners],
            "summary": a.summary,
            "amount_requested": money(a.amount_requested)
            if a.amount_requested is not None
            else None,
            "phase": a.phase,
            "state": a.public_state,
            "submitted_at": _iso(a.submitted_at),
            "withdrawn_at": _iso(a.withdrawn_at),
            "withdrawn_reason": a.withdrawn_reason if a.state == ApplicationState.WITHDRAWN else "",
            "decided_at": _iso(a.decided_at) if decided else None,
            "award_amount": money(a.award_amount)
            if decided and a.award_amount is not None
            else None,
            "tranches": [tranche_data(t) for t in published_tranches(a)]
            if a.state == ApplicationState.FUNDED
            else [],
            "url": _abs(request, reverse("funding:application", args=[a.pk])),
            "api_url": _abs(request, reverse("api:application-detail", args=[a.pk])),
        }


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(help_text="The question's id")
    question_text = serializers.CharField()
    required = serializers.BooleanField()
    word_limit = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True)
    words = serializers.IntegerField()


class ShortfallSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable: call_closed, call_not_open, call_not_published, lead_nation, "
        "lead_council_type, lead_commitment, partners, partner_not_eligible, partner_commitment, "
        "project_not_published, service_area, phase, summary_missing, amount_missing, "
        "amount_over_maximum, answer_missing, answer_too_long"
    )
    message = serializers.CharField()
    field = serializers.CharField(allow_blank=True, help_text="The input it is about, if any")


class ApplicationDetailSerializer(ApplicationSerializer):
    """The public record, and for those who may read the whole bid (the lead council, the
    project team, organisers, and from submission the funder's members) its answers and, while
    it is a draft, what stops it being submitted."""

    answers = AnswerSerializer(many=True, allow_null=True, help_text="Null if not yours to read")
    shortfalls = ShortfallSerializer(
        many=True,
        allow_null=True,
        help_text="For a draft, to those working on it: what stops it being submitted now "
        "(empty: it can be submitted). Null otherwise.",
    )

    def to_representation(self, a: Application) -> dict:
        data = super().to_representation(a)
        user = self.context["request"].user
        data["state"] = selectors.state_shown(user, a)
        full = selectors.user_sees_answers(user, a)
        if full:
            data["partners"] = [
                {"council": council_ref(p.council), "state": p.state}
                for p in selectors.application_partners(application=a)
            ]
        data["answers"] = (
            [
                {
                    "question": q.pk,
                    "question_text": q.text,
                    "required": q.required,
                    "word_limit": q.word_limit,
                    "text": text,
                    "words": word_count(text),
                }
                for q, text in selectors.application_answers(application=a)
            ]
            if full
            else None
        )
        data["shortfalls"] = (
            [_shortfall(s) for s in application_shortfalls(a)]
            if a.state == ApplicationState.DRAFT and selectors.user_sees_draft(user, a)
            else None
        )
        return data


# --- input --------------------------------------------------------------------------------------


class AnswerInputSerializer(StrictInputSerializer):
    question = serializers.IntegerField(min_value=1, help_text="The question's id")
    text = serializers.CharField(
        max_length=20_000,
        allow_blank=True,
        trim_whitespace=True,
        help_text="Within the question's word limit; empty to clear it",
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field is not accepted here."] for name in unknown}
                )
        return super().to_internal_value(data)


class ApplicationChangeSerializer(StrictInputSerializer):
    summary = serializers.CharField(
        max_length=services.SUMMARY_MAX,
        required=False,
        allow_blank=True,
        help_text="Published with the bid once it is submitted",
    )
    amount_requested_pence = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_MONEY_PENCE,
        help_text="In pence; null to clear it",
    )
    phase = serializers.ChoiceField(choices=services.BID_PHASES, required=False)
    answers = AnswerInputSerializer(
        many=True, required=False, help_text="Answers to change; others stay as they are"
    )

    def service_arguments(self) -> dict:
        data = self.validated_data
        arguments: dict = {}
        if "summary" in data:
            arguments["summary"] = data["summary"]
        if "amount_requested_pence" in data:
            arguments["amount_requested"] = data["amount_requested_pence"]
        if "phase" in data:
            arguments["phase"] = data["phase"]
        if "answers" in data:
            arguments["answers"] = {a["question"]: a["text"] for a in data["answers"]}
        return arguments


class ApplicationCreateSerializer(ApplicationChangeSerializer):
    call = serializers.SlugField(max_length=160, help_text="The open call's slug")
    project = serializers.SlugField(
        max_length=140, help_text="The project's slug: your council leads it and you work on it"
    )


class WithdrawSerializer(StrictInputSerializer):
    reason = serializers.CharField(
        max_length=services.REASON_MAX,
        help_text="Told to the project team and partner councils; public once submitted",
    )


class EmptySerializer(StrictInputSerializer):
    pass


# --- views --------------------------------------------------------------------------------------


def _not_eligible(exc: services.NotEligible) -> Response:
    errors: dict[str, list[str]] = {}
    for shortfall in exc.shortfalls:
        errors.setdefault(_api_field(shortfall.field), []).append(shortfall.message)
    body = error_body(status.HTTP_409_CONFLICT, exc.code, exc.message, errors)
    body["shortfalls"] = [_shortfall(s) for s in exc.shortfalls]
    return Response(body, status=status.HTTP_409_CONFLICT)


def _renamed(call):
    """Run a service call, naming its fields as this API does."""
    try:
        return call()
    except ServiceError as exc:
        exc.field = _api_field(exc.field) if exc.field else exc.field
        raise


@extend_schema_view(
    list=extend_schema(
        summary="Submitted applications: the open data",
        description="Every submitted application's public record, newest submission first, with "
        "the decision once there is one; withdrawn after submission shows as withdrawn. Never "
        "drafts or answers. Filter by call (slug), lead council (register code), state and "
        "service area (slug). Cursor pages; follow `next`.",
        responses={200: ApplicationSerializer(many=True), **READ_ERRORS},
    ),
)
class ApplicationViewSet(
    ApiView,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    filterset_class = selectors.ApplicationFilterSet
    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = ApplicationSerializer

    def get_queryset(self):
        return selectors.public_applications()

    def get_cursor_ordering(self):
        return selectors.PUBLIC_ORDERING

    def get_object(self) -> Application:
        application = selectors.application_for_page(
            pk=self.kwargs.get("pk", ""), user=self.request.user
        )
        if application is None:
            raise Http404
        return application

    def _detail(self, application: Application, code: int = status.HTTP_200_OK) -> Response:
        application = selectors.application_for_page(pk=application.pk, user=self.request.user)
        serializer = ApplicationDetailSerializer(application, context={"request": self.request})
        return Response(serializer.data, status=code)

    @extend_schema(
        summary="One application",
        description="Its public record once submitted; a draft only to the lead council's "
        "verified members, the project team and organisers (404 to anyone else). Those who may "
        "read the whole bid also get its answers, and for a draft what stops it being submitted.",
        responses={200: ApplicationDetailSerializer, **READ_ERRORS},
    )
    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(
        summary="Start a draft application to an open call",
        description="For a published project your council leads and you own or work on, with no "
        "live application to this call. The draft starts with the project's summary and phase; "
        "the other fields may be given at once.",
        request=ApplicationCreateSerializer,
        responses={201: ApplicationDetailSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        call = Call.objects.filter(
            slug=data["call"], status__in=(CallStatus.PUBLISHED, CallStatus.DECIDED)
        ).first()
        if call is None:
            raise InvalidInput(f"No published call has the slug '{data['call']}'.", field="call")
        project = Project.objects.visible().filter(slug=data["project"]).first()
        if project is None:
            raise InvalidInput(
                f"No published project has the slug '{data['project']}'.", field="project"
            )
        arguments = serializer.service_arguments()

        def start() -> Application:
            application = services.application_start(actor=request.user, call=call, project=project)
            if arguments:
                services.application_update(
                    actor=request.user, application=application, **arguments
                )
            return application

        with transaction.atomic():
            application = _renamed(start)
        return self._detail(application, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a draft application (the project team in the lead council)",
        description="Only what is sent changes. Word limits are checked now; required answers "
        "only at submission.",
        request=ApplicationChangeSerializer,
        responses={200: ApplicationDetailSerializer, **ERRORS},
    )
    def partial_update(self, request, *args, **kwargs):
        application = self.get_object()
        serializer = ApplicationChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        arguments = serializer.service_arguments()
        application = _renamed(
            lambda: services.application_update(
                actor=request.user, application=application, **arguments
            )
        )
        return self._detail(application)

    @extend_schema(
        summary="Submit the application for the lead council",
        description="By a verified approver or council admin of the lead council, with a second "
        "factor. Refused (409 `not_eligible`) with what is missing, each under its field in "
        "`errors` and in `shortfalls`; and (409 `call_closed`) at or after the call's closing "
        "time by the server's clock, even for a request that started before it.",
        request=EmptySerializer,
        responses={200: ApplicationDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        application = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        try:
            application = services.application_submit(actor=request.user, application=application)
        except services.NotEligible as exc:
            return _not_eligible(exc)
        return self._detail(application)

    @extend_schema(
        summary="Withdraw the application for the lead council",
        description="By a verified approver or council admin of the lead council, with a second "
        "factor, with a reason, until the funder decides it. The project may then apply to the "
        "call again.",
        request=WithdrawSerializer,
        responses={200: ApplicationDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.application_withdraw(
            actor=request.user, application=application, reason=serializer.validated_data["reason"]
        )
        return self._detail(application)


# --- CSV ----------------------------------------------------------------------------------------

APPLICATION_COLUMNS = [
    "application_id",
    "call",
    "call_title",
    "funder",
    "project",
    "project_title",
    "project_url",
    "lead_council_code",
    "lead_council_gss_code",
    "lead_council_name",
    "partner_council_codes",
    "summary",
    "amount_requested_pence",
    "amount_requested_pounds",
    "phase",
    "state",
    "submitted_at",
    "withdrawn_at",
    "decided_at",
    "award_amount_pence",
    "award_amount_pounds",
    "url",
]


def _pounds(pence: int | None) -> str:
    return "" if pence is None else f"{Decimal(int(pence)) / 100:.2f}"


def application_csv_rows(applications, base_url: str):
    for a in applications:
        decided = a.state in (ApplicationState.FUNDED, ApplicationState.NOT_FUNDED)
        award = a.award_amount if decided else None
        yield [
            a.pk,
            a.call.slug,
            a.call.title,
            a.call.funder.name,
            a.project.slug,
            a.project.title,
            base_url + a.project.get_absolute_url(),
            a.lead_council.code,
            a.lead_council.gss_code,
            a.lead_council.short_name,
            " ".join(p.council.code for p in a.confirmed_partners),
            a.summary,
            "" if a.amount_requested is None else a.amount_requested,
            _pounds(a.amount_requested),
            a.phase,
            a.public_state,
            a.submitted_at.isoformat() if a.submitted_at else "",
            a.withdrawn_at.isoformat() if a.withdrawn_at else "",
            a.decided_at.isoformat() if decided and a.decided_at else "",
            "" if award is None else award,
            _pounds(award),
            base_url + reverse("funding:application", args=[a.pk]),
        ]


@extend_schema(
    summary="Submitted applications as CSV",
    description="Same filters as GET /api/v1/applications/. Money in pence and in pounds "
    "(exact, two decimals). Columns: " + ", ".join(APPLICATION_COLUMNS),
    responses={(200, "text/csv"): OpenApiTypes.STR, **READ_ERRORS},
)
class ApplicationCsvView(CsvExportView):
    filterset_class = selectors.ApplicationFilterSet
    columns = APPLICATION_COLUMNS
    filename = "pipeline-applications.csv"

    def get_queryset(self):
        return selectors.public_applications()

    def rows(self, queryset, base):
        return application_csv_rows(queryset, base)


urlpatterns = [
    path("applications.csv", ApplicationCsvView.as_view(), name="applications_csv"),
    path(
        "applications/",
        ApplicationViewSet.as_view({"get": "list", "post": "create"}),
        name="application-list",
    ),
    path(
        "applications/<int:pk>/",
        ApplicationViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="application-detail",
    ),
    path(
        "applications/<int:pk>/submit/",
        ApplicationViewSet.as_view({"post": "submit"}),
        name="application-submit",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        ApplicationViewSet.as_view({"post": "withdraw"}),
        name="application-withdraw",
    ),
]
