"""Names in the reader's language: a crossing's alias in the active language, where one is on record."""

from __future__ import annotations

from ..models import CrossingAlias


def crossing_names_in(language: str) -> dict[int, str]:
    """Crossing id -> the name to show a reader of ``language`` (a primary subtag: "ar", "fr").

    The first alias recorded in that language wins (lowest id), so editors choose the shown name by the order they
    enter aliases; "ar-EG" counts as "ar". One query for all crossings, since a page names many of them. English
    readers get the crossing's own name: no entry here.
    """
    primary = language.split("-")[0].lower()
    if not primary or primary == "en":
        return {}
    names: dict[int, str] = {}
    aliases = (
        CrossingAlias.objects.filter(language__iregex=rf"^{primary}(-|$)")
        .order_by("crossing_id", "id")
        .values_list("crossing_id", "name")
    )
    for crossing_id, name in aliases:
        names.setdefault(crossing_id, name)
    return names
