"""OpenAPI pieces drf-spectacular cannot infer: our token scheme and the site header."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

SITE_HEADER = OpenApiParameter(
    name="X-Site-Id",
    type=OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Id of the site to work in (X-Entity-Id is accepted too). "
        "Defaults to your default site. A site you are not a member of is refused."
    ),
)


class APITokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.authentication.APITokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` or `Bearer <key>`. Create keys on your account page "
            "or with GET /api/user/token/ and HTTP basic auth.",
        }


class AutoSchema(BaseAutoSchema):
    """Adds the site header to every site-scoped operation."""

    def get_override_parameters(self):
        params = super().get_override_parameters()
        if hasattr(self.view, "required_role"):
            params = [*params, SITE_HEADER]
        return params
