"""Thin API views over the same selectors and FilterSet as /funding/."""

from django.http import Http404
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.api.views import ApiView
from projects.api.views import READ_ERRORS

from ...filters.calls import CallFilterSet
from ...models import Call
from ...selectors import calls as selectors
from .serializers import CallDetailSerializer, CallSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Funding calls: open, opening soon, closed and decided",
        description="Same filters as the /funding/ page. Published and decided calls only. "
        "With `status`, in that section's order (open: closing first; upcoming: opening "
        "first; closed and decided: latest first); otherwise latest closing first. Cursor "
        "pages; follow `next`.",
        responses={200: CallSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One funding call with its rules, questions and criteria",
        description="A draft call is visible only to its funder's members and organisers.",
        responses={200: CallDetailSerializer, **READ_ERRORS},
    ),
)
class CallViewSet(
    ApiView, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filterset_class = CallFilterSet
    permission_classes = [AllowAny]
    serializer_class = CallSerializer

    def get_queryset(self):
        return selectors.public_calls()

    def get_cursor_ordering(self):
        status = self.request.query_params.get("status")
        return selectors.STAGE_ORDERING.get(status, selectors.DEFAULT_ORDERING)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["now"] = timezone.now()
        # Read when a call is shown, not when the schema is built (which shows none).
        context["council_type_names"] = SimpleLazyObject(selectors.council_type_names)
        return context

    def get_object(self) -> Call:
        call = selectors.call_for_page(slug=self.kwargs["slug"], user=self.request.user)
        if call is None:
            raise Http404
        return call

    def retrieve(self, request, *args, **kwargs):
        call = self.get_object()
        return Response(CallDetailSerializer(call, context=self.get_serializer_context()).data)
