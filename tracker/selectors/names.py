"""Names in the reader's language: a crossing's or an actor's alias in the active language, where one is on
record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.translation import get_language

from ..models import ActorAlias, CrossingAlias


def crossing_names_in(language: str) -> dict[int, str]:
    """Crossing id -> the name to show a reader of ``language`` (a primary subtag: "ar", "fr").

    The first alias recorded in that language wins (lowest id), so editors choose the shown name by the order they
    enter aliases; "ar-EG" counts as "ar". One query for all crossings, since a page names many of them. English
    readers get the crossing's own name: no entry here.
    """
    return _first_alias(CrossingAlias.objects.all(), "crossing_id", language)


def actor_names_in(language: str) -> dict[int, str]:
    """Actor id -> the name to show a reader of ``language``, as ``crossing_names_in`` does for crossings (the first
    alias recorded in that language; none for English). One query."""
    return _first_alias(ActorAlias.objects.all(), "actor_id", language)


def _first_alias(aliases: Any, owner: str, language: str) -> dict[int, str]:
    primary = language.split("-")[0].lower()
    if not primary or primary == "en":
        return {}
    names: dict[int, str] = {}
    for owner_id, name in (
        aliases.filter(language__iregex=rf"^{primary}(-|$)").order_by(owner, "id").values_list(owner, "name")
    ):
        names.setdefault(owner_id, name)
    return names


class Namer:
    """Names crossings or actors as a reader of the active language reads them: its alias in that language where
    one is on record, else its own name. ``names_in`` (``crossing_names_in``, ``actor_names_in``) is read once per
    language for as long as the namer lives: a request, a form, an export. Make a new one for each, so an alias
    added since is seen."""

    def __init__(self, names_in: Callable[[str], dict[int, str]]) -> None:
        self.names_in = names_in
        self.by_language: dict[str, dict[int, str]] = {}

    def names(self) -> dict[int, str]:
        language = get_language() or settings.LANGUAGE_CODE
        if language not in self.by_language:
            self.by_language[language] = self.names_in(language)
        return self.by_language[language]

    def __call__(self, row: Any) -> str:
        return str(self.names().get(row.pk, row.name))
