"""``manage.py create_api_token --partner NAME``: make a partner token and print it, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tracker.api import services


class Command(BaseCommand):
    help = "Create a partner API token and print it (it is stored only as a hash and cannot be shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partner", required=True, help="Who holds it, e.g. 'OCHA oPt'")
        parser.add_argument("--expires-in-days", type=int, default=None, help="Expire after this many days")
        parser.add_argument(
            "--user", default=None, help="Username of a staff account whose rights the token carries (to write)"
        )
        parser.add_argument("--note", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True, is_staff=True).first()
            if user is None:
                raise CommandError(f"No active staff account named {options['user']!r}.")
        expires_at = None
        days = options["expires_in_days"]
        if days is not None:
            if days < 1:
                raise CommandError("--expires-in-days must be at least 1.")
            expires_at = timezone.now() + timedelta(days=days)
        try:
            created = services.token_create(
                partner=options["partner"], created_by=None, expires_at=expires_at, user=user, note=options["note"]
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stderr.write(
            f"Token for {created.token.partner} ({created.token.prefix}); copy it now, it will not be shown again:"
        )
        self.stdout.write(created.key)
