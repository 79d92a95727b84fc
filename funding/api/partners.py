"""API routes: a bid's partner councils and the consortium builder's suggestions.

Thin views over ``funding.services.partners`` and ``funding.selectors.partners``. A bid's
partners are seen as on the web: all of them by the bid's own side (the lead council's verified
members, the project's team, organisers); its confirmed partners by everyone once it is
submitted; an invited council's own row by that council's members. To anyone else a draft bid
does not exist (404). Writes are checked in the services (403, 409), and take an
``Idempotency-Key`` like every other write.
"""

from django.db.models import Q
from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.serializers import ErrorSerializer, StrictInputSerializer
from core.api.views import ApiView
from core.errors import InvalidInput, NotAllowed
from councils.models import Council

from ..models import Application, ApplicationPartner, PartnerState
from ..selectors import partners as selectors
from ..selectors.partners import Evidence, PartnerStanding
from ..services import partners as services

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Bad input: `errors` names each field"),
    401: OpenApiResponse(ErrorSerializer, description="Sign in or send a token"),
    403: OpenApiResponse(
        ErrorSerializer,
        description="You may not do this: the lead council's members invite and remove; an "
        "approver or admin of the invited council (with a second factor) confirms or withdraws; "
        "its verified members decline",
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such bid or council, or not visible"),
    409: OpenApiResponse(
        ErrorSerializer,
        description="The bid or the invitation is not in a state that allows this (the bid is "
        "submitted, the call has closed, the council is already invited…)",
    ),
    422: OpenApiResponse(
        ErrorSerializer,
        description="The Idempotency-Key was used in the last 24 hours for a different request",
    ),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests; see Retry-After"),
}
READ_ERRORS = {k: v for k, v in ERRORS.items() if k in (400, 404, 429)}
SUGGESTION_ERRORS = {k: v for k, v in ERRORS.items() if k in (400, 403, 404, 429)}
MAX_SUGGESTIONS = 50


# --- serializers ----------------------------------------------------------------------------


class PartnerCouncilSerializer(serializers.Serializer):
    """A council as the other endpoints name one, with the slug that addresses it here."""

    code = serializers.CharField(help_text="The register code, such as KEN")
    gss_code = serializers.SerializerMethodField()
    slug = serializers.CharField(help_text="Names the council in this API's addresses")
    name = serializers.CharField(source="short_name")
    name_cy = serializers.SerializerMethodField()

    def get_gss_code(self, council: Council) -> str | None:
        return council.gss_code or None

    def get_name_cy(self, council: Council) -> str | None:
        return council.name_cy or None


class PartnerSerializer(serializers.Serializer):
    council = PartnerCouncilSerializer()
    state = serializers.ChoiceField(choices=PartnerState.choices)
    contribution = serializers.CharField(
        help_text="What the council brings (confirmed), or what the lead asked it to bring"
    )
    suggested_because = serializers.SerializerMethodField(
        help_text="Why the consortium builder suggested the council, when it did: for the bid's "
        "own side and the council only (empty for others)"
    )
    invited_by = serializers.SerializerMethodField()
    invited_at = serializers.DateTimeField()
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(help_text="Why it declined or withdrew")

    def _standing(self) -> PartnerStanding:
        return self.context.get("standing", selectors.NOBODY)

    def get_suggested_because(self, partner: ApplicationPartner) -> list[str]:
        standing = self._standing()
        if not (standing.party or standing.member_of(partner.council_id)):
            return []
        return [line for line in partner.suggested_because.splitlines() if line.strip()]

    def get_invited_by(self, partner: ApplicationPartner) -> str | None:
        return partner.invited_by.get_full_name() if partner.invited_by else None

    def get_decided_by(self, partner: ApplicationPartner) -> str | None:
        return partner.decided_by.get_full_name() if partner.decided_by else None


class InviteInputSerializer(StrictInputSerializer):
    council = serializers.CharField(
        max_length=140, help_text="The council to invite: its register code (KEN) or its slug"
    )
    contribution = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    message = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Sent with the invitation email; not stored on the bid",
    )
    from_suggestion = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The invitation follows the consortium builder's suggestion: its reasons are "
        "stored with it and shown to the council",
    )


class AcceptInputSerializer(StrictInputSerializer):
    contribution = serializers.CharField(
        max_length=2000, help_text="What your council will bring to the bid"
    )


class ReasonInputSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=2000, help_text="The lead council sees it")


class ReasonSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[
            Evidence.DEMAND,
            Evidence.FOLLOWS,
            Evidence.WORKED_TOGETHER,
            Evidence.SERVICE_AREA,
            Evidence.SIMILAR,
        ]
    )
    text = serializers.CharField()
    points = serializers.IntegerField()


class SuggestionSerializer(serializers.Serializer):
    council = PartnerCouncilSerializer()
    score = serializers.IntegerField()
    meets_required_commitments = serializers.BooleanField(
        source="meets_commitments",
        allow_null=True,
        help_text="Signed every commitment the call requires (null when it requires none)",
    )
    commitments = serializers.CharField(source="commitments_text")
    reasons = ReasonSerializer(many=True)


# --- views ----------------------------------------------------------------------------------


class _BidPart(ApiView, APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    def bid(self) -> tuple[Application, PartnerStanding]:
        application = selectors.application_for_partners(pk=self.kwargs["pk"])
        if application is None:
            raise Http404
        standing = selectors.partner_standing(user=self.request.user, application=application)
        if not selectors.partners_visible_to(application=application, standing=standing):
            raise Http404
        return application, standing

    def partner(self) -> tuple[ApplicationPartner, PartnerStanding]:
        application, standing = self.bid()
        partner = (
            selectors.partner_list(application=application, standing=standing)
            .filter(council__slug=self.kwargs["council"])
            .first()
        )
        if partner is None:
            raise Http404
        partner.application = application
        return partner, standing

    def valid(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def answer(self, partner, standing, code: int = status.HTTP_200_OK) -> Response:
        fresh = (
            ApplicationPartner.objects.select_related("council", "invited_by", "decided_by")
            .filter(pk=partner.pk)
            .first()
        )
        return Response(PartnerSerializer(fresh, context={"standing": standing}).data, status=code)


def _council(text: str) -> Council:
    text = text.strip()
    council = Council.objects.filter(Q(code__iexact=text) | Q(slug=text.lower())).first()
    if council is None:
        raise InvalidInput(f"No council has the register code or slug '{text}'.", field="council")
    return council


class PartnerList(_BidPart):
    @extend_schema(
        summary="A bid's partner councils, in the order they were invited",
        description="The bid's own side sees every invitation and answer; once the bid is "
        "submitted, everyone sees its confirmed partners; an invited council's members see its "
        "own invitation.",
        responses={200: PartnerSerializer(many=True), **READ_ERRORS},
    )
    def get(self, request, pk: int):
        application, standing = self.bid()
        rows = selectors.partner_list(application=application, standing=standing)
        return Response(PartnerSerializer(rows, many=True, context={"standing": standing}).data)

    @extend_schema(
        summary="Invite a council into the bid (verified members of the lead council)",
        description="While the bid is a draft and the call is open. The council's approvers "
        "and admins are emailed. A council that declined or withdrew may be invited again.",
        request=InviteInputSerializer,
        responses={201: PartnerSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        application, standing = self.bid()
        data = self.valid(InviteInputSerializer)
        partner = services.partner_invite(
            actor=request.user,
            application=application,
            council=_council(data["council"]),
            contribution=data["contribution"],
            message=data["message"],
            from_suggestion=data["from_suggestion"],
        )
        return self.answer(partner, standing, status.HTTP_201_CREATED)


class PartnerDetail(_BidPart):
    @extend_schema(
        summary="One partner council of a bid", responses={200: PartnerSerializer, **READ_ERRORS}
    )
    def get(self, request, pk: int, council: str):
        partner, standing = self.partner()
        return Response(PartnerSerializer(partner, context={"standing": standing}).data)

    @extend_schema(
        summary="Remove an invited or confirmed council from the bid (the lead council)",
        description="Before the bid is submitted. The council is told.",
        responses={204: None, **ERRORS},
    )
    def delete(self, request, pk: int, council: str):
        partner, _standing = self.partner()
        services.partner_remove(actor=request.user, partner=partner)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PartnerAccept(_BidPart):
    @extend_schema(
        summary="Confirm your council's part in the bid (its approvers and admins)",
        description="Needs a second factor. While the bid is a draft and the call is open.",
        request=AcceptInputSerializer,
        responses={200: PartnerSerializer, **ERRORS},
    )
    def post(self, request, pk: int, council: str):
        partner, standing = self.partner()
        data = self.valid(AcceptInputSerializer)
        services.partner_accept(actor=request.user, partner=partner, **data)
        return self.answer(partner, standing)


class PartnerDecline(_BidPart):
    @extend_schema(
        summary="Decline the invitation (any verified member of the invited council)",
        request=ReasonInputSerializer,
        responses={200: PartnerSerializer, **ERRORS},
    )
    def post(self, request, pk: int, council: str):
        partner, standing = self.partner()
        data = self.valid(ReasonInputSerializer)
        services.partner_decline(actor=request.user, partner=partner, **data)
        return self.answer(partner, standing)


class PartnerWithdraw(_BidPart):
    @extend_schema(
        summary="Withdraw your council's confirmation (its approvers and admins)",
        description="Needs a second factor. Until the bid is submitted.",
        request=ReasonInputSerializer,
        responses={200: PartnerSerializer, **ERRORS},
    )
    def post(self, request, pk: int, council: str):
        partner, standing = self.partner()
        data = self.valid(ReasonInputSerializer)
        services.partner_withdraw(actor=request.user, partner=partner, **data)
        return self.answer(partner, standing)


class SuggestionLimitSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_SUGGESTIONS, default=20)


class SuggestionList(_BidPart):
    @extend_schema(
        summary="Councils the consortium builder suggests for the bid (the lead council)",
        description="Ranked by evidence, strongest first, each with the reasons and their "
        "points: said 'we need this too' (100), officers following the project (40 to 60), "
        "worked with the lead before (25 to 35), same service areas (10 to 22), same type or "
        "region (up to 9); signing every commitment the call requires adds 3. Never the lead, "
        "councils already in the bid, ended councils or bodies not on the register.",
        parameters=[
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"How many, 1 to {MAX_SUGGESTIONS} (20 unless given)",
            )
        ],
        responses={200: SuggestionSerializer(many=True), **SUGGESTION_ERRORS},
    )
    def get(self, request, pk: int):
        application, standing = self.bid()
        if not standing.lead_member:
            raise NotAllowed(
                "Only verified members of the lead council see the suggestions for its bid."
            )
        query = SuggestionLimitSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        suggestions = selectors.consortium_suggestions(
            application, limit=query.validated_data["limit"]
        )
        return Response(SuggestionSerializer(suggestions, many=True).data)


urlpatterns: list = [
    path("applications/<int:pk>/partners/", PartnerList.as_view(), name="application-partners"),
    path(
        "applications/<int:pk>/partners/<slug:council>/",
        PartnerDetail.as_view(),
        name="application-partner",
    ),
    path(
        "applications/<int:pk>/partners/<slug:council>/accept/",
        PartnerAccept.as_view(),
        name="application-partner-accept",
    ),
    path(
        "applications/<int:pk>/partners/<slug:council>/decline/",
        PartnerDecline.as_view(),
        name="application-partner-decline",
    ),
    path(
        "applications/<int:pk>/partners/<slug:council>/withdraw/",
        PartnerWithdraw.as_view(),
        name="application-partner-withdraw",
    ),
    path(
        "applications/<int:pk>/suggestions/",
        SuggestionList.as_view(),
        name="application-suggestions",
    ),
]
