"""The editors' admin. Configured, not rewritten: every write that carries a rule goes through ``services``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from simple_history.admin import SimpleHistoryAdmin

from . import selectors, services
from .admin_forms import (
    AidDisputeForm,
    EvacuationAgreementForm,
    RecordStatusForm,
    StandaloneStatusForm,
    VersionedForm,
)
from .models import (
    Actor,
    AgreementEligibility,
    AgreementParty,
    AidDispute,
    AidDisputeStateChange,
    Change,
    Country,
    Crisis,
    Crossing,
    CrossingAlias,
    CrossingStatus,
    CrossingStatusRetraction,
    EvacuationAgreement,
    EvacuationAgreementStateChange,
    FlowCount,
    Report,
    Source,
    StatusSuggestion,
    TimelineEvent,
    Traffic,
    WorkerHeartbeat,
)
from .models.sources import SOURCE_HEALTH_FIELDS

admin.site.site_header = "Situation tracker: editors"
admin.site.site_title = "Situation tracker"
admin.site.index_title = "Keep the record true"

STATUS_SYMBOL = {"open": "●", "restricted": "◐", "closed": "✕", "unknown": "?"}


def status_badge(row: CrossingStatus | None) -> str:
    """A status as symbol and words, so it reads without colour."""
    if row is None:
        return mark_safe('<span class="status status-unknown">? unknown</span>')  # a constant
    return format_html(
        '<span class="status status-{}">{} {}</span> <small>({}, since {})</small>',
        row.status,
        STATUS_SYMBOL[row.status],
        row.get_status_display().lower(),
        row.get_certainty_display().lower(),
        row.effective_at.strftime("%Y-%m-%d %H:%M"),
    )


def may_review(user: Any) -> bool:
    """Whether ``user`` may see material no editor has reviewed yet (new reports, pending suggestions, quarantine).

    Editors review it; analysts see, here as on the pages and through the API, only what an editor marked relevant.
    """
    return bool(user.has_perm("tracker.change_report"))


class VersionedAdmin(SimpleHistoryAdmin):
    """Admin for rows editors change: stale forms are refused, and every save is kept in the row's history."""

    form = VersionedForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        names = {name for _, opts in fieldsets for name in _flatten(opts.get("fields", ()))}
        if "edit_version" not in names and self.has_change_permission(request, obj):
            fieldsets = [*fieldsets, (None, {"fields": ["edit_version"], "classes": ["hidden"]})]
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*super().get_readonly_fields(request, obj), "version"] if obj else super().get_readonly_fields(request)


def _flatten(fields: Any) -> list[str]:
    out: list[str] = []
    for item in fields:
        out.extend(item if isinstance(item, (list, tuple)) else [item])
    return out


# --- reference --------------------------------------------------------------------------------------------------


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("name", "iso3", "iso2")
    search_fields = ("name", "iso3", "iso2")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # ISO 3166 is loaded by a migration

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Actor)
class ActorAdmin(VersionedAdmin):
    list_display = ("name", "short_name", "kind", "country")
    list_filter = ("kind",)
    search_fields = ("name", "short_name", "slug")
    autocomplete_fields = ("country",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Crisis)
class CrisisAdmin(VersionedAdmin):
    list_display = ("name", "state", "started_on", "ended_on")
    list_filter = ("state",)
    search_fields = ("name", "summary", "slug")
    autocomplete_fields = ("countries",)
    prepopulated_fields = {"slug": ("name",)}
    date_hierarchy = "started_on"


# --- crossings --------------------------------------------------------------------------------------------------


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
    verbose_name = "status row"
    verbose_name_plural = "Status history (newest 30; rows are never changed: record a correction below)"
    fields = ("effective_at", "status", "traffic", "certainty", "evidence", "recorded", "retracted")
    readonly_fields = fields
    ordering = selectors.STATUS_PRECEDENCE
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("report__source", "recorded_by", "retraction")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="evidence")
    def evidence(self, row: CrossingStatus) -> str:
        parts = []
        if row.report_id:
            url = reverse("admin:tracker_report_change", args=[row.report_id])
            report = row.report
            parts.append(format_html('<a href="{}">{}</a> ({})', url, report, report.source if report else ""))
        if row.note:
            parts.append(format_html("<em>{}</em>", row.note[:200]))
        return format_html_join(" — ", "{}", ((p,) for p in parts))

    @admin.display(description="recorded")
    def recorded(self, row: CrossingStatus) -> str:
        who = row.recorded_by.get_username() if row.recorded_by else "system"
        return f"{row.recorded_at:%Y-%m-%d %H:%M} by {who}"

    @admin.display(description="retracted", boolean=True)
    def retracted(self, row: CrossingStatus) -> bool:
        return hasattr(row, "retraction")


class RecordStatusInline(admin.StackedInline):
    """An empty form under the history: filling it appends a row through ``services.crossing_record_status``."""

    model = CrossingStatus
    form = RecordStatusForm
    fk_name = "crossing"
    verbose_name = "new status"
    verbose_name_plural = "Record a new status (appended to the history; leave empty to record nothing)"
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
    search_fields = ("name", "slug", "aliases__name")
    autocomplete_fields = ("side_a", "side_b", "crises")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [AliasInline, StatusHistoryInline, RecordStatusInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request).select_related("side_a", "side_b")
        # The list's status columns come from the same rule as pages and API.
        return selectors.crossings_annotated_with_status(queryset)

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        selectors.attach_statuses(list(changelist.result_list))
        return changelist

    @admin.display(description="sides")
    def sides(self, crossing: Crossing) -> str:
        return f"{crossing.side_a.iso3}-{crossing.side_b.iso3}" if crossing.side_b else crossing.side_a.iso3

    def _status(self, crossing: Crossing, traffic: str) -> str:
        rows = getattr(crossing, "status_by_traffic", None)
        if rows is None:
            return status_badge(selectors.crossing_status_as_of(crossing=crossing, traffic=traffic))
        return status_badge(rows[traffic])

    @admin.display(description="people")
    def status_people(self, crossing: Crossing) -> str:
        return self._status(crossing, Traffic.PEOPLE)

    @admin.display(description="aid")
    def status_aid(self, crossing: Crossing) -> str:
        return self._status(crossing, Traffic.AID)

    @admin.display(description="commercial")
    def status_commercial(self, crossing: Crossing) -> str:
        return self._status(crossing, Traffic.COMMERCIAL)

    @admin.display(description="fuel")
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
            data = status_form.cleaned_data
            row = services.crossing_record_status(
                crossing=form.instance,
                status=data["status"],
                traffic=data["traffic"],
                effective_at=data["effective_at"],
                certainty=data["certainty"],
                report=data.get("report"),
                stated_by=data.get("stated_by"),
                note=data.get("note", ""),
                recorded_by=request.user,
            )
            formset.new_objects.append(row)
            messages.success(request, f"Recorded: {row}.")


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
            "report",
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

    @admin.display(description="retracted", boolean=True)
    def is_retracted(self, row: CrossingStatus) -> bool:
        return hasattr(row, "retraction")

    def save_model(self, request: HttpRequest, obj: CrossingStatus, form: Any, change: bool) -> None:
        data = form.cleaned_data
        row = services.crossing_record_status(
            crossing=data["crossing"],
            status=data["status"],
            traffic=data["traffic"],
            effective_at=data["effective_at"],
            certainty=data["certainty"],
            report=data.get("report"),
            stated_by=data.get("stated_by"),
            note=data.get("note", ""),
            recorded_by=request.user,
        )
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
            messages.error(request, " ".join(error.messages))
            raise
        obj.__dict__.update(retraction.__dict__)


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


# --- disputes and agreements ------------------------------------------------------------------------------------


class StateChangeInline(admin.TabularInline):
    fields = ("effective_at", "from_state", "to_state", "note", "report", "recorded_at", "recorded_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-effective_at", "-recorded_at", "-id")
    verbose_name_plural = "State history (change the state above to add a row)"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DisputeHistoryInline(StateChangeInline):
    model = AidDisputeStateChange


class AgreementHistoryInline(StateChangeInline):
    model = EvacuationAgreementStateChange


class AccordAdmin(VersionedAdmin):
    """Shared by disputes and agreements: a change of ``state`` becomes a history row via the service."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        moment = form.cleaned_data.get("state_effective_at")
        note = form.cleaned_data.get("state_note", "")
        if not change:
            services.accord_create(entity=obj, created_by=request.user, effective_at=moment, note=note)
            return
        new_state = obj.state
        state_changed = "state" in form.changed_data
        if state_changed:
            obj.state = form.initial["state"]  # the service moves it, with its history row
        super().save_model(request, obj, form, change)
        if state_changed:
            services.accord_change_state(
                entity=obj, to_state=new_state, changed_by=request.user, effective_at=moment, note=note
            )


@admin.register(AidDispute)
class AidDisputeAdmin(AccordAdmin):
    form = AidDisputeForm
    list_display = ("name", "crisis", "subject", "state", "opened_on", "resolved_on")
    list_filter = ("state", "subject", "crisis")
    search_fields = ("name", "summary", "slug")
    autocomplete_fields = ("crisis", "parties", "crossings")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("resolved_on",)
    fieldsets = [
        (None, {"fields": ["name", "slug", "crisis", "subject", "summary", "parties", "crossings", "opened_on"]}),
        ("State", {"fields": ["state", "state_effective_at", "state_note", "resolved_on"]}),
    ]
    inlines = [DisputeHistoryInline]


class PartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 1
    autocomplete_fields = ("actor",)


class EligibilityInline(admin.TabularInline):
    model = AgreementEligibility
    extra = 1


@admin.register(EvacuationAgreement)
class EvacuationAgreementAdmin(AccordAdmin):
    form = EvacuationAgreementForm
    list_display = ("name", "crisis", "state", "announced_on", "starts_on", "ends_on")
    list_filter = ("state", "crisis")
    search_fields = ("name", "summary", "terms", "slug")
    autocomplete_fields = ("crisis", "crossings")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = [
        (None, {"fields": ["name", "slug", "crisis", "summary", "terms", "crossings"]}),
        ("Dates", {"fields": ["announced_on", "starts_on", "ends_on"]}),
        ("State", {"fields": ["state", "state_effective_at", "state_note"]}),
    ]
    inlines = [PartyInline, EligibilityInline, AgreementHistoryInline]


# --- events -----------------------------------------------------------------------------------------------------


@admin.register(TimelineEvent)
class TimelineEventAdmin(VersionedAdmin):
    list_display = ("occurred_on", "title", "kind", "crisis")
    list_filter = ("kind", "crisis")
    search_fields = ("title", "description", "location")
    autocomplete_fields = ("crisis", "actors", "reports")
    date_hierarchy = "occurred_on"
    list_select_related = ("crisis",)


# --- sources, reports, suggestions ------------------------------------------------------------------------------


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


class HistoryOfVisibleRowsOnly:
    """django-simple-history's history pages read the historical table directly, so a row the queryset hides
    (an unreviewed report, for an analyst) would still show there: they answer as the change page does."""

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        if self.get_object(request, unquote(object_id)) is None:  # type: ignore[attr-defined]
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)  # type: ignore[attr-defined]
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        if self.get_object(request, unquote(object_id)) is None:  # type: ignore[attr-defined]
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)  # type: ignore[attr-defined]
        return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]


@admin.register(Report)
class ReportAdmin(HistoryOfVisibleRowsOnly, VersionedAdmin):
    list_display = ("title_or_url", "source", "published_at", "review_state", "duplicate_of")
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

    @admin.display(description="report")
    def title_or_url(self, report: Report) -> str:
        return str(report)[:120]

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
            messages.warning(request, f"Stored as a duplicate of “{result.report.duplicate_of}”.")

    def _review(self, request: HttpRequest, queryset: QuerySet[Report], state: str) -> None:
        for report in queryset:
            services.report_review(report=report, state=state, reviewed_by=request.user)
        messages.success(request, f"Marked {queryset.count()} report(s) {state.replace('_', ' ')}.")

    @admin.action(description="Mark as relevant (shown to analysts and partners)", permissions=["change"])
    def mark_relevant(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._review(request, queryset, Report.ReviewState.RELEVANT)

    @admin.action(description="Mark as not relevant", permissions=["change"])
    def mark_not_relevant(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        self._review(request, queryset, Report.ReviewState.NOT_RELEVANT)


@admin.register(StatusSuggestion)
class StatusSuggestionAdmin(HistoryOfVisibleRowsOnly, VersionedAdmin):
    list_display = ("crossing", "proposed_status", "traffic", "state", "evidence_excerpt", "report", "created_at")
    list_filter = ("state", "proposed_status", "traffic", "crossing")
    search_fields = ("crossing__name", "evidence", "report__title")
    list_select_related = ("crossing", "report")
    readonly_fields = (
        "report",
        "crossing",
        "proposed_status",
        "traffic",
        "evidence",
        "matched_phrase",
        "state",
        "created_at",
        "decided_at",
        "decided_by",
        "resulting_status",
    )
    fields = (*readonly_fields, "decision_note")
    actions = ["accept", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # suggestions come from reports; an editor records a status directly instead

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatusSuggestion]:
        queryset = super().get_queryset(request)
        if may_review(request.user):
            return queryset
        # Proposals an editor has not decided, and those from reports not marked relevant, are for editors.
        return queryset.filter(report__review_state=Report.ReviewState.RELEVANT).exclude(
            state=StatusSuggestion.State.PENDING
        )

    @admin.display(description="evidence")
    def evidence_excerpt(self, suggestion: StatusSuggestion) -> str:
        return suggestion.evidence[:160]

    @admin.action(description="Accept: record the proposed status, citing the report", permissions=["change"])
    def accept(self, request: HttpRequest, queryset: QuerySet[StatusSuggestion]) -> None:
        self._decide(request, queryset, accept=True)

    @admin.action(description="Reject the selected suggestions", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[StatusSuggestion]) -> None:
        self._decide(request, queryset, accept=False)

    def _decide(self, request: HttpRequest, queryset: QuerySet[StatusSuggestion], *, accept: bool) -> None:
        done, refused = 0, []
        for suggestion in queryset.select_related("crossing", "report"):
            try:
                if accept:
                    services.suggestion_accept(suggestion=suggestion, decided_by=request.user)
                else:
                    services.suggestion_reject(suggestion=suggestion, decided_by=request.user)
                done += 1
            except ValidationError as error:
                refused.append(f"{suggestion}: {' '.join(error.messages)}")
        verb = "Accepted" if accept else "Rejected"
        if done:
            messages.success(request, f"{verb} {done} suggestion(s).")
        for line in refused:
            messages.warning(request, line)


# --- machinery (read only) --------------------------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "recorded_at", "recorded_by")
    list_filter = ("kind",)
    list_select_related = ("recorded_by",)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("hostname", "last_seen", "is_fresh")

    @admin.display(description="consuming", boolean=True)
    def is_fresh(self, beat: WorkerHeartbeat) -> bool:
        """A worker that has not run the heartbeat lately is not taking tasks, even if its process is alive."""
        return beat.last_seen >= timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
