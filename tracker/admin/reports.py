"""Reports in the admin: evidence is read only; review states move by actions that call the service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    Report,
)
from .common import (
    HistoryOfVisibleRowsOnly,
    VersionedAdmin,
    may_review,
)

REPORT_MACHINE_FIELDS = (
    "uid",
    "canonical_url",
    "content_hash",
    "fetched_at",
    "published_at_estimated",
    "duplicate_of",
    "reviewed_by",
    "reviewed_at",
    "created_at",
    "updated_at",
)

# Who wrote it, as the source names them (ReliefWeb does; feeds do not): shown, never edited.
REPORT_ORIGIN_FIELDS = ("organisation_names", "country_names", "disaster", "glide")


@admin.register(Report)
class ReportAdmin(HistoryOfVisibleRowsOnly, VersionedAdmin):
    list_display = ("title_or_url", "source", "organisation_names", "published_at", "review_state", "duplicate_of")
    list_filter = ("review_state", "source", "crossings", "crises", "published_at_estimated")
    search_fields = ("title", "url", "external_id")
    autocomplete_fields = ("source", "crises", "crossings", "disputes", "agreements")
    date_hierarchy = "published_at"
    list_select_related = ("source", "duplicate_of")
    actions = ["mark_relevant", "mark_not_relevant"]
    show_full_result_count = False  # counting a million reports on every page load costs more than it tells

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return REPORT_MACHINE_FIELDS
        # What the source said is evidence: it is not edited here. The review state moves by the actions.
        return (
            *REPORT_MACHINE_FIELDS,
            "source",
            "url",
            "external_id",
            "title",
            "summary_html",
            "text",
            "published_at",
            "language",
            *REPORT_ORIGIN_FIELDS,
            "raw",
            "review_state",
        )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = [
            "source",
            "title",
            "url",
            "external_id",
            "published_at",
            "language",
            *(REPORT_ORIGIN_FIELDS if obj is not None else ()),  # what the source said of who wrote it
            "summary_html",
            "text",
            "crises",
            "crossings",
            "disputes",
            "agreements",
        ]
        return fields if obj is None else [*fields, "review_state", "raw", *REPORT_MACHINE_FIELDS]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Report]:
        queryset = super().get_queryset(request)
        if may_review(request.user):
            return queryset
        return queryset.filter(review_state=Report.ReviewState.RELEVANT)

    @admin.display(description=_("report"))
    def title_or_url(self, report: Report) -> str:
        return str(report)[:120]

    @admin.display(description=_("organisations"))
    def organisation_names(self, report: Report) -> str:
        return ", ".join(report.organisations or ())

    @admin.display(description=_("countries"))
    def country_names(self, report: Report) -> str:
        return ", ".join(report.country_codes or ())

    def save_model(self, request: HttpRequest, obj: Report, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        result = services.report_store(
            source=data["source"],
            title=data.get("title", ""),
            url=data.get("url", ""),
            external_id=data.get("external_id", ""),
            summary_html=data.get("summary_html", ""),
            text=data.get("text", ""),
            published_at=data.get("published_at"),
            language=data.get("language", ""),
        )
        obj.__dict__.update(result.report.__dict__)
        if result.outcome == "duplicate":
            messages.warning(
                request, gettext("Stored as a duplicate of “%(original)s”.") % {"original": result.report.duplicate_of}
            )

    def _review(self, request: HttpRequest, queryset: QuerySet[Report], state: str) -> None:
        done = 0
        for report in queryset:
            try:
                services.report_review(report=report, state=state, reviewed_by=request.user)
                done += 1
            except ValidationError as error:  # e.g. the evidence of a standing status: retract that first
                messages.error(request, " ".join(error.messages))
        if done:
            label = str(Report.ReviewState(state).label).lower()
            messages.success(
                request,
                ngettext("Marked %(count)d report %(state)s.", "Marked %(count)d reports %(state)s.", done)
                % {"count": done, "state": label},
            )

    @admin.action(description=_("Mark as relevant (shown to analysts and partners)"), permissions=["change"])
    def mark_relevant(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._review(request, queryset, Report.ReviewState.RELEVANT)

    @admin.action(description=_("Mark as not relevant"), permissions=["change"])
    def mark_not_relevant(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._review(request, queryset, Report.ReviewState.NOT_RELEVANT)
