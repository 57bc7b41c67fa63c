"""The groups editors and analysts belong to, and the periodic tasks every installation runs.

Run after every ``migrate`` (post_migrate), idempotently: groups get any permission added since; periodic tasks
are created once and then left to editors, who may change their schedule in the admin.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

EDITORS = "editors"
ANALYSTS = "analysts"

# Apps whose rows editors keep and analysts read.
DOMAIN_APPS = ("tracker", "ingest", "api")  # api: partner tokens, webhooks and their delivery log
# History rows are never changed or deleted, whatever the group.
APPEND_ONLY_MODELS = {
    "crossingstatus",
    "crossingstatusretraction",
    "aiddisputestatechange",
    "evacuationagreementstatechange",
    "change",
}
# Editors may also change the ingestion schedule.
SCHEDULE_APP = "django_celery_beat"
# And read who follows which crossing and what was mailed to them (to answer "why did I get no alert?"), but not
# the feed keys: those are each reader's own (the alerts admin is read-only for everyone).
ALERTS_APP = "alerts"
ALERTS_EDITORS_READ = {"alertsubscription", "alertdelivery", "alertdigest"}

# name -> (task, every N seconds)
PERIODIC_TASKS: dict[str, tuple[str, int]] = {
    "worker heartbeat": ("tracker.tasks.heartbeat", 60),
    # Queues one fetch_source per due feed or API source (ingest/tasks.py).
    "poll due sources": ("ingest.tasks.poll_due_sources", 60),
    # Queues webhook deliveries for new changes and retries due ones (a safety net under the on-commit trigger).
    "webhook deliveries": ("tracker.api.tasks.webhooks_sweep", 30),
}


def _editor_may(codename: str, app_label: str) -> bool:
    action, _, model = codename.partition("_")
    if app_label == SCHEDULE_APP:
        return action in {"view", "change", "add"}
    if app_label == ALERTS_APP:
        return action == "view" and model in ALERTS_EDITORS_READ
    if model.startswith("historical"):
        return action == "view"
    if model in APPEND_ONLY_MODELS:
        return action in {"view", "add"}
    return action in {"view", "add", "change", "delete"}


def ensure_roles(using: str = DEFAULT_DB_ALIAS) -> None:
    from django.contrib.auth.models import Group, Permission

    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    analysts, _ = Group.objects.using(using).get_or_create(name=ANALYSTS)
    perms = (
        Permission.objects.using(using)
        .filter(content_type__app_label__in=(*DOMAIN_APPS, SCHEDULE_APP, ALERTS_APP))
        .select_related("content_type")
    )
    editor_perms = [p for p in perms if _editor_may(p.codename, p.content_type.app_label)]
    analyst_perms = [p for p in perms if p.content_type.app_label in DOMAIN_APPS and p.codename.startswith("view_")]
    editors.permissions.add(*editor_perms)
    analysts.permissions.add(*analyst_perms)


def ensure_periodic_tasks(using: str = DEFAULT_DB_ALIAS) -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for name, (task, seconds) in PERIODIC_TASKS.items():
        if PeriodicTask.objects.using(using).filter(name=name).exists():
            continue
        interval, _ = IntervalSchedule.objects.using(using).get_or_create(
            every=seconds, period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.using(using).create(name=name, task=task, interval=interval)


def ensure_roles_and_schedules(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    tables = set(connections[using].introspection.table_names())
    if {"auth_group", "auth_permission"} <= tables:
        ensure_roles(using)
    if {"django_celery_beat_periodictask", "django_celery_beat_intervalschedule"} <= tables:
        ensure_periodic_tasks(using)
