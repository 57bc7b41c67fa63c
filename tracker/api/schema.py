"""The OpenAPI description: drf-spectacular's, plus what it cannot infer on its own: the error responses every
operation may give, the shape of CSV and GeoJSON bodies, 304 for conditional reads, and an example for every
parameter."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema

from .pagination import encode_change_cursor

ERROR_REF = {"$ref": "#/components/schemas/Error"}

ERRORS = {
    "400": "Bad input: `error.fields` names each parameter or field at fault",
    "401": "No credentials, or a token that is invalid, revoked or expired",
    "403": "Authenticated, but not allowed (partner tokens read; only editors write)",
    "404": "No such resource, or a page past the end",
    "406": "The `Accept` header asks for a format this endpoint does not offer",
    "429": "Over the rate limit; `Retry-After` says how many seconds to wait",
}

# Examples for parameters that have the same meaning on every endpoint.
PARAMETER_EXAMPLES: dict[str, Any] = {
    "crisis": "israel-hamas-war",
    "crossing": "rafah",
    "party": "egypt",
    "actor": "egypt",
    "source": "stars-and-stripes",
    "slug": "rafah",
    "uid": "3f6f3c1e-2b7d-4c0e-9a57-0d6cbb2f5e11",
    "country": "EGY",
    "as_of": "2023-10-16T09:00:00Z",
    "updated_since": "2023-10-15T00:00:00Z",
    "effective_after": "2023-10-07T00:00:00Z",
    "effective_before": "2023-10-31T23:59:59Z",
    "published_after": "2023-10-07T00:00:00Z",
    "published_before": "2023-10-31T23:59:59Z",
    "opened_after": "2023-10-01",
    "opened_before": "2023-10-31",
    "announced_after": "2023-10-01",
    "announced_before": "2023-10-31",
    "date_from": "2023-10-07",
    "date_to": "2023-10-31",
    "day_from": "2023-10-21",
    "day_to": "2023-10-31",
    "q": "rafah closed",
    "language": "en",
    "page": 1,
    "page_size": 50,
    "after": encode_change_cursor(41),
    "limit": 100,
}

DATETIME = {"type": "string", "format": "date-time"}
DATETIME_PARAMS = {"updated_since", "as_of"}
FORMAT_DESCRIPTION = (
    "Response format, instead of an `Accept` header: `json` (default); `csv`, the whole filtered list (not one "
    "page) streamed, with an HXL hashtag row under the header and ISO 3166 codes beside country names; `geojson` "
    "(crossings only), a FeatureCollection with the current status in each feature's properties."
)
PATH_DESCRIPTIONS = {
    "slug": "The resource's slug (stable, lower case, from its name)",
    "uid": "The resource's public id (a UUID)",
}

CSV_SCHEMA = {
    "type": "string",
    "description": "CSV: a header row, an HXL hashtag row (#loc+crossing, #status, #date ...), then the rows.",
}

GEOMETRY = {
    "type": "object",
    "nullable": True,
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
    },
}
FEATURE = {
    "type": "object",
    "required": ["type", "id", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string"},
        "geometry": GEOMETRY,
        "properties": {"type": "object"},
    },
}
FEATURE_COLLECTION = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": FEATURE},
    },
}


class ApiAutoSchema(AutoSchema):
    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters = super()._get_parameters()
        for parameter in parameters:
            name = parameter["name"]
            schema = parameter.setdefault("schema", {})
            if not schema.get("type") and "$ref" not in schema:
                # Filters with a ``method`` carry no type of their own.
                schema.update(DATETIME if name in DATETIME_PARAMS else {"type": "string"})
            if name == "format":
                parameter["description"] = FORMAT_DESCRIPTION
            if parameter["in"] == "path":
                parameter["description"] = PATH_DESCRIPTIONS.get(name, parameter.get("description", ""))
                example = getattr(self.view, "path_example", None)
                if example:
                    parameter["example"] = example
            if "example" in parameter or "examples" in parameter:
                continue
            if name in PARAMETER_EXAMPLES:
                parameter["example"] = PARAMETER_EXAMPLES[name]
            elif schema.get("enum"):
                parameter["example"] = schema["enum"][0]
            if not parameter.get("description"):
                parameter["description"] = name.replace("_", " ").capitalize()
        return parameters

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:  # type: ignore[override]
        responses = super()._get_response_bodies(direction)  # type: ignore[arg-type]
        detail = not self._is_list_view()
        for code, response in responses.items():
            content = response.get("content", {})
            if "text/csv" in content:
                content["text/csv"] = {"schema": CSV_SCHEMA}
            if "application/geo+json" in content:
                content["application/geo+json"] = {"schema": FEATURE if detail else FEATURE_COLLECTION}
            if code.startswith("2") and not response.get("description"):
                response["description"] = "Success"
        if self.method == "GET":
            responses.setdefault("304", {"description": "Not modified: the `If-None-Match` ETag still matches"})
        for code, description in ERRORS.items():
            responses.setdefault(
                code, {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}
            )
        return responses


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable and machine-readable: invalid, not_authenticated, authentication_failed, "
                    "permission_denied, not_found, not_acceptable, throttled, ...",
                    "example": "invalid",
                },
                "message": {"type": "string", "example": "Invalid `status`: Select a valid choice."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Each query parameter or body field at fault, with what is wrong with it",
                    "example": {"status": ["Select a valid choice. shut is not one of the available choices."]},
                },
            },
        }
    },
}


def add_error_component(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: the error shape every operation refers to."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    return result


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tracker.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A partner token: `Authorization: Bearer trk_...`. Ask the tracker's editors for one.",
        }


class StaffSessionScheme(OpenApiAuthenticationExtension):
    target_class = "tracker.api.authentication.StaffSessionAuthentication"
    name = "staffSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid", "description": "Signed-in staff (browser)"}
