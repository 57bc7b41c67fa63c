"""The one reading of an ``as_of`` moment, for the pages (HTML and CSV) and the API (JSON, CSV, GeoJSON).

An ISO date alone is the end of that day in UTC ("as it stood on 20 October"); a date-time without a zone is UTC;
one with a zone is converted to UTC. A value that cannot be read, one before 1900, or a moment in the future
(beyond the clock skew the status rule tolerates) is refused with the same message everywhere: the pages answer a
400 page, the API a 400 ``{"as_of": [message]}``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext

PARAM = "as_of"
# Nothing the tracker records is older; refusing earlier moments also keeps date arithmetic far from year 1.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
# Longer is not a date or a date-time; refused before any parsing.
MAX_LENGTH = 40


class BadMoment(ValueError):
    """An ``as_of`` value that names no moment the record can answer for; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def future_slack() -> timedelta:
    """How far ahead of the server's clock an as-of moment may lie (clocks differ); beyond that it is refused,
    since the record cannot say what will hold."""
    return timedelta(minutes=settings.STATUS_MAX_FUTURE_SKEW_MINUTES)


def parse_as_of(raw: str | None, *, now: datetime | None = None) -> datetime | None:
    """The moment ``raw`` names, in UTC; None when it is empty (the caller means now). Raises ``BadMoment``."""
    text = (raw or "").strip()
    if not text:
        return None
    if len(text) > MAX_LENGTH:
        raise BadMoment(gettext("as_of is too long to be a date or a date-time."))
    moment = _read(text)
    if moment < EARLIEST:
        raise BadMoment(
            gettext("as_of is before %(year)s; the record holds nothing that old.") % {"year": EARLIEST.year}
        )
    if moment > (now or timezone.now()) + future_slack():
        raise BadMoment(gettext("as_of is in the future; the record only says what has held. Leave it empty for now."))
    return moment


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def _read(text: str) -> datetime:
    candidate = text.replace(" ", "T", 1) if "T" not in text and " " in text else text
    if candidate.endswith(("z", "Z")):
        candidate = candidate[:-1] + "+00:00"
    moment: datetime | None
    try:
        day = parse_date(candidate)
        if day is not None:
            return end_of_day(day)
        moment = parse_datetime(candidate)
        if moment is not None:
            # Offsets beyond ±15:59 (which ISO 8601 and Python allow, PostgreSQL not) and years at the edge of
            # the calendar fail here, as unreadable.
            moment = moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        # The reader's language (the request's); the parameter's name and the examples stay as typed.
        raise BadMoment(
            gettext(
                "as_of must be an ISO date (2023-10-20) or date-time (2023-10-20T14:00 or 2023-10-20T14:00:00+02:00), "
                "not %(value)s."
            )
            % {"value": repr(text)}
        )
    return moment
