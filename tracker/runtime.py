"""How a web worker's Python runs: the garbage collector tuned for requests that build many objects.

A cold dashboard builds about 400,000 objects (model rows, strings, template nodes) that live until the page is
written. With CPython's default thresholds (a young-generation pass every 700 new objects), those passes and the
older-generation ones they trigger walked the same live objects again and again: a third of the dashboard's
selector time on the 1M-report benchmark (issue 16; 250 -> 165 ms, measured with bench/run.py's cold pages).
The remedy is the well-known one for long-running servers: freeze what the worker built while starting (settings,
URL patterns, compiled templates: it is never garbage) so that no pass walks it again, and collect the young
generation after ``GC_GEN0_THRESHOLD`` new objects rather than 700. Cycles are still collected, a little later.
"""

from __future__ import annotations

import gc

from django.conf import settings


def tune_garbage_collector() -> tuple[int, int, int]:
    """Freeze the objects made so far and raise the young generation's threshold; returns the thresholds set.

    Called by ``tracker.wsgi`` once the application is loaded (in each gunicorn worker), and by the benchmark's
    cold-page runner, which measures what a worker does."""
    gc.collect()  # what start-up left as garbage is freed, not frozen for the worker's life
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(settings.GC_GEN0_THRESHOLD, middle, old)
    return gc.get_threshold()
