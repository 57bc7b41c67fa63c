"""The editors' view of ingestion: fetch runs, quarantine, parked tasks, status phrases, and sources' health."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tracker.admin import LatestFirstFormSet, SourceAdmin, VersionedAdmin, may_review
from tracker.admin.forms import VersionedForm
from tracker.models import Source
from tracker.models.sources import SOURCE_HEALTH_FIELDS

from . import services
from .link import phrase_key
from .models import FetchRun, ParkedTask, QuarantinedItem, StatusPhrase

RAW_PREVIEW_CHARS = 20_000


class ReadOnlyAdmin(admin.ModelAdmin):
    """The pipeline's record: read, filtered and searched, never edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _runs_url(source_id: int) -> str:
    return reverse("admin:ingest_fetchrun_changelist") + "?" + urlencode({"source__id__exact": source_id})


# --- fetch runs -----------------------------------------------------------------------------------------------


@admin.register(FetchRun)
class FetchRunAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "source",
        "origin",
        "status",
        "http_status",
        "entries_new",
        "entries_updated",
        "entries_duplicate",
        "entries_rejected",
        "entries_seen",
        "duration",
        "error_excerpt",
    )
    list_filter = ("status", "origin", "transient", "source")
    search_fields = ("source__name", "error", "url", "task_id")
    list_select_related = ("source",)
    date_hierarchy = "started_at"
    show_full_result_count = False
    fields = (
        "source",
        "origin",
        "url",
        "task_id",
        "started_at",
        "finished_at",
        "status",
        "http_status",
        "pages",
        "bytes_received",
        ("entries_seen", "entries_new", "entries_updated", "entries_unchanged", "entries_duplicate"),
        "entries_rejected",
        "error",
        "transient",
        "warnings",
        "quarantined",
    )
    readonly_fields = tuple(name for item in fields for name in (item if isinstance(item, tuple) else (item,)))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record of work is kept

    @admin.display(description=_("seconds"))
    def duration(self, run: FetchRun) -> str:
        seconds = run.duration_seconds
        return "" if seconds is None else f"{seconds:.1f}"

    @admin.display(description=_("error"))
    def error_excerpt(self, run: FetchRun) -> str:
        return run.error[:140]

    @admin.display(description=_("quarantined items"))
    def quarantined(self, run: FetchRun) -> str:
        url = reverse("admin:ingest_quarantineditem_changelist") + "?" + urlencode({"fetch_run__id__exact": run.pk})
        count = run.quarantined_items.count()
        text = ngettext("%(count)s item kept from this run", "%(count)s items kept from this run", count)
        return format_html('<a href="{}">{}</a>', url, text % {"count": count})


class FetchRunFormSet(LatestFirstFormSet):
    shown = 10


class FetchRunInline(admin.TabularInline):
    model = FetchRun
    formset = FetchRunFormSet
    fk_name = "source"
    verbose_name_plural = _("Fetch runs (newest 10)")
    fields = ("started_at", "status", "http_status", "entries_new", "entries_updated", "entries_rejected", "error")
    readonly_fields = fields
    ordering = ("-started_at", "-id")
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- sources: the tracker's source admin, with runs and a health flag ------------------------------------------

admin.site.unregister(Source)


@admin.register(Source)
class IngestSourceAdmin(SourceAdmin):
    list_display = (*SourceAdmin.list_display, "health")  # type: ignore[assignment]  # one column more
    list_select_related = ("ingest_lease",)
    inlines = [*SourceAdmin.inlines, FetchRunInline]
    readonly_fields = (*SourceAdmin.readonly_fields, "runs")  # type: ignore[assignment]  # one field more
    fieldsets = [*SourceAdmin.fieldsets[:-1], (_("Health"), {"fields": [*SOURCE_HEALTH_FIELDS, "runs"]})]

    @admin.display(description=_("health"))
    def health(self, source: Source) -> str:
        lease = getattr(source, "ingest_lease", None)
        if lease is not None and lease.parked_at is not None:
            return format_html('<strong class="errornote">{}</strong>', gettext("✕ parked"))
        if source.failures_in_row:
            count = source.failures_in_row
            text = ngettext("✕ %(count)s failure in a row", "✕ %(count)s failures in a row", count)
            return format_html('<a href="{}">{}</a>', _runs_url(source.pk), text % {"count": count})
        return "✓" if source.last_success_at else "–"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return super().get_queryset(request).select_related("ingest_lease")

    @admin.display(description=_("fetch runs"))
    def runs(self, source: Source) -> str:
        if source.pk is None:
            return "–"
        return format_html('<a href="{}">{}</a>', _runs_url(source.pk), gettext("All fetch runs of this source"))

    def save_model(self, request: HttpRequest, obj: Source, form: Any, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        # Health is the worker's: an editor's save writes only what the form holds, never the health columns
        # as they stood when the form was opened.
        editable = [
            f.name for f in Source._meta.concrete_fields if not f.primary_key and f.name not in SOURCE_HEALTH_FIELDS
        ]
        obj.save(update_fields=editable)


# --- quarantine -----------------------------------------------------------------------------------------------


@admin.register(QuarantinedItem)
class QuarantinedItemAdmin(ReadOnlyAdmin):
    list_display = ("last_seen_at", "source", "kind", "reason_excerpt", "title", "raw_size", "times_seen")
    list_filter = ("kind", "source")
    search_fields = ("reason", "title", "url", "source__name")
    list_select_related = ("source",)
    date_hierarchy = "last_seen_at"
    fields = (
        "source",
        "kind",
        "reason",
        "title",
        "url",
        "fetch_run",
        "first_seen_at",
        "last_seen_at",
        "times_seen",
        "raw_size",
        "raw_sha256",
        "raw_download",
        "raw_preview",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[QuarantinedItem]:
        # The list never shows the bytes; only the change page reads them. Quarantined material is unreviewed,
        # and may be hostile: editors only.
        queryset = super().get_queryset(request)
        if not may_review(request.user):
            return queryset.none()
        return (
            queryset
            if request.resolver_match and "object_id" in request.resolver_match.kwargs
            else queryset.defer("raw")
        )

    @admin.display(description=_("reason"))
    def reason_excerpt(self, item: QuarantinedItem) -> str:
        return item.reason[:140]

    @admin.display(description=_("raw bytes"))
    def raw_download(self, item: QuarantinedItem) -> str:
        url = reverse("admin:ingest_quarantineditem_raw", args=[item.pk])
        text = gettext("Download the %(size)s bytes as served") % {"size": f"{item.raw_size:,}"}
        return format_html('<a href="{}">{}</a>', url, text)

    @admin.display(description=_("as text"))
    def raw_preview(self, item: QuarantinedItem) -> str:
        text = bytes(item.raw).decode("utf-8", errors="replace")
        more = len(text) > RAW_PREVIEW_CHARS
        return format_html(
            '<pre class="raw-preview">{}</pre>{}',  # styled by tracker/static/tracker/admin/admin.css (CSP: no inline)
            text[:RAW_PREVIEW_CHARS],
            gettext("(first %(count)s characters)") % {"count": f"{RAW_PREVIEW_CHARS:,}"} if more else "",
        )

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:object_id>/raw/",  # a word there is the admin's "no such item", never a failed lookup
                self.admin_site.admin_view(self.download_raw),
                name="ingest_quarantineditem_raw",
            ),
            *super().get_urls(),
        ]

    def download_raw(self, request: HttpRequest, object_id: int) -> HttpResponse:
        item = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, item):
            return HttpResponse(status=403)
        response = HttpResponse(bytes(item.raw), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="quarantined-{item.uid}.bin"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- parked tasks ---------------------------------------------------------------------------------------------


@admin.register(ParkedTask)
class ParkedTaskAdmin(ReadOnlyAdmin):
    list_display = ("parked_at", "source", "task_name", "unfinished_runs", "released_at", "released_by")
    list_filter = ("released_at",)
    search_fields = ("source__name", "task_id", "reason")
    list_select_related = ("source", "released_by")
    fields = ("source", "task_name", "task_id", "unfinished_runs", "reason", "parked_at", "released_at", "released_by")
    readonly_fields = fields
    actions = ["release"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_release_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("ingest.change_parkedtask")

    @admin.action(description=_("Release: poll the source again now"), permissions=["release"])
    def release(self, request: HttpRequest, queryset: QuerySet[ParkedTask]) -> None:
        from .tasks import fetch_source

        released = 0
        for parked in queryset.select_related("source"):
            with transaction.atomic():
                if services.parked_task_release(parked=parked, released_by=request.user):
                    transaction.on_commit(partial(fetch_source.delay, parked.source_id))
                    released += 1
        messages.success(
            request,
            ngettext(
                "Released %(count)s parked task; its source is being polled again.",
                "Released %(count)s parked tasks; their sources are being polled again.",
                released,
            )
            % {"count": released},
        )


# --- status phrases -------------------------------------------------------------------------------------------


class StatusPhraseForm(VersionedForm):
    class Meta:
        model = StatusPhrase
        fields = ["phrase", "language", "kind", "proposed_status", "traffic", "enabled", "note"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        key = phrase_key(cleaned.get("phrase") or "")
        same = StatusPhrase.objects.filter(key=key).exclude(pk=self.instance.pk).first()
        if key and same is not None:
            self.add_error("phrase", gettext("This phrase is already in the table: %(phrase)s.") % {"phrase": same})
        return cleaned


@admin.register(StatusPhrase)
class StatusPhraseAdmin(VersionedAdmin):
    form = StatusPhraseForm
    list_display = ("phrase", "language", "kind", "proposed_status", "traffic", "enabled")
    list_filter = ("kind", "proposed_status", "traffic", "language", "enabled")
    search_fields = ("phrase", "key", "note")
    fields = ("phrase", "language", "kind", "proposed_status", "traffic", "enabled", "note")
