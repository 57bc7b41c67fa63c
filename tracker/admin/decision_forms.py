"""The forms of an editor's decision on a status suggestion: the proposal as the editor corrects it, and why a
suggestion is rejected. They check what the services check, so the page refuses before anything is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import Crossing, CrossingStatus, StatusSuggestion, Traffic

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class AcceptForm(forms.Form):
    """The status as it will be published; starts as the machine proposed it."""

    crossing = forms.ModelChoiceField(queryset=Crossing.objects.order_by("name"), label=_("Crossing"))
    traffic = forms.ChoiceField(choices=Traffic.choices, label=_("Kind of traffic"))
    status = forms.ChoiceField(
        choices=[(v, label) for v, label in CrossingStatus.Status.choices if v != CrossingStatus.Status.UNKNOWN],
        label=_("Status"),
    )
    effective_at = forms.DateTimeField(
        label=_("Took effect (UTC)"),
        required=False,
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    certainty = forms.ChoiceField(choices=CrossingStatus.Certainty.choices, label=_("Certainty"))
    note = forms.CharField(
        required=False,
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty to cite the report's sentence."),
    )

    def __init__(self, *args: Any, suggestion: StatusSuggestion, **kwargs: Any) -> None:
        self.suggestion = suggestion
        report = suggestion.report
        kwargs.setdefault(
            "initial",
            {
                "crossing": suggestion.crossing_id,
                "traffic": suggestion.traffic,
                "status": suggestion.proposed_status,
                # An undated report offers no time: the editor states one (the service refuses otherwise).
                "effective_at": None if report.published_at_estimated else report.published_at,
                "certainty": CrossingStatus.Certainty.REPORTED,
            },
        )
        super().__init__(*args, **kwargs)
        if report.published_at_estimated:
            self.fields["effective_at"].help_text = services.UNDATED_REPORT_MESSAGE
        else:
            self.fields["effective_at"].help_text = _("The report's date; change it if the text says otherwise.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            data["effective_at"] = services.suggestion_effective_at(self.suggestion, data.get("effective_at"))
            services.crossing_status_check(effective_at=data["effective_at"], report=self.suggestion.report, note="x")
        except ValidationError as error:
            raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) from None
        return data

    def accept_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "crossing": data["crossing"],
            "status": data["status"],
            "traffic": data["traffic"],
            "effective_at": data["effective_at"],
            "certainty": data["certainty"],
            "note": data.get("note", ""),
        }


class RejectForm(forms.Form):
    rejection_reason = forms.ChoiceField(
        label=_("Why"), choices=[("", "---------"), *StatusSuggestion.RejectionReason.choices]
    )
    decision_note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for “other”."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("rejection_reason") == StatusSuggestion.RejectionReason.OTHER
            and not (data.get("decision_note") or "").strip()
        ):
            self.add_error("decision_note", _("Say why when the reason is “other”."))
        return data
