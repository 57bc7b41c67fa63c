"""The OpenAPI 3.1 description: drf-spectacular's, plus what it cannot infer on its own and strict tools need to
read every answer we give: the error responses every operation may give; each format an endpoint serves (JSON, CSV,
GeoJSON) under its own media type with its own schema; the headers of every answer (validators, rate limits,
Retry-After, Location) and the conditional-request headers; and an example for every parameter.

Most of it is done once, in ``finish_schema`` (a post-processing hook), so that a new endpoint is described like
the others without decorating it. ``tests/test_api_schema_responses.py`` checks real answers of every endpoint
against the result, and ``tests/test_api_generated_client.py`` drives a client generated from it."""

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
    "(crossings only), a FeatureCollection with the current status in each feature's properties. Generated "
    "clients: call the same list under its file name (`crossings.csv`, `crossings.geojson`, ...), an operation "
    "that declares that one format, rather than passing `format` here."
)
PATH_DESCRIPTIONS = {
    "slug": "The resource's slug (stable, lower case, from its name)",
    "uid": "The resource's public id (a UUID)",
}

CSV_SCHEMA = {
    "type": "string",
    "description": "CSV: a header row, an HXL hashtag row (#loc+crossing, #status, #date ...), then the rows.",
}

POINT = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {
            "type": "array",
            "items": {"type": "number"},
            "minItems": 2,
            "maxItems": 2,
            "description": "Longitude, latitude (WGS 84), as RFC 7946 orders them",
        },
    },
}
FEATURE = {
    "type": "object",
    "required": ["type", "id", "geometry", "properties"],
    "description": "A crossing as an RFC 7946 Feature; `geometry` is null when its coordinates are not known.",
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string", "description": "The crossing's slug"},
        "geometry": {"oneOf": [{"$ref": "#/components/schemas/PointGeometry"}, {"type": "null"}]},
        "properties": {
            "type": "object",
            "additionalProperties": True,
            "description": "The crossing's fields and its status per kind of traffic, flat (one value per "
            "property), so that GIS tools can filter on them",
        },
    },
}
FEATURE_COLLECTION = {
    "type": "object",
    "required": ["type", "features"],
    "description": "Crossings as an RFC 7946 FeatureCollection",
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {"$ref": "#/components/schemas/CrossingFeature"}},
    },
}
GEOJSON_COMPONENTS = {
    "PointGeometry": POINT,
    "CrossingFeature": FEATURE,
    "CrossingFeatureCollection": FEATURE_COLLECTION,
}
FEATURE_REF = {"$ref": "#/components/schemas/CrossingFeature"}
FEATURE_COLLECTION_REF = {"$ref": "#/components/schemas/CrossingFeatureCollection"}
ALTERNATE_MEDIA_TYPES = ("text/csv", "application/geo+json")


# Exports under a file name (tracker/api/urls.py): each is an operation of its own, with the one format it serves.
ETAG_OPTIONAL = "_etag_optional"  # a mark for finish_schema, removed there
FILE_FORMATS = {".csv": ("text/csv", "CSV file"), ".geojson": ("application/geo+json", "GeoJSON file")}


class ApiAutoSchema(AutoSchema):
    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and not getattr(self.view, "watermark_models", ()):
            # A streamed CSV's validators come from the data's version; a list with none (webhooks) sends none.
            operation[ETAG_OPTIONAL] = True
        suffix = next((s for s in FILE_FORMATS if self.path.endswith(s)), None)
        if operation is None or suffix is None:
            return operation
        if self.method != "GET":
            return None  # a file is read only (tracker/api/urls.py)
        media_type, label = FILE_FORMATS[suffix]
        base = "_".join(part for part in operation["operationId"].replace(suffix, "").split("_") if part)
        operation["operationId"] = f"{base}_{suffix[1:]}"
        operation["tags"] = [tag.removesuffix(suffix) for tag in operation.get("tags", [])]
        operation["summary"] = f"{operation.get('summary') or ''} ({label})".strip()
        operation["description"] = (
            f"{operation.get('description') or ''}\n\nThe same as the address without `{suffix}`, always as "
            f"`{media_type}` whatever `Accept` says."
        ).strip()
        operation["parameters"] = [p for p in operation.get("parameters", []) if p.get("name") != "format"]
        ok = operation["responses"].get("200", {})
        ok["content"] = {key: value for key, value in ok.get("content", {}).items() if key == media_type}
        return operation

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
                if example and name == "slug":  # the view's own example names a crossing, not a row of it
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
            if self.method != "GET":
                # A write answers in JSON only: CSV and GeoJSON are formats of reads.
                for media_type in ALTERNATE_MEDIA_TYPES:
                    content.pop(media_type, None)
            if "text/csv" in content:
                content["text/csv"] = {"schema": CSV_SCHEMA}
            if "application/geo+json" in content:
                content["application/geo+json"] = {"schema": FEATURE_REF if detail else FEATURE_COLLECTION_REF}
            if code.startswith("2") and not response.get("description"):
                response["description"] = "Success"
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


# --- headers --------------------------------------------------------------------------------------------------


def _header(description: str, schema: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"description": description, "schema": schema or {"type": "string"}, **extra}


HEADERS: dict[str, dict[str, Any]] = {
    "ETag": _header(
        "A validator of this answer: strong for JSON and GeoJSON (a hash of the content type and body), weak "
        '(`W/"..."`) for streamed CSV (a hash of the data it was made from). Send it back as `If-None-Match` to '
        "get `304` while nothing changed.",
        example='"5d41402abc4b2a76b9719d911017c592"',
    ),
    "Last-Modified": _header(
        "When the data behind this answer last changed (an HTTP-date); absent while that was only minutes ago. "
        "Send it back as `If-Modified-Since`.",
        example="Mon, 16 Oct 2023 09:00:00 GMT",
    ),
    "Vary": _header("The request headers this answer depends on", example="Accept, Authorization, Cookie"),
    "Cache-Control": _header("Answers depend on the caller: caches must check with us first", example="private"),
    "Content-Disposition": _header(
        "CSV exports come as a file to save", example='attachment; filename="crossings-20231016T090000Z.csv"'
    ),
    "RateLimit-Policy": _header(
        "The caller's quota (IETF draft-ietf-httpapi-ratelimit-headers): the number of requests allowed per "
        "window, and the window's length in seconds. Absent when the server sets no limit.",
        example='"partner";q=600;w=60',
    ),
    "RateLimit": _header(
        "What is left of the quota in the current window and when it resets, in seconds (same draft). Absent "
        "when the server sets no limit.",
        example='"partner";r=599;t=42',
    ),
    "Retry-After": _header(
        "Seconds to wait before the next request", {"type": "integer", "minimum": 0}, example=30, required=True
    ),
    "Location": _header("The address of the row just created", {"type": "string", "format": "uri"}, required=True),
    "Deprecation": _header(
        "Set when this request used something that is going away (e.g. page numbers): when it was deprecated "
        "(RFC 9745)",
        example="@1767225600",
    ),
    "Sunset": _header("When what is deprecated stops working (RFC 8594)", example="Wed, 01 Jul 2026 00:00:00 GMT"),
    "Link": _header(
        'Related addresses: the next page (`rel="next"`), the replacement of something deprecated',
        example='<https://tracker.example.org/api/v1/crossings/?cursor=eyJ...>; rel="next"',
    ),
    "WWW-Authenticate": _header("How to authenticate: a bearer token", example='Bearer realm="api"'),
}
REQUIRED_ON_GET_200 = ("ETag",)
RATE_HEADERS = ("RateLimit-Policy", "RateLimit")
CONDITIONAL_PARAMETERS = {
    "If-None-Match": {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "The `ETag` of an answer you hold: `304 Not Modified` (no body) while it still matches",
        "schema": {"type": "string"},
        "example": '"5d41402abc4b2a76b9719d911017c592"',
    },
    "If-Modified-Since": {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "description": "The `Last-Modified` of an answer you hold: `304 Not Modified` while nothing changed since "
        "(`If-None-Match` wins when both are sent)",
        "schema": {"type": "string"},
        "example": "Mon, 16 Oct 2023 09:00:00 GMT",
    },
}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _headers(*names: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """References to the shared header components; a name in ``required`` is required on this response."""
    return {name: {**HEADERS[name], "required": True} if name in required else _ref("headers", name) for name in names}


def _declare_operation(path: str, method: str, operation: dict[str, Any]) -> None:
    responses = operation["responses"]
    etag_optional = operation.pop(ETAG_OPTIONAL, False)
    if method == "get":
        names = {parameter.get("name") for parameter in operation.get("parameters", [])}
        for name in CONDITIONAL_PARAMETERS:
            if name not in names:
                operation.setdefault("parameters", []).append(dict(CONDITIONAL_PARAMETERS[name]))
        ok = responses.get("200", {})
        listing = "text/csv" in ok.get("content", {})
        names_200 = ["ETag", "Last-Modified", "Vary", "Cache-Control", *RATE_HEADERS]
        if listing:
            names_200 += ["Content-Disposition", "Link", "Deprecation", "Sunset"]
        always = not (listing and etag_optional)
        ok["headers"] = _headers(*names_200, required=REQUIRED_ON_GET_200 if always else ())
        responses["304"] = {
            "description": "Not modified: the `If-None-Match` ETag (or `If-Modified-Since`) still matches; no body",
            "headers": _headers("ETag", "Last-Modified", "Vary", "Cache-Control", *RATE_HEADERS),
        }
    for code, response in responses.items():
        headers = response.setdefault("headers", {})
        if code == "201":
            headers.update(_headers("Location", "Vary", *RATE_HEADERS))
        elif code in {"200", "204"} and method != "get":
            headers.update(_headers("Vary", *RATE_HEADERS))
        elif code == "429":
            headers.update(_headers("Retry-After", "Vary", *RATE_HEADERS))
        elif code == "401":
            headers.update(_headers("WWW-Authenticate", "Vary", *RATE_HEADERS))
        elif code.startswith("4"):
            headers.update(_headers("Vary", *RATE_HEADERS))
        if not headers:
            del response["headers"]


def _nullable_to_31(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` (written by hand in a few places, pagination's among them) as 3.1 says it: a
    ``"null"`` in ``type``, or a ``oneOf`` with ``{"type": "null"}`` where there is no type (a reference)."""
    if isinstance(node, list):
        return [_nullable_to_31(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_to_31(value) for key, value in node.items()}
    if "nullable" not in node:
        return node
    nullable = node.pop("nullable")
    if not nullable:
        return node
    kind = node.get("type")
    if isinstance(kind, str):
        node["type"] = [kind, "null"]
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
    elif isinstance(kind, list):
        if "null" not in kind:
            node["type"] = [*kind, "null"]
    else:
        annotations = {key: node.pop(key) for key in ("description", "readOnly", "writeOnly", "title") if key in node}
        node = {"oneOf": [node, {"type": "null"}], **annotations}
    return node


def finish_schema(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: the shared components (error shape, GeoJSON, headers), the headers,
    conditional parameters and responses of every operation, and 3.1 nullables throughout."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components["schemas"].update(GEOJSON_COMPONENTS)
    components["headers"] = dict(HEADERS)
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "patch", "delete"}:
                _declare_operation(path, method, operation)
    return _nullable_to_31(result)


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
