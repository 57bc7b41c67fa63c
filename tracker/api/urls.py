"""URLs under /api/: version 1 of the partner API, its OpenAPI schema and the interactive docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from . import views
from .errors import not_found

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

v1 = [
    path("crossings/<slug:slug>/history/", views.CrossingHistoryView.as_view(), name="crossing-history"),
    path("changes/", views.ChangeFeedView.as_view(), name="changes"),
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
    # Anything else under /api/ is a 404 in the API's own error shape, not an HTML page.
    re_path(r"^[\s\S]*$", not_found),  # any path, newlines included
]
