"""Since when a status has held, read by walking back from the moment (``status_run_starts``), equals the start of
the last run in the full holding sequence (``crossing_status_changes``, window functions over every row)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import CrossingFactory, status
from tracker import selectors, services
from tracker.models import CrossingStatus, Traffic

pytestmark = pytest.mark.django_db
T0 = datetime(2023, 10, 1, tzinfo=UTC)

rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),  # which crossing
        st.sampled_from(list(CrossingStatus.Status.values)),
        st.sampled_from([Traffic.ALL, Traffic.AID, Traffic.PEOPLE, Traffic.FUEL]),
        st.integers(min_value=0, max_value=8),  # day: several rows share a moment (corrections)
        st.booleans(),  # retracted afterwards
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows, probes=st.lists(st.integers(min_value=-1, max_value=10), min_size=1, max_size=3))
def test_run_starts_equal_the_last_change_of_the_holding_sequence(rows, probes):
    crossings = [CrossingFactory() for _ in range(3)]
    for which, value, traffic, day, retract in rows:
        row = status(crossings[which], value, T0 + timedelta(days=day), traffic)
        if retract:
            services.crossing_retract_status(status_row=row, recorded_by=None, reason="property test")
    for probe in probes:
        as_of = T0 + timedelta(days=probe, hours=6)
        starts = selectors.status_run_starts([c.pk for c in crossings], as_of=as_of)
        expected = {}
        for crossing in crossings:
            for kind, changes in selectors.crossing_status_changes(crossing=crossing, as_of=as_of).items():
                if changes:
                    expected[(crossing.pk, kind)] = changes[-1].at
        assert starts == expected
