"""What every admin page shares: status badges, who may review, stale-edit refusal, read-only bases."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.http import HttpRequest, HttpResponseNotAllowed
from django.utils.html import format_html
from django.utils.translation import gettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from ..models import (
    CrossingStatus,
)
from .forms import (
    VersionedForm,
)

STATUS_SYMBOL = {"open": "●", "restricted": "◐", "closed": "✕", "unknown": "?"}


def status_badge(row: CrossingStatus | None) -> str:
    """A status as symbol and words, so it reads without colour."""
    if row is None:
        return format_html(
            '<span class="status status-unknown">? {}</span>', str(CrossingStatus.Status.UNKNOWN.label).lower()
        )
    return format_html(
        '<span class="status status-{}">{} {}</span> <small>({})</small>',
        row.status,
        STATUS_SYMBOL[row.status],
        row.get_status_display().lower(),
        gettext("%(certainty)s, since %(moment)s")
        % {"certainty": row.get_certainty_display().lower(), "moment": row.effective_at.strftime("%Y-%m-%d %H:%M")},
    )


def shown_value(field: Any, value: Any) -> Any:
    """A stored value as an editor reads it, in their language: a choice by its label, yes or no in words. The
    value may be the stored one or its text (the audit trail keeps "True" and "open")."""
    choices = dict(getattr(field, "flatchoices", None) or ())
    if choices and not isinstance(value, list):
        return choices.get(value, value)
    if isinstance(field, models.BooleanField) and value in (True, False, "True", "False"):
        return gettext("Yes") if value in (True, "True") else gettext("No")
    return value


class ChoicesInWords(HistoricalRecordContextHelper):
    """A history page's changes with choices and yes/no in the reader's words ("New → Relevant", not the codes)."""

    def prepare_delta_change_value(self, change: Any, value: Any) -> Any:
        value = super().prepare_delta_change_value(change, value)
        return shown_value(self.model._meta.get_field(change.field), value)


def may_review(user: Any) -> bool:
    """Whether ``user`` may see material no editor has reviewed yet (new reports, pending suggestions, quarantine).

    Editors review it; analysts see, here as on the pages and through the API, only what an editor marked relevant.
    """
    return bool(user.has_perm("tracker.change_report"))


class DateBoundedChangeList(ChangeList):
    """The date hierarchy at the edge of the calendar: Django computes the end of year 9999 (or of its December, or
    of its last day) as a datetime that cannot exist, and that ValueError or OverflowError was a 500. Here it is an
    invalid lookup, which the admin answers as for any other: the list, unfiltered, with "?e=1". Reports can no
    longer be dated so (``tracker.services.reports.published_at_problem``); this covers rows stored before, and a
    hand-made address."""

    def get_filters(self, request: HttpRequest) -> Any:
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as exc:
            raise IncorrectLookupParameters(exc) from exc


class DateBoundedAdmin:
    """Mixed into every admin with a date hierarchy."""

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return DateBoundedChangeList


class VersionedAdmin(DateBoundedAdmin, SimpleHistoryAdmin):
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

    # History is for reading. simple-history's "revert" saves an old version's form, which stale-edit refusal
    # turns down (the old version's number is not the current one) and which would not bring back what the
    # history does not keep (many-to-many links, status rows, fields kept out of it). To restore a value, an
    # editor edits the record, seeing the current version. So the history pages say "view", never "revert".
    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def get_historical_record_context_helper(self, request: HttpRequest, historical_record: Any) -> Any:
        return ChoicesInWords(self.model, historical_record)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return super().history_form_view(request, object_id, version_id, extra_context)


def _flatten(fields: Any) -> list[str]:
    out: list[str] = []
    for item in fields:
        out.extend(item if isinstance(item, (list, tuple)) else [item])
    return out


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


class ReadOnlyAdmin(DateBoundedAdmin, admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
