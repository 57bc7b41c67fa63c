"""Shared reads: pages, API and admin ask these, so they all show the same thing.

One module per concept; add yours and re-export what others use.
"""

from .accords import accord_state_history
from .changes import changes_feed, latest_change_id
from .dashboard import (
    agreements_as_of,
    crises_active_as_of,
    crisis_page,
    crossing_page,
    dashboard,
    disputes_as_of,
    suggestions_pending_as_of,
)
from .report_lists import reports_listing
from .reports import (
    latest_reports_about,
    reports_for_readers,
    reports_search,
    reports_visible,
    search_supported,
    snippet_html,
    snippet_plain,
)
from .standing import (
    crossing_status_changes,
    crossings_with_standing,
    status_bands,
    status_is_stale,
    status_run_starts,
)
from .status import (
    STATUS_PRECEDENCE,
    attach_statuses,
    crossing_status_as_of,
    crossing_status_history,
    crossings_annotated_with_status,
    crossings_with_status,
    status_rows_in_effect,
)
from .suggestions import (
    PlannedChange,
    Proposal,
    crossing_names,
    crossing_standing_now,
    mark_words,
    publication_plan,
    suggestion_neighbours,
    suggestion_queue,
    suggestion_siblings,
)
from .timeline import timeline_entries, timeline_stream

__all__ = [
    "STATUS_PRECEDENCE",
    "PlannedChange",
    "Proposal",
    "accord_state_history",
    "agreements_as_of",
    "attach_statuses",
    "changes_feed",
    "crises_active_as_of",
    "crisis_page",
    "crossing_names",
    "crossing_page",
    "crossing_standing_now",
    "crossing_status_as_of",
    "crossing_status_changes",
    "crossing_status_history",
    "crossings_annotated_with_status",
    "crossings_with_standing",
    "crossings_with_status",
    "dashboard",
    "disputes_as_of",
    "latest_change_id",
    "latest_reports_about",
    "mark_words",
    "publication_plan",
    "reports_for_readers",
    "reports_listing",
    "reports_search",
    "reports_visible",
    "search_supported",
    "snippet_html",
    "snippet_plain",
    "status_bands",
    "status_is_stale",
    "status_rows_in_effect",
    "status_run_starts",
    "suggestion_neighbours",
    "suggestion_queue",
    "suggestion_siblings",
    "suggestions_pending_as_of",
    "timeline_entries",
    "timeline_stream",
]
