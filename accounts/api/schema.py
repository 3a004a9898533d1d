from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HashedTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`, with a key from POST /api/v1/auth/token/.",
        }
