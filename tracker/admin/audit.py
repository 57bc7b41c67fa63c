"""The audit view in the admin: who changed what and when, filtered by user, object and time."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from ..selectors.audit import audit_entries, audit_model_choices

PAGE_SIZE = 50


class AuditFilterForm(forms.Form):
    user = forms.CharField(
        required=False,
        help_text='A username, a task ("task ingest.tasks.fetch_source"), or "system" for every write by no one',
    )
    model = forms.ChoiceField(required=False)
    object_id = forms.CharField(required=False, label="Object id")
    since = forms.DateTimeField(required=False, help_text="From (inclusive), e.g. 2023-10-15 09:00")
    until = forms.DateTimeField(required=False, help_text="Until (exclusive)")
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["model"].choices = audit_model_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until <= since:  # type: ignore[operator]
            self.add_error("until", "Must come after 'from'.")
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
        "title": "Audit log",
        "form": form,
        "entries": entries[:PAGE_SIZE],
        "page": page,
        "has_next": len(entries) > PAGE_SIZE,
        "query": query.urlencode(),
    }
    return TemplateResponse(request, "admin/audit_log.html", context, status=status)
