"""The pages' filter forms (GET): they turn query parameters into typed values or say which one is wrong."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Actor, Crisis, Crossing, Source, Traffic
from ..selectors.names import Namer, actor_names_in, crossing_names_in
from ..selectors.timeline import ENTRY_KINDS

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
MAX_PAGE = 1000


class NamedInLanguage(forms.ModelChoiceField):
    """Choices labelled as the pages name them: by the row's alias in the reader's language, where one is on record,
    else by its own name. Each form gets a namer of its own (the field is copied for every form), so the aliases
    are read once per form and language and an alias added since is seen."""

    def __init__(self, *args: Any, names_in: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.namer = Namer(names_in)

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        copied = super().__deepcopy__(memo)
        copied.namer = Namer(self.namer.names_in)
        return copied

    def label_from_instance(self, obj: Any) -> str:
        return self.namer(obj)


def _by_slug(
    queryset: Any, label: StrPromise, empty_label: StrPromise, invalid: StrPromise, names_in: Any = None
) -> forms.ModelChoiceField:
    """Whole sentences per field (not "Any %(name)s"): Arabic and French agree the words with the noun."""
    field = forms.ModelChoiceField if names_in is None else partial(NamedInLanguage, names_in=names_in)
    return field(
        queryset=queryset,
        to_field_name="slug",
        required=False,
        label=label,
        empty_label=empty_label,
        error_messages={"invalid_choice": invalid},
    )


def _source() -> forms.ModelChoiceField:
    return _by_slug(
        Source.objects.order_by("name"),
        _("Source"),
        _("Any source"),
        _("There is no such source; pick one from the list."),
    )


def _crisis() -> forms.ModelChoiceField:
    return _by_slug(
        Crisis.objects.order_by("name"),
        _("Crisis"),
        _("Any crisis"),
        _("There is no such crisis; pick one from the list."),
    )


def _crossing() -> forms.ModelChoiceField:
    return _by_slug(
        Crossing.objects.order_by("name"),
        _("Crossing"),
        _("Any crossing"),
        _("There is no such crossing; pick one from the list."),
        names_in=crossing_names_in,
    )


def _actor() -> forms.ModelChoiceField:
    return _by_slug(
        Actor.objects.order_by("name"),
        _("Actor"),
        _("Any actor"),
        _("There is no such actor; pick one from the list."),
        names_in=actor_names_in,
    )


def _day(label: StrPromise) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )


class DateRangeForm(forms.Form):
    since = _day(_("From"))
    until = _day(_("To"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("since", "until"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(
                    name,
                    _("Pick a date between %(earliest)s and %(latest)s.") % {"earliest": EARLIEST, "latest": LATEST},
                )
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the range comes before its start."))
        return data


class PageNumberField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            required=False,
            min_value=1,
            max_value=MAX_PAGE,
            widget=forms.HiddenInput,
            error_messages={"invalid": _("page must be a whole number.")},
            **kwargs,
        )


class DashboardForm(forms.Form):
    page = PageNumberField()  # of the crises under way; past the last, the last


class ReportFilterForm(DateRangeForm):
    q = forms.CharField(
        required=False,
        max_length=300,
        label=_("Search reports"),
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _('e.g. Rafah aid, "safe passage", -rumour')}),
    )
    source = _source()
    crisis = _crisis()
    crossing = _crossing()
    page = PageNumberField()

    field_order = ["q", "source", "crisis", "crossing", "since", "until"]


class TimelineFilterForm(DateRangeForm):
    crisis = _crisis()
    kind = forms.ChoiceField(
        required=False,
        label=_("What"),
        choices=[("", _("Everything")), *ENTRY_KINDS],
        error_messages={"invalid_choice": _("There is no such kind of entry; pick one from the list.")},
    )
    actor = _actor()
    page = PageNumberField()

    field_order = ["crisis", "kind", "actor", "since", "until"]


TRAFFIC_CHOICES = [(str(kind), Traffic(kind).label) for kind in Traffic.specific()]


class MapForm(forms.Form):
    crisis = _crisis()
    traffic = forms.ChoiceField(
        required=False,
        label=_("Status for"),
        choices=TRAFFIC_CHOICES,
        error_messages={"invalid_choice": _("There is no such kind of traffic; pick one from the list.")},
    )

    def clean_traffic(self) -> str:
        return self.cleaned_data.get("traffic") or str(Traffic.AID)


CHART_WINDOWS = [
    (30, _("30 days")),
    (90, _("90 days")),
    (365, _("1 year")),
    (1095, _("3 years")),
    (3650, _("10 years")),
]


class ChartWindowForm(forms.Form):
    days = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("From shortly before the first change")), *CHART_WINDOWS],
        label=_("Chart covers"),
        error_messages={"invalid_choice": _("days must be one of 30, 90, 365, 1095 or 3650.")},
    )
