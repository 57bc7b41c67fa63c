"""Sources in the admin: what to poll, and its health."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    Source,
)
from ..models.sources import SOURCE_HEALTH_FIELDS
from .common import (
    VersionedAdmin,
)
from .forms import VersionedForm

# Code quoted in the sources' help: the same in every language (placeholders, so no translator retypes it).
SOURCE_HELP_CODE = {
    "api_url": "https://api.reliefweb.int/v2/reports",
    "example": '{"appname": "my-org-tracker", "query[value]": "Rafah", "filter[field]": "primary_country.iso3", '
    '"filter[value]": "pse"}',
    "limit": "limit",
    "max_pages": "max_pages",
}


def _what_each_kind_needs() -> str:
    """The sources' help in the reader's language, built when a page shows it."""
    return (
        gettext(
            "What each kind needs. <b>Feed</b>: the URL of its RSS, Atom or JSON Feed document (not the site's "
            "home page; that goes in home page); params are not used. <b>ReliefWeb</b>: the API URL, %(api_url)s, "
            "and params holding your approved appname and the query, e.g. <code>%(example)s</code> (optional: "
            "<code>%(limit)s</code>, the page size, and <code>%(max_pages)s</code>, how many pages one poll reads). "
            "<b>Manual</b>: no URL and no params; editors enter its reports by hand, and it is never polled."
        )
        % SOURCE_HELP_CODE
    )


WHAT_EACH_KIND_NEEDS = lazy(_what_each_kind_needs, str)()


class SourceForm(VersionedForm):
    """Says, field by field, what a source of each kind lacks, before the database's constraints would refuse it
    by name (``source_polled_has_url``, ``source_interval_positive``)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind, url, params = cleaned.get("kind"), cleaned.get("url") or "", cleaned.get("params")
        if kind == Source.Kind.FEED and not url and "url" not in self.errors:
            self.add_error("url", gettext("A feed source needs the URL of its RSS, Atom or JSON Feed document."))
        if kind == Source.Kind.RELIEFWEB:
            if not url and "url" not in self.errors:
                self.add_error(
                    "url", gettext("A ReliefWeb source needs the API URL, e.g. https://api.reliefweb.int/v2/reports.")
                )
            if params is not None and not isinstance(params, dict):
                self.add_error("params", gettext('Params must be a JSON object, e.g. {"appname": "my-org-tracker"}.'))
            elif "params" not in self.errors and not _has_appname(url, params or {}):
                self.add_error(
                    "params",
                    gettext(
                        "ReliefWeb answers only requests that carry an approved appname: add "
                        '{"appname": "<your approved appname>"} (request one at https://apidoc.reliefweb.int/).'
                    ),
                )
        interval = cleaned.get("poll_interval_minutes")
        if interval is not None and interval < 1:
            self.add_error("poll_interval_minutes", gettext("Poll at most once a minute: give 1 or more minutes."))
        return cleaned


def _has_appname(url: str, params: dict[str, Any]) -> bool:
    in_url = dict(parse_qsl(urlsplit(url).query)).get("appname", "")
    return bool(str(params.get("appname") or in_url).strip())


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
    form = SourceForm
    readonly_fields = SOURCE_HEALTH_FIELDS
    fieldsets = [
        (None, {"fields": ["name", "slug", "reliability", "home_page"]}),
        (_("Where its reports come from"), {"fields": ["kind", "url", "params"], "description": WHAT_EACH_KIND_NEEDS}),
        (
            _("Polling"),
            {"fields": ["enabled", "poll_interval_minutes"], "description": _("Feed and ReliefWeb sources only.")},
        ),
        (_("Health"), {"fields": list(SOURCE_HEALTH_FIELDS)}),
    ]
    actions = ["pause", "resume"]

    @admin.action(description=_("Pause polling of the selected sources"), permissions=["change"])
    def pause(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            services.source_set_enabled(source=source, enabled=False, changed_by=request.user)
        count = queryset.count()
        messages.success(
            request, ngettext("Paused %(count)d source.", "Paused %(count)d sources.", count) % {"count": count}
        )

    @admin.action(description=_("Resume polling of the selected sources"), permissions=["change"])
    def resume(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            services.source_set_enabled(source=source, enabled=True, changed_by=request.user)
        count = queryset.count()
        messages.success(
            request, ngettext("Resumed %(count)d source.", "Resumed %(count)d sources.", count) % {"count": count}
        )
