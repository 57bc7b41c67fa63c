"""URLs under /api/: version 1 of the partner API, its OpenAPI schema and the interactive docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from . import views
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
# declares). Reads only: a write to a file name is a 405.
READ_ONLY = ["get", "head", "options"]
files = [
    *(
        path(f"{prefix}.csv", viewset.as_view({"get": "list"}), {"format": "csv"}, name=f"{basename}-list-csv")
        for prefix, viewset, basename in router.registry
        if prefix != "webhooks"
    ),
    path(
        "crossings.geojson",
        views.CrossingViewSet.as_view({"get": "list"}),
        {"format": "geojson"},
        name="crossing-list-geojson",
    ),
    path(
        "crossings/<slug:slug>.geojson",
        views.CrossingViewSet.as_view({"get": "retrieve"}),
        {"format": "geojson"},
        name="crossing-detail-geojson",
    ),
    path(
        "crossings/<slug:slug>/history.csv",
        views.CrossingHistoryView.as_view(http_method_names=READ_ONLY),
        {"format": "csv"},
        name="crossing-history-csv",
    ),
    path("changes.csv", views.ChangeFeedView.as_view(), {"format": "csv"}, name="changes-csv"),
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
