"""The provider's claims, and the ways it can be told to misbehave (``state.MODE``)."""

import json
from datetime import timedelta

from django.utils import timezone
from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator

from . import state

# A key the provider does not publish, for a forged ID token under the published key's id.
FORGER = jwk.JWK.generate(kty="RSA", size=2048)


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

    def finalize_id_token(self, id_token, token, token_handler, request):
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        if state.MODE != "forged_signature":
            return signed
        original = jwt.JWT(jwt=signed, key=request.client.jwk_key)
        forged = jwt.JWT(header=original.token.jose_header, claims=json.loads(original.claims))
        forged.make_signed_token(FORGER)
        return forged.serialize()
