"""seed_bench fills a database consistently and reproducibly (at a small size here; the benchmark uses 1M)."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tracker import selectors
from tracker.models import (
    AidDispute,
    Change,
    Crossing,
    CrossingStatus,
    EvacuationAgreement,
    FlowCount,
    Report,
    StatusSuggestion,
    Traffic,
)

pytestmark = pytest.mark.django_db
SMALL = {
    "reports": 3000,
    "crises": 5,
    "crossings": 20,
    "statuses": 2000,
    "disputes": 30,
    "agreements": 30,
    "flows": 500,
}


def seed(**extra):
    out = StringIO()
    call_command("seed_bench", stdout=out, **SMALL, **extra)
    return out.getvalue()


def fingerprint() -> str:
    rows = Report.objects.order_by("external_id").values_list("uid", "title", "published_at")
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def test_seed_bench_makes_what_it_is_asked_for_consistently():
    output = seed()
    assert "seed_bench finished in" in output
    assert Crossing.objects.count() == 20 and Report.objects.count() == 3000
    assert CrossingStatus.objects.count() == 2000 and FlowCount.objects.count() == 500
    assert AidDispute.objects.count() == 30 and EvacuationAgreement.objects.count() == 30
    # Every history row is in the change feed once, in recorded order.
    assert Change.objects.count() == 2000 + 30 + 30
    recorded = list(
        Change.objects.filter(kind="crossing_status").values_list("crossing_status__recorded_at", flat=True)
    )
    assert recorded == sorted(recorded)
    # Reports are linked to the crossing their title names, and some raise pending suggestions.
    for row in Report.objects.prefetch_related("crossings")[:50]:
        assert row.title.startswith(f"{row.crossings.get().name}:")
    assert StatusSuggestion.objects.filter(state="pending").exists()
    # The status rule answers for every crossing and kind of traffic.
    crossings = selectors.crossings_with_status()
    assert all(set(c.status_by_traffic) == set(Traffic.specific()) for c in crossings)
    # Full-text search has work to do: a common word matches many reviewed reports.
    assert selectors.reports_search(selectors.reports_for_readers(), "trucks").count() > 300


def test_the_same_seed_gives_the_same_data():
    seed()
    first = fingerprint()
    seed(reset=True)
    assert fingerprint() == first
    seed(reset=True, seed=7)
    assert fingerprint() != first


def test_refuses_a_database_that_holds_data():
    seed()
    with pytest.raises(CommandError, match="already holds data"):
        seed()
