"""The OpenAPI schema tells every answer an operation can give, not only the happy one.

Views declare their special answers (409 on a state conflict) with extend_schema; this AutoSchema
adds the answers every DRF operation can give, so no view can forget them:
401 when authentication is required, 403 (role), 404 on paths with an id and on lists (an invalid
page), 400 on writes and on lists with query parameters, 415 on writes (a body that is not JSON or
a form), 429 where a throttle applies.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": True,
}
FIELD_ERRORS = {
    "type": "object",
    "description": "A list of messages per field (or non_field_errors).",
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Invalid input, with a message per field.",
    "401": "Not authenticated.",
    "403": "Not allowed for your role or team.",
    "404": "Not found, or not in your teams.",
    "415": "Unsupported media type: send JSON.",
    "429": "Too many requests; try again later.",
}


class CXAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        needs_auth = bool(getattr(self.view, "permission_classes", None)) and not self._allows_anonymous()
        codes = []
        if method in ("POST", "PUT", "PATCH") or operation.get("parameters"):
            codes.append("400")
        if needs_auth:
            codes += ["401", "403"]
        if "{" in path or self._is_list_view() or method in ("PUT", "PATCH", "DELETE"):
            codes.append("404")
        if method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        if getattr(self.view, "throttle_classes", None):
            codes.append("429")
        for code in codes:
            if code not in responses:
                schema = FIELD_ERRORS if code == "400" else ERROR
                responses[code] = {
                    "description": DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": schema}},
                }
        return operation

    def _allows_anonymous(self) -> bool:
        from rest_framework.permissions import AllowAny

        return any(p is AllowAny or getattr(p, "__name__", "") == "AllowAny" for p in self.view.permission_classes)


# For extend_schema(responses={...}) in views: the answers with the words this API uses.
ERRORS = {
    400: OpenApiResponse(description=DESCRIPTIONS["400"]),
    401: OpenApiResponse(description=DESCRIPTIONS["401"]),
    403: OpenApiResponse(description=DESCRIPTIONS["403"]),
    404: OpenApiResponse(description=DESCRIPTIONS["404"]),
}
CONFLICT = {409: OpenApiResponse(description="The object's state does not allow this (with the reason).")}
READ_ERRORS = {401: ERRORS[401], 404: ERRORS[404]}
