"""Query parameters of the list endpoints (django-filter). A value that names nothing, or a malformed date, is a
400 naming the parameter: a partner who mistypes a filter must not silently get everything."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from tracker.models import (
    Actor,
    AidDispute,
    Change,
    Country,
    Crisis,
    Crossing,
    CrossingStatus,
    CrossingStatusRetraction,
    EvacuationAgreement,
    FlowCount,
    Report,
    Source,
    TimelineEvent,
    Traffic,
)
from tracker.models.crossings import CrossingKind
from tracker.models.reference import ActorKind, CrisisState

# One whole sentence per kind of row, so that each language can word it (and give it its gender) as it must.
NO_SUCH_SLUG = {
    "crisis": _("No crisis has this slug."),
    "crossing": _("No crossing has this slug."),
    "actor": _("No actor has this slug."),
    "source": _("No source has this slug."),
}


def _by_slug(model: type[Model], label: str, **extra: Any) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        queryset=model._default_manager.all(),
        to_field_name="slug",
        help_text=f"Slug of a {label}",
        error_messages={"invalid_choice": NO_SUCH_SLUG[label]},
        **extra,
    )


def _country(**extra: Any) -> filters.ModelChoiceFilter:
    return filters.ModelChoiceFilter(
        queryset=Country.objects.all(),
        to_field_name="iso3",
        help_text="ISO 3166-1 alpha-3 code, upper case (e.g. EGY)",
        error_messages={"invalid_choice": _("No country has this ISO 3166-1 alpha-3 code.")},
        **extra,
    )


def to_utc(value: datetime) -> datetime:
    """A query-string time in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 (and Python) allow."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise forms.ValidationError(gettext("This time is out of range.")) from None


class UtcIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        return None if parsed is None else to_utc(parsed)


class UtcIsoDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


def _since(help_text: str, **extra: Any) -> filters.IsoDateTimeFilter:
    return UtcIsoDateTimeFilter(help_text=help_text + " (ISO 8601; without an offset, UTC)", **extra)


def _changed_since(model: type, moment: Any) -> Exists:
    """Rows with a history record (django-simple-history) at or after ``moment``: edits, links, state changes."""
    history = model.history.model  # type: ignore[attr-defined]
    return Exists(history.objects.filter(id=OuterRef("pk"), history_date__gte=moment))


class CrisisFilter(filters.FilterSet):
    state = filters.ChoiceFilter(choices=CrisisState.choices, help_text="Only crises in this state")
    country = _country(field_name="countries", method="filter_country")
    updated_since = _since("Only crises edited at or after this time", method="filter_updated_since")

    class Meta:
        model = Crisis
        fields: list[str] = []

    def filter_country(self, queryset: QuerySet[Crisis], name: str, value: Country | None) -> QuerySet[Crisis]:
        return queryset.filter(countries=value) if value else queryset

    def filter_updated_since(self, queryset: QuerySet[Crisis], name: str, value: Any) -> QuerySet[Crisis]:
        return queryset.filter(_changed_since(Crisis, value)) if value else queryset


class ActorFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ActorKind.choices, help_text="Only actors of this kind")
    country = _country(field_name="country")
    updated_since = _since("Only actors edited at or after this time", method="filter_updated_since")

    class Meta:
        model = Actor
        fields: list[str] = []

    def filter_updated_since(self, queryset: QuerySet[Actor], name: str, value: Any) -> QuerySet[Actor]:
        return queryset.filter(_changed_since(Actor, value)) if value else queryset


class CrossingFilter(filters.FilterSet):
    crisis = _by_slug(Crisis, "crisis", field_name="crises")
    country = _country(method="filter_country")
    kind = filters.ChoiceFilter(choices=CrossingKind.choices, help_text="Only crossings of this kind")
    status = filters.ChoiceFilter(
        choices=CrossingStatus.Status.choices,
        method="filter_status",
        help_text="Only crossings with this status (as of `as_of`) for `traffic`, or for any kind of traffic",
    )
    traffic = filters.ChoiceFilter(
        choices=[(kind.value, kind.label) for kind in Traffic.specific()],
        method="filter_noop",
        help_text="With `status`: the kind of traffic the status is for",
    )
    updated_since = _since(
        "Only crossings edited, or with a status recorded or retracted, at or after this time",
        method="filter_updated_since",
    )

    class Meta:
        model = Crossing
        fields: list[str] = []

    def filter_country(self, queryset: QuerySet[Crossing], name: str, value: Country | None) -> QuerySet[Crossing]:
        return queryset.filter(Q(side_a=value) | Q(side_b=value)) if value else queryset

    def filter_noop(self, queryset: QuerySet[Crossing], name: str, value: Any) -> QuerySet[Crossing]:
        return queryset

    def filter_status(self, queryset: QuerySet[Crossing], name: str, value: str) -> QuerySet[Crossing]:
        # The rows in effect are the annotations that ``selectors.crossings_annotated_with_status`` made; this only
        # compares their status, it does not decide which row holds.
        if not value:
            return queryset
        traffic = self.form.cleaned_data.get("traffic")
        kinds = [traffic] if traffic else [kind.value for kind in Traffic.specific()]
        condition = Q()
        for kind in kinds:
            annotation = f"status_{kind}_row_id"
            if value == CrossingStatus.Status.UNKNOWN:
                row_says_unknown = Exists(
                    CrossingStatus.objects.filter(pk=OuterRef(annotation), status=CrossingStatus.Status.UNKNOWN)
                )
                condition |= Q(**{f"{annotation}__isnull": True}) | Q(row_says_unknown)
            else:
                condition |= Q(Exists(CrossingStatus.objects.filter(pk=OuterRef(annotation), status=value)))
        return queryset.filter(condition)

    def filter_updated_since(self, queryset: QuerySet[Crossing], name: str, value: Any) -> QuerySet[Crossing]:
        if not value:
            return queryset
        status_since = CrossingStatus.objects.filter(crossing=OuterRef("pk"), recorded_at__gte=value)
        retracted_since = CrossingStatusRetraction.objects.filter(
            status_row__crossing=OuterRef("pk"), recorded_at__gte=value
        )
        return queryset.filter(
            Q(_changed_since(Crossing, value)) | Q(Exists(status_since)) | Q(Exists(retracted_since))
        )


class HistoryFilter(filters.FilterSet):
    traffic = filters.ChoiceFilter(choices=Traffic.choices, help_text="Only rows recorded for this traffic")
    status = filters.ChoiceFilter(choices=CrossingStatus.Status.choices, help_text="Only rows with this status")
    effective_after = _since(
        "Only rows that took effect at or after this time", field_name="effective_at", lookup_expr="gte"
    )
    effective_before = _since(
        "Only rows that took effect at or before this time", field_name="effective_at", lookup_expr="lte"
    )
    updated_since = _since("Only rows recorded at or after this time", field_name="recorded_at", lookup_expr="gte")

    class Meta:
        model = CrossingStatus
        fields: list[str] = []


def _accord_updated_since(model: type, queryset: QuerySet[Any], value: Any) -> QuerySet[Any]:
    if not value:
        return queryset
    changes = model.state_changes.rel.related_model  # type: ignore[attr-defined]
    link = "dispute" if model is AidDispute else "agreement"
    state_since = changes.objects.filter(**{link: OuterRef("pk")}, recorded_at__gte=value)
    return queryset.filter(Q(_changed_since(model, value)) | Q(Exists(state_since)))


class AidDisputeFilter(filters.FilterSet):
    crisis = _by_slug(Crisis, "crisis")
    crossing = _by_slug(Crossing, "crossing", field_name="crossings")
    party = _by_slug(Actor, "actor", field_name="parties")
    state = filters.ChoiceFilter(choices=AidDispute.State.choices, help_text="Only disputes in this state")
    subject = filters.ChoiceFilter(choices=AidDispute.Subject.choices, help_text="Only disputes about this")
    opened_after = filters.DateFilter(field_name="opened_on", lookup_expr="gte", help_text="Opened on or after")
    opened_before = filters.DateFilter(field_name="opened_on", lookup_expr="lte", help_text="Opened on or before")
    updated_since = _since(
        "Only disputes edited or changing state at or after this time", method="filter_updated_since"
    )

    class Meta:
        model = AidDispute
        fields: list[str] = []

    def filter_updated_since(self, queryset: QuerySet[AidDispute], name: str, value: Any) -> QuerySet[AidDispute]:
        return _accord_updated_since(AidDispute, queryset, value)


class EvacuationAgreementFilter(filters.FilterSet):
    crisis = _by_slug(Crisis, "crisis")
    crossing = _by_slug(Crossing, "crossing", field_name="crossings")
    party = _by_slug(Actor, "actor", field_name="parties__actor")
    state = filters.ChoiceFilter(choices=EvacuationAgreement.State.choices, help_text="Only agreements in this state")
    announced_after = filters.DateFilter(field_name="announced_on", lookup_expr="gte", help_text="On or after")
    announced_before = filters.DateFilter(field_name="announced_on", lookup_expr="lte", help_text="On or before")
    updated_since = _since(
        "Only agreements edited or changing state at or after this time", method="filter_updated_since"
    )

    class Meta:
        model = EvacuationAgreement
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # ``party`` crosses a to-many relation: one agreement with a party in two roles must still appear once.
        filtered = super().filter_queryset(queryset)
        return filtered.distinct() if self.form.cleaned_data.get("party") else filtered

    def filter_updated_since(
        self, queryset: QuerySet[EvacuationAgreement], name: str, value: Any
    ) -> QuerySet[EvacuationAgreement]:
        return _accord_updated_since(EvacuationAgreement, queryset, value)


class TimelineFilter(filters.FilterSet):
    crisis = _by_slug(Crisis, "crisis")
    actor = _by_slug(Actor, "actor", field_name="actors")
    kind = filters.ChoiceFilter(choices=TimelineEvent.Kind.choices, help_text="Only events of this kind")
    date_from = filters.DateFilter(field_name="occurred_on", lookup_expr="gte", help_text="On or after this day")
    date_to = filters.DateFilter(field_name="occurred_on", lookup_expr="lte", help_text="On or before this day")
    updated_since = _since("Only events edited at or after this time", method="filter_updated_since")

    class Meta:
        model = TimelineEvent
        fields: list[str] = []

    def filter_updated_since(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(_changed_since(TimelineEvent, value)) if value else queryset


class FlowFilter(filters.FilterSet):
    crossing = _by_slug(Crossing, "crossing")
    crisis = _by_slug(Crisis, "crisis", field_name="crossing__crises")
    source = _by_slug(Source, "source")
    metric = filters.ChoiceFilter(choices=FlowCount.Metric.choices, help_text="Only figures of this metric")
    day_from = filters.DateFilter(field_name="day", lookup_expr="gte", help_text="On or after this day")
    day_to = filters.DateFilter(field_name="day", lookup_expr="lte", help_text="On or before this day")
    updated_since = _since("Only figures recorded or corrected at or after this time", method="filter_updated_since")

    class Meta:
        model = FlowCount
        fields: list[str] = []

    def filter_updated_since(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset.filter(_changed_since(FlowCount, value)) if value else queryset


class ReportFilter(filters.FilterSet):
    crisis = _by_slug(Crisis, "crisis", field_name="crises")
    crossing = _by_slug(Crossing, "crossing", field_name="crossings")
    source = _by_slug(Source, "source")
    language = filters.CharFilter(help_text="Language code as the source gave it, e.g. `en`", max_length=12)
    published_after = _since("Published at or after this time", field_name="published_at", lookup_expr="gte")
    published_before = _since("Published at or before this time", field_name="published_at", lookup_expr="lte")
    updated_since = _since("Stored or refreshed at or after this time", field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Report
        fields: list[str] = []


class ChangeFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Change.Kind.choices, method="filter_noop", help_text="Only this kind")
    crossing = _by_slug(Crossing, "crossing", method="filter_noop")
    crisis = _by_slug(Crisis, "crisis", method="filter_noop")

    class Meta:
        model = Change
        fields: list[str] = []

    def filter_noop(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        # The change feed selector applies these; the filter set only validates them and documents them.
        return queryset


class StrictOrderingFilter(OrderingFilter):
    """``ordering`` as in DRF, but an unknown field is a 400 instead of being silently ignored."""

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        fields = list(getattr(view, "ordering_fields", []))
        values = [value for name in fields for value in (name, f"-{name}")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Sort by this field; prefix `-` for descending. Default: the list's natural order.",
                "schema": {"type": "string", "enum": values},
                "example": values[-1] if values else None,
            }
        ]

    def get_ordering(self, request: Any, queryset: QuerySet[Any], view: Any) -> Any:
        raw = request.query_params.get(self.ordering_param)
        if raw:
            allowed = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
            wanted = [term.strip() for term in raw.split(",")]
            unknown = [term for term in wanted if term.lstrip("-") not in allowed]
            if unknown:
                message = gettext("Order by one of: %(fields)s (prefix - to reverse).")
                raise ValidationError({self.ordering_param: [message % {"fields": ", ".join(sorted(allowed))}]})
        return super().get_ordering(request, queryset, view)
