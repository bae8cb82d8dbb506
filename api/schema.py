"""OpenAPI generation: every operation documents the error answers it can give, in the one error format."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from api.serializers import ErrorSerializer

# 400 bad input, 401 no or bad token, 403 role without the right, 404 missing or outside the scope, 405/406/415
# wrong method or media type, 429 throttled. Documented on every operation: DRF can answer each of them anywhere.
ERROR_STATUSES = ("400", "401", "403", "404", "405", "406", "415", "429")


class RentanAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        extra = ["409"] if self.method == "POST" else []
        for status_code in (*ERROR_STATUSES, *extra):
            responses.setdefault(status_code, self._get_response_for_code(ErrorSerializer, status_code))
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Personal tokens in the schema: ``Authorization: Bearer rentan_<prefix>_<secret>``."""

    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenApi"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "rentan_<awalan>_<rahasia>"}
