"""The status rule: which row holds for a crossing, a kind of traffic and a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import CrossingFactory, status
from tracker import selectors, services
from tracker.models import CrossingStatus, Traffic

OPEN, RESTRICTED, CLOSED = CrossingStatus.Status.OPEN, CrossingStatus.Status.RESTRICTED, CrossingStatus.Status.CLOSED
T0 = datetime(2023, 10, 1, tzinfo=UTC)


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


pytestmark = pytest.mark.django_db


def test_nothing_recorded_means_unknown():
    crossing = CrossingFactory()
    assert selectors.crossing_status_as_of(crossing=crossing, traffic=Traffic.AID) is None


def test_latest_row_in_effect_holds():
    crossing = CrossingFactory()
    status(crossing, OPEN, day(1))
    closed = status(crossing, CLOSED, day(5))
    assert selectors.crossing_status_as_of(crossing=crossing, traffic=Traffic.PEOPLE) == closed


def test_backdated_status_does_not_override_newer():
    crossing = CrossingFactory()
    newer = status(crossing, CLOSED, day(10))
    older = status(crossing, OPEN, day(3))  # recorded later, took effect earlier
    assert selectors.crossing_status_as_of(crossing=crossing, traffic=Traffic.AID) == newer
    assert selectors.crossing_status_as_of(crossing=crossing, traffic=Traffic.AID, as_of=day(5)) == older


def test_as_of_before_first_row_is_unknown():
    crossing = CrossingFactory()
    status(crossing, CLOSED, day(10))
    assert selectors.crossing_status_as_of(crossing=crossing, traffic=Traffic.AID, as_of=day(9)) is None


def test_each_kind_of_traffic_has_its_own_status():
    crossing = CrossingFactory()
    status(crossing, CLOSED, day(1), Traffic.ALL)
    people = status(crossing, OPEN, day(2), Traffic.PEOPLE)
    fuel = status(crossing, RESTRICTED, day(3), Traffic.FUEL)
    [row] = selectors.crossings_with_status(type(crossing).objects.filter(pk=crossing.pk))
    assert row.status_by_traffic[Traffic.PEOPLE] == people
    assert row.status_by_traffic[Traffic.FUEL] == fuel
    assert row.status_by_traffic[Traffic.AID].status == CLOSED
    assert row.status_by_traffic[Traffic.COMMERCIAL].status == CLOSED


def test_a_later_all_traffic_row_overrides_specific_ones():
    crossing = CrossingFactory()
    status(crossing, OPEN, day(2), Traffic.PEOPLE)
    closure = status(crossing, CLOSED, day(4), Traffic.ALL)
    assert selectors.crossing_status_as_of(crossing=crossing, traffic=Traffic.PEOPLE) == closure


def test_correction_with_same_effective_time_wins():
    crossing = CrossingFactory()
    status(crossing, OPEN, day(2), note="misread the statement")
    correction = status(crossing, CLOSED, day(2), note="corrected: the statement said closed")
    assert selectors.crossing_status_as_of(crossing=crossing, traffic=Traffic.AID) == correction


def test_retracted_row_no_longer_holds():
    crossing = CrossingFactory()
    earlier = status(crossing, CLOSED, day(1))
    wrong = status(crossing, OPEN, day(2))
    services.crossing_retract_status(status_row=wrong, recorded_by=None, reason="the report was a hoax")
    assert selectors.crossing_status_as_of(crossing=crossing, traffic=Traffic.AID) == earlier
    assert CrossingStatus.objects.filter(pk=wrong.pk).exists(), "the retracted row stays in the history"


def test_status_cannot_take_effect_in_the_future():
    crossing = CrossingFactory()
    with pytest.raises(ValidationError) as error:
        status(crossing, OPEN, datetime.now(UTC) + timedelta(days=2))
    assert "effective_at" in error.value.message_dict
    assert not CrossingStatus.objects.exists()


def test_status_needs_evidence():
    crossing = CrossingFactory()
    with pytest.raises(ValidationError) as error:
        services.crossing_record_status(
            crossing=crossing, status=OPEN, effective_at=day(1), recorded_by=None, note="  "
        )
    assert "note" in error.value.message_dict


def test_naive_time_is_refused():
    crossing = CrossingFactory()
    with pytest.raises(ValidationError):
        status(crossing, OPEN, datetime(2023, 10, 1))


def test_unknown_traffic_kind_is_refused_by_the_selector():
    with pytest.raises(ValueError):
        selectors.crossing_status_as_of(crossing=CrossingFactory(), traffic="boats")


def test_status_of_many_crossings_costs_two_queries():
    crossings = [CrossingFactory() for _ in range(12)]
    for i, crossing in enumerate(crossings):
        status(crossing, CLOSED, day(1))
        status(crossing, OPEN, day(2 + i), Traffic.PEOPLE)
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.crossings_with_status()
    assert len(rows) == 12
    assert len(queries) == 2


# --- property: the selector agrees with a plain reading of the history, whatever the order of inserts ---------

insert = st.tuples(
    st.sampled_from([OPEN, RESTRICTED, CLOSED, CrossingStatus.Status.UNKNOWN]),
    st.sampled_from(Traffic.values),
    st.integers(min_value=0, max_value=40),  # effective day: any order, so many inserts are back-dated
    st.booleans(),  # retracted afterwards?
)


def expected(history: list[tuple[int, str, str, int, bool]], traffic: str, moment_day: int) -> int | None:
    """Index of the row that should hold, from first principles."""
    kinds = {Traffic.ALL} if traffic == Traffic.ALL else {traffic, Traffic.ALL}
    candidates = [
        (effective, index)
        for index, _status, row_traffic, effective, retracted in history
        if row_traffic in kinds and effective <= moment_day and not retracted
    ]
    return max(candidates)[1] if candidates else None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inserts=st.lists(insert, min_size=1, max_size=12), moment_day=st.integers(min_value=-1, max_value=42))
def test_rule_matches_history_for_any_sequence_of_inserts(inserts, moment_day):
    crossing = CrossingFactory()
    rows, history = [], []
    for index, (row_status, traffic, effective_day, retract) in enumerate(inserts):
        rows.append(status(crossing, row_status, day(effective_day), traffic))
        history.append((index, row_status, traffic, effective_day, retract))
    for row, (_i, _s, _t, _d, retract) in zip(rows, history, strict=True):
        if retract:
            services.crossing_retract_status(status_row=row, recorded_by=None, reason="property test")
    moment = day(moment_day) + timedelta(hours=1)
    listed = selectors.crossings_with_status(type(crossing).objects.filter(pk=crossing.pk), as_of=moment)[0]
    for traffic in Traffic.values:
        want = expected(history, traffic, moment_day)
        got = selectors.crossing_status_as_of(crossing=crossing, traffic=traffic, as_of=moment)
        assert (got.pk if got else None) == (rows[want].pk if want is not None else None)
        if traffic != Traffic.ALL:
            from_list = listed.status_by_traffic[traffic]
            assert (from_list.pk if from_list else None) == (got.pk if got else None)
