"""The tracker's domain model; see DESIGN.md for what each thing means."""

from .accords import (
    AgreementEligibility,
    AgreementParty,
    AidDispute,
    AidDisputeStateChange,
    EvacuationAgreement,
    EvacuationAgreementStateChange,
)
from .base import AppendOnlyError
from .changes import Change
from .crossings import Crossing, CrossingAlias, CrossingStatus, CrossingStatusRetraction, FlowCount, Traffic
from .events import TimelineEvent
from .operations import WorkerHeartbeat
from .reference import Actor, ActorAlias, Country, Crisis
from .sources import Report, ReportCrossingDate, Source, StatusSuggestion

__all__ = [
    "Actor",
    "ActorAlias",
    "AgreementEligibility",
    "AgreementParty",
    "AidDispute",
    "AidDisputeStateChange",
    "AppendOnlyError",
    "Change",
    "Country",
    "Crisis",
    "Crossing",
    "CrossingAlias",
    "CrossingStatus",
    "CrossingStatusRetraction",
    "EvacuationAgreement",
    "EvacuationAgreementStateChange",
    "FlowCount",
    "Report",
    "ReportCrossingDate",
    "Source",
    "StatusSuggestion",
    "TimelineEvent",
    "Traffic",
    "WorkerHeartbeat",
]
