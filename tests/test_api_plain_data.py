"""The API's hand-built answers (crossings, history rows, feed entries) equal what its serializers write.

The serializers stay the schema's source and the reference; the views build the same data by hand because it is
several times faster. These tests hold the two equal on rows with every optional part set and unset.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.factories import ActorFactory, CrisisFactory, CrossingFactory, SourceFactory, agreement, dispute, report
from tests.factories import status as record_status
from tracker import selectors, services
from tracker.api import serializers as out
from tracker.api.views import _attach_names
from tracker.models import Crossing, Report, Traffic

pytestmark = pytest.mark.django_db
T0 = datetime(2023, 10, 16, 9, tzinfo=UTC)


def same(data: object) -> object:
    """JSON as the renderer writes it, to compare DRF's ReturnDicts with plain dicts."""
    return json.loads(json.dumps(data))


@pytest.fixture
def situation():
    crisis, other = CrisisFactory(), CrisisFactory()
    rafah = CrossingFactory(name="Rafah", latitude=31.2, longitude=34.25, description="Gaza–Egypt")
    Crossing.objects.filter(pk=rafah.pk).update(adm1_pcode="PS02", adm2_pcode="PS0205")  # both ways carry them
    rafah.refresh_from_db()
    rafah.crises.add(crisis, other)
    rafah.aliases.create(name="معبر رفح", language="ar")
    rafah.aliases.create(name="Rafah Border Crossing", language="")
    bare = CrossingFactory(name="Bare", latitude=None, longitude=None)
    shown = report(SourceFactory(name="UN"), title="Rafah closed", url="https://un.test/1")
    services.report_review(report=shown, state=Report.ReviewState.RELEVANT, reviewed_by=None)
    hidden = report(title="Unreviewed")
    record_status(rafah, "closed", T0, report=shown, stated_by=ActorFactory(), note="")
    wrong = record_status(rafah, "open", T0.replace(hour=10), Traffic.AID, report=hidden)
    record_status(rafah, "restricted", T0.replace(hour=11), Traffic.FUEL, certainty="confirmed")
    services.crossing_retract_status(status_row=wrong, recorded_by=None, reason="misread")
    fight = dispute(crisis)
    services.accord_change_state(entity=fight, to_state="negotiating", changed_by=None, report=shown)
    deal = agreement(crisis)
    services.accord_change_state(entity=deal, to_state="agreed", changed_by=None)
    return {"crossings": [rafah, bare]}


@pytest.mark.parametrize("as_of", [None, T0.replace(hour=10, minute=30)])
def test_crossing_data_equals_the_crossing_serializer(situation, as_of):
    crossings = _attach_names(
        selectors.crossings_with_status(
            Crossing.objects.select_related("side_a", "side_b").prefetch_related("crises", "aliases"), as_of=as_of
        )
    )
    moment = as_of or datetime.now(UTC)
    for crossing in crossings:
        by_hand = out.crossing_data(crossing, as_of_requested=as_of, as_of=moment)
        by_serializer = out.CrossingSerializer(crossing, context={"as_of_requested": as_of, "as_of": moment}).data
        assert same(by_hand) == same(by_serializer)
        if crossing.name == "Rafah":
            assert (by_hand["adm1_pcode"], by_hand["adm2_pcode"]) == ("PS02", "PS0205")


def test_history_rows_equal_the_history_serializer(situation):
    rows = list(selectors.crossing_status_history(crossing=situation["crossings"][0]))
    assert any(hasattr(row, "retraction") for row in rows)
    for row in rows:
        by_hand = out.history_row_data(row)
        assert same(by_hand) == same(out.HistoryRowSerializer(by_hand).data)


def test_feed_entries_equal_the_change_serializer(situation):
    changes = list(selectors.changes_feed())
    assert {c.kind for c in changes} == {"crossing_status", "status_retraction", "dispute_state", "agreement_state"}
    by_serializer = out.ChangeSerializer([out.change_data(c) for c in changes], many=True).data
    assert same(out.changes_data(changes)) == same(by_serializer)
