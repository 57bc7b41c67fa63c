"""URL map: admin for editors, pages for analysts, API for partners, health endpoints for operators."""

from django.contrib import admin
from django.urls import include, path

from . import health
from .admin_audit import audit_view

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/audit/", admin.site.admin_view(audit_view), name="audit-log"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("tracker.api.urls")),
    path("", include("tracker.pages.urls")),
]
