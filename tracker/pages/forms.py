"""The pages' filter forms (GET): they turn query parameters into typed values or say which one is wrong."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from ..models import Actor, Crisis, Crossing, Source, Traffic
from ..selectors.timeline import ENTRY_KINDS

SLUG_ERRORS = {"invalid_choice": "There is no such %(name)s; pick one from the list."}
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
MAX_PAGE = 1000


def _by_slug(queryset: Any, name: str, label: str) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=queryset,
        to_field_name="slug",
        required=False,
        label=label,
        empty_label=f"Any {name}",
        error_messages={"invalid_choice": SLUG_ERRORS["invalid_choice"] % {"name": name}},
    )


def _day(label: str) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )


class DateRangeForm(forms.Form):
    since = _day("From")
    until = _day("To")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("since", "until"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(name, f"Pick a date between {EARLIEST} and {LATEST}.")
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the range comes before its start.")
        return data


class PageNumberField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            required=False,
            min_value=1,
            max_value=MAX_PAGE,
            widget=forms.HiddenInput,
            error_messages={"invalid": "page must be a whole number."},
            **kwargs,
        )


class ReportFilterForm(DateRangeForm):
    q = forms.CharField(
        required=False,
        max_length=300,
        label="Search reports",
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": 'e.g. Rafah aid, "safe passage", -rumour'}),
    )
    source = _by_slug(Source.objects.order_by("name"), "source", "Source")
    crisis = _by_slug(Crisis.objects.order_by("name"), "crisis", "Crisis")
    crossing = _by_slug(Crossing.objects.order_by("name"), "crossing", "Crossing")
    page = PageNumberField()

    field_order = ["q", "source", "crisis", "crossing", "since", "until"]


class TimelineFilterForm(DateRangeForm):
    crisis = _by_slug(Crisis.objects.order_by("name"), "crisis", "Crisis")
    kind = forms.ChoiceField(
        required=False,
        label="What",
        choices=[("", "Everything"), *ENTRY_KINDS],
        error_messages={"invalid_choice": "There is no such kind of entry; pick one from the list."},
    )
    actor = _by_slug(Actor.objects.order_by("name"), "actor", "Actor")
    page = PageNumberField()

    field_order = ["crisis", "kind", "actor", "since", "until"]


TRAFFIC_CHOICES = [(str(kind), Traffic(kind).label) for kind in Traffic.specific()]


class MapForm(forms.Form):
    crisis = _by_slug(Crisis.objects.order_by("name"), "crisis", "Crisis")
    traffic = forms.ChoiceField(
        required=False,
        label="Status for",
        choices=TRAFFIC_CHOICES,
        error_messages={"invalid_choice": "There is no such kind of traffic; pick one from the list."},
    )

    def clean_traffic(self) -> str:
        return self.cleaned_data.get("traffic") or str(Traffic.AID)


CHART_WINDOWS = [(30, "30 days"), (90, "90 days"), (365, "1 year"), (1095, "3 years"), (3650, "10 years")]


class ChartWindowForm(forms.Form):
    days = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "From shortly before the first change"), *CHART_WINDOWS],
        label="Chart covers",
        error_messages={"invalid_choice": "days must be one of 30, 90, 365, 1095 or 3650."},
    )
