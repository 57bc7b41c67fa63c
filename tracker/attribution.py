"""Who acts when no person does: a Celery task names itself on every history row it writes.

django-simple-history records the signed-in user of a request. Workers have none, so without this their writes
(reports stored and suggestions raised by ingestion, for instance) would read "system" in the audit trail with
nothing to tell one task from another. While a task runs, each history row it writes carries the change reason
``task <task name> <task id>``; the audit view (``/admin/audit/``) shows it under "who", and the task id leads to
the fetch run and the worker's log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

# history_change_reason is a CharField of 100 characters (django-simple-history's default).
REASON_MAX = 100

_acting: ContextVar[str | None] = ContextVar("tracker_acting_as", default=None)


@contextmanager
def acting_as(name: str) -> Iterator[None]:
    """Every history row written inside names ``name`` as its author (unless a user or a reason is already set)."""
    token = _acting.set(name[:REASON_MAX])
    try:
        yield
    finally:
        _acting.reset(token)


def current_actor() -> str | None:
    return _acting.get()


def name_the_actor(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """django-simple-history's ``pre_create_historical_record``: fill in the change reason of a write by no one."""
    actor = _acting.get()
    if actor and history_instance.history_user_id is None and not history_instance.history_change_reason:
        history_instance.history_change_reason = actor


def task_name(task: Any, task_id: str | None) -> str:
    return f"task {getattr(task, 'name', task)} {task_id or ''}".strip()[:REASON_MAX]


_task_tokens: dict[str, Any] = {}


def task_started(sender: Any = None, task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    """Celery's ``task_prerun``: from here to ``task_postrun`` the task is the author of what it writes."""
    _task_tokens[task_id or ""] = _acting.set(task_name(task or sender, task_id))


def task_finished(sender: Any = None, task_id: str | None = None, **kwargs: Any) -> None:
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        _acting.reset(token)


def connect() -> None:
    """Wire the receivers; called once from the tracker app's ``ready()`` (web, worker and beat processes)."""
    from celery.signals import task_postrun, task_prerun
    from simple_history.signals import pre_create_historical_record

    pre_create_historical_record.connect(name_the_actor, dispatch_uid="tracker_attribution_history")
    task_prerun.connect(task_started, dispatch_uid="tracker_attribution_task_started", weak=False)
    task_postrun.connect(task_finished, dispatch_uid="tracker_attribution_task_finished", weak=False)
