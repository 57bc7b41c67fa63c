"""Reading the pages' query parameters: the as-of moment and the output format.

A bad value is the reader's mistake, not the server's: it raises ``BadParameter``, which the views turn into a
400 page naming the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone

from .. import moments
from ..timestamps import rfc3339

FORMATS = ("html", "csv")


class BadParameter(ValueError):
    """A query parameter the page cannot use; ``name`` is the parameter, the message says what is wrong."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class AsOf:
    """The moment a page shows. ``given`` is the parameter as the reader wrote it ("" for now)."""

    moment: datetime
    given: str = ""

    @property
    def is_now(self) -> bool:
        return not self.given

    @property
    def query_value(self) -> str:
        """The moment as it goes back into links (UTC, ISO 8601)."""
        return (rfc3339(self.moment) or "") if self.given else ""

    @property
    def input_value(self) -> str:
        """The moment as a ``datetime-local`` control shows it (UTC, minutes)."""
        return self.moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def parse_as_of(raw: str | None, *, now: datetime | None = None) -> AsOf:
    """The moment named by ``?as_of=``, read as the API reads it (``tracker.moments``): empty for now, an ISO date
    (the end of that day, UTC: "as it stood on 14 October") or an ISO date-time (without a zone it is read as UTC,
    the zone every page shows)."""
    now = now or timezone.now()
    try:
        moment = moments.parse_as_of(raw, now=now)
    except moments.BadMoment as error:
        raise BadParameter(moments.PARAM, error.message) from None
    if moment is None:
        return AsOf(moment=now)
    return AsOf(moment=moment, given=(raw or "").strip())


def parse_format(raw: str | None) -> str:
    """``html`` (default) or ``csv``."""
    value = (raw or "html").strip().lower()
    if value not in FORMATS:
        raise BadParameter("format", f"format must be one of {', '.join(FORMATS)}, not {raw!r}.")
    return value
