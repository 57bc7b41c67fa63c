"""The change feed: every status row, retraction and state change, once, in commit order, paged by cursor."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from tests.factories import CrisisFactory, CrossingFactory, agreement, dispute, status
from tracker import services
from tracker.api.pagination import decode_change_cursor
from tracker.models import AidDispute, Change, EvacuationAgreement


def read_all(client, url: str = "/api/v1/changes/?limit=3") -> list[dict]:
    entries, seen_cursors = [], set()
    while True:
        page = client.get(url).json()
        entries += page["results"]
        assert page["next_cursor"] not in seen_cursors or not page["results"]
        seen_cursors.add(page["next_cursor"])
        if not page["has_more"]:
            return entries
        url = page["next"]


@pytest.mark.django_db
def test_every_kind_of_change_appears_once_in_order(partner_client):
    crisis = CrisisFactory(name="Gaza")
    rafah = CrossingFactory(name="Rafah")
    rafah.crises.add(crisis)
    wrong = status(rafah, "open", datetime(2023, 10, 10, tzinfo=UTC))
    services.crossing_retract_status(status_row=wrong, recorded_by=None, reason="It never opened")
    status(rafah, "closed", datetime(2023, 10, 10, tzinfo=UTC), note="Correction")
    fight = dispute(crisis, name="Inspections")
    services.accord_change_state(entity=fight, to_state=AidDispute.State.STALLED, changed_by=None)
    deal = agreement(crisis, name="Dual nationals")
    services.accord_change_state(entity=deal, to_state=EvacuationAgreement.State.AGREED, changed_by=None)

    entries = read_all(partner_client)
    assert [e["kind"] for e in entries] == [
        "crossing_status",
        "status_retraction",
        "crossing_status",
        "dispute_state",
        "dispute_state",
        "agreement_state",
        "agreement_state",
    ]
    assert entries[1]["retraction"]["retracted_status"] == entries[0]["status"]["uid"]
    assert entries[1]["crossing"] == {"slug": "rafah", "name": "Rafah"}
    assert entries[4]["state_change"]["from_state"] == "open"
    assert entries[4]["state_change"]["to_state"] == "stalled"
    assert entries[6]["agreement"]["slug"] == "dual-nationals"


@pytest.mark.django_db
def test_cursor_is_opaque_and_polling_past_the_end_returns_it_again(partner_client):
    status(CrossingFactory(name="Erez"), "closed", datetime(2023, 10, 7, tzinfo=UTC))
    page = partner_client.get("/api/v1/changes/").json()
    cursor = page["next_cursor"]
    assert not cursor.isdigit()
    base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    empty = partner_client.get("/api/v1/changes/", {"after": cursor}).json()
    assert (empty["results"], empty["next_cursor"], empty["has_more"]) == ([], cursor, False)


@pytest.mark.django_db
def test_empty_feed_gives_a_cursor_from_the_start(partner_client):
    first = partner_client.get("/api/v1/changes/").json()
    assert first["results"] == [] and first["next_cursor"]
    status(CrossingFactory(name="Erez"), "closed", datetime(2023, 10, 7, tzinfo=UTC))
    later = partner_client.get("/api/v1/changes/", {"after": first["next_cursor"]}).json()
    assert len(later["results"]) == 1


@pytest.mark.django_db
def test_filters_by_kind_crossing_and_crisis(partner_client):
    gaza, sudan = CrisisFactory(name="Gaza"), CrisisFactory(name="Sudan")
    rafah, adre = CrossingFactory(name="Rafah"), CrossingFactory(name="Adre")
    rafah.crises.add(gaza)
    adre.crises.add(sudan)
    status(rafah, "closed", datetime(2023, 10, 7, tzinfo=UTC))
    status(adre, "open", datetime(2023, 10, 7, tzinfo=UTC))
    dispute(sudan, name="Fuel")

    def kinds_and_places(query: str) -> list[tuple[str, str]]:
        entries = partner_client.get(f"/api/v1/changes/?{query}").json()["results"]
        return [(e["kind"], (e["crossing"] or e["dispute"] or {})["slug"]) for e in entries]

    assert kinds_and_places("crossing=rafah") == [("crossing_status", "rafah")]
    assert kinds_and_places("crisis=sudan") == [("crossing_status", "adre"), ("dispute_state", "fuel")]
    assert kinds_and_places("kind=dispute_state") == [("dispute_state", "fuel")]


# Run in a separate process by the concurrency test below (``python -c``, after ``django.setup()``).
WRITER = (
    "import django, sys; django.setup(); "
    "from tests.test_api_change_feed import write_as_a_separate_process as w; "
    "w(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]))"
)


def write_as_a_separate_process(
    index: int, writes: int, crossing_slug: str, dispute_slug: str, start_at: float
) -> None:
    """One writer: all start together and write at a similar pace; writer 0 holds each transaction open a while
    after its change row is written (as a slow admin save would), the others commit at once, so without the feed's
    lock their ids would commit before writer 0's. Writer 3 changes a dispute's state."""
    import random

    from django.db import transaction
    from django.utils import timezone

    from tracker.models import Crossing, Traffic

    crossing = Crossing.objects.get(slug=crossing_slug)
    fight = AidDispute.objects.get(slug=dispute_slug)
    rng = random.Random(index)
    time.sleep(max(0.0, start_at - time.time()))
    for n in range(writes):
        with transaction.atomic():
            if index == 3:
                state = [AidDispute.State.NEGOTIATING, AidDispute.State.STALLED][n % 2]
                services.accord_change_state(entity=fight, to_state=state, changed_by=None)
            else:
                row = services.crossing_record_status(
                    crossing=crossing,
                    status=rng.choice(["open", "closed", "restricted"]),
                    traffic=rng.choice([Traffic.ALL, Traffic.AID, Traffic.PEOPLE]),
                    effective_at=timezone.now() - timedelta(minutes=n),
                    recorded_by=None,
                    note="concurrency test",
                )
                if n % 5 == 4:
                    services.crossing_retract_status(status_row=row, recorded_by=None, reason="Wrong")
            if index == 0:
                time.sleep(rng.uniform(0.05, 0.1))
        if index != 0:
            time.sleep(rng.uniform(0.005, 0.02))


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
@override_settings(API_THROTTLE_RATE=None)  # the reader polls as fast as answers come (cached ones come fast)
def test_no_change_is_missed_or_repeated_while_editors_write(partner_client):
    """Four processes write through the services (one holding its transactions open a while after its change row
    is written, as a slow admin save does) while a partner pages the feed; the partner sees every change once,
    in id order. Without the feed's commit-order lock the quick writers' ids would commit first and be missed."""
    crossings = [CrossingFactory(name=f"Crossing {n}") for n in range(3)]
    fight = dispute(name="Inspections")
    writes = 20
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
    }
    start_at = str(time.time() + 3)  # after every writer has started Django
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WRITER,
                str(i),
                str(writes),
                crossings[min(i, 2)].slug,
                fight.slug,
                start_at,
            ],
            env=env,
            cwd=settings.BASE_DIR,
        )
        for i in range(4)
    ]
    seen: list[str] = []
    cursor = ""
    while True:
        writing = any(w.poll() is None for w in writers)
        # Mostly large pages, so the reader is at the head of the feed while the writers are busy.
        page = partner_client.get("/api/v1/changes/", {"after": cursor, "limit": 3 if len(seen) % 2 else 50}).json()
        seen += [entry["cursor"] for entry in page["results"]]
        cursor = page["next_cursor"]
        if not writing and not page["has_more"]:
            break
        time.sleep(0.002)
    assert [w.wait(timeout=60) for w in writers] == [0, 0, 0, 0]

    expected = list(Change.objects.order_by("id").values_list("id", flat=True))
    assert len(expected) == 1 + 3 * (writes + writes // 5) + writes
    seen_ids = [decode_change_cursor(c) for c in seen]
    assert len(seen_ids) == len(set(seen_ids)), "a change was repeated"
    assert seen_ids == expected, "a change was missed or came out of order"
