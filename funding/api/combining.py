"""API routes: similar bids and suggestions to combine two of them.

- ``GET calls/<slug>/similar/``: the call's submitted bids in clusters of similar ones, per
  service area (organisers and the funder's moderators and admins).
- ``POST calls/<slug>/combine-suggestions/``: suggest that ``absorbed`` joins ``continuing``.
- ``GET combine-suggestions/<pk>/``: one suggestion (those people, and the verified members of
  the two lead councils; anyone else gets 404).
- ``POST combine-suggestions/<pk>/answer/``: ``agree`` or ``decline`` (with a reason) for your
  council's bid, or ``withdraw`` the suggestion.

Every rule is the services' and selectors', as for the pages.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.serializers import ErrorSerializer, StrictInputSerializer
from core.api.views import ApiView
from core.errors import InvalidInput
from projects.api.serializers import CouncilRefSerializer, council_ref

from ..models import Application, Call, CallStatus, CombineState, CombineSuggestion
from ..selectors import similar as selectors
from ..services import combining as services

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: `errors` names each field"),
    401: OpenApiResponse(ErrorSerializer, description="Sign in or send a token"),
    403: OpenApiResponse(
        ErrorSerializer,
        description="Not an organiser or a moderator of the funder (suggesting), not an "
        "officer with authority for a lead council (answering), or no second factor",
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such call or suggestion"),
    409: OpenApiResponse(
        ErrorSerializer,
        description="Not now: already suggested or answered, a bid withdrawn or decided",
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


def _bid(app: Application) -> dict:
    return {
        "application": app.pk,
        "project": {"slug": app.project.slug, "title": app.project.title},
        "lead_council": council_ref(app.lead_council),
    }


# --- shapes -----------------------------------------------------------------------------------


class CombineProjectRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()


class SimilarBidSerializer(serializers.Serializer):
    application = serializers.IntegerField(help_text="The application's id")
    project = CombineProjectRefSerializer()
    lead_council = CouncilRefSerializer()


class SimilarPairSerializer(serializers.Serializer):
    first = serializers.IntegerField(help_text="An application's id")
    second = serializers.IntegerField(help_text="The other application's id")
    similarity = serializers.DecimalField(
        max_digits=5, decimal_places=4, help_text="Cosine of the two bids' TF-IDF vectors, 0 to 1"
    )
    shared_words = serializers.ListField(
        child=serializers.CharField(), help_text="The words that weigh most in both"
    )
    suggestion = serializers.IntegerField(
        allow_null=True, help_text="The live suggestion to combine them, if any"
    )


class SimilarClusterSerializer(serializers.Serializer):
    applications = SimilarBidSerializer(many=True)
    pairs = SimilarPairSerializer(many=True)


class SimilarAreaSerializer(serializers.Serializer):
    service_area = serializers.SlugField(
        allow_null=True, help_text="null: bids whose projects name none of the areas"
    )
    applications = serializers.IntegerField(help_text="How many bids are in the area")
    clusters = SimilarClusterSerializer(many=True)


class SimilarBidsSerializer(serializers.Serializer):
    call = serializers.SlugField()
    applications = serializers.IntegerField(help_text="How many submitted bids were compared")
    threshold = serializers.DecimalField(max_digits=5, decimal_places=4)
    areas = SimilarAreaSerializer(many=True)


def similar_data(result: selectors.SimilarBids) -> dict:
    return {
        "call": result.call.slug,
        "applications": result.applications,
        "threshold": f"{result.threshold:.4f}",
        "areas": [
            {
                "service_area": group.area.slug if group.area else None,
                "applications": group.applications,
                "clusters": [
                    {
                        "applications": [_bid(app) for app in cluster.applications],
                        "pairs": [
                            {
                                "first": pair.first.pk,
                                "second": pair.second.pk,
                                "similarity": f"{pair.similarity:.4f}",
                                "shared_words": list(pair.shared),
                                "suggestion": pair.suggestion.pk if pair.suggestion else None,
                            }
                            for pair in cluster.pairs
                        ],
                    }
                    for cluster in group.clusters
                ],
            }
            for group in result.areas
        ],
    }


class CombineSuggestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    call = serializers.SlugField()
    state = serializers.ChoiceField(choices=CombineState.choices)
    continuing = SimilarBidSerializer(help_text="The bid that goes on")
    absorbed = SimilarBidSerializer(help_text="The bid that joins it")
    note = serializers.CharField(allow_blank=True)
    similarity = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    created_at = serializers.DateTimeField()
    continuing_agreed_at = serializers.DateTimeField(allow_null=True)
    absorbed_agreed_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    combined_at = serializers.DateTimeField(allow_null=True)


def suggestion_data(suggestion: CombineSuggestion) -> dict:
    return {
        "id": suggestion.pk,
        "call": suggestion.call.slug,
        "state": suggestion.state,
        "continuing": _bid(suggestion.continuing),
        "absorbed": _bid(suggestion.absorbed),
        "note": suggestion.note,
        "similarity": None if suggestion.similarity is None else str(suggestion.similarity),
        "created_at": _iso(suggestion.created_at),
        "continuing_agreed_at": _iso(suggestion.continuing_agreed_at),
        "absorbed_agreed_at": _iso(suggestion.absorbed_agreed_at),
        "closed_at": _iso(suggestion.closed_at),
        "reason": suggestion.reason,
        "combined_at": _iso(suggestion.combined_at),
    }


class CombineSuggestInputSerializer(StrictInputSerializer):
    continuing = serializers.IntegerField(help_text="The id of the bid that goes on")
    absorbed = serializers.IntegerField(help_text="The id of the bid that joins it")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CombineAnswerInputSerializer(StrictInputSerializer):
    action = serializers.ChoiceField(choices=["agree", "decline", "withdraw"])
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Needed to decline; both lead councils see it",
    )


# --- views ------------------------------------------------------------------------------------


class _Base(APIView):
    permission_classes = [IsAuthenticated]

    def call(self, slug: str) -> Call:
        return get_object_or_404(
            Call.objects.select_related("funder").exclude(status=CallStatus.DRAFT), slug=slug
        )

    def suggestion(self, pk: int) -> CombineSuggestion:
        suggestion = selectors.suggestion_for_page(pk=pk)
        if suggestion is None or not selectors.user_may_see_suggestion(
            user=self.request.user, suggestion=suggestion
        ):
            raise Http404
        return suggestion

    def valid(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class SimilarBidsView(ApiView, _Base):
    @extend_schema(
        summary="A call's submitted bids in clusters of similar ones, per service area "
        "(organisers and the funder's moderators)",
        responses={200: SimilarBidsSerializer, **READ_ERRORS},
    )
    def get(self, request, slug: str):
        call = self.call(slug)
        selectors.require_suggester(user=request.user, call=call)
        return Response(similar_data(selectors.similar_bids(call=call)))


class CombineSuggestView(ApiView, _Base):
    @extend_schema(
        summary="Suggest that two similar bids combine (organisers and the funder's moderators)",
        request=CombineSuggestInputSerializer,
        responses={201: CombineSuggestionSerializer, **ERRORS},
    )
    def post(self, request, slug: str):
        call = self.call(slug)
        selectors.require_suggester(user=request.user, call=call)
        data = self.valid(CombineSuggestInputSerializer)
        bids = {
            app.pk: app
            for app in Application.objects.filter(
                call=call, pk__in=(data["continuing"], data["absorbed"])
            ).select_related("call__funder", "project", "lead_council")
        }
        for name in ("continuing", "absorbed"):
            if data[name] not in bids:
                raise InvalidInput(_("No bid to this call has this id."), field=name)
        suggestion = services.combine_suggest(
            actor=request.user,
            continuing=bids[data["continuing"]],
            absorbed=bids[data["absorbed"]],
            note=data.get("note", ""),
        )
        return Response(suggestion_data(self.suggestion(suggestion.pk)), status=201)


class CombineSuggestionView(ApiView, _Base):
    @extend_schema(
        summary="One suggestion to combine two bids",
        responses={200: CombineSuggestionSerializer, **READ_ERRORS},
    )
    def get(self, request, pk: int):
        return Response(suggestion_data(self.suggestion(pk)))


class CombineAnswerView(ApiView, _Base):
    @extend_schema(
        summary="Agree or decline for your council's bid, or withdraw the suggestion",
        request=CombineAnswerInputSerializer,
        responses={200: CombineSuggestionSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        suggestion = self.suggestion(pk)
        data = self.valid(CombineAnswerInputSerializer)
        action = data["action"]
        if action == "agree":
            services.combine_agree(actor=request.user, suggestion=suggestion)
        elif action == "decline":
            services.combine_decline(
                actor=request.user, suggestion=suggestion, reason=data.get("reason", "")
            )
        else:
            services.combine_withdraw(
                actor=request.user, suggestion=suggestion, reason=data.get("reason", "")
            )
        return Response(suggestion_data(self.suggestion(pk)))


urlpatterns: list = [
    path("calls/<slug:slug>/similar/", SimilarBidsView.as_view(), name="call-similar"),
    path(
        "calls/<slug:slug>/combine-suggestions/",
        CombineSuggestView.as_view(),
        name="call-combine-suggestions",
    ),
    path(
        "combine-suggestions/<int:pk>/",
        CombineSuggestionView.as_view(),
        name="combine-suggestion",
    ),
    path(
        "combine-suggestions/<int:pk>/answer/",
        CombineAnswerView.as_view(),
        name="combine-suggestion-answer",
    ),
]
