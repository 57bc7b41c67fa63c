"""URL map: admin for editors, pages for analysts, API for partners, health endpoints for operators."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from alerts.admin import outbox_view

from . import health
from .admin.audit import audit_view

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/audit/", admin.site.admin_view(audit_view), name="audit-log"),
    # `make run`'s file outbox (alerts mailed to var/outbox/), for editors.
    path("admin/outbox/", admin.site.admin_view(outbox_view), name="alerts-outbox"),
    path("admin/", admin.site.urls),
    # Sign in and out, and change one's password. No password reset by e-mail: the only mail the tracker sends is
    # alerts a user asked for (a reset form would be a way to mail any account holder); an administrator resets
    # passwords in the admin.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # The language switcher posts here (Django's set_language); the choice is kept in a cookie.
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("tracker.api.urls")),
    # Open data (OPEN_DATA=1): public CSV/GeoJSON files, dataset pages and datapackage.json; a 404 while off.
    path("data/", include("tracker.opendata.urls")),
    # Alerts: e-mail subscriptions and Atom feeds of status changes, for analysts and editors.
    path("alerts/", include("alerts.urls")),
    path("", include("tracker.pages.urls")),
]

# Failures outside a view's own handling: the site's pages, or JSON under /api/; never a stack trace.
handler400 = "tracker.errors.bad_request"
handler403 = "tracker.errors.permission_denied"
handler404 = "tracker.errors.page_not_found"
handler500 = "tracker.errors.server_error"
