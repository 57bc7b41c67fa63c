"""``/api/v1/``: where a client starts (every resource, with its address), and the trailing-slash redirect."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from ..errors import not_found
from .common import ApiMixin

# (name, route name, what it is), in the order a newcomer reads them.
RESOURCES: tuple[tuple[str, str, str], ...] = (
    ("crossings", "v1:crossing-list", "Crossings with their status per kind of traffic (JSON, CSV, GeoJSON)"),
    ("changes", "v1:changes", "Every status row, retraction and state change, in commit order: sync from here"),
    ("aid-disputes", "v1:aid-dispute-list", "What blocks aid, with its state history"),
    ("evacuation-agreements", "v1:evacuation-agreement-list", "Arrangements for people to leave"),
    ("timeline", "v1:timeline-event-list", "Dated developments of each crisis"),
    ("flows", "v1:flow-list", "Daily flow counts at crossings"),
    ("reports", "v1:report-list", "Reviewed reports, with full-text search"),
    ("crises", "v1:crisis-list", "Crises the tracker follows"),
    ("actors", "v1:actor-list", "States, agencies, organisations and other parties"),
    ("webhooks", "v1:webhook-list", "Your webhooks (token holders)"),
    ("schema", "v1:schema", "The OpenAPI description of this API"),
    ("docs", "api-docs", "The same, to read and try in a browser"),
)


class ApiRootView(ApiMixin):
    """Open to anyone (it names addresses, no data) and throttled like the rest."""

    permission_classes = [AllowAny]
    cache_answers = False  # absolute addresses: they follow the host the caller used

    @extend_schema(
        summary="The API's resources",
        description="Each resource of version 1 with its address and what it holds: where a client starts.",
        responses=inline_serializer(
            "ApiRoot",
            {
                "resources": serializers.DictField(
                    child=inline_serializer(
                        "ApiRootResource", {"url": serializers.URLField(), "description": serializers.CharField()}
                    )
                )
            },
        ),
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "resources": {
                    name: {"url": request.build_absolute_uri(reverse(route)), "description": description}
                    for name, route, description in RESOURCES
                }
            }
        )


@csrf_exempt  # as not_found: a POST to a wrong path with a session cookie is a JSON 404, not Django's CSRF page
def slash_or_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under /api/ that names no resource: a GET or HEAD of a resource's address without its trailing
    slash is sent there (301, query string kept); anything else is the API's 404. Django's APPEND_SLASH cannot do
    this here: the catch-all route makes every path resolve."""
    if request.method in {"GET", "HEAD"} and not request.path_info.endswith("/"):
        target = f"{request.path_info}/"
        try:
            match = resolve(target)
        except Resolver404:
            match = None
        if match is not None and match.func is not CATCH_ALL:
            location = request.get_full_path(force_append_slash=True)
            return HttpResponsePermanentRedirect(location)
    return not_found(request)


CATCH_ALL = slash_or_not_found
