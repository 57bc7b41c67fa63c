"""URLs under /api/: version 1 of the partner API, its OpenAPI schema and the interactive docs."""

import functools
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from . import views
from .errors import error_body
from .views.root import ApiRootView, slash_or_not_found

router = SimpleRouter()
router.register("crises", views.CrisisViewSet, basename="crisis")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("crossings", views.CrossingViewSet, basename="crossing")
router.register("aid-disputes", views.AidDisputeViewSet, basename="aid-dispute")
router.register("evacuation-agreements", views.EvacuationAgreementViewSet, basename="evacuation-agreement")
router.register("timeline", views.TimelineViewSet, basename="timeline-event")
router.register("flows", views.FlowViewSet, basename="flow")
router.register("reports", views.ReportViewSet, basename="report")
router.register("webhooks", views.WebhookViewSet, basename="webhook")


# Each export under a file name too (`crossings.csv`, `crossings/rafah.geojson`): tools that take nothing but a URL
# see the format in it, and the OpenAPI schema describes each as an operation of its own with one media type, so a
# generated client reads the CSV as text and the GeoJSON as GeoJSON (it parses only the first format an operation
# declares). A file is read: any other method is a 405, whoever asks.
def _file(view: Any, fmt: str) -> Any:
    @functools.wraps(view)  # keeps the view class on it, for drf-spectacular
    def serve(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in {"GET", "HEAD", "OPTIONS"}:
            body = error_body("method_not_allowed", f"{request.method} is not allowed: this address is a file to read.")
            return JsonResponse(body, status=405, headers={"Allow": "GET, HEAD, OPTIONS"})
        return view(request, *args, format=fmt, **kwargs)

    return serve


files = [
    *(
        path(f"{prefix}.csv", _file(viewset.as_view({"get": "list"}), "csv"), name=f"{basename}-list-csv")
        for prefix, viewset, basename in router.registry
        if prefix != "webhooks"
    ),
    path(
        "crossings.geojson",
        _file(views.CrossingViewSet.as_view({"get": "list"}), "geojson"),
        name="crossing-list-geojson",
    ),
    path(
        "crossings/<slug:slug>.geojson",
        _file(views.CrossingViewSet.as_view({"get": "retrieve"}), "geojson"),
        name="crossing-detail-geojson",
    ),
    path(
        "crossings/<slug:slug>/history.csv",
        _file(views.CrossingHistoryView.as_view(), "csv"),
        name="crossing-history-csv",
    ),
    path("changes.csv", _file(views.ChangeFeedView.as_view(), "csv"), name="changes-csv"),
]

v1 = [
    path("", ApiRootView.as_view(), name="root"),
    path("crossings/<slug:slug>/history/", views.CrossingHistoryView.as_view(), name="crossing-history"),
    path(
        "crossings/<slug:slug>/history/<uuid:uid>/",
        views.CrossingHistoryRowView.as_view(),
        name="crossing-history-row",
    ),
    path("changes/", views.ChangeFeedView.as_view(), name="changes"),
    *files,
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    *router.urls,
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path(
        "docs/",
        # The split view serves its start-up script as a separate response (?script), so the page needs no inline
        # script and the Content-Security-Policy can refuse them all; the template is ours (no inline style).
        SpectacularSwaggerSplitView.as_view(
            url_name="v1:schema", permission_classes=[AllowAny], template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    # Anything else under /api/ is a 404 in the API's own error shape, not an HTML page; a GET of a resource's
    # address without its trailing slash is redirected to it.
    re_path(r"^[\s\S]*$", slash_or_not_found),  # any path, newlines included
]
