"""Exchanging an email and password for a personal API token, for scripts."""

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.serializers import ErrorSerializer, StrictInputSerializer
from core.api.views import ApiView
from core.cache import cache_required
from core.errors import NotAllowed
from core.security import ScopedRateThrottle

from .models import TokenAccess
from .services import TOKEN_LIFETIMES, api_token_create, default_token_name


class TokenRequestSerializer(StrictInputSerializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        max_length=80,
        required=False,
        allow_blank=True,
        help_text="What the token is for, shown on your Sessions and tokens page. Optional: "
        '"Made with the API on <date>" if left out.',
    )
    access = serializers.ChoiceField(
        choices=TokenAccess.choices,
        required=False,
        default=TokenAccess.WRITE,
        help_text='"read": the token may only read (GET); a write with it is refused with 403 '
        '(code "token_read_only"). "write" (the default): read and write.',
        error_messages={"invalid_choice": 'Choose "read" or "write".'},
    )
    expires_in_days = serializers.ChoiceField(
        choices=TOKEN_LIFETIMES,
        required=False,
        allow_null=True,
        default=None,
        help_text="Days until the token expires: 30, 90 or 365; null or left out for a token "
        'that lasts until revoked. An expired token is refused with 401 (code "token_expired").',
        error_messages={
            "invalid_choice": "Choose 30, 90 or 365 days, or null for a token that does not expire."
        },
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as 'Authorization: Bearer <token>'. Shown once.")
    name = serializers.CharField()
    prefix = serializers.CharField()
    access = serializers.ChoiceField(choices=TokenAccess.choices)
    expires_at = serializers.DateTimeField(allow_null=True, help_text="Null: never expires.")


class TokenView(ApiView, APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"
    # Its answer is a secret shown once: it is never stored, so never replayed.
    idempotent = False

    def check_throttles(self, request) -> None:
        """Token requests per address must be counted: if the cache that counts them does not
        answer, refuse (503 in the API's error shape) rather than issue tokens unlimited."""
        with cache_required():
            super().check_throttles(request)

    @extend_schema(
        summary="Exchange your email and password for a personal API token",
        request=TokenRequestSerializer,
        responses={
            201: TokenSerializer,
            400: OpenApiResponse(ErrorSerializer),
            403: OpenApiResponse(
                ErrorSerializer,
                description=(
                    "Wrong email or password, an unconfirmed address, or an account with "
                    "two-factor authentication (whose tokens are made on the site)"
                ),
            ),
            429: OpenApiResponse(ErrorSerializer),
            503: OpenApiResponse(
                ErrorSerializer, description="Sign-in attempts cannot be counted just now"
            ),
        },
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            # allauth's own check, as on the sign-in page: failures count toward the same
            # per-address and per-account limits, and a locked account stays locked here.
            user = get_adapter(request._request).authenticate(
                request._request, email=data["email"], password=data["password"]
            )
        except ValidationError as exc:
            raise Throttled(detail=exc.messages[0]) from exc
        if user is None or not user.is_active:
            raise NotAllowed(
                "The email address or password is not right.", code="authentication_failed"
            )
        if not EmailAddress.objects.filter(
            user=user, email__iexact=data["email"], verified=True
        ).exists():
            # Signing in on the site needs a confirmed address; so does a token.
            raise NotAllowed(
                "Confirm your email address first: follow the link in the email we sent you.",
                code="email_not_confirmed",
            )
        if is_mfa_enabled(user):
            # A password alone must not be enough for someone who has a second factor: the
            # token would carry all their powers without it.
            raise NotAllowed(
                "Your account has two-factor authentication, so a password alone gets no "
                "token. Sign in on the site and create one on your profile's API tokens page "
                "(/accounts/tokens/).",
                code="second_factor_required",
            )
        name = data.get("name", "").strip() or default_token_name()
        token, plaintext = api_token_create(
            user=user,
            name=name,
            access=data["access"],
            expires_in_days=data["expires_in_days"],
        )
        body = {
            "token": plaintext,
            "name": token.name,
            "prefix": token.prefix,
            "access": token.terms.access,
            "expires_at": token.terms.expires_at,
        }
        return Response(TokenSerializer(body).data, status=status.HTTP_201_CREATED)
