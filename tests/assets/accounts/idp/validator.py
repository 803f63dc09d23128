"""The provider's claims, and the misbehaviour some test accounts ask for."""

import base64
import json
import time

from oauth2_provider.oauth2_validators import OAuth2Validator


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Validator(OAuth2Validator):
    # Every claim below goes out whatever the scopes (department and groups are not standard).
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "email": user.email,
            "name": user.first_name or user.username,
            "department": user.last_name,
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        if request.user.username == "expired":
            claims["exp"] = int(time.time()) - 600
        return claims, expiration

    def finalize_id_token(self, id_token, token, token_handler, request):
        if request.user.username == "foreign-aud":
            id_token["aud"] = "another-application"
        serialized = super().finalize_id_token(id_token, token, token_handler, request)
        if request.user.username == "tampered":
            # A man in the middle promotes the person to another department; the signature
            # no longer matches.
            header, payload, signature = serialized.split(".")
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            claims["department"] = "BUREAU"
            serialized = ".".join([header, _b64(json.dumps(claims).encode()), signature])
        return serialized
