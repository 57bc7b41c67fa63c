"""Status suggestions in the admin: the queue editors decide, through the services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from .. import services
from ..models import (
    Report,
    StatusSuggestion,
)
from .common import (
    HistoryOfVisibleRowsOnly,
    VersionedAdmin,
    may_review,
)


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
