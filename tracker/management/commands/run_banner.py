"""``manage.py run_banner``: the banner ``make run`` prints once everything answers, in the operator's language.

The operator's language is read from the environment as gettext reads it: ``LANGUAGE`` (a colon-separated list of
preferences), then ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` (``fr_FR.UTF-8`` means French). The first of them that is
set decides; a language the tracker does not offer, or the ``C``/``POSIX`` locale, gives English. The URLs, the
command to type, the user names and passwords are the same in every language.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext

from tracker.roles import ANALYSTS, EDITORS

from .demo_accounts import ACCOUNTS, _kept_passwords

ENVIRONMENT_ORDER = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
RULE = "=" * 85
CHANGE_PASSWORDS = ".venv/bin/python manage.py demo_accounts --password NEW"


def _offered(value: str) -> str | None:
    """``fr_FR.UTF-8``, ``ar-EG``, ``fr@euro`` -> the offered language they name, or None."""
    code = value.split(".")[0].split("@")[0].replace("_", "-").split("-")[0].lower()
    return code if code in {code for code, _ in settings.LANGUAGES} else None


def operator_language(environ: Mapping[str, str]) -> str:
    """The language the banner speaks, from the environment in gettext's order of precedence (English by default)."""
    for name in ENVIRONMENT_ORDER:
        value = (environ.get(name) or "").strip()
        if not value:
            continue
        preferences = value.split(":") if name == "LANGUAGE" else [value]
        for preference in preferences:
            language = _offered(preference)
            if language:
                return language
        return settings.LANGUAGE_CODE
    return settings.LANGUAGE_CODE


def _width(text: str) -> int:
    """Columns a label takes in a terminal: Arabic's vowel and shadda marks sit on their letter and take none."""
    return sum(1 for char in text if not unicodedata.combining(char))


def _account_line(username: str, group: str, start: str, password: str) -> str:
    where = {
        EDITORS: gettext("(editors; starts at %(path)s)"),
        ANALYSTS: gettext("(analysts; starts at %(path)s)"),
    }[group] % {"path": start}
    label = gettext("password:")
    return f"   {username:8} {label} {password:14} {where}"


def banner(*, url: str, passwords: Mapping[str, str], open_data: bool) -> str:
    """The banner in the active language: where each kind of user starts, and the demo accounts."""
    rows = [
        (
            gettext("Analysts, status pages:"),
            f"{url}/".ljust(len(url) + 11) + gettext("(sign in at %(url)s)") % {"url": f"{url}/accounts/login/"},
        ),
        (gettext("Editors, the admin:"), f"{url}/admin/"),
        (gettext("Partners, the API docs:"), f"{url}/api/docs/"),
    ]
    if open_data:
        rows.append((gettext("Open data, no token:"), f"{url}/data/"))
    width = max(_width(label) for label, _ in rows) + 2
    accounts = [
        _account_line(username, group, start, passwords.get(username, "?")) for username, group, start in ACCOUNTS
    ]
    lines = [
        "",
        RULE,
        " " + gettext("Situation tracker is running."),
        *(f"   {label}{' ' * (width - _width(label))}{where}" for label, where in rows),
        " " + gettext("Demo accounts (the same every run; change with: %(command)s):") % {"command": CHANGE_PASSWORDS},
        *accounts,
        " "
        + gettext("Logs: %(logs)s.  Settings: %(settings)s (written for this machine).  Ctrl-C stops everything.")
        % {"logs": "var/log/", "settings": ".env"},
        RULE,
        "",
    ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the banner `make run` shows once the tracker answers, in the operator's language (LANGUAGE, LANG)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"), help="The web server's port")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(operator_language(os.environ)):
            text = banner(
                url=f"http://127.0.0.1:{options['port']}",
                passwords=_kept_passwords(),
                open_data=bool(settings.OPEN_DATA),
            )
        self.stdout.write(text)
