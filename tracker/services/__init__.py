"""Every write the tracker makes goes through a function here, so admin, pages, API and ingestion obey one rule."""

from .accords import accord_change_state, accord_check_effective_at, accord_create
from .crossings import (
    crossing_record_status,
    crossing_retract_status,
    crossing_status_check,
    flow_count_record,
)
from .operations import source_set_enabled, worker_heartbeat_record
from .reports import (
    ReportItem,
    ReportLinks,
    StoreResult,
    report_link,
    report_link_many,
    report_review,
    report_store,
    report_store_many,
    report_vouch,
)
from .sources import source_poll_claim, source_poll_failed, source_poll_succeeded
from .suggestions import (
    UNDATED_REPORT_MESSAGE,
    SuggestionItem,
    suggestion_accept,
    suggestion_effective_at,
    suggestion_raise,
    suggestion_raise_many,
    suggestion_reject,
)

__all__ = [
    "UNDATED_REPORT_MESSAGE",
    "ReportItem",
    "ReportLinks",
    "StoreResult",
    "SuggestionItem",
    "accord_change_state",
    "accord_check_effective_at",
    "accord_create",
    "crossing_record_status",
    "crossing_retract_status",
    "crossing_status_check",
    "flow_count_record",
    "report_link",
    "report_link_many",
    "report_review",
    "report_store",
    "report_store_many",
    "report_vouch",
    "source_poll_claim",
    "source_poll_failed",
    "source_poll_succeeded",
    "source_set_enabled",
    "suggestion_accept",
    "suggestion_effective_at",
    "suggestion_raise",
    "suggestion_raise_many",
    "suggestion_reject",
    "worker_heartbeat_record",
]
