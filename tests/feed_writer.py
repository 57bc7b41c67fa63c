"""A separate process that writes through the services, for the change-feed concurrency test.

``python -m tests.feed_writer <index> <writes> <crossing slug> <dispute slug> <start at (unix time)>`` with
DATABASE_URL set to the test database. All writers start together and write at a similar pace; writer 0 holds each
transaction open for a while after its change row is written (as a slow admin save would), the others commit at
once, so without the feed's lock their ids would commit before writer 0's.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import timedelta


def main(index: int, writes: int, crossing_slug: str, dispute_slug: str, start_at: float) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from tracker import services
    from tracker.models import AidDispute, Crossing, Traffic

    rng = random.Random(index)
    time.sleep(max(0.0, start_at - time.time()))
    crossing = Crossing.objects.get(slug=crossing_slug)
    dispute = AidDispute.objects.get(slug=dispute_slug)
    for n in range(writes):
        with transaction.atomic():
            if index == 3:
                state = [AidDispute.State.NEGOTIATING, AidDispute.State.STALLED][n % 2]
                services.accord_change_state(entity=dispute, to_state=state, changed_by=None)
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


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]))
