"""The delivery API: a project's milestones and status reports, and the benefits adopting
councils report. Public reads for projects the reader may see; writes by the project's team
(milestones, reports) or the adopting council (benefits), checked in the services."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from core import pagecache
from core.api.serializers import ErrorSerializer, money
from core.api.views import ApiView
from core.errors import InvalidInput, ServiceError
from projects.api.views import CsvExportView
from projects.exports import base_url, csv_response
from projects.models import Adoption, Project
from projects.scopes import SUPPORT
from projects.selectors import project_for_page

from .. import exports, selectors, services
from ..filters import BenefitFilterSet
from ..models import Milestone
from . import serializers as s

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: `errors` names each field"),
    401: OpenApiResponse(ErrorSerializer, description="Sign in or send a token"),
    403: OpenApiResponse(ErrorSerializer, description="Only the project's team may do this"),
    404: OpenApiResponse(ErrorSerializer, description="No such project or milestone"),
    409: OpenApiResponse(ErrorSerializer, description="The project's state does not allow this"),
    422: OpenApiResponse(
        ErrorSerializer,
        description="The Idempotency-Key was used in the last 24 hours for a different request",
    ),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; see Retry-After"),
}
READ_ERRORS = {k: v for k, v in ERRORS.items() if k in (404, 429)}
# At most this many rows in a list; a project has a handful of milestones and a report a month.
LIST_LIMIT = 500


class _ProjectPart(ApiView, APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    def project(self) -> Project:
        project = project_for_page(slug=self.kwargs["slug"], user=self.request.user)
        if project is None:
            raise Http404
        return project

    def milestone(self) -> Milestone:
        return get_object_or_404(
            Milestone.objects.select_related("project"),
            pk=self.kwargs["pk"],
            project=self.project(),
        )

    def valid(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer


class MilestoneList(_ProjectPart):
    @extend_schema(
        summary="A project's milestones, in order of planned date",
        responses={200: s.MilestoneSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, slug: str):
        rows = selectors.milestone_list(project=self.project()).select_related("project")
        data = s.MilestoneSerializer(rows[:LIST_LIMIT], many=True, context={"request": request})
        return Response(data.data)

    @extend_schema(
        summary="Add a milestone (the project's team)",
        request=s.MilestoneInputSerializer,
        responses={201: s.MilestoneSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        data = self.valid(s.MilestoneInputSerializer).validated_data
        milestone = services.milestone_add(actor=request.user, project=self.project(), **data)
        return Response(
            s.MilestoneSerializer(milestone, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class MilestoneDetail(_ProjectPart):
    @extend_schema(summary="One milestone", responses={200: s.MilestoneSerializer, **READ_ERRORS})
    def get(self, request, slug: str, pk: int):
        return Response(s.MilestoneSerializer(self.milestone(), context={"request": request}).data)

    @extend_schema(
        summary="Change a milestone's plan (the project's team)",
        request=s.MilestoneChangeSerializer,
        responses={200: s.MilestoneSerializer, **ERRORS},
    )
    def patch(self, request, slug: str, pk: int):
        milestone = self.milestone()
        data = self.valid(s.MilestoneChangeSerializer).validated_data
        milestone = services.milestone_update(actor=request.user, milestone=milestone, **data)
        return Response(s.MilestoneSerializer(milestone, context={"request": request}).data)


class MilestoneDone(_ProjectPart):
    @extend_schema(
        summary="Mark a milestone as done (the project's team)",
        request=s.MilestoneDoneSerializer,
        responses={200: s.MilestoneSerializer, **ERRORS},
    )
    def post(self, request, slug: str, pk: int):
        milestone = self.milestone()
        data = self.valid(s.MilestoneDoneSerializer).validated_data
        milestone = services.milestone_mark_done(actor=request.user, milestone=milestone, **data)
        return Response(s.MilestoneSerializer(milestone, context={"request": request}).data)


class StatusReportList(_ProjectPart):
    @extend_schema(
        summary="A project's status reports, newest first",
        responses={200: s.StatusReportSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, slug: str):
        rows = selectors.status_report_list(project=self.project())[:LIST_LIMIT]
        return Response(
            s.StatusReportSerializer(rows, many=True, context={"request": request}).data
        )

    @extend_schema(
        summary="File a status report (the project's team); it is posted as an update",
        request=s.StatusReportInputSerializer,
        responses={201: s.StatusReportSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        arguments = self.valid(s.StatusReportInputSerializer).service_arguments()
        report = services.status_report_file(
            actor=request.user, project=self.project(), **arguments
        )
        return Response(
            s.StatusReportSerializer(report, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


# --- benefits -------------------------------------------------------------------------------

BENEFIT_ERRORS = {
    **ERRORS,
    403: OpenApiResponse(
        ErrorSerializer, description="Only the adopting council's verified members may do this"
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such benefit"),
    409: OpenApiResponse(ErrorSerializer, description="The project is not published"),
}
BENEFIT_INPUT_NAMES = {"cashable_savings": "cashable_savings_pence"}
BENEFIT_READ_ERRORS = {k: v for k, v in BENEFIT_ERRORS.items() if k in (400, 404, 429)}


@extend_schema_view(
    list=extend_schema(
        summary="Benefits adopting councils report, newest first",
        description="Filter by project (slug), council (register code) and confidence. Cursor "
        "pages; follow `next`.",
        responses={200: s.BenefitSerializer(many=True), **BENEFIT_READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One council's benefits from one product",
        responses={200: s.BenefitSerializer, **BENEFIT_READ_ERRORS},
    ),
)
class BenefitViewSet(
    ApiView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    filterset_class = BenefitFilterSet
    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = s.BenefitSerializer

    def get_queryset(self):
        return selectors.benefit_list()

    def get_cursor_ordering(self):
        return ("-pk",)

    def get_object(self):
        pk = str(self.kwargs["pk"])
        if not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
            raise Http404
        return get_object_or_404(self.get_queryset(), pk=int(pk))

    @extend_schema(
        summary="Record your council's benefits from a product it adopted",
        description="Per year. Recording again for the same project and council replaces the "
        "figures (201 the first time, 200 after). High confidence needs an evidence link; at "
        "least one of the savings, hours, people or other benefits must be given.",
        request=s.BenefitInputSerializer,
        responses={201: s.BenefitSerializer, 200: s.BenefitSerializer, **BENEFIT_ERRORS},
    )
    def create(self, request, *args, **kwargs):
        serializer = s.BenefitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project = project_for_page(slug=data["project"], user=request.user)
        if project is None:
            raise InvalidInput(
                f"No published project has the slug '{data['project']}'.", field="project"
            )
        adoption = (
            Adoption.objects.select_related("council")
            .filter(project=project, council__code__iexact=data["council"].strip())
            .first()
        )
        if adoption is None:
            raise InvalidInput(
                f"No council with the register code '{data['council']}' has recorded adopting "
                "this project.",
                field="council",
            )
        try:
            benefit, created = services.benefit_record(
                actor=request.user, adoption=adoption, **serializer.service_arguments()
            )
        except ServiceError as exc:
            # The service's names for the fields, as this API names its input.
            exc.field = BENEFIT_INPUT_NAMES.get(exc.field, exc.field)
            raise
        benefit = selectors.benefit_list().get(pk=benefit.pk)
        return Response(
            s.BenefitSerializer(benefit, context={"request": request}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="The benefits added up nationally and by project",
        responses={200: s.BenefitSummarySerializer, **READ_ERRORS},
        filters=False,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def summary(self, request):
        pagecache.depends_on(SUPPORT)
        totals = selectors.national_benefit_totals()
        rows = selectors.benefits_by_project()[:LIST_LIMIT]
        return Response(
            {
                "cashable_savings": money(totals.cashable_savings),
                "hours_saved": totals.hours_saved,
                "people_served": totals.people_served,
                "councils_reporting": totals.councils,
                "projects_reporting": totals.projects,
                "by_project": s.ProjectBenefitSummarySerializer(rows, many=True).data,
            }
        )


@extend_schema(
    summary="Benefits as CSV",
    description="Same filters as GET /api/v1/benefits/. One row per adopting council and "
    "product; amounts in pence a year. Columns: " + ", ".join(exports.BENEFIT_COLUMNS),
    responses={(200, "text/csv"): OpenApiTypes.STR, **BENEFIT_READ_ERRORS},
)
class BenefitCsvView(CsvExportView):
    filterset_class = BenefitFilterSet
    columns = exports.BENEFIT_COLUMNS
    filename = "pipeline-benefits.csv"

    def get_queryset(self):
        return selectors.benefit_list()

    def rows(self, queryset, base):
        return exports.benefit_rows(queryset, base)


@extend_schema(
    summary="Benefits added up by project, as CSV",
    description="One row per project with reported benefits, most savings first; the columns "
    "add up to the national summary. Columns: " + ", ".join(exports.SUMMARY_COLUMNS),
    responses={(200, "text/csv"): OpenApiTypes.STR, **READ_ERRORS},
)
class BenefitSummaryCsvView(ApiView, APIView):
    permission_classes = [AllowAny]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def get(self, request):
        pagecache.depends_on(SUPPORT)
        return csv_response(
            request,
            "pipeline-benefits-by-project.csv",
            exports.SUMMARY_COLUMNS,
            exports.summary_rows(selectors.benefits_by_project(), base_url(request)),
        )
