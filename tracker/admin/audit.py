"""The audit view in the admin: who changed what and when, filtered by user, object and time."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from ..models import CrossingStatus
from ..selectors.audit import CHANGE_FEED_MODEL, AuditEntry, audit_entries, audit_model_choices
from .common import shown_value

PAGE_SIZE = 50
# What an editor types in the user filter besides a username: code, the same in every language.
USER_FILTER_CODES = {"task": "task ingest.tasks.fetch_source", "system": "system"}


class AuditFilterForm(forms.Form):
    user = forms.CharField(required=False, label=_("User"))
    model = forms.ChoiceField(required=False, label=_("Model"))
    object_id = forms.CharField(required=False, label=_("Object id"))
    since = forms.DateTimeField(
        required=False, label=_("Since"), help_text=_("From (inclusive), e.g. 2023-10-15 09:00")
    )
    until = forms.DateTimeField(required=False, label=_("Until"), help_text=_("Until (exclusive)"))
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["user"].help_text = (
            gettext("A username, a task (“%(task)s”), or “%(system)s” for every write by no one") % USER_FILTER_CODES
        )
        words = {
            "": pgettext("every model", "All"),
            CHANGE_FEED_MODEL: gettext("History appends (statuses, retractions, states)"),
        }
        self.fields["model"].choices = [  # type: ignore[attr-defined]
            (value, words.get(value, label)) for value, label in audit_model_choices()
        ]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until <= since:  # type: ignore[operator]
            self.add_error("until", gettext("Must come after “since”."))
        return cleaned


def audit_view(request: HttpRequest) -> HttpResponse:
    # The trail names every record touched, unreviewed reports included: for those who may see those (editors).
    if not (request.user.has_perm("tracker.view_change") and request.user.has_perm("tracker.change_report")):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    entries, page = [], 1
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        status = 200
        data = form.cleaned_data if form.is_bound else {}
        page = data.get("page") or 1
        entries = audit_entries(
            user=(data.get("user") or "").strip(),
            model=data.get("model") or "",
            object_id=(data.get("object_id") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Audit log"),
        "form": form,
        "entries": in_words(entries[:PAGE_SIZE]),
        "page": page,
        "has_next": len(entries) > PAGE_SIZE,
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "admin/audit_log.html", context, status=status)


def in_words(entries: list[AuditEntry]) -> list[AuditEntry]:
    """The trail as the reader reads it: each field by its name in their language, choices by their labels, yes and
    no in words, and a recorded status said in a sentence. The trail itself keeps field names and stored values
    (``tracker.selectors.audit``): filters and tests read those."""
    statuses = {
        str(row.pk): row
        for row in CrossingStatus.objects.filter(
            pk__in=[e.object_id for e in entries if _model_of(e) is CrossingStatus and e.action == "appended"]
        )
    }
    shown = []
    for entry in entries:
        model = _model_of(entry)
        if model is CrossingStatus and entry.object_id in statuses:
            row = statuses[entry.object_id]
            sentence = gettext("%(status)s for %(traffic)s from %(moment)s") % {
                "status": row.get_status_display(),
                "traffic": row.get_traffic_display(),
                "moment": f"{row.effective_at:%Y-%m-%d %H:%M}",
            }
            changes = [(str(_label(CrossingStatus, "status")), "", sentence)]
        elif (
            entry.action == "appended"
            and model is not None
            and entry.changes[:1] == [("retracted", *entry.changes[0][1:])]
        ):
            changes = [(gettext("retracted"), *entry.changes[0][1:])]
        else:
            changes = [
                (
                    str(_label(model, name)),
                    str(shown_value(_field(model, name), before)),
                    str(shown_value(_field(model, name), after)),
                )
                for name, before, after in entry.changes
            ]
        shown.append(replace(entry, changes=changes))
    return shown


def _model_of(entry: AuditEntry) -> type[Model] | None:
    """The model an entry's admin address names (/admin/<app>/<model>/<id>/change/)."""
    parts = entry.admin_url.strip("/").split("/")
    try:
        return apps.get_model(parts[1], parts[2]) if len(parts) >= 3 and parts[0] == "admin" else None
    except LookupError:
        return None


def _field(model: type[Model] | None, name: str) -> Any:
    try:
        return model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        return None


def _label(model: type[Model] | None, name: str) -> Any:
    field = _field(model, name)
    return getattr(field, "verbose_name", name) if field is not None else name
