"""Shared reads: pages, API and admin ask these, so they all show the same thing.

One module per concept; add yours and re-export what others use.
"""

from .accords import accord_state_history
from .changes import changes_feed, latest_change_id
from .reports import reports_for_readers, reports_search, search_supported, snippet_html, snippet_plain
from .status import (
    STATUS_PRECEDENCE,
    attach_statuses,
    crossing_status_as_of,
    crossing_status_history,
    crossings_annotated_with_status,
    crossings_with_status,
    status_rows_in_effect,
)

__all__ = [
    "STATUS_PRECEDENCE",
    "accord_state_history",
    "attach_statuses",
    "changes_feed",
    "crossing_status_as_of",
    "crossing_status_history",
    "crossings_annotated_with_status",
    "crossings_with_status",
    "latest_change_id",
    "reports_for_readers",
    "reports_search",
    "search_supported",
    "snippet_html",
    "snippet_plain",
    "status_rows_in_effect",
]
