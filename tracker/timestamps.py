"""The one written form of a moment, on every surface: RFC 3339 in UTC, to the second, ending in ``Z``.

Partners read our times with pandas, libhxl, spreadsheets and GIS tools; one column holding ``...04.840723+00:00``
beside ``...04Z`` broke each of them (issue 15). Seconds, not microseconds: editors and sources state times to the
minute at best, and a fixed width reads the same everywhere. Sub-second parts are dropped (floored), never rounded
up, so a written time is never later than the moment it stands for.

CSV ``#date`` columns get the UTC day alone (``utc_day``): libhxl reads a full timestamp in a ``#date`` column day
first (``2025-11-03T09:46:04Z`` becomes 3 November's "2025-03-11"), so the time goes in a column of its own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

# DRF's DATETIME_FORMAT (settings.REST_FRAMEWORK): DRF converts to the current zone (UTC here) before formatting.
DRF_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# What every time we write matches, and what the tests hold every surface to.
PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def rfc3339(moment: datetime | None) -> str | None:
    """``2023-10-15T09:30:00Z``; None stays None. A naive time is taken as UTC (the project stores aware times)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def utc_day(moment: datetime | date | None) -> str | None:
    """The day a moment falls on in UTC (``2023-10-15``), for ``#date`` columns; a date is written as it is."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).date().isoformat()
    return moment.isoformat()
