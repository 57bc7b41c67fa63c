"""URL map: admin for editors, health endpoints for operators (pages and API join as they are built)."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False), name="home"),
]
