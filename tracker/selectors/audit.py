"""The audit trail: every change by a person or a worker, with who, when, and before/after, from one place.

Two kinds of record feed it: django-simple-history's tables (every save of an editable row, with its user or, for
workers, its change reason) and the change feed (every append to a history table: status rows, retractions, state
changes). Both are read newest first and merged.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet, prefetch_related_objects
from simple_history.models import HistoricalChanges

from ..models import Change, CrossingStatus, CrossingStatusRetraction

HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
# How a Celery task signs the history rows it writes (tracker/attribution.py): "task <name> <id>".
TASK_PREFIX = "task "
# Appends whose rows have an admin page of their own.
APPENDS_WITH_PAGES = {Change.Kind.CROSSING_STATUS, Change.Kind.STATUS_RETRACTION}
# The model filter's value for appends to history tables (status rows, retractions, state changes).
CHANGE_FEED_MODEL = "tracker.change"


@dataclass
class AuditEntry:
    when: datetime
    who: str  # a username, a task ("task ingest.tasks.fetch_source"), or "system" (a command, a migration)
    action: str  # created, changed, deleted, appended
    model: str  # verbose name of what changed
    object_label: str
    object_id: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after)
    reason: str = ""
    admin_url: str = ""


# The relations a row's name (its ``__str__``) reads, fetched once per page for all the records of that model
# rather than once per record. A model whose name reads only its own fields needs no entry.
LABEL_RELATIONS: dict[str, tuple[str, ...]] = {
    "tracker.statussuggestion": ("crossing", "report"),
    "tracker.flowcount": ("crossing", "source"),
}


def history_models() -> list[type[Model]]:
    """Every simple-history table of the project's own apps."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, HistoricalChanges)
        and model._meta.app_label in {"tracker", "ingest", "api"}
        # not the many-to-many side tables, which have no dates of their own
        and any(f.name == "history_date" for f in model._meta.get_fields())
    ]


def _history_queryset(
    model: type[Model], *, user: str, since: datetime | None, until: datetime | None, object_id: str
) -> QuerySet[Any]:
    queryset = model._default_manager.select_related("history_user").order_by("-history_date", "-history_id")
    if user == "system":
        queryset = queryset.filter(history_user__isnull=True)
    elif user.startswith(TASK_PREFIX):
        queryset = queryset.filter(history_user__isnull=True, history_change_reason__startswith=user)
    elif user:
        queryset = queryset.filter(history_user__username=user)
    if since:
        queryset = queryset.filter(history_date__gte=since)
    if until:
        queryset = queryset.filter(history_date__lt=until)
    if object_id:
        queryset = queryset.filter(id=object_id) if object_id.isdigit() else queryset.none()
    return queryset


def _change_queryset(*, user: str, since: datetime | None, until: datetime | None) -> QuerySet[Change]:
    queryset = Change.objects.select_related(
        "recorded_by",
        "crossing_status__crossing",
        "retraction__status_row__crossing",
        "dispute_change__dispute",
        "agreement_change__agreement",
    ).order_by("-recorded_at", "-id")
    if user == "system":
        queryset = queryset.filter(recorded_by__isnull=True)
    elif user.startswith(TASK_PREFIX):
        queryset = queryset.none()  # appends to history tables carry a user or none; tasks do not append them
    elif user:
        queryset = queryset.filter(recorded_by__username=user)
    if since:
        queryset = queryset.filter(recorded_at__gte=since)
    if until:
        queryset = queryset.filter(recorded_at__lt=until)
    return queryset


def _as_it_was(record: Any) -> Model:
    """The row as this history record saw it, built from the record alone.

    Not ``record.instance``: for a model with fields kept out of its history (a report's text, a source's health)
    that reads the live row for them, one query per record. A name never needs those fields.
    """
    model = record.instance_type
    attrs = {f.attname: getattr(record, f.attname) for f in model._meta.concrete_fields if hasattr(record, f.attname)}
    return model(**attrs)  # type: ignore[no-any-return]


def _labels(records: list[Any]) -> dict[int, str]:
    """Each record's row named by its ``__str__``, keyed by ``id(record)``; related rows in one query each."""
    by_model: dict[type[Model], list[tuple[Any, Model]]] = {}
    for record in records:
        by_model.setdefault(record.instance_type, []).append((record, _as_it_was(record)))
    labels: dict[int, str] = {}
    for model, pairs in by_model.items():
        instances = [instance for _, instance in pairs]
        relations = LABEL_RELATIONS.get(model._meta.label_lower, ())
        if relations:
            prefetch_related_objects(instances, *relations)
        for record, instance in pairs:
            labels[id(record)] = str(instance) or str(record.id)
    return labels


def _history_entry(record: Any, previous: Any | None, label: str = "") -> AuditEntry:
    instance_model = record.instance_type
    changes: list[tuple[str, str, str]] = []
    if previous is not None:
        # Many-to-many differences cost two queries per record; the record's own fields are what editors change.
        m2m = [f.name for f in previous._history_m2m_fields]
        delta = record.diff_against(previous, excluded_fields=m2m)
        changes = [(c.field, _short(c.old), _short(c.new)) for c in delta.changes]
    reason = record.history_change_reason or ""
    if record.history_user:
        who = record.history_user.get_username()
    elif reason.startswith(TASK_PREFIX):
        who = " ".join(reason.split()[:2])  # "task ingest.tasks.fetch_source"; the reason keeps the task id
    else:
        who = "system"
    return AuditEntry(
        when=record.history_date,
        who=who,
        action=HISTORY_TYPES.get(record.history_type, record.history_type),
        model=str(instance_model._meta.verbose_name),
        object_label=label or str(record.id),
        object_id=str(record.id),
        changes=changes,
        reason=reason,
        admin_url=f"/admin/{instance_model._meta.app_label}/{instance_model._meta.model_name}/{record.id}/change/",
    )


def _change_entry(change: Change) -> AuditEntry:
    row: Any = change.crossing_status or change.retraction or change.dispute_change or change.agreement_change
    if change.kind == Change.Kind.CROSSING_STATUS:
        detail = [("status", "", f"{row.status} for {row.traffic} from {row.effective_at:%Y-%m-%d %H:%M}")]
    elif change.kind == Change.Kind.STATUS_RETRACTION:
        detail = [("retracted", str(row.status_row), row.reason)]
    else:
        detail = [("state", row.from_state, row.to_state)]
    # Status rows and retractions have admin pages of their own; a state change is shown on its dispute's or
    # agreement's page.
    linked = row if change.kind in APPENDS_WITH_PAGES else (row.dispute if change.dispute_change else row.agreement)
    return AuditEntry(
        when=change.recorded_at,
        who=change.recorded_by.get_username() if change.recorded_by else "system",
        action="appended",
        model=change.get_kind_display(),
        object_label=str(row),  # the related rows it names are fetched by _change_queryset's select_related
        object_id=str(linked.pk),
        changes=detail,
        admin_url=f"/admin/tracker/{type(linked)._meta.model_name}/{linked.pk}/change/",
    )


def _short(value: Any, limit: int = 200) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _with_previous(records: list[Any]) -> Iterator[AuditEntry]:
    """Pair each history record with the one before it, fetched in one query per model."""
    by_model: dict[type[Model], list[Any]] = {}
    for record in records:
        by_model.setdefault(type(record), []).append(record)
    # Keyed by table and history id: each historical table numbers its rows from 1, so ids alone collide.
    previous: dict[tuple[type[Model], int], Any] = {}
    for model, group in by_model.items():  # model: a historical model
        latest = max(r.history_date for r in group)
        candidates = model._default_manager.filter(id__in={r.id for r in group}, history_date__lte=latest).order_by(
            "id", "history_date", "history_id"
        )
        timeline: dict[Any, list[Any]] = {}
        for candidate in candidates:
            timeline.setdefault(candidate.id, []).append(candidate)  # type: ignore[attr-defined]
        for record in group:
            versions = timeline.get(record.id, [])
            index = next((i for i, v in enumerate(versions) if v.history_id == record.history_id), None)
            previous[model, record.history_id] = versions[index - 1] if index else None
    labels = _labels(records)
    for record in records:
        yield _history_entry(record, previous.get((type(record), record.history_id)), labels[id(record)])


def audit_entries(
    *,
    user: str = "",
    model: str = "",
    object_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[AuditEntry]:
    """One page of the audit trail, newest first, filtered by username ("system" for workers), model
    (verbose name or ``app_label.model_name``), object id and time range."""
    wanted = offset + limit
    streams: list[Iterable[tuple[datetime, int, Any]]] = []
    for history_model in history_models():
        instance_model = history_model.instance_type  # type: ignore[attr-defined]
        names = {str(instance_model._meta.verbose_name).lower(), instance_model._meta.label_lower}
        if model and model.lower() not in names:
            continue
        rows = _history_queryset(history_model, user=user, since=since, until=until, object_id=object_id)[:wanted]
        streams.append((r.history_date, 0, r) for r in rows)
    if not object_id and (not model or model.lower() == CHANGE_FEED_MODEL):
        changes = _change_queryset(user=user, since=since, until=until)[:wanted]
        streams.append((c.recorded_at, 1, c) for c in changes)
    merged = heapq.merge(*streams, key=lambda item: item[0], reverse=True)
    page = [item[2] for _, item in zip(range(wanted), merged, strict=False)][offset:]
    history_records = [r for r in page if not isinstance(r, Change)]
    entries = {id(r): e for r, e in zip(history_records, _with_previous(history_records), strict=True)}
    return [entries[id(r)] if not isinstance(r, Change) else _change_entry(r) for r in page]


def audit_model_choices() -> list[tuple[str, str]]:
    """(value, label) for the audit view's model filter."""
    choices = [
        (m.instance_type._meta.label_lower, str(m.instance_type._meta.verbose_name).capitalize())  # type: ignore[attr-defined]
        for m in history_models()
    ]
    return [("", "All"), (CHANGE_FEED_MODEL, "History appends (statuses, retractions, states)"), *sorted(choices)]


@dataclass
class StatusTrailEntry:
    """One append to a crossing's status history: a row recorded, or a row retracted."""

    when: datetime
    who: str
    action: str  # "recorded" or "retracted"
    row: CrossingStatus
    retraction: CrossingStatusRetraction | None = None


def crossing_status_trail(*, crossing_id: int) -> list[StatusTrailEntry]:
    """Every status row recorded for a crossing and every retraction of one, by when it was recorded, newest
    first: what its admin History shows beside the edits to its own fields. One query, whatever the number."""
    rows = CrossingStatus.objects.filter(crossing_id=crossing_id).select_related(
        "crossing", "recorded_by", "report__source", "stated_by", "retraction__recorded_by"
    )
    entries: list[StatusTrailEntry] = []
    for row in rows:
        entries.append(StatusTrailEntry(row.recorded_at, _username(row.recorded_by), "recorded", row))
        retraction = getattr(row, "retraction", None)
        if retraction is not None:
            entries.append(
                StatusTrailEntry(
                    retraction.recorded_at, _username(retraction.recorded_by), "retracted", row, retraction
                )
            )
    # A retraction recorded in the same instant as its row still comes after it.
    entries.sort(key=lambda e: (e.when, e.retraction is not None, e.row.pk), reverse=True)
    return entries


def _username(user: Any) -> str:
    return user.get_username() if user is not None else "system"
