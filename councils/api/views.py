from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from core import pagecache
from core.api.views import ApiView
from projects.api.views import ERRORS, READ_ERRORS
from projects.selectors import council_pledge_totals

from .. import services
from ..filters import CouncilFilterSet
from ..models import Council
from .serializers import (
    CouncilDetailSerializer,
    CouncilLimitsInputSerializer,
    CouncilSerializer,
    DelegatedLimitsSerializer,
    delegated_limits,
)


@extend_schema_view(
    list=extend_schema(
        summary="The council register",
        description="Same filters as the /councils/ page; current councils unless `status` is set.",
        responses={200: CouncilSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One council by register code, with its pledge totals by state",
        responses={200: CouncilDetailSerializer, **READ_ERRORS},
    ),
)
class CouncilViewSet(
    ApiView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]+"
    filterset_class = CouncilFilterSet
    permission_classes = [AllowAny]
    serializer_class = CouncilSerializer
    queryset = Council.objects.all()

    def get_cursor_ordering(self):
        return ("short_name", "pk")

    def list(self, request, *args, **kwargs):
        # The register and its members: no pledge, need or update changes it.
        pagecache.depends_on(pagecache.CONTENT_ONLY)
        return super().list(request, *args, **kwargs)

    def get_object(self) -> Council:
        council = Council.objects.filter(code__iexact=self.kwargs["code"]).first()
        if council is None:
            raise Http404
        return council

    def retrieve(self, request, *args, **kwargs):
        council = self.get_object()
        context = {"request": request, "pledge_totals": council_pledge_totals(council=council)}
        return Response(CouncilDetailSerializer(council, context=context).data)

    @extend_schema(
        summary="Set the council's delegated limits (council admins)",
        description="Pledges over a limit, made by anyone but an approver of the council, wait "
        "for an approver's sign-off before the lead council sees them. Null: no limit.",
        request=CouncilLimitsInputSerializer,
        responses={200: DelegatedLimitsSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticatedOrReadOnly])
    def limits(self, request, code=None):
        council = self.get_object()
        serializer = CouncilLimitsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        council = services.council_set_limits(
            actor=request.user, council=council, **serializer.limits()
        )
        return Response(delegated_limits(council))
