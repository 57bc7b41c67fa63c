"""Sources in the admin: what to poll, and its health."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .. import services
from ..models import (
    Source,
)
from ..models.sources import SOURCE_HEALTH_FIELDS
from .common import (
    VersionedAdmin,
)


@admin.register(Source)
class SourceAdmin(VersionedAdmin):
    list_display = (
        "name",
        "kind",
        "enabled",
        "reliability",
        "poll_interval_minutes",
        "last_polled_at",
        "last_success_at",
        "failures_in_row",
        "next_poll_at",
    )
    list_filter = ("kind", "enabled", "reliability")
    search_fields = ("name", "url", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = SOURCE_HEALTH_FIELDS
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "url", "home_page", "params", "reliability"]}),
        ("Polling", {"fields": ["enabled", "poll_interval_minutes"]}),
        ("Health", {"fields": list(SOURCE_HEALTH_FIELDS)}),
    ]
    actions = ["pause", "resume"]

    @admin.action(description="Pause polling of the selected sources", permissions=["change"])
    def pause(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            services.source_set_enabled(source=source, enabled=False, changed_by=request.user)
        messages.success(request, f"Paused {queryset.count()} source(s).")

    @admin.action(description="Resume polling of the selected sources", permissions=["change"])
    def resume(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            services.source_set_enabled(source=source, enabled=True, changed_by=request.user)
        messages.success(request, f"Resumed {queryset.count()} source(s).")
