"""Crossings, their status history (append-only: recorded and retracted, never edited) and daily counts."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..models import (
    Crossing,
    CrossingAlias,
    CrossingStatus,
    CrossingStatusRetraction,
    FlowCount,
    Report,
    Traffic,
)
from ..selectors.audit import StatusTrailEntry, crossing_status_trail
from .common import (
    VersionedAdmin,
    may_review,
    status_badge,
)
from .forms import (
    RecordStatusForm,
    StandaloneStatusForm,
)

# The status trail's own page number on a crossing's History (simple-history pages the edits with "p").
STATUS_PAGE_VAR = "statuses"

# Said instead of a report's title and source to a reader who may not see it (an analyst).
WITHHELD = _("a report not marked relevant (withheld)")


def report_withheld(row: CrossingStatus, *, reviewer: bool) -> bool:
    """Whether ``row``'s report must not be named to this reader: analysts see relevant reports only, in the admin
    as on the pages and through the API. A standing row cites a relevant report (services, migration 0006); a
    retracted row's report may since have been judged not relevant, or sent back to review."""
    return row.report is not None and not reviewer and row.report.review_state != Report.ReviewState.RELEVANT


class AliasInline(admin.TabularInline):
    model = CrossingAlias
    extra = 1
    fields = ("name", "language")


class LatestFirstFormSet(BaseInlineFormSet):
    """Shows the newest rows only; the full history is one click away, in the status list."""

    shown = 30

    def get_queryset(self) -> QuerySet[Any]:
        if not hasattr(self, "_latest"):
            self._latest = super().get_queryset()[: self.shown]
        return self._latest


class StatusHistoryInline(admin.TabularInline):
    model = CrossingStatus
    formset = LatestFirstFormSet
    fk_name = "crossing"
    verbose_name = _("status row")
    verbose_name_plural = _("Status history (newest 30; rows are never changed: record a correction below)")
    fields = ("effective_at", "status", "traffic", "certainty", "evidence", "recorded", "retracted")
    readonly_fields = fields
    ordering = selectors.STATUS_PRECEDENCE
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # Inline instances are made per request (ModelAdmin.get_inline_instances): the reader is this request's.
        self.reviewer = may_review(request.user)
        return super().get_queryset(request).select_related("report__source", "recorded_by", "retraction")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("evidence"))
    def evidence(self, row: CrossingStatus) -> str:
        parts = []
        if report_withheld(row, reviewer=getattr(self, "reviewer", False)):
            parts.append(format_html("<em>{}</em>", WITHHELD))
        elif row.report_id:
            url = reverse("admin:tracker_report_change", args=[row.report_id])
            report = row.report
            parts.append(format_html('<a href="{}">{}</a> ({})', url, report, report.source if report else ""))
        if row.note:
            parts.append(format_html("<em>{}</em>", row.note[:200]))
        return format_html_join(" — ", "{}", ((p,) for p in parts))

    @admin.display(description=_("recorded"))
    def recorded(self, row: CrossingStatus) -> str:
        who = row.recorded_by.get_username() if row.recorded_by else gettext("the system")
        return gettext("%(moment)s by %(who)s") % {"moment": f"{row.recorded_at:%Y-%m-%d %H:%M}", "who": who}

    @admin.display(description=_("retracted"), boolean=True)
    def retracted(self, row: CrossingStatus) -> bool:
        return hasattr(row, "retraction")


def record_status_from_form(data: dict[str, Any], *, crossing: Any, user: Any) -> CrossingStatus:
    """Both ways an editor records a status in the admin (the crossing's inline, the status row's own form) hand
    their cleaned fields to the one service the same way."""
    return services.crossing_record_status(
        crossing=crossing,
        status=data["status"],
        traffic=data["traffic"],
        effective_at=data["effective_at"],
        certainty=data["certainty"],
        report=data.get("report"),
        stated_by=data.get("stated_by"),
        note=data.get("note", ""),
        recorded_by=user,
    )


class RecordStatusInline(admin.StackedInline):
    """An empty form under the history: filling it appends a row through ``services.crossing_record_status``."""

    model = CrossingStatus
    form = RecordStatusForm
    fk_name = "crossing"
    verbose_name = _("new status")
    verbose_name_plural = _("Record a new status (appended to the history; leave empty to record nothing)")
    extra = 1
    max_num = 1
    can_delete = False
    autocomplete_fields = ("report", "stated_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).none()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Crossing)
class CrossingAdmin(VersionedAdmin):
    list_display = ("name", "kind", "sides", "status_people", "status_aid", "status_commercial", "status_fuel")
    list_filter = ("kind", "crises")
    search_fields = ("name", "slug", "aliases__name", "adm1_pcode", "adm2_pcode")
    autocomplete_fields = ("side_a", "side_b", "crises")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "side_a", "side_b", "crises", "description"]}),
        (_("Where"), {"fields": ["latitude", "longitude", "adm1_pcode", "adm2_pcode"]}),
    ]
    inlines = [AliasInline, StatusHistoryInline, RecordStatusInline]
    # History shows the status rows recorded and retracted beside the edits to the crossing's own fields.
    object_history_template = "admin/tracker/crossing/object_history.html"
    status_trail_per_page = 100

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        trail: list[StatusTrailEntry] = []
        if object_id.isdigit():  # anything else is answered by simple-history (a 404)
            trail = crossing_status_trail(crossing_id=int(object_id))
        reviewer = may_review(request.user)
        for entry in trail:
            if report_withheld(entry.row, reviewer=reviewer):
                # Shown, never saved (the row is append-only): the trail names no report this reader may not see.
                cites = gettext("Cites %(report)s.") % {"report": WITHHELD}
                entry.row.note = cites + (f" {entry.row.note}" if entry.row.note else "")
                entry.row.report = None
        page = Paginator(trail, self.status_trail_per_page).get_page(request.GET.get(STATUS_PAGE_VAR))
        context = {
            "status_trail": page,
            "status_trail_pages": page.paginator.get_elided_page_range(page.number),
            "status_page_var": STATUS_PAGE_VAR,
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request).select_related("side_a", "side_b")
        # The list's status columns come from the same rule as pages and API.
        return selectors.crossings_annotated_with_status(queryset)

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        selectors.attach_statuses(list(changelist.result_list))
        return changelist

    @admin.display(description=_("sides"))
    def sides(self, crossing: Crossing) -> str:
        return f"{crossing.side_a.iso3}-{crossing.side_b.iso3}" if crossing.side_b else crossing.side_a.iso3

    def _status(self, crossing: Crossing, traffic: str) -> str:
        rows = getattr(crossing, "status_by_traffic", None)
        if rows is None:
            return status_badge(selectors.crossing_status_as_of(crossing=crossing, traffic=traffic))
        return status_badge(rows[traffic])

    @admin.display(description=Traffic.PEOPLE.label)
    def status_people(self, crossing: Crossing) -> str:
        return self._status(crossing, Traffic.PEOPLE)

    @admin.display(description=Traffic.AID.label)
    def status_aid(self, crossing: Crossing) -> str:
        return self._status(crossing, Traffic.AID)

    @admin.display(description=Traffic.COMMERCIAL.label)
    def status_commercial(self, crossing: Crossing) -> str:
        return self._status(crossing, Traffic.COMMERCIAL)

    @admin.display(description=Traffic.FUEL.label)
    def status_fuel(self, crossing: Crossing) -> str:
        return self._status(crossing, Traffic.FUEL)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not CrossingStatus:
            super().save_formset(request, form, formset, change)
            return
        # The admin's change message reads these, as after a formset.save().
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for status_form in formset.forms:
            if not status_form.has_changed():
                continue
            row = record_status_from_form(status_form.cleaned_data, crossing=form.instance, user=request.user)
            formset.new_objects.append(row)
            messages.success(request, gettext("Recorded: %(row)s.") % {"row": row})


@admin.register(CrossingStatus)
class CrossingStatusAdmin(admin.ModelAdmin):
    """All status rows. Rows are appended here or on a crossing's page; never changed, only retracted."""

    form = StandaloneStatusForm
    list_display = (
        "crossing",
        "status",
        "traffic",
        "effective_at",
        "certainty",
        "recorded_at",
        "recorded_by",
        "is_retracted",
    )
    list_filter = ("status", "traffic", "certainty", "crossing")
    search_fields = ("crossing__name", "note", "report__title")
    autocomplete_fields = ("crossing", "report", "stated_by")
    date_hierarchy = "effective_at"
    list_select_related = ("crossing", "recorded_by", "retraction")
    ordering = selectors.STATUS_PRECEDENCE

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # A row's name reads its crossing (autocomplete answers, the retraction form's choice).
        return super().get_queryset(request).select_related("crossing")

    def get_search_fields(self, request: HttpRequest) -> Any:
        # Searching by a report's title would tell an analyst that an unreviewed report says so.
        fields = super().get_search_fields(request)
        return fields if may_review(request.user) else [f for f in fields if not f.startswith("report__")]

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        row = super().get_object(request, object_id, from_field)
        if row is not None:
            row.report_withheld = report_withheld(row, reviewer=may_review(request.user))
        return row

    @admin.display(description=_("report"))
    def cited_report(self, row: CrossingStatus) -> str:
        return str(WITHHELD) if getattr(row, "report_withheld", True) else str(row.report or "-")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return (
            "uid",
            "crossing",
            "status",
            "traffic",
            "effective_at",
            "certainty",
            "report" if may_review(request.user) else "cited_report",
            "stated_by",
            "note",
            "recorded_at",
            "recorded_by",
        )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return StandaloneStatusForm.Meta.fields
        return self.get_readonly_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("retracted"), boolean=True)
    def is_retracted(self, row: CrossingStatus) -> bool:
        return hasattr(row, "retraction")

    def save_model(self, request: HttpRequest, obj: CrossingStatus, form: Any, change: bool) -> None:
        row = record_status_from_form(form.cleaned_data, crossing=form.cleaned_data["crossing"], user=request.user)
        # The admin goes on to log and redirect with this object: hand it the row the service wrote.
        obj.__dict__.update(row.__dict__)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass


@admin.register(CrossingStatusRetraction)
class CrossingStatusRetractionAdmin(admin.ModelAdmin):
    list_display = ("status_row", "reason", "recorded_at", "recorded_by")
    search_fields = ("status_row__crossing__name", "reason")
    autocomplete_fields = ("status_row",)
    fields = ("status_row", "reason")
    list_select_related = ("status_row__crossing", "recorded_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("status_row", "reason", "recorded_at", "recorded_by") if obj else ()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CrossingStatusRetraction, form: Any, change: bool) -> None:
        try:
            retraction = services.crossing_retract_status(
                status_row=form.cleaned_data["status_row"], reason=form.cleaned_data["reason"], recorded_by=request.user
            )
        except ValidationError as error:
            # Raised inside the admin's transaction (rolled back as it leaves); ``add_view`` shows the reason.
            raise _Refused(" ".join(error.messages)) from error
        obj.__dict__.update(retraction.__dict__)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> Any:
        try:
            return super().add_view(request, form_url, extra_context)
        except _Refused as refused:  # e.g. another editor retracted the same row a moment earlier
            messages.error(request, str(refused))
            return HttpResponseRedirect(reverse("admin:tracker_crossingstatusretraction_changelist"))


class _Refused(Exception):
    """A service's refusal met after the admin's form was valid: nothing was written, the editor is told why."""


@admin.register(FlowCount)
class FlowCountAdmin(VersionedAdmin):
    list_display = ("day", "crossing", "metric", "value", "source", "report")
    list_filter = ("metric", "crossing", "source")
    search_fields = ("crossing__name", "source__name", "note")
    autocomplete_fields = ("crossing", "source", "report")
    date_hierarchy = "day"
    list_select_related = ("crossing", "source", "report")
    readonly_fields = ("recorded_at", "recorded_by")

    def save_model(self, request: HttpRequest, obj: FlowCount, form: Any, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
