"""Names in the reader's language: a crossing's or an actor's alias in the active language, where one is on
record."""

from __future__ import annotations

from typing import Any

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
