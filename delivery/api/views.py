"""The delivery API: a project's milestones and status reports. Public reads for projects the
reader may see; writes by the project's team, checked in the services."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.serializers import ErrorSerializer
from core.api.views import ApiView
from projects.models import Project
from projects.selectors import project_for_page

from .. import selectors, services
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
