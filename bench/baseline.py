"""The baseline the harness compares us with: the same data as /api/v1/crossings/ and /api/v1/reports/, from one
hand-written SQL query each through psycopg, serialised with orjson, in a minimal WSGI app (no Django).

Run under the same gunicorn settings as the tracker: ``gunicorn bench.baseline:app``. Reads DATABASE_URL.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

import orjson
import psycopg

CROSSINGS_SQL = """
SELECT c.slug, c.name, c.kind, a.iso3, b.iso3, c.latitude::float, c.longitude::float,
       s.traffic, s.status, s.certainty, s.effective_at, s.uid
FROM (SELECT * FROM tracker_crossing ORDER BY name LIMIT 50) c
JOIN tracker_country a ON a.iso3 = c.side_a_id
LEFT JOIN tracker_country b ON b.iso3 = c.side_b_id
CROSS JOIN (VALUES ('people'), ('aid'), ('commercial'), ('fuel')) AS kinds(kind)
LEFT JOIN LATERAL (
    SELECT cs.traffic, cs.status, cs.certainty, cs.effective_at, cs.uid
    FROM tracker_crossingstatus cs
    WHERE cs.crossing_id = c.id AND cs.traffic IN (kinds.kind, 'all') AND cs.effective_at <= now()
      AND NOT EXISTS (SELECT 1 FROM tracker_crossingstatusretraction r WHERE r.status_row_id = cs.id)
    ORDER BY cs.effective_at DESC, cs.recorded_at DESC, cs.id DESC
    LIMIT 1
) s ON true
ORDER BY c.name, kinds.kind
"""

REPORTS_SQL = """
SELECT r.uid, r.title, r.url, r.published_at, r.language, src.name
FROM tracker_report r JOIN tracker_source src ON src.id = r.source_id
WHERE r.review_state = 'relevant'
ORDER BY r.published_at DESC, r.id DESC
LIMIT 50
"""

_connection: psycopg.Connection | None = None


def connection() -> psycopg.Connection:
    """One connection per worker process, kept open: a sync worker serves one request at a time."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _connection


def crossings() -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    rows = connection().execute(CROSSINGS_SQL)
    for slug, name, kind, side_a, side_b, lat, lon, traffic, status, certainty, effective, uid in rows:
        row = out.setdefault(
            slug,
            {
                "slug": slug,
                "name": name,
                "kind": kind,
                "sides": [side_a, side_b],
                "latitude": lat,
                "longitude": lon,
                "status": {},
            },
        )
        if status is not None:
            row["status"][traffic] = {"status": status, "certainty": certainty, "effective_at": effective, "id": uid}
    return list(out.values())


def reports() -> list[dict[str, Any]]:
    rows = connection().execute(REPORTS_SQL)
    return [
        {"id": uid, "title": title, "url": url, "published_at": published, "language": language, "source": source}
        for uid, title, url, published, language, source in rows
    ]


ROUTES: dict[str, Callable[[], list[dict[str, Any]]]] = {"/crossings/": crossings, "/reports/": reports}


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    handler = ROUTES.get(environ.get("PATH_INFO", ""))
    if handler is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    body = orjson.dumps({"results": handler()})
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
