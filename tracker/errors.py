"""What a caller sees when a request fails outside a view's own handling: never a stack trace.

Pages and the admin get the site's templates (``templates/400.html`` ... ``500.html``); anything under ``/api/``
gets the API's one JSON error shape, whatever went wrong (a DRF view re-raises what it does not handle, and it
ends here). Wired in ``tracker/urls.py`` as ``handler400`` ... ``handler500``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from .api.errors import error_body

API_PREFIX = "/api/"


def _api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return JsonResponse(error_body("bad_request", "The request could not be read."), status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return JsonResponse(error_body("permission_denied", "You do not have permission to do this."), status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The exception is logged by Django (``django.request``) before this runs; the caller learns only that it
    failed, so nothing about the code, the data or the database leaks out."""
    if _api(request):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side; it has been logged. Try again later."),
            status=500,
        )
    return defaults.server_error(request)
