from oauth2_provider.oauth2_validators import OAuth2Validator


class NotebridgeOAuth2Validator(OAuth2Validator):
    """Mastodon apps use one registration for the authorization-code and client-credentials grants."""

    ALLOWED = {"authorization_code", "client_credentials", "refresh_token"}

    def validate_grant_type(self, client_id, grant_type, client, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        return grant_type in self.ALLOWED
