"""``manage.py demo_accounts``: an editor and an analyst to try the tracker with, credentials printed.

The passwords are kept in ``var/demo-accounts.json`` (readable by this user only), so every ``make run`` prints the
same ones and a browser's saved password keeps working; ``--password`` sets a new one for both, ``--new`` draws new
random ones. For a local demo only: refused when DEBUG is off, unless ``--force``.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from tracker.roles import ANALYSTS, EDITORS

# (user name, group, where that user starts)
ACCOUNTS = [("editor", EDITORS, "/admin/"), ("analyst", ANALYSTS, "/")]


def _store() -> Path:
    return Path(settings.VAR_DIR) / "demo-accounts.json"


def _kept_passwords() -> dict[str, str]:
    try:
        kept = json.loads(_store().read_text())
    except (OSError, ValueError):
        return {}
    return {name: value for name, value in kept.items() if isinstance(value, str) and value}


def _keep(passwords: dict[str, str]) -> None:
    path = _store()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(passwords, handle, indent=1)


class Command(BaseCommand):
    help = "Create the demo accounts 'editor' and 'analyst' (same passwords every run) and print their passwords."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", help="Set this password for both (kept for later runs)")
        parser.add_argument("--new", action="store_true", help="Draw new random passwords (kept for later runs)")
        parser.add_argument("--quiet", action="store_true", help="Print only the account lines")
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo accounts are for a local demo; with DEBUG off, pass --force if you mean it.")
        User = get_user_model()
        kept = {} if options["new"] else _kept_passwords()
        passwords: dict[str, str] = {}
        lines = []
        for username, group_name, start in ACCOUNTS:
            password = options["password"] or kept.get(username) or secrets.token_urlsafe(9)
            passwords[username] = password
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
            user.is_staff = True
            user.is_active = True
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=group_name))
            lines.append(f"   {username:8} password: {password:14} ({group_name}; starts at {start})")
        _keep(passwords)
        if not options["quiet"]:
            self.stdout.write(self.style.SUCCESS("Demo accounts:"))
        self.stdout.write("\n".join(lines))
