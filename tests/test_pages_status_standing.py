"""Since when a status has held, whether it is stale, and the bands drawn over time: all derived from the rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import CrossingFactory, status
from tracker import selectors, services
from tracker.models import Crossing, CrossingStatus, Traffic

OPEN, RESTRICTED, CLOSED, UNKNOWN = (
    CrossingStatus.Status.OPEN,
    CrossingStatus.Status.RESTRICTED,
    CrossingStatus.Status.CLOSED,
    CrossingStatus.Status.UNKNOWN,
)
T0 = datetime(2023, 10, 1, tzinfo=UTC)
NOW = datetime(2023, 12, 1, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def standing(crossing: Crossing, traffic: str, as_of: datetime = NOW, **kwargs):  # type: ignore[no-untyped-def]
    [found] = selectors.crossings_with_standing(Crossing.objects.filter(pk=crossing.pk), as_of=as_of, **kwargs)
    return next(s for s in found.standing if s.traffic == traffic)


def test_since_is_the_start_of_the_run_not_the_latest_restatement():
    crossing = CrossingFactory()
    status(crossing, OPEN, day(1))
    first_closure = status(crossing, CLOSED, day(5))
    restated = status(crossing, CLOSED, day(12), note="still closed")
    aid = standing(crossing, Traffic.AID)
    assert aid.row == restated
    assert aid.since == first_closure.effective_at
    assert aid.held_for == NOW - day(5)


def test_since_counts_all_traffic_rows_and_specific_rows_together():
    crossing = CrossingFactory()
    status(crossing, CLOSED, day(2), Traffic.ALL)
    status(crossing, CLOSED, day(6), Traffic.FUEL)
    assert standing(crossing, Traffic.FUEL).since == day(2)
    status(crossing, OPEN, day(8), Traffic.PEOPLE)
    assert standing(crossing, Traffic.PEOPLE).since == day(8)
    assert standing(crossing, Traffic.AID).since == day(2)


def test_a_correction_at_the_same_moment_replaces_the_statement_it_corrects():
    crossing = CrossingFactory()
    status(crossing, OPEN, day(1))
    status(crossing, CLOSED, day(4), note="misread")
    status(crossing, OPEN, day(4), note="corrected: it stayed open")
    aid = standing(crossing, Traffic.AID)
    assert aid.status == OPEN
    assert aid.since == day(1)  # the misread closure never held, so the run was never broken


def test_a_retracted_row_does_not_break_the_run():
    crossing = CrossingFactory()
    status(crossing, CLOSED, day(1))
    wrong = status(crossing, OPEN, day(3))
    status(crossing, CLOSED, day(5))
    assert standing(crossing, Traffic.AID).since == day(5)
    services.crossing_retract_status(status_row=wrong, recorded_by=None, reason="no such opening")
    assert standing(crossing, Traffic.AID).since == day(1)


def test_since_is_as_of_the_moment_asked():
    crossing = CrossingFactory()
    status(crossing, OPEN, day(1))
    status(crossing, CLOSED, day(10))
    past = standing(crossing, Traffic.AID, as_of=day(7))
    assert (past.status, past.since, past.held_for) == (OPEN, day(1), timedelta(days=6))
    assert standing(crossing, Traffic.AID, as_of=day(0)).status == UNKNOWN


def test_nothing_known_has_no_since_and_is_not_stale():
    crossing = CrossingFactory()
    aid = standing(crossing, Traffic.AID)
    assert (aid.row, aid.since, aid.stale) == (None, None, False)


def test_status_not_stated_within_the_configured_age_is_stale(settings):
    settings.STATUS_STALE_AFTER_DAYS = 7
    crossing = CrossingFactory()
    status(crossing, CLOSED, NOW - timedelta(days=10))
    assert standing(crossing, Traffic.AID).stale
    restated = status(crossing, CLOSED, NOW - timedelta(days=2), note="checked again")
    aid = standing(crossing, Traffic.AID)
    assert not aid.stale and aid.last_stated_at == restated.effective_at
    assert aid.since == NOW - timedelta(days=10)
    settings.STATUS_STALE_AFTER_DAYS = 1
    assert standing(crossing, Traffic.AID).stale


def test_staleness_is_judged_at_the_moment_shown():
    crossing = CrossingFactory()
    status(crossing, CLOSED, day(1))
    assert not standing(crossing, Traffic.AID, as_of=day(3)).stale
    assert standing(crossing, Traffic.AID, as_of=day(30)).stale


def test_standing_for_many_crossings_takes_three_queries():
    crossings = [CrossingFactory() for _ in range(6)]
    for n, crossing in enumerate(crossings):
        status(crossing, OPEN, day(1))
        status(crossing, CLOSED, day(2 + n))
        status(crossing, CLOSED, day(9), Traffic.FUEL)
    with CaptureQueriesContext(connection) as queries:
        found = selectors.crossings_with_standing(Crossing.objects.all(), as_of=NOW)
    assert len(found) == 6 and len(queries) == 3


def test_bands_cover_the_window_and_begin_with_unknown():
    crossing = CrossingFactory()
    closure = status(crossing, CLOSED, day(5))
    status(crossing, CLOSED, day(9))
    status(crossing, OPEN, day(20), Traffic.PEOPLE)
    changes = selectors.crossing_status_changes(crossing=crossing, as_of=day(30))
    bands = selectors.status_bands(changes, start=day(0), end=day(30))
    assert [(b.start, b.end, b.status) for b in bands[Traffic.AID]] == [
        (day(0), day(5), UNKNOWN),
        (day(5), day(30), CLOSED),
    ]
    assert bands[Traffic.AID][1].row == closure
    assert [b.status for b in bands[Traffic.PEOPLE]] == [UNKNOWN, CLOSED, OPEN]
    assert [(b.start, b.end) for b in bands[Traffic.COMMERCIAL]] == [(day(0), day(5)), (day(5), day(30))]


def test_bands_clip_to_the_window():
    crossing = CrossingFactory()
    status(crossing, OPEN, day(1))
    status(crossing, CLOSED, day(10))
    changes = selectors.crossing_status_changes(crossing=crossing, as_of=day(20))
    bands = selectors.status_bands(changes, start=day(5), end=day(20))
    assert [(b.start, b.end, b.status) for b in bands[Traffic.AID]] == [
        (day(5), day(10), OPEN),
        (day(10), day(20), CLOSED),
    ]


def test_a_window_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        selectors.status_bands({}, start=day(5), end=day(5))


# The rows a property test may write: (status, traffic, day offset, seconds recorded after the previous row).
rows_strategy = st.lists(
    st.tuples(
        st.sampled_from([OPEN, RESTRICTED, CLOSED, UNKNOWN]),
        st.sampled_from([Traffic.ALL, Traffic.AID, Traffic.PEOPLE]),
        st.integers(min_value=0, max_value=12),
        st.booleans(),  # retract it afterwards
    ),
    min_size=1,
    max_size=9,
)


def _row_status(crossing: Crossing, traffic: str, moment: datetime) -> str | None:
    """What the rule says at ``moment``: a status, or None when nothing is known."""
    row = selectors.crossing_status_as_of(crossing=crossing, traffic=traffic, as_of=moment)
    return row.status if row else None


def _status_at(crossing: Crossing, traffic: str, moment: datetime) -> str:
    return _row_status(crossing, traffic, moment) or UNKNOWN


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy, probe=st.integers(min_value=0, max_value=14))
def test_since_and_bands_agree_with_the_status_rule_at_every_moment(rows, probe):
    crossing = CrossingFactory()
    for value, traffic, offset, retract in rows:
        row = status(crossing, value, day(offset), traffic)
        if retract:
            services.crossing_retract_status(status_row=row, recorded_by=None, reason="property test")
    as_of = day(probe) + timedelta(hours=12)
    changes = selectors.crossing_status_changes(crossing=crossing, as_of=as_of)
    bands = selectors.status_bands(changes, start=day(-1), end=as_of)
    for traffic in (Traffic.AID, Traffic.PEOPLE, Traffic.FUEL):
        current = _status_at(crossing, traffic, as_of)
        # Every band says what the rule says inside it.
        for band in bands[traffic]:
            for moment in (band.start, band.start + (band.end - band.start) / 2):
                assert _status_at(crossing, traffic, moment) == band.status
        # "since": the rule gave the current status at every moment from then on, and not just before it.
        held = standing(crossing, traffic, as_of=as_of)
        assert held.status == current
        assert (held.since is None) == (_row_status(crossing, traffic, as_of) is None)
        if held.since is not None:
            for offset in range(0, 15):
                moment = day(offset)
                if held.since <= moment <= as_of:
                    assert _status_at(crossing, traffic, moment) == current
            before = _row_status(crossing, traffic, held.since - timedelta(microseconds=1))
            assert before != held.row.status
