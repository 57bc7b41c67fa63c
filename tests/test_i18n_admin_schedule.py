"""The ingestion schedule's admin pages (django-celery-beat) in Arabic and French (issue 17).

Editors may change the schedule (tracker/roles.py, SCHEDULE_APP). The package ships a French catalogue but no Arabic
one: ours is in locale-vendor/ar/ (settings.LOCALE_PATHS, after locale/). The pages walked are read from the admin
site's registry, so a schedule model registered by a later version of the package is walked too.

A few English words come from the package's Python code unmarked for translation (a plain-string verbose name,
column labels Django derives from attribute names, its crontab text); no catalogue can reach them. They are listed
in UNMARKED_IN_PACKAGE, each with where it comes from, allowed on the pages as data, and pinned by a test of their
own, which fails once an upgrade of the package marks them, so that the exception is removed.
"""

from __future__ import annotations

import datetime
import gettext
import re
import subprocess
from pathlib import Path

import django_celery_beat
import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from tests.test_i18n_pages import LANGUAGES, assert_translated, in_language, lookups  # noqa: F401  (a fixture)
from tests.test_pages_support import body, text
from tracker.celery import app as celery_app
from tracker.roles import SCHEDULE_APP, ensure_periodic_tasks

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "locale-vendor"

# Code the package's help texts quote, to be typed as it is: a setting, an example task path and arguments, JSON,
# and the message brokers and protocol they name.
QUOTED_CODE = (
    "CELERY_TASK_QUEUES",
    "proj.tasks.import_contacts",
    '["arg1", "arg2"]',
    '{"argument": "value"}',
    "JSON",
    "AMQP",
    "RabbitMQ",
    "Redis",
)
# django-axes (the sign-in lockout) is named by its product name in the sidebar a superuser sees, as its own app
# config gives it no verbose name.
PRODUCT_NAMES = ("Axes",)

# English the package writes without marking it (django-celery-beat 2.9.0), by where it shows:
UNMARKED_IN_PACKAGE = (
    # PeriodicTask.task has verbose_name='Task Name', a plain string: the task filter's title, the column of the
    # schedules' "periodic tasks using this schedule" table.
    "Task Name",
    # PeriodicTaskAdmin.list_display's "scheduler" (a model property) and the change form's read-only
    # "crontab_translation" (an admin method, hidden by the form's script): Django labels them from their names.
    "Scheduler",
    "Crontab translation",
    # CrontabScheduleAdmin's "human_readable" (a model property): labelled from its name as well.
    "Human readable",
    # CrontabSchedule.__str__ names its five fields in a hard-coded legend: the crontab list, the periodic task
    # form's crontab choices and breadcrumbs.
    "(m/h/dM/MY/d)",
)


def crontab_descriptions() -> tuple[str, ...]:
    """CrontabSchedule.human_readable: cron_descriptor's English description of each crontab (the package calls it
    without a locale, and cron_descriptor has no Arabic); the add form describes the default, every minute."""
    return tuple(crontab.human_readable for crontab in [*CrontabSchedule.objects.all(), CrontabSchedule()])


def schedule_data() -> tuple[str, ...]:
    """What the schedule's rows and choices hold as they are: task names and dotted task paths, the registered
    tasks offered by the form, time zone names (IANA), and the exceptions above."""
    values: set[str] = set()
    for name, task in PeriodicTask.objects.values_list("name", "task"):
        values.update((name, task))
    celery_app.loader.import_default_modules()  # as the form's task choice does
    values.update(name for name in celery_app.tasks if not name.startswith("celery."))
    values.update(str(label) for _, label in CrontabSchedule._meta.get_field("timezone").choices or ())
    return (*values, *QUOTED_CODE, *PRODUCT_NAMES, *UNMARKED_IN_PACKAGE, *crontab_descriptions())


@pytest.fixture
def schedule(db):  # type: ignore[no-untyped-def]
    """The periodic tasks every installation has (interval schedules), and a row of each other kind of schedule,
    each used by a task, so that every list has a row and every schedule's page its table of tasks."""
    ensure_periodic_tasks()
    crontab = CrontabSchedule.objects.create(minute="0", hour="6", day_of_week="*", day_of_month="*")
    clocked = ClockedSchedule.objects.create(clocked_time=timezone.make_aware(datetime.datetime(2026, 12, 24, 9)))
    solar = SolarSchedule.objects.create(event="sunrise", latitude="31.5", longitude="34.46")
    start = timezone.make_aware(datetime.datetime(2026, 11, 2, 6))
    PeriodicTask.objects.create(name="morning sweep", task="tracker.tasks.heartbeat", crontab=crontab, start_time=start)
    PeriodicTask.objects.create(name="one-off sweep", task="tracker.tasks.heartbeat", clocked=clocked, one_off=True)
    PeriodicTask.objects.create(name="sunrise sweep", task="tracker.tasks.heartbeat", solar=solar)
    assert IntervalSchedule.objects.exists() and PeriodicTask.objects.filter(interval__isnull=False).exists()


def schedule_urls(user) -> list[str]:  # type: ignore[no-untyped-def]
    """The app's index, then for every model the admin registers for the schedule app: its list, its add form
    (where the user may add), and the change form of its first row."""
    urls = [reverse("admin:app_list", args=[SCHEDULE_APP])]
    models = [model for model in admin.site._registry if model._meta.app_label == SCHEDULE_APP]
    assert {PeriodicTask, IntervalSchedule, CrontabSchedule, ClockedSchedule, SolarSchedule} <= set(models)
    for model in models:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        if user.has_perm(f"{opts.app_label}.add_{opts.model_name}"):
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"no {opts.model_name} to open"
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("reader", ["superuser", "editor"])
def test_schedule_admin_pages_are_wholly_translated(
    client,
    schedule,
    lookups,  # noqa: F811 (the fixture imported above)
    language,
    reader,
    request,
):
    user = request.getfixturevalue(reader)
    client.force_login(user)
    data = schedule_data()
    urls = schedule_urls(user)
    assert len(urls) >= 1 + 5 * 3
    for url in urls:
        response = in_language(client, url, language)
        assert response.status_code == 200, (url, response.status_code)
        assert_translated(response, language, lookups, also_data=data)


@pytest.mark.django_db
def test_schedule_pages_speak_arabic_in_its_words(
    superuser,
    client,
    schedule,
    lookups,  # noqa: F811 (the fixture imported above)
):
    client.force_login(superuser)
    index = text(in_language(client, reverse("admin:app_list", args=[SCHEDULE_APP]), "ar"))
    assert "المهام الدورية" in index and "الفواصل الزمنية" in index
    tasks = text(in_language(client, reverse("admin:django_celery_beat_periodictask_changelist"), "ar"))
    assert "كل 60 ثانية" in tasks and "شروق الشمس (31.5" in tasks  # Western digits; the unit after a number
    form = in_language(client, reverse("admin:django_celery_beat_periodictask_add"), "ar")
    assert "الوسائط الموضعية" in text(form) and "المهمة (من المهام المسجَّلة)" in text(form)
    assert 'data-in-words="بالكلمات:"' in body(form)  # the label the form's script puts before a crontab's meaning
    assert lookups == []


@pytest.mark.django_db
def test_package_still_leaves_these_words_unmarked(superuser, client, schedule):
    """The exceptions above are still needed: each shows in English on a page. When one fails here, the package has
    marked it (or stopped showing it): take it out of UNMARKED_IN_PACKAGE, and translate it if marked."""
    client.force_login(superuser)
    pages = " ".join(
        text(in_language(client, reverse(f"admin:django_celery_beat_{name}"), "fr"))
        for name in ("periodictask_changelist", "periodictask_add", "crontabschedule_changelist", "crontabschedule_add")
    )
    pages += " ".join(
        text(in_language(client, reverse("admin:django_celery_beat_crontabschedule_change", args=[crontab.pk]), "fr"))
        for crontab in CrontabSchedule.objects.all()
    )
    for words in (*UNMARKED_IN_PACKAGE, *crontab_descriptions()):
        assert words in pages, words
    assert re.search(r"[A-Z][a-z]+ \d\d:\d\d", " ".join(crontab_descriptions()))  # cron_descriptor's English


def test_vendor_catalogue_is_read_after_ours_compiled_and_shipped():
    """locale-vendor/ comes after locale/ (our words win), `make setup` compiles it and the image copies it."""
    assert list(settings.LOCALE_PATHS[:2]) == [ROOT / "locale", VENDOR]
    make = subprocess.run(
        ["make", "-n", "-W", "locale-vendor/ar/LC_MESSAGES/django.po", "messages-compiled"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "msgfmt --check-format -o locale-vendor/ar/LC_MESSAGES/django.mo" in make.stdout
    assert re.search(r"^COPY locale-vendor ", (ROOT / "Dockerfile").read_text(), re.MULTILINE)


def test_vendor_catalogue_has_every_msgid_the_package_ships():
    """Every msgid of the package's own French catalogue (the template) is in ours, translated: the compiled
    catalogues are compared (msgfmt leaves out untranslated and fuzzy entries)."""

    def msgids(mo: Path) -> set[str]:
        with mo.open("rb") as file:
            catalog = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
        return {key[0] if isinstance(key, tuple) else key for key in catalog} - {""}

    package = Path(django_celery_beat.__file__).parent / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
    french = msgids(package)
    assert len(french) > 100
    assert french - msgids(VENDOR / "ar" / "LC_MESSAGES" / "django.mo") == set()
    header = (VENDOR / "ar" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "Plural-Forms: nplurals=6;" in header
