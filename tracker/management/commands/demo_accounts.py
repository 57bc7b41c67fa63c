"""``manage.py demo_accounts``: an editor and an analyst to try the tracker with, credentials printed.

For a local demo only: refused when DEBUG is off, unless ``--force``.
"""

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from tracker.roles import ANALYSTS, EDITORS

ACCOUNTS = [("editor", EDITORS), ("analyst", ANALYSTS)]


class Command(BaseCommand):
    help = "Create (or reset) the demo accounts 'editor' and 'analyst' and print their passwords."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--password", help="Use this password for both (default: a new random one each)")
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo accounts are for a local demo; with DEBUG off, pass --force if you mean it.")
        User = get_user_model()
        lines = []
        for username, group_name in ACCOUNTS:
            password = options["password"] or secrets.token_urlsafe(9)
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
            user.is_staff = True
            user.is_active = True
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=group_name))
            lines.append(f"  {username:8} password: {password}   ({group_name})")
        self.stdout.write(self.style.SUCCESS("Demo accounts (sign in at /admin/):"))
        self.stdout.write("\n".join(lines))
