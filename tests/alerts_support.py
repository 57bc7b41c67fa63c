"""A small Rafah situation for the alerts tests, written through the services as in life."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tests import factories
from tracker import services
from tracker.models import Crisis, Crossing, CrossingStatus, StatusSuggestion, Traffic

CLOSED = CrossingStatus.Status.CLOSED
OPEN = CrossingStatus.Status.OPEN
RESTRICTED = CrossingStatus.Status.RESTRICTED


@dataclass
class Situation:
    crisis: Crisis
    rafah: Crossing
    kerem: Crossing
    closed: CrossingStatus
    opened_people: CrossingStatus
    kerem_aid: CrossingStatus
    pending: StatusSuggestion


def situation(editor: Any) -> Situation:
    crisis = factories.CrisisFactory(name="Gaza 2023", slug="gaza-2023")
    rafah = factories.CrossingFactory(name="Rafah", slug="rafah")
    kerem = factories.CrossingFactory(name="Kerem Shalom", slug="kerem-shalom")
    rafah.crises.add(crisis)
    kerem.crises.add(crisis)
    egypt = factories.ActorFactory(name="Egypt")
    report = factories.report(title="Rafah reopens for dual nationals", url="https://news.example.org/rafah-open")
    closed = factories.status(rafah, CLOSED, datetime(2023, 10, 10, 8, tzinfo=UTC), note="Closed after strikes")
    opened_people = services.crossing_record_status(
        crossing=rafah,
        status=OPEN,
        traffic=Traffic.PEOPLE,
        effective_at=datetime(2023, 11, 1, 9, tzinfo=UTC),
        recorded_by=editor,
        report=report,
        stated_by=egypt,
    )
    kerem_aid = factories.status(kerem, RESTRICTED, datetime(2023, 12, 17, tzinfo=UTC), Traffic.AID)
    # A machine's reading that nobody has decided: never a status, so never an alert.
    rumour = factories.report(title="Rafah said to close for fuel", url="https://rumours.example.org/1")
    pending, _ = services.suggestion_raise(
        report=rumour, crossing=rafah, proposed_status=CLOSED, traffic=Traffic.FUEL, evidence="Rafah closed to fuel"
    )
    return Situation(crisis, rafah, kerem, closed, opened_people, kerem_aid, pending)
