"""What a caller sees when a request fails outside a view's own handling: never a stack trace.

Pages and the admin get the site's templates (``templates/400.html`` ... ``500.html``); anything under ``/api/``
gets the API's one JSON error shape, whatever went wrong (a DRF view re-raises what it does not handle, and it
ends here). Wired in ``tracker/urls.py`` as ``handler400`` ... ``handler500``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

from .api.errors import error_body

API_PREFIX = "/api/"
# What a client is told to wait before trying again while the database is away (seconds).
RETRY_AFTER_SECONDS = 10

log = logging.getLogger(__name__)


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


def database_unavailable(exception: BaseException | None) -> bool:
    """The database cannot be reached (refused, reset, restarting, timed out): the request may work in a moment."""
    return isinstance(exception, OperationalError | InterfaceError)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After. The page is rendered without a request context: the context processors would ask the
    database (the session, the user) that is not there."""
    if _api(request):
        response: HttpResponse = JsonResponse(
            error_body("unavailable", "The database cannot be reached right now; try again in a moment."), status=503
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A request that fails because the database is unreachable answers 503 at once (never a 500 with a trace,
    never a hang: connections time out after DB_CONNECT_TIMEOUT). With CONN_HEALTH_CHECKS, the next request after
    the database is back opens a fresh connection, so the server recovers by itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_unavailable(exception):
            return None
        log.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
        return service_unavailable(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """The exception is logged by Django (``django.request``) before this runs; the caller learns only that it
    failed, so nothing about the code, the data or the database leaks out. A database that cannot be reached
    outside a view (a middleware saving the session, say) is a 503 here too."""
    if database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    if _api(request):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side; it has been logged. Try again later."),
            status=500,
        )
    return defaults.server_error(request)
