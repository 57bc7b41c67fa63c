"""Reading the pages' query parameters: the as-of moment and the output format.

A bad value is the reader's mistake, not the server's: it raises ``BadParameter``, which the views turn into a
400 page naming the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

# How far ahead of the server's clock an as-of moment may lie (clocks differ); beyond that it is refused, since
# the record cannot say what will hold.
FUTURE_SLACK = timedelta(minutes=settings.STATUS_MAX_FUTURE_SKEW_MINUTES)
FORMATS = ("html", "csv")
# Nothing the tracker records is older; refusing earlier moments also keeps date arithmetic far from year 1.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


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
        return self.moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if self.given else ""

    @property
    def input_value(self) -> str:
        """The moment as a ``datetime-local`` control shows it (UTC, minutes)."""
        return self.moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def parse_as_of(raw: str | None, *, now: datetime | None = None) -> AsOf:
    """The moment named by ``?as_of=``: empty for now, an ISO date (the end of that day, UTC: "as it stood on
    14 October") or an ISO date-time (without a zone it is read as UTC, the zone every page shows)."""
    now = now or timezone.now()
    text = (raw or "").strip()
    if not text:
        return AsOf(moment=now)
    if len(text) > 40:
        raise BadParameter("as_of", "as_of is too long to be a date or a date-time.")
    moment = _parse_moment(text)
    if moment < EARLIEST:
        raise BadParameter("as_of", f"as_of is before {EARLIEST:%Y}; the record holds nothing that old.")
    if moment > now + FUTURE_SLACK:
        raise BadParameter(
            "as_of", "as_of is in the future; the record only says what has held. Leave it empty for now."
        )
    return AsOf(moment=moment, given=text)


def _parse_moment(text: str) -> datetime:
    candidate = text.replace(" ", "T", 1) if "T" not in text and " " in text else text
    if candidate.endswith(("z", "Z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        day = parse_date(candidate)
        if day is not None:
            return _end_of_day(day)
        moment = parse_datetime(candidate)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise BadParameter(
            "as_of",
            f"as_of must be an ISO date (2023-10-20) or date-time (2023-10-20T14:00 or 2023-10-20T14:00:00+02:00), "
            f"not {text!r}.",
        )
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def parse_format(raw: str | None) -> str:
    """``html`` (default) or ``csv``."""
    value = (raw or "html").strip().lower()
    if value not in FORMATS:
        raise BadParameter("format", f"format must be one of {', '.join(FORMATS)}, not {raw!r}.")
    return value
