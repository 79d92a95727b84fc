"""The provider's claims, and the ways it can be told to misbehave (``state.MODE``)."""

from datetime import timedelta

from django.utils import timezone
from oauth2_provider.oauth2_validators import OAuth2Validator

from . import state


class Validator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "email": "email",
        "email_verified": "email",
        "given_name": "profile",
        "family_name": "profile",
        "name": "profile",
    }

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": state.MODE != "unverified",
            "given_name": user.first_name,
            "family_name": user.last_name,
            "name": f"{user.first_name} {user.last_name}".strip(),
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        if state.MODE == "wrong_audience":
            claims["aud"] = "another-council-app"
        elif state.MODE == "expired":
            claims["exp"] = int((timezone.now() - timedelta(hours=1)).timestamp())
            claims["iat"] = int((timezone.now() - timedelta(hours=2)).timestamp())
        return claims, expiration_time
