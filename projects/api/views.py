"""Thin API views over the same services and selectors as the web pages."""

from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from core import pagecache
from core.api.renderers import json_bytes, json_fragment
from core.api.serializers import ErrorSerializer, MoneySerializer, days, money
from core.api.views import ApiView
from core.errors import InvalidInput
from councils.models import Council

from .. import exports, scopes, selectors, services
from ..filters import SORTS, PledgeFilterSet, ProjectFilterSet
from ..models import Follow, Kind, Language, Need, Pledge, Project, ServiceArea, TeamMembership
from ..permissions import user_can_view_pledge
from ..services import people
from . import serializers as s

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: `errors` names each field"),
    401: OpenApiResponse(ErrorSerializer, description="Sign in or send a token"),
    403: OpenApiResponse(ErrorSerializer, description="You may not do this to this object"),
    404: OpenApiResponse(ErrorSerializer, description="No such object, or not visible to you"),
    409: OpenApiResponse(ErrorSerializer, description="The object's state does not allow this"),
    422: OpenApiResponse(
        ErrorSerializer,
        description="The Idempotency-Key was used in the last 24 hours for a different request",
    ),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; see Retry-After"),
}
READ_ERRORS = {k: v for k, v in ERRORS.items() if k in (400, 404, 429)}


def _council_by_code(code: str, field: str) -> Council:
    council = Council.objects.filter(code__iexact=code.strip()).first()
    if council is None:
        raise InvalidInput(f"No council has the register code '{code}'.", field=field)
    return council


def _areas(slugs: list[str] | None):
    if slugs is None:
        return None
    areas = list(ServiceArea.objects.filter(slug__in=slugs))
    missing = sorted(set(slugs) - {a.slug for a in areas})
    if missing:
        raise InvalidInput(f"Unknown service areas: {', '.join(missing)}.", field="service_areas")
    return areas


def _kept_rows_list(view, keys, *, name: str, with_versions, rows) -> Response:
    """A listing read keys first (filtered, ordered and paged), each row then taken from the
    cache, as encoded JSON, while its version holds, and read whole from ``rows`` only when
    missing."""
    mark = pagecache.change_mark()  # before the rows are read (they are kept)
    page = view.paginate_queryset(view.filter_queryset(keys))
    request = view.request
    serializer = view.get_serializer()
    encoded = pagecache.cached_rows(
        with_versions(page, since=mark),
        # Rows hold absolute addresses, and the page address follows the language.
        prefix=f"{name}.json\n{request.build_absolute_uri('/')}\n{get_language()}",
        version_of=lambda row: f"{row.pk}:{row.part_version}" if row.part_version else "",
        render=lambda row: json_bytes(serializer.to_representation(row)),
        load=lambda missing: selectors.rows_in_order(missing, rows),
    )
    return view.get_paginated_response([json_fragment(row) for row in encoded])


@extend_schema_view(
    list=extend_schema(
        summary="List published projects",
        description="Same filters as the /projects/ page. Cursor pages; follow `next`.",
        responses={200: s.ProjectSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One project with its needs",
        responses={200: s.ProjectDetailSerializer, **READ_ERRORS},
    ),
)
class ProjectViewSet(
    ApiView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_class = ProjectFilterSet
    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = s.ProjectSerializer

    def get_queryset(self):
        return selectors.project_rows()

    def get_cursor_ordering(self):
        sort = self.request.query_params.get("sort") or "newest"
        return SORTS.get(sort, SORTS["newest"])[1]

    def get_object(self) -> Project:
        project = selectors.project_for_page(slug=self.kwargs["slug"], user=self.request.user)
        if project is None:
            raise Http404
        return project

    def paginate_queryset(self, queryset):
        rows = super().paginate_queryset(queryset)
        if self.action == "list" and rows is not None:
            support = scopes.reads_support(self.request.query_params)
            pagecache.depends_on(*scopes.listing_tags(rows, support=support))
        return rows

    def list(self, request, *args, **kwargs):
        """Each row as serialised before while its project is unchanged (its ``part_version``):
        on a page of 50, serialising was half the cost."""
        return _kept_rows_list(
            self,
            selectors.project_listing_keys(),
            name="api-project",
            with_versions=scopes.with_part_versions,
            rows=selectors.project_rows(),
        )

    def retrieve(self, request, *args, **kwargs):
        project = self.get_object()
        pagecache.depends_on(scopes.project_tag(project.pk))
        project = (
            Project.objects.prefetch_related("needs", "service_areas")
            .select_related("lead_council", "owner")
            .get(pk=project.pk)
        )
        return Response(s.ProjectDetailSerializer(project, context={"request": request}).data)

    def _detail(self, project: Project, code: int = status.HTTP_200_OK) -> Response:
        project = (
            Project.objects.prefetch_related("needs", "service_areas")
            .select_related("lead_council", "owner")
            .get(pk=project.pk)
        )
        return Response(
            s.ProjectDetailSerializer(project, context={"request": self.request}).data, status=code
        )

    @extend_schema(
        summary="Propose a project (saved as a draft)",
        request=s.ProjectCreateSerializer,
        responses={201: s.ProjectDetailSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        data = self._valid(s.ProjectCreateSerializer, request.data)
        council = _council_by_code(data.pop("lead_council"), "lead_council")
        areas = _areas(data.pop("service_areas", None)) or []
        with transaction.atomic():
            project = services.project_create(
                actor=request.user,
                lead_council=council,
                title=data.pop("title"),
                summary=data.pop("summary"),
                description=data.pop("description", ""),
                language=data.pop("language", Language.ENGLISH),
                service_areas=areas,
            )
            if data:
                project = services.project_update(actor=request.user, project=project, **data)
        return self._detail(project, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a project's details",
        request=s.ProjectUpdateSerializer,
        responses={200: s.ProjectDetailSerializer, **ERRORS},
    )
    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()
        data = self._valid(s.ProjectUpdateSerializer, request.data)
        areas = _areas(data.pop("service_areas", None))
        project = services.project_update(
            actor=request.user, project=project, service_areas=areas, **data
        )
        return self._detail(project)

    @extend_schema(
        summary="Move the project to another state (publish, deliver, complete, close)",
        request=s.StateInputSerializer,
        responses={200: s.ProjectDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def state(self, request, slug=None):
        data = self._valid(s.StateInputSerializer, request.data)
        project = services.project_set_state(
            actor=request.user, project=self.get_object(), state=data["state"]
        )
        return self._detail(project)

    @extend_schema(
        summary="Move the project to another GDS phase",
        request=s.PhaseInputSerializer,
        responses={200: s.ProjectDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def phase(self, request, slug=None):
        data = self._valid(s.PhaseInputSerializer, request.data)
        project = services.project_set_phase(
            actor=request.user, project=self.get_object(), phase=data["phase"]
        )
        return self._detail(project)

    @extend_schema(
        methods=["GET"],
        summary="The project's needs with their progress",
        responses={200: s.NeedSerializer(many=True), **READ_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a need (money in pence, or days of a role)",
        request=s.NeedInputSerializer,
        responses={201: s.NeedSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def needs(self, request, slug=None):
        project = self.get_object()
        if request.method != "POST":  # GET, and HEAD (which DRF routes to the GET action)
            return Response(
                s.NeedSerializer(selectors.project_needs(project=project), many=True).data
            )
        data = self._valid(s.NeedInputSerializer, request.data)
        need = services.need_add(
            actor=request.user,
            project=project,
            kind=data["kind"],
            amount=data["amount"],
            role=data.get("role", ""),
            description=data.get("description", ""),
            phase=data.get("phase", ""),
        )
        return Response(s.NeedSerializer(need).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Remove a need that has no pledges", responses={204: None, **ERRORS})
    @action(detail=True, methods=["delete"], url_path=r"needs/(?P<need_id>\d+)")
    def remove_need(self, request, slug=None, need_id=None):
        need = get_object_or_404(Need, pk=need_id, project=self.get_object())
        services.need_remove(actor=request.user, need=need)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Mark a need met: it takes no new offers (project owner)",
        request=None,
        responses={200: s.NeedSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path=r"needs/(?P<need_id>\d+)/met")
    def need_met(self, request, slug=None, need_id=None):
        need = get_object_or_404(Need, pk=need_id, project=self.get_object())
        need = services.need_mark_met(actor=request.user, need=need)
        return Response(s.NeedSerializer(need).data)

    @extend_schema(
        summary="Reopen a need marked met: it takes offers again (project owner)",
        request=None,
        responses={200: s.NeedSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path=r"needs/(?P<need_id>\d+)/reopen")
    def need_reopen(self, request, slug=None, need_id=None):
        need = get_object_or_404(Need, pk=need_id, project=self.get_object())
        need = services.need_reopen(actor=request.user, need=need)
        return Response(s.NeedSerializer(need).data)

    @extend_schema(
        methods=["GET"],
        summary="The project's maker team",
        responses={200: s.TeamMembershipSerializer(many=True), **READ_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Ask to join the maker team",
        request=s.TeamJoinSerializer,
        responses={201: s.TeamMembershipSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def team(self, request, slug=None):
        project = self.get_object()
        if request.method != "POST":  # GET and HEAD
            team = selectors.project_team(project=project).select_related("project")
            return Response(s.TeamMembershipSerializer(team, many=True).data)
        data = self._valid(s.TeamJoinSerializer, request.data)
        code = data.pop("council", "")
        council = _council_by_code(code, "council") if code else None
        membership = people.team_request_join(
            actor=request.user, project=project, council=council, **data
        )
        membership = TeamMembership.objects.select_related("project", "user", "council").get(
            pk=membership.pk
        )
        return Response(s.TeamMembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="The project's updates, newest first",
        responses={200: s.UpdateSerializer(many=True), **READ_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Post an update (team members)",
        request=s.UpdateInputSerializer,
        responses={201: s.UpdateSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def updates(self, request, slug=None):
        project = self.get_object()
        if request.method != "POST":  # GET and HEAD
            updates = selectors.project_updates(project=project).select_related("project")[:200]
            return Response(
                s.UpdateSerializer(updates, many=True, context={"request": request}).data
            )
        data = self._valid(s.UpdateInputSerializer, request.data)
        update = people.update_post(actor=request.user, project=project, **data)
        return Response(
            s.UpdateSerializer(update, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    def _valid(self, serializer_class, data) -> dict:
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(
        summary="List pledges (the public ledger)",
        description="Filter by project, pledging council, lead council, state and kind.",
        responses={200: s.PledgeSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One pledge with its ledger events",
        responses={200: s.PledgeDetailSerializer, **READ_ERRORS},
    ),
)
class PledgeViewSet(
    ApiView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    filterset_class = PledgeFilterSet
    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = s.PledgeSerializer

    def get_queryset(self):
        if self.action == "list":
            return selectors.pledge_listing_keys()
        return selectors.pledge_list()

    def get_cursor_ordering(self):
        return ("-created_at", "-pk")

    def list(self, request, *args, **kwargs):
        """Keys first, then each row as serialised before while its project and council are
        unchanged: a busy project's page was a join of all its pledges, sorted, and then
        serialised row by row."""
        return _kept_rows_list(
            self,
            self.get_queryset(),
            name="api-pledge",
            with_versions=scopes.with_pledge_versions,
            rows=selectors.pledge_list(),
        )

    def paginate_queryset(self, queryset):
        """Pledges of one project, filtered by nothing else, depend on that project alone (an
        empty page, or any other filter, on every change: a new pledge could join it)."""
        rows = super().paginate_queryset(queryset)
        params = set(self.request.query_params) - {"cursor"}
        projects = {row.project_id for row in rows or ()}
        if self.action == "list" and params == {"project"} and len(projects) == 1:
            pagecache.depends_on(scopes.project_tag(projects.pop()))
        return rows

    def get_object(self, *, history: bool = True) -> Pledge:
        """The pledge, if this person may see it; ``history=False`` for an action, which acts
        on the pledge and then reads it afresh, with its history, for the response."""
        pk = str(self.kwargs["pk"])
        if not (pk.isascii() and pk.isdigit()):  # /pledges/abc/ was a ValueError (500)
            raise Http404
        read = selectors.pledge_for_api if history else selectors.pledge_for_action
        pledge = read(pk=int(pk))
        if pledge is None or not user_can_view_pledge(self.request.user, pledge):
            raise Http404
        if history:
            pledge.shown_events = selectors.pledge_shown_events(
                pledge=pledge, user=self.request.user
            )
        return pledge

    def retrieve(self, request, *args, **kwargs):
        return Response(
            s.PledgeDetailSerializer(self.get_object(), context={"request": request}).data
        )

    def _detail(self, pledge: Pledge, code: int = status.HTTP_200_OK) -> Response:
        pledge = selectors.pledge_for_api(pk=pledge.pk)
        pledge.shown_events = selectors.pledge_shown_events(pledge=pledge, user=self.request.user)
        return Response(
            s.PledgeDetailSerializer(pledge, context={"request": self.request}).data, status=code
        )

    @extend_schema(
        summary="Offer a pledge from your council",
        request=s.PledgeInputSerializer,
        responses={201: s.PledgeDetailSerializer, **ERRORS},
    )
    def create(self, request, *args, **kwargs):
        serializer = s.PledgeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        project = selectors.project_for_page(slug=data["project"], user=request.user)
        if project is None:
            raise InvalidInput(
                f"No published project has the slug '{data['project']}'.", field="project"
            )
        need = None
        if data.get("need") is not None:
            need = Need.objects.filter(pk=data["need"]).first()
            if need is None:
                raise InvalidInput("No need has that id.", field="need")
        pledge = services.pledge_offer(
            actor=request.user,
            project=project,
            council=_council_by_code(data["council"], "council"),
            kind=data["kind"],
            amount=data["amount"],
            need=need,
            role=data.get("role", ""),
            note=data.get("note", ""),
            min_other_councils=data.get("min_other_councils"),
            match_percent=data.get("match_percent"),
        )
        return self._detail(pledge, status.HTTP_201_CREATED)

    def _act(self, request, service, serializer_class, **extra):
        pledge = self.get_object(history=False)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        pledge = service(actor=request.user, pledge=pledge, **serializer.validated_data, **extra)
        return self._detail(pledge)

    @extend_schema(
        summary="Propose a changed amount for your council's offered or accepted pledge",
        description="Creates an amendment: a new pledge in state `proposed` (or `pending` when "
        "it is over your council's delegated limit and you are not an approver) whose `amends` "
        "is this pledge. The pledge itself never changes and keeps counting until the project "
        "owner accepts the change (POST …/pledges/<amendment id>/accept/), which supersedes it; "
        "or declines it (…/decline/). Withdraw the proposal with …/withdraw/. 409 while another "
        "change is waiting, or if the pledge is not offered or accepted.",
        request=s.PledgeAmendSerializer,
        responses={201: s.PledgeDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        pledge = self.get_object()
        data = _valid(s.PledgeAmendSerializer, request.data)
        pence, half_days = data.get("amount_pence"), data.get("days")
        if pledge.kind == Kind.MONEY and half_days is not None:
            raise InvalidInput("This pledge is money: give amount_pence.", field="days")
        if pledge.kind == Kind.TIME and pence is not None:
            raise InvalidInput("This pledge is staff time: give days.", field="amount_pence")
        if pledge.kind == Kind.MONEY and pence is None:
            raise InvalidInput("Give the new amount in pence.", field="amount_pence")
        if pledge.kind == Kind.TIME and half_days is None:
            raise InvalidInput("Give the new number of days, like 2.5.", field="days")
        amendment = services.pledge_amend(
            actor=request.user,
            pledge=pledge,
            amount=pence if pledge.kind == Kind.MONEY else half_days,
            note=data["note"],
            amount_field="amount_pence" if pledge.kind == Kind.MONEY else "days",
        )
        return self._detail(amendment, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accept an offered pledge, or a proposed change to one (project owner)",
        description="For a pledge in state `proposed` (an amendment) this accepts the change: "
        "the pledge it amends becomes `superseded` and the amendment takes its state.",
        request=s.PledgeActionSerializer,
        responses={200: s.PledgeDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(request, services.pledge_accept, s.PledgeActionSerializer)

    @extend_schema(
        summary="Decline an offered pledge, or a proposed change to one (project owner)",
        description="Declining a change (a pledge in state `proposed`) leaves the pledge it "
        "would amend as it was.",
        request=s.PledgeActionSerializer,
        responses={200: s.PledgeDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._act(request, services.pledge_decline, s.PledgeActionSerializer)

    @extend_schema(
        summary="Mark an accepted pledge fulfilled (project owner)",
        request=s.PledgeActionSerializer,
        responses={200: s.PledgeDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        return self._act(request, services.pledge_fulfil, s.PledgeActionSerializer)

    @extend_schema(
        summary="Withdraw your council's pledge, with a reason",
        request=s.PledgeWithdrawSerializer,
        responses={200: s.PledgeDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._act(request, services.pledge_withdraw, s.PledgeWithdrawSerializer)

    @extend_schema(
        summary="Sign off a pledge over your council's delegated limit (approvers)",
        description="A pledge awaiting approval becomes offered: from now the lead council and "
        "the public see it.",
        request=s.PledgeActionSerializer,
        responses={200: s.PledgeDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._act(request, services.pledge_approve, s.PledgeActionSerializer)

    @extend_schema(
        summary="Refuse a pledge awaiting your council's approval, with a reason (approvers)",
        description="The pledger is told the reason; the lead council never sees the pledge.",
        request=s.PledgeRefuseSerializer,
        responses={200: s.PledgeDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._act(request, services.pledge_refuse, s.PledgeRefuseSerializer)

    @extend_schema(
        summary="Attach the council's published decision to its pledge",
        description="Title, date and link of the delegated decision, cabinet or committee "
        "minute behind the pledge. For an approver of the pledging council, or the pledger when "
        "the pledge is within the council's delegated limit; while the pledge awaits approval, "
        "is offered or accepted. Once only: 409 if a decision is already recorded.",
        request=s.PledgeDecisionInputSerializer,
        responses={200: s.PledgeDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        pledge = self.get_object()
        serializer = s.PledgeDecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.pledge_record_decision(
            actor=request.user,
            pledge=pledge,
            title=data["title"],
            decided_on=data["date"],
            url=data["url"],
        )
        return self._detail(pledge)


@extend_schema(summary="Service-area tags", responses={200: s.ServiceAreaSerializer(many=True)})
class ServiceAreaList(ApiView, APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        areas = ServiceArea.objects.annotate(
            project_count=Count("projects", filter=Q(projects__in=Project.objects.visible()))
        ).order_by("name")
        return Response(s.ServiceAreaSerializer(areas, many=True).data)


class StatsSerializer(serializers.Serializer):
    councils_taking_part = serializers.IntegerField()
    projects = serializers.IntegerField()
    projects_by_phase = serializers.DictField(child=serializers.IntegerField())
    money_pledged = MoneySerializer()
    money_accepted = MoneySerializer()
    days_pledged = serializers.DecimalField(max_digits=9, decimal_places=1)
    days_accepted = serializers.DecimalField(max_digits=9, decimal_places=1)
    money_conditional = MoneySerializer(
        help_text="Offered only if enough other councils pledge too: not in money_pledged."
    )
    money_matched = MoneySerializer(
        help_text="What match pledges give now, following others' pledges: not in money_pledged."
    )
    days_conditional = serializers.DecimalField(
        max_digits=9, decimal_places=1, help_text="As money_conditional, for staff time."
    )
    days_matched = serializers.DecimalField(
        max_digits=9, decimal_places=1, help_text="As money_matched, for staff time."
    )


@extend_schema(summary="The home page's headline figures", responses={200: StatsSerializer})
class StatsView(ApiView, APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        pagecache.depends_on(scopes.LISTING, scopes.SUPPORT)
        version = pagecache.part_version(scopes.LISTING, scopes.SUPPORT)
        stats = pagecache.cached_part("headline-stats", version, selectors.headline_stats)
        return Response(
            {
                "councils_taking_part": stats["councils_taking_part"],
                "projects": stats["projects"],
                "projects_by_phase": stats["projects_by_phase"],
                "money_pledged": money(stats["money_pledged"]),
                "money_accepted": money(stats["money_committed"]),
                "days_pledged": days(stats["days_pledged"]),
                "days_accepted": days(stats["days_committed"]),
                "money_conditional": money(stats["money_conditional"]),
                "money_matched": money(stats["money_matched"]),
                "days_conditional": days(stats["days_conditional"]),
                "days_matched": days(stats["days_matched"]),
            }
        )


class CsvExportView(ApiView, GenericAPIView):
    """Base for CSV exports: the same FilterSet as the JSON listing, streamed as CSV."""

    permission_classes = [AllowAny]
    pagination_class = None
    columns: list[str] = []
    filename = ""

    def rows(self, queryset, base: str):
        raise NotImplementedError

    def perform_content_negotiation(self, request, force=False):
        # The body is CSV whatever Accept says, and errors are JSON: `Accept: text/csv`, which
        # spreadsheet tools and curl scripts send, was refused with a 406 before.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        return exports.csv_response(
            request,
            self.filename,
            self.columns,
            self.rows(queryset.iterator(chunk_size=2000), exports.base_url(request)),
        )


@extend_schema(
    summary="Projects as CSV",
    description="Same filters as GET /api/v1/projects/. Columns: "
    + ", ".join(exports.PROJECT_COLUMNS),
    responses={(200, "text/csv"): OpenApiTypes.STR, **READ_ERRORS},
)
class ProjectCsvView(CsvExportView):
    filterset_class = ProjectFilterSet
    columns = exports.PROJECT_COLUMNS
    filename = "pipeline-projects.csv"

    def get_queryset(self):
        return selectors.project_list()

    def rows(self, queryset, base):
        return exports.project_rows(queryset, base)


@extend_schema(
    summary="Pledges as CSV",
    description="Same filters as GET /api/v1/pledges/. Columns: "
    + ", ".join(exports.PLEDGE_COLUMNS),
    responses={(200, "text/csv"): OpenApiTypes.STR, **READ_ERRORS},
)
class PledgeCsvView(CsvExportView):
    filterset_class = PledgeFilterSet
    columns = exports.PLEDGE_COLUMNS
    filename = "pipeline-pledges.csv"

    def get_queryset(self):
        return (
            selectors.pledge_list()
            .select_related("project__lead_council")
            .order_by("-created_at", "-pk")
        )

    def rows(self, queryset, base):
        return exports.pledge_rows(queryset, base)


class TeamViewSet(ApiView, viewsets.GenericViewSet):
    """Team memberships: request to join, and the owner's or member's decisions."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = s.TeamMembershipSerializer
    queryset = TeamMembership.objects.none()

    def _membership(self, pk) -> TeamMembership:
        if not (str(pk).isascii() and str(pk).isdigit()):  # /team-memberships/x/… was a 500
            raise Http404
        membership = (
            TeamMembership.objects.select_related("project", "user", "council")
            .filter(pk=pk)
            .first()
        )
        if (
            membership is None
            or selectors.project_for_page(slug=membership.project.slug, user=self.request.user)
            is None
        ):
            raise Http404
        return membership

    def _respond(self, membership, code=status.HTTP_200_OK) -> Response:
        membership = TeamMembership.objects.select_related("project", "user", "council").get(
            pk=membership.pk
        )
        return Response(s.TeamMembershipSerializer(membership).data, status=code)

    @extend_schema(
        summary="Approve a request to join (project owner)",
        request=s.TeamDecisionSerializer,
        responses={200: s.TeamMembershipSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = _valid(s.TeamDecisionSerializer, request.data)
        return self._respond(
            people.team_approve(actor=request.user, membership=self._membership(pk), **data)
        )

    @extend_schema(
        summary="Decline a request to join (project owner)",
        request=s.TeamDecisionSerializer,
        responses={200: s.TeamMembershipSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = _valid(s.TeamDecisionSerializer, request.data)
        return self._respond(
            people.team_decline(actor=request.user, membership=self._membership(pk), **data)
        )

    @extend_schema(
        summary="Leave the team (yourself) or remove a member (project owner)",
        request=None,
        responses={200: s.TeamMembershipSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        return self._respond(people.team_leave(actor=request.user, membership=self._membership(pk)))


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema_view(
    get=extend_schema(
        summary="Projects you follow", responses={200: s.FollowSerializer(many=True), **ERRORS}
    ),
    post=extend_schema(
        summary="Follow a project",
        request=s.FollowInputSerializer,
        responses={201: s.FollowSerializer, **ERRORS},
    ),
)
class FollowList(ApiView, GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = s.FollowSerializer
    pagination_class = None
    filter_backends: list = []
    queryset = Follow.objects.none()

    def get(self, request):
        follows = (
            Follow.objects.filter(user=request.user)
            .select_related("project")
            .order_by("-created_at")
        )
        return Response(s.FollowSerializer(follows, many=True).data)

    def post(self, request):
        data = _valid(s.FollowInputSerializer, request.data)
        project = selectors.project_for_page(slug=data["project"], user=request.user)
        if project is None:
            raise InvalidInput(
                f"No published project has the slug '{data['project']}'.", field="project"
            )
        follow = people.follow_project(actor=request.user, project=project)
        return Response(s.FollowSerializer(follow).data, status=status.HTTP_201_CREATED)


@extend_schema(summary="Stop following a project", responses={204: None, **ERRORS})
class FollowDetail(ApiView, APIView):
    permission_classes = [IsAuthenticated]

    def delete(self, request, slug: str):
        project = selectors.project_for_page(slug=slug, user=request.user)
        if project is None:
            raise Http404
        people.unfollow_project(actor=request.user, project=project)
        return Response(status=status.HTTP_204_NO_CONTENT)
