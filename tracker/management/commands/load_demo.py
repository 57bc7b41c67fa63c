"""``manage.py load_demo``: the October 2023 situation from the seed article. Running it twice changes nothing."""

from typing import Any

from django.core.management.base import BaseCommand

from tracker.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo situation (Rafah, October 2023). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        created = load_demo()
        total = sum(created.values())
        if total:
            details = ", ".join(f"{n} {kind}" for kind, n in created.items() if n)
            self.stdout.write(self.style.SUCCESS(f"Demo loaded: {details}."))
        else:
            self.stdout.write("Demo already loaded; nothing changed.")
