"""``make run``'s banner in the operator's language (issue 17): chosen from the environment in gettext's order
(LANGUAGE, LC_ALL, LC_MESSAGES, LANG), English by default; URLs, the command to type and the accounts unchanged."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tracker.management.commands.run_banner import operator_language

ROOT = Path(__file__).resolve().parents[1]
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "ar_EG.UTF-8"}, "ar"),
        ({"LANG": "fr_CA@euro"}, "fr"),
        ({"LANG": "de_DE.UTF-8"}, "en"),  # a language we do not offer
        ({"LANG": "fr_FR.UTF-8", "LC_MESSAGES": "ar_SA.UTF-8"}, "ar"),  # LC_MESSAGES before LANG
        ({"LC_MESSAGES": "ar_SA.UTF-8", "LC_ALL": "fr_BE.UTF-8"}, "fr"),  # LC_ALL before LC_MESSAGES
        ({"LC_ALL": "fr_BE.UTF-8", "LANGUAGE": "ar"}, "ar"),  # LANGUAGE before everything
        ({"LANGUAGE": "de:fr:ar", "LANG": "en_GB.UTF-8"}, "fr"),  # LANGUAGE's first offered preference
        ({"LANGUAGE": "en_GB:fr", "LANG": "ar_EG.UTF-8"}, "en"),
        ({"LANGUAGE": "", "LANG": "ar_EG.UTF-8"}, "ar"),  # set but empty: as if unset
        ({"LANGUAGE": "de", "LANG": "fr_FR.UTF-8"}, "en"),  # the first set decides, as gettext does
    ],
)
def test_the_operators_language_comes_from_the_environment_in_gettexts_order(environ, expected):
    assert operator_language(environ) == expected


@pytest.fixture
def kept_passwords(settings, tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    passwords = {"editor": "ed-pass-1234", "analyst": "an-pass-5678"}
    (tmp_path / "demo-accounts.json").write_text(json.dumps(passwords))
    return passwords


def banner_with(monkeypatch, **environ: str) -> str:  # type: ignore[no-untyped-def]
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    out = StringIO()
    call_command("run_banner", "--port", "8123", stdout=out)
    return out.getvalue()


def test_by_default_the_banner_is_english_and_lays_out_every_start(monkeypatch, kept_passwords):
    text = banner_with(monkeypatch)
    assert " Situation tracker is running.\n" in text
    url = "http://127.0.0.1:8123"
    assert f"   Analysts, status pages:  {url}/          (sign in at {url}/accounts/login/)\n" in text
    assert f"   Editors, the admin:      {url}/admin/\n" in text
    assert f"   Partners, the API docs:  {url}/api/docs/\n" in text
    assert "   editor   password: ed-pass-1234   (editors; starts at /admin/)\n" in text
    assert "   analyst  password: an-pass-5678   (analysts; starts at /)\n" in text
    assert "Ctrl-C stops everything." in text and "/data/" not in text


ENGLISH = [
    "Situation tracker is running",
    "Analysts, status pages",
    "Editors, the admin",
    "Partners, the API docs",
    "sign in at",
    "Demo accounts",
    "password:",
    "starts at",
    "written for this machine",
    "stops everything",
    "Open data",
]


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        ({"LANG": "ar_EG.UTF-8"}, ["متابعة الوضع تعمل الآن.", "المحرِّرون، لوحة الإدارة:", "كلمة المرور: ed-pass-1234"]),
        ({"LANGUAGE": "fr"}, ["Suivi de la situation est en marche.", "Éditeurs, l’administration :", "Ctrl-C arrête"]),
    ],
)
def test_the_banner_speaks_the_operators_language_and_keeps_what_is_typed(
    monkeypatch, settings, kept_passwords, environ, words
):  # type: ignore[no-untyped-def]
    settings.OPEN_DATA = True
    text = banner_with(monkeypatch, **environ)
    for word in words:
        assert word in text, word
    left = [sentence for sentence in ENGLISH if sentence in text]
    assert left == [], left
    url = "http://127.0.0.1:8123"
    for typed in (f"{url}/admin/", f"{url}/api/docs/", f"{url}/accounts/login/", f"{url}/data/", "an-pass-5678"):
        assert typed in text, typed
    assert ".venv/bin/python manage.py demo_accounts --password NEW" in text
    assert not re.search("[\u0660-\u0669]", text)  # Western digits, as the glossary decides


def test_make_run_prints_this_banner_and_no_other(monkeypatch):
    script = (ROOT / "bin" / "run-embedded").read_text()
    assert 'manage.py run_banner --port "$PORT"' in script
    assert "Situation tracker is running" not in script
