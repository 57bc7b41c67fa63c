"""Status suggestions in the admin: the queue, and the page where an editor decides one.

The machine proposes; a person decides. The decision page shows what the suggestion rests on (the report, its
date and whether that date was only estimated, the sentence with the matched words marked, the crossing's status
now) and the proposal as an editable form. Whatever would publish a status for all traffic, and every bulk
acceptance, first shows exactly what will be published, as Django's delete confirmation does.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from .. import selectors, services
from ..models import Report, StatusSuggestion, Traffic
from .common import HistoryOfVisibleRowsOnly, VersionedAdmin, may_review
from .decision_forms import AcceptForm, RejectForm

TEMPLATES = "admin/tracker/statussuggestion/"


class ReportDatedFilter(admin.SimpleListFilter):
    """Whether the report gave its own date: undated ones need the editor to set when the status took effect."""

    title = _("report date")
    parameter_name = "report_date"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("given", _("Given by the report")), ("estimated", _("Estimated (no date given)"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in {"given", "estimated"}:
            return queryset.filter(report__published_at_estimated=self.value() == "estimated")
        return queryset


@admin.register(StatusSuggestion)
class StatusSuggestionAdmin(HistoryOfVisibleRowsOnly, VersionedAdmin):
    list_display = ("crossing", "proposal", "sureness", "report_date", "source", "evidence_excerpt", "state")
    list_display_links = ("crossing", "proposal")
    list_filter = (
        "state",
        "proposed_status",
        "traffic",
        ReportDatedFilter,
        "report__source",
        "crossing",
    )
    search_fields = ("crossing__name", "evidence", "report__title")
    list_select_related = ("crossing", "report__source")
    list_per_page = 50
    actions = ["accept", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # suggestions come from reports; an editor records a status directly instead

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a decision is kept: reject instead

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatusSuggestion]:
        queryset = (
            super()
            .get_queryset(request)
            .select_related("crossing", "report__source")
            .defer("report__text", "report__raw", "report__summary_html")
        )
        if may_review(request.user):
            return queryset
        # Proposals an editor has not decided, and those from reports not marked relevant, are for editors.
        return queryset.filter(report__review_state=Report.ReviewState.RELEVANT).exclude(
            state=StatusSuggestion.State.PENDING
        )

    def get_history_queryset(self, request: HttpRequest, history_manager: Any, pk_name: str, object_id: Any) -> Any:
        # Each history line is named by its crossing and report: fetched with the rows, not one query per line.
        return (
            super()
            .get_history_queryset(request, history_manager, pk_name, object_id)
            .select_related("crossing", "report")
            .defer("report__text", "report__raw", "report__summary_html")
        )

    def set_history_delta_changes(self, request: HttpRequest, historical_records: Any, **kwargs: Any) -> None:
        # Each line is named by the suggestion as it was (``history_object``, a fresh instance per access): hand it
        # the crossing and report fetched with the rows, so naming a line costs no query.
        for record in historical_records:
            instance = record.history_object
            instance.crossing, instance.report = record.crossing, record.report
            record.__dict__["history_object"] = instance
        super().set_history_delta_changes(request, historical_records, **kwargs)

    # --- the list ------------------------------------------------------------------------------------------------

    @admin.display(description=_("proposal"), ordering="proposed_status")
    def proposal(self, suggestion: StatusSuggestion) -> str:
        return format_html(
            '<span class="status status-{}">{}</span> {}',
            suggestion.proposed_status,
            suggestion.get_proposed_status_display().lower(),
            gettext("for %(traffic)s") % {"traffic": suggestion.get_traffic_display().lower()},
        )

    @admin.display(description=_("confidence"), ordering="confidence")
    def sureness(self, suggestion: StatusSuggestion) -> str:
        if suggestion.is_low_confidence:
            return format_html(
                '<span class="low-confidence">{} <strong>{}</strong></span>',
                f"{suggestion.confidence:.2f}",
                pgettext("confidence", "low"),
            )
        return f"{suggestion.confidence:.2f}"

    @admin.display(description=_("report date"), ordering="report__published_at")
    def report_date(self, suggestion: StatusSuggestion) -> str:
        report = suggestion.report
        if report.published_at_estimated:
            return format_html(
                '<span class="estimated" title="{}">{} <strong>{}</strong></span>',
                gettext("The report gave no date: this is when it was fetched"),
                f"{report.published_at:%Y-%m-%d %H:%M}",
                pgettext("report date", "estimated"),
            )
        return f"{report.published_at:%Y-%m-%d %H:%M}"

    @admin.display(description=_("source"), ordering="report__source__name")
    def source(self, suggestion: StatusSuggestion) -> str:
        return suggestion.report.source.name

    @admin.display(description=_("evidence"))
    def evidence_excerpt(self, suggestion: StatusSuggestion) -> str:
        text = suggestion.evidence
        text = text if len(text) <= 110 else text[:108].rstrip() + "…"
        return format_html('<span dir="auto">{}</span>', text)  # Arabic and Hebrew read right to left

    # --- the decision page -----------------------------------------------------------------------------------------

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        suggestion = self.get_object(request, unquote(object_id))
        if suggestion is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        may_decide = (
            self.has_change_permission(request, suggestion) and suggestion.state == StatusSuggestion.State.PENDING
        )
        accept_form = AcceptForm(suggestion=suggestion)
        reject_form = RejectForm()
        if request.method == "POST":
            if not may_decide:
                raise PermissionDenied
            decision = request.POST.get("decision")
            if decision == "accept":
                accept_form = AcceptForm(request.POST, suggestion=suggestion)
                if accept_form.is_valid():
                    needs_confirmation = accept_form.cleaned_data["traffic"] == Traffic.ALL
                    if needs_confirmation and request.POST.get("confirmed") != "yes":
                        return self._confirm_one(request, suggestion, accept_form)
                    try:
                        return self._accept_one(request, suggestion, accept_form)
                    except ValidationError as error:
                        _attach(accept_form, error)
            elif decision == "reject":
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    try:
                        return self._reject_one(request, suggestion, reject_form)
                    except ValidationError as error:
                        _attach(reject_form, error)
            else:
                messages.error(request, gettext("Choose Accept or Reject."))
        newer, older = selectors.suggestion_neighbours(suggestion)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Decide: %(crossing)s, %(status)s for %(traffic)s?") % _proposal_words(suggestion),
            "suggestion": suggestion,
            "report": suggestion.report,
            "marked_evidence": selectors.mark_words(
                suggestion.evidence, [suggestion.matched_phrase, *selectors.crossing_names(suggestion.crossing)]
            ),
            "standing": selectors.crossing_standing_now(suggestion.crossing),
            "siblings": selectors.suggestion_siblings(suggestion),
            "newer": newer,
            "older": older,
            "may_decide": may_decide,
            "accept_form": accept_form,
            "reject_form": reject_form,
            "has_view_permission": True,
            "original": suggestion,
        }
        return TemplateResponse(request, TEMPLATES + "decide.html", context)

    def _accept_one(self, request: HttpRequest, suggestion: StatusSuggestion, form: AcceptForm) -> HttpResponse:
        _, older = selectors.suggestion_neighbours(suggestion)
        row = services.suggestion_accept(suggestion=suggestion, decided_by=request.user, **form.accept_kwargs())
        messages.success(
            request, gettext("Accepted and published: %(row)s. The report is marked relevant.") % {"row": row}
        )
        return self._next(older)

    def _reject_one(self, request: HttpRequest, suggestion: StatusSuggestion, form: RejectForm) -> HttpResponse:
        _, older = selectors.suggestion_neighbours(suggestion)
        services.suggestion_reject(
            suggestion=suggestion,
            decided_by=request.user,
            reason=form.cleaned_data["rejection_reason"],
            note=form.cleaned_data.get("decision_note", ""),
        )
        messages.success(request, gettext("Rejected: %(crossing)s, %(status)s.") % _proposal_words(suggestion))
        return self._next(older)

    def _next(self, older: StatusSuggestion | None) -> HttpResponse:
        """On to the next suggestion in the queue, or back to the list when the queue is done."""
        if older is None:
            older = selectors.suggestion_queue().first()
        if older is None:
            return HttpResponseRedirect(reverse("admin:tracker_statussuggestion_changelist") + "?state__exact=pending")
        return HttpResponseRedirect(reverse("admin:tracker_statussuggestion_change", args=[older.pk]))

    def _confirm_one(self, request: HttpRequest, suggestion: StatusSuggestion, form: AcceptForm) -> HttpResponse:
        data = form.cleaned_data
        proposal = selectors.Proposal(
            crossing=data["crossing"],
            status=data["status"],
            traffic=data["traffic"],
            effective_at=data["effective_at"],
            suggestion=suggestion,
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Publish this status?"),
            "plan": selectors.publication_plan([proposal]),
            "refused": [],
            "single": suggestion,
            "form": form,
        }
        return TemplateResponse(request, TEMPLATES + "confirm_accept.html", context)

    # --- bulk actions ----------------------------------------------------------------------------------------------

    @admin.action(
        description=_("Accept: publish the proposed statuses (shows what will be published first)"),
        permissions=["change"],
    )
    def accept(self, request: HttpRequest, queryset: QuerySet[StatusSuggestion]) -> HttpResponse | None:
        chosen = list(queryset.select_related("crossing", "report").order_by("crossing__name", "traffic", "id"))
        acceptable, refused = [], []
        for suggestion in chosen:
            if suggestion.state != StatusSuggestion.State.PENDING:
                state = suggestion.get_state_display().lower()
                refused.append((suggestion, gettext("already %(state)s") % {"state": state}))
            elif suggestion.is_low_confidence:
                refused.append(
                    (
                        suggestion,
                        gettext(
                            "low confidence (%(confidence)s): the reader was unsure; open it and decide it on its own"
                        )
                        % {"confidence": f"{suggestion.confidence:.2f}"},
                    )
                )
            elif suggestion.report.published_at_estimated:
                refused.append(
                    (
                        suggestion,
                        gettext("the report gave no date; open the suggestion and set when the status took effect"),
                    )
                )
            else:
                acceptable.append(suggestion)
        if request.POST.get("post") == "yes":
            done = 0
            for suggestion in acceptable:
                try:
                    services.suggestion_accept(suggestion=suggestion, decided_by=request.user)
                    done += 1
                except ValidationError as error:
                    refused.append((suggestion, " ".join(error.messages)))
            if done:
                messages.success(
                    request,
                    ngettext(
                        "Accepted and published %(count)d suggestion; its report is marked relevant.",
                        "Accepted and published %(count)d suggestions; their reports are marked relevant.",
                        done,
                    )
                    % {"count": done},
                )
            for suggestion, why in refused:
                messages.warning(
                    request,
                    gettext("Not accepted: %(crossing)s, %(status)s for %(traffic)s: %(why)s.")
                    % {**_proposal_words(suggestion), "why": why},
                )
            return None
        proposals = [
            selectors.Proposal(
                crossing=s.crossing,
                status=s.proposed_status,
                traffic=s.traffic,
                effective_at=services.suggestion_effective_at(s),
                suggestion=s,
            )
            for s in acceptable
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Publish these statuses?"),
            "plan": selectors.publication_plan(proposals),
            "refused": refused,
            "queryset": acceptable,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, TEMPLATES + "confirm_accept.html", context)

    @admin.action(description=_("Reject the selected suggestions (asks why)"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[StatusSuggestion]) -> HttpResponse | None:
        chosen = list(queryset.select_related("crossing", "report").filter(state=StatusSuggestion.State.PENDING))
        form = RejectForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            done = 0
            for suggestion in chosen:
                try:
                    services.suggestion_reject(
                        suggestion=suggestion,
                        decided_by=request.user,
                        reason=form.cleaned_data["rejection_reason"],
                        note=form.cleaned_data.get("decision_note", ""),
                    )
                    done += 1
                except ValidationError as error:
                    messages.warning(
                        request,
                        gettext("Not rejected: %(suggestion)s: %(why)s")
                        % {"suggestion": suggestion, "why": " ".join(error.messages)},
                    )
            messages.success(
                request,
                ngettext("Rejected %(count)d suggestion.", "Rejected %(count)d suggestions.", done) % {"count": done},
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Reject these suggestions?"),
            "queryset": chosen,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, TEMPLATES + "reject_selected.html", context)


def _proposal_words(suggestion: StatusSuggestion) -> dict[str, str]:
    """A proposal's crossing, status and traffic, as the sentences about it name them in the reader's language."""
    return {
        "crossing": str(suggestion.crossing),
        "status": suggestion.get_proposed_status_display().lower(),
        "traffic": suggestion.get_traffic_display().lower(),
    }


def _attach(form: Any, error: ValidationError) -> None:
    """A service's refusal shown on the form, on its field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
