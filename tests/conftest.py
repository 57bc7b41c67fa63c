"""Named users, a fast password hasher, and the way to reach data kept beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import Group

from tracker.roles import ANALYSTS, EDITORS


@pytest.fixture(autouse=True)
def _test_settings(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Production settings hash static names from a manifest that only collectstatic writes; tests don't run it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _language_of_the_test_alone():  # type: ignore[no-untyped-def]
    """Each test starts in the default language. LocaleMiddleware activates a request's language on the test's own
    thread and nothing deactivates it: after an Arabic page, a chart drawn outside a request came out in Arabic."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


def shared_fixture(relative: str) -> Path:
    """A file from ../shared/fixtures (or $SHARED_FIXTURES_DIR); the test is skipped, saying why, if absent."""
    path = Path(settings.SHARED_FIXTURES_DIR) / relative
    if not path.exists():
        pytest.skip(
            f"shared fixture {relative} not found under {settings.SHARED_FIXTURES_DIR} "
            "(it lives beside the repository, not in it; set SHARED_FIXTURES_DIR to point at it)"
        )
    return path


def _user(django_user_model, username: str, group: str | None = None, **extra):  # type: ignore[no-untyped-def]
    user = django_user_model.objects.create_user(username=username, password="pw-for-tests-only", **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(django_user_model):  # type: ignore[no-untyped-def]
    """Alice keeps the record: staff, in the editors group."""
    return _user(django_user_model, "alice", EDITORS, is_staff=True)


@pytest.fixture
def other_editor(django_user_model):  # type: ignore[no-untyped-def]
    """Bob, a second editor, for concurrent edits."""
    return _user(django_user_model, "bob", EDITORS, is_staff=True)


@pytest.fixture
def analyst(django_user_model):  # type: ignore[no-untyped-def]
    """Charlie reads: staff (can open the admin), in the analysts group, view rights only."""
    return _user(django_user_model, "charlie", ANALYSTS, is_staff=True)


@pytest.fixture
def superuser(django_user_model):  # type: ignore[no-untyped-def]
    return django_user_model.objects.create_superuser(username="root", password="pw-for-tests-only")


@pytest.fixture
def editor_client(client, editor):  # type: ignore[no-untyped-def]
    client.force_login(editor)
    return client


@pytest.fixture
def analyst_client(client, analyst):  # type: ignore[no-untyped-def]
    client.force_login(analyst)
    return client


@pytest.fixture
def http_server():  # type: ignore[no-untyped-def]
    """A local HTTP server; not on the outbound allowlist unless the test adds it (see ``allow_server``)."""
    from tests.http_server import LocalServer

    server = LocalServer().start()
    yield server
    server.stop()


@pytest.fixture
def allow_server(settings, http_server):  # type: ignore[no-untyped-def]
    """The local server, allowlisted as INGEST_ALLOWED_HOSTS would do."""
    settings.OUTBOUND_ALLOWED_HOSTS = [http_server.host]
    return http_server


# --- partner API (tracker/api) ----------------------------------------------------------------------------------


@pytest.fixture
def partner_token(db):  # type: ignore[no-untyped-def]
    """A partner's read-only token (``.token`` the row, ``.key`` the secret shown once)."""
    from tracker.api import services as api_services

    return api_services.token_create(partner="OCHA oPt", created_by=None)


@pytest.fixture
def partner_client(partner_token):  # type: ignore[no-untyped-def]
    """A client that sends the partner's token, as a partner's system would."""
    from django.core.cache import cache
    from django.test import Client

    cache.clear()  # throttle buckets live in the cache
    return Client(headers={"Authorization": f"Bearer {partner_token.key}"})


@pytest.fixture(autouse=True, scope="session")
def _flush_passes_the_history_guard():  # type: ignore[no-untyped-def]
    """A transactional test ends by emptying every table with TRUNCATE, which history tables refuse (migration
    0008). The flush switches their triggers off inside its own transaction, as an operator's maintenance would."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    from tracker.history_guard import guarded_tables, reguard_sql, unguard_sql

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):  # type: ignore[no-untyped-def]
        sql = original(self, style, tables, **kwargs)
        if not sql:
            return sql
        guarded = [table for table in guarded_tables() if table in tables]
        return [*unguard_sql(guarded), *sql, *reguard_sql(guarded)]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def _countries_survive_transactional_tests(request):  # type: ignore[no-untyped-def]
    """A transactional test ends by emptying every table; post_migrate puts groups and permissions back, but the
    ISO 3166 rows come from a data migration. Put them back before each transactional test that finds them gone."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from tracker.models import Country

    if not Country.objects.exists():
        import importlib

        importlib.import_module("tracker.migrations.0002_countries").load_countries(apps, None)


@pytest.fixture
def broker():  # type: ignore[no-untyped-def]
    """This area's Redis database (``CELERY_BROKER_URL``), empty before and after: tests with a real worker."""
    client = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    client.flushdb()
    yield client
    client.flushdb()
