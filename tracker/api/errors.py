"""One error shape for every API response that is not a success:

``{"error": {"code": "invalid", "message": "...", "fields": {"status": ["..."]}}}``

``code`` is stable and machine-readable; ``fields`` names each query parameter or body field at fault. The messages
are in the language the request asks for (``Accept-Language``: English, Arabic or French, issue 17); the codes and
the field names never change with it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

NON_FIELD = "non_field_errors"


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for item in detail for message in _flatten(item)]
    return [str(detail)]


def _fields(detail: Any) -> dict[str, list[str]]:
    if not isinstance(detail, dict):
        return {}
    return {str(name): _flatten(value) for name, value in detail.items()}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (status, headers such as Retry-After and WWW-Authenticate), then our shape."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD: exc.messages}
        exc = exceptions.ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        messages = _flatten(exc.detail)
        named = [name for name in fields if name != NON_FIELD]
        if named:
            message = gettext("Invalid %(fields)s: %(messages)s") % {
                "fields": ", ".join(f"`{name}`" for name in named),
                "messages": " ".join(messages),
            }
        else:
            message = " ".join(messages) or gettext("Invalid request.")
        response.data = error_body("invalid", message, fields)
    elif isinstance(exc, exceptions.APIException):
        response.data = error_body(_code(exc), " ".join(_flatten(exc.detail)))
    elif isinstance(exc, Http404):
        response.data = error_body("not_found", gettext("Not found."))
    else:  # PermissionDenied from Django
        response.data = error_body("permission_denied", gettext("You do not have permission to do this."))
    return response


@csrf_exempt  # it changes nothing; a POST to a wrong path is a JSON 404, not an HTML CSRF page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under /api/ that names no resource."""
    return JsonResponse(
        error_body(
            "not_found",
            gettext("No API resource at %(path)s. See /api/v1/schema/ for what there is.") % {"path": request.path},
        ),
        status=status.HTTP_404_NOT_FOUND,
    )
