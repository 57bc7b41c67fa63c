"""The database refuses bad rows on its own, whatever code (or person) tries to write them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, transaction

from tests.factories import CrisisFactory, CrossingFactory, SourceFactory, country, report, status
from tracker.models import (
    AidDispute,
    Change,
    Crisis,
    Crossing,
    CrossingAlias,
    CrossingStatus,
    FlowCount,
    Report,
    Source,
    StatusSuggestion,
)

pytestmark = pytest.mark.django_db
WHEN = datetime(2023, 10, 15, tzinfo=UTC)


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_two_sources_figures_for_one_day_stand_side_by_side():
    crossing, unrwa, cogat = CrossingFactory(), SourceFactory(), SourceFactory()
    FlowCount.objects.create(crossing=crossing, day=date(2023, 10, 21), metric="aid_trucks", value=20, source=unrwa)
    FlowCount.objects.create(crossing=crossing, day=date(2023, 10, 21), metric="aid_trucks", value=17, source=cogat)
    assert FlowCount.objects.filter(crossing=crossing).count() == 2


def test_one_figure_per_crossing_day_metric_and_source():
    crossing, source = CrossingFactory(), SourceFactory()
    FlowCount.objects.create(crossing=crossing, day=date(2023, 10, 21), metric="aid_trucks", value=20, source=source)
    refused(
        lambda: FlowCount.objects.create(
            crossing=crossing, day=date(2023, 10, 21), metric="aid_trucks", value=25, source=source
        )
    )


def test_flow_count_metric_and_value_are_checked():
    crossing, source = CrossingFactory(), SourceFactory()
    refused(
        lambda: FlowCount.objects.create(
            crossing=crossing, day=date(2023, 10, 21), metric="camels", value=1, source=source
        )
    )
    refused(
        lambda: FlowCount.objects.create(
            crossing=crossing, day=date(2023, 10, 21), metric="aid_trucks", value=-1, source=source
        )
    )


def test_one_report_per_source_and_external_id():
    source = SourceFactory()
    report(source, external_id="item-1", title="First")
    refused(
        lambda: Report.objects.create(
            source=source,
            external_id="item-1",
            title="Again",
            published_at=WHEN,
            fetched_at=WHEN,
            content_hash="0" * 64,
        )
    )


def test_report_needs_title_or_link_and_a_real_hash():
    source = SourceFactory()
    refused(lambda: Report.objects.create(source=source, published_at=WHEN, fetched_at=WHEN, content_hash="0" * 64))
    refused(
        lambda: Report.objects.create(
            source=source, title="x", published_at=WHEN, fetched_at=WHEN, content_hash="not-a-hash"
        )
    )


def test_duplicate_report_points_at_its_original_and_only_then():
    source = SourceFactory()
    refused(
        lambda: Report.objects.create(
            source=source,
            title="x",
            published_at=WHEN,
            fetched_at=WHEN,
            content_hash="0" * 64,
            review_state="duplicate",
        )
    )
    original = report(source, title="Original")
    refused(
        lambda: Report.objects.create(
            source=source,
            title="y",
            published_at=WHEN,
            fetched_at=WHEN,
            content_hash="1" * 64,
            review_state="new",
            duplicate_of=original,
        )
    )


def test_date_ranges_are_checked():
    refused(lambda: Crisis.objects.create(name="Backwards", started_on=date(2023, 10, 7), ended_on=date(2023, 1, 1)))
    crisis = CrisisFactory()
    refused(
        lambda: AidDispute.objects.create(
            name="d",
            crisis=crisis,
            subject="access",
            opened_on=date(2023, 10, 7),
            resolved_on=date(2023, 10, 1),
            state="resolved",
        )
    )
    refused(
        lambda: AidDispute.objects.create(
            name="d2", crisis=crisis, subject="access", opened_on=date(2023, 10, 7), state="resolved"
        )
    )


def test_status_choices_and_evidence_are_checked():
    crossing = CrossingFactory()
    base = {"crossing": crossing, "effective_at": WHEN, "recorded_at": WHEN, "note": "seen"}
    refused(lambda: CrossingStatus.objects.create(**{**base, "status": "ajar"}))
    refused(lambda: CrossingStatus.objects.create(**{**base, "status": "open", "traffic": "boats"}))
    refused(lambda: CrossingStatus.objects.create(**{**base, "status": "open", "certainty": "rumoured"}))
    refused(lambda: CrossingStatus.objects.create(**{**base, "status": "open", "note": ""}))


def test_crossing_geometry_is_checked():
    egy, pse = country("EGY"), country("PSE")
    refused(lambda: Crossing.objects.create(name="Same sides", side_a=egy, side_b=egy))
    refused(lambda: Crossing.objects.create(name="Off the globe", side_a=egy, side_b=pse, latitude=95, longitude=34))
    refused(lambda: Crossing.objects.create(name="Half a point", side_a=egy, side_b=pse, latitude=31))


def test_aliases_are_unique_per_crossing():
    crossing = CrossingFactory()
    CrossingAlias.objects.create(crossing=crossing, name="Karem Abu Salem", language="en")
    refused(lambda: CrossingAlias.objects.create(crossing=crossing, name="Karem Abu Salem", language="ar"))


def test_polled_source_needs_an_address():
    refused(lambda: Source.objects.create(name="Feed without URL", kind=Source.Kind.FEED))
    refused(
        lambda: Source.objects.create(
            name="Never polled", kind=Source.Kind.FEED, url="https://example.org/f", poll_interval_minutes=0
        )
    )


def test_suggestion_decision_must_be_consistent():
    crossing, r = CrossingFactory(), report()
    refused(
        lambda: StatusSuggestion.objects.create(
            report=r, crossing=crossing, proposed_status="closed", evidence="closed", state="accepted"
        )
    )
    StatusSuggestion.objects.create(report=r, crossing=crossing, proposed_status="closed", evidence="closed")
    refused(
        lambda: StatusSuggestion.objects.create(
            report=r, crossing=crossing, proposed_status="closed", evidence="closed again"
        )
    )


def test_change_feed_entry_points_at_exactly_one_row():
    row = status(CrossingFactory(), "closed", WHEN)
    refused(lambda: Change.objects.create(kind=Change.Kind.DISPUTE_STATE, crossing_status=row, recorded_at=WHEN))
