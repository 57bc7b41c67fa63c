"""Countries, actors and crises in the admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ..models import (
    Actor,
    ActorAlias,
    Country,
    Crisis,
)
from .common import (
    VersionedAdmin,
)


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("name", "iso3", "iso2")
    search_fields = ("name", "iso3", "iso2")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # ISO 3166 is loaded by a migration

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ActorAliasInline(admin.TabularInline):
    """The actor's name in other languages: readers of that language see it on the pages and in alerts."""

    model = ActorAlias
    extra = 1
    fields = ("name", "language")


@admin.register(Actor)
class ActorAdmin(VersionedAdmin):
    inlines = [ActorAliasInline]
    list_display = ("name", "short_name", "kind", "country")
    list_filter = ("kind",)
    search_fields = ("name", "short_name", "slug")
    autocomplete_fields = ("country",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Crisis)
class CrisisAdmin(VersionedAdmin):
    list_display = ("name", "state", "started_on", "ended_on", "glide")
    list_filter = ("state",)
    search_fields = ("name", "summary", "slug", "glide")
    fieldsets = [
        (None, {"fields": ["name", "slug", "glide", "state", "started_on", "ended_on", "countries", "summary"]})
    ]
    autocomplete_fields = ("countries",)
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "started_on"
