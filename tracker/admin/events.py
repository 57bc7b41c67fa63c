"""Timeline events in the admin."""

from __future__ import annotations

from django.contrib import admin

from ..models import (
    TimelineEvent,
)
from .common import (
    VersionedAdmin,
)


@admin.register(TimelineEvent)
class TimelineEventAdmin(VersionedAdmin):
    list_display = ("occurred_on", "title", "kind", "crisis")
    list_filter = ("kind", "crisis")
    search_fields = ("title", "description", "location")
    autocomplete_fields = ("crisis", "actors", "reports")
    date_hierarchy = "occurred_on"
    list_select_related = ("crisis",)
