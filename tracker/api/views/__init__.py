"""The partner API's endpoints, one module per resource: each validates its input, asks a selector or a service,
and serializes. Shared behaviour (``ApiMixin``) is in ``common``."""

from tracker import selectors as selectors

from .accords import AidDisputeViewSet, EvacuationAgreementViewSet
from .changes import ChangeFeedView
from .common import ApiMixin, ListViewSet, parse_as_of
from .crossings import CrossingHistoryRowView, CrossingHistoryView, CrossingViewSet, _attach_names
from .records import FlowViewSet, TimelineViewSet
from .reference import ActorViewSet, CrisisViewSet
from .reports import ReportViewSet
from .webhooks import WebhookViewSet

__all__ = [
    "ActorViewSet",
    "AidDisputeViewSet",
    "ApiMixin",
    "ChangeFeedView",
    "CrisisViewSet",
    "CrossingHistoryRowView",
    "CrossingHistoryView",
    "CrossingViewSet",
    "EvacuationAgreementViewSet",
    "FlowViewSet",
    "ListViewSet",
    "ReportViewSet",
    "TimelineViewSet",
    "WebhookViewSet",
    "_attach_names",
    "parse_as_of",
    "selectors",
]
