"""A new change is mailed soon after it commits (``tracker.sweeps``); the periodic sweep (``tasks.alerts_sweep``)
is the net under this."""

from __future__ import annotations

from tracker.sweeps import sweep_after_commit


def _anyone_subscribed() -> bool:
    from .models import AlertSubscription

    return AlertSubscription.objects.exists()


kick_after_commit = sweep_after_commit("alerts.tasks.alerts_sweep", wanted=_anyone_subscribed, what="alerts")
