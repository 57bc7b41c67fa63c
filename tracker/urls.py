"""URL map: admin for editors, pages for analysts, API for partners, health endpoints for operators."""

from django.contrib import admin
from django.urls import include, path

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("tracker.api.urls")),
    path("", include("tracker.pages.urls")),
]
