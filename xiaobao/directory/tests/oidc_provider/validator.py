from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    oidc_claim_scope = None  # every claim below, whatever the scopes

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        profile = getattr(user, "profile", None)
        claims: dict[str, Any] = {
            "preferred_username": user.username,
            "email": user.email,
            "name": profile.name if profile else "",
            "department": profile.unit if profile else "",
            "groups": sorted(g.name for g in user.groups.all()),
        }
        if profile is not None:
            claims.update(profile.extra)
        return claims
