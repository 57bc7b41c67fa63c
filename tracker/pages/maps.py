"""The map of crossings, drawn as SVG from their coordinates: no tile server, no script, no outside request.

An equirectangular projection scaled by the cosine of the middle latitude is true enough for the few hundred
kilometres a crisis spans. A graticule, a scale bar and a north arrow stand in for a base map; each crossing is a
marker whose shape, pattern, symbol and label all say its status, linked to the crossing's page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString

from .svg import STATUS_COLOURS, STATUS_ORDER, status_patterns, status_symbol, status_word, svg_document, tag, text

WIDTH, HEIGHT = 820.0, 540.0
PAD = 70.0
LEGEND_HEIGHT = 40.0
KM_PER_DEGREE = 111.32
MIN_SPAN_DEGREES = 0.15
LABEL_SPACING = 24.0
CHAR_WIDTH = 7.4


@dataclass(frozen=True)
class MapPoint:
    name: str
    latitude: float
    longitude: float
    status: str
    href: str
    detail: str = ""


def _nice(value: float, steps: Sequence[float]) -> float:
    return next((s for s in steps if s >= value), steps[-1])


def _degrees(value: float, positive: str, negative: str) -> str:
    return f"{abs(value):.2f}°{positive if value >= 0 else negative}"


def _marker(status: str, x: float, y: float, prefix: str) -> str:
    _, ink = STATUS_COLOURS[status]
    fill = f"url(#{prefix}-{status})"
    size = 11.0
    if status == "open":
        shape = tag("circle", cx=x, cy=y, r=size, fill=fill, stroke=ink, stroke_width=2)
    elif status == "restricted":
        r = size + 2
        points = " ".join(f"{px:.1f},{py:.1f}" for px, py in ((x, y - r), (x + r, y), (x, y + r), (x - r, y)))
        shape = tag("polygon", points=points, fill=fill, stroke=ink, stroke_width=2)
    elif status == "closed":
        shape = tag(
            "rect", x=x - size, y=y - size, width=2 * size, height=2 * size, fill=fill, stroke=ink, stroke_width=2
        )
    else:
        shape = tag("circle", cx=x, cy=y, r=size, fill=fill, stroke=ink, stroke_width=2, stroke_dasharray="3 2")
    symbol = tag("text", text(status_symbol(status)), x=x, y=y + 5, class_="map-symbol", text_anchor="middle", fill=ink)
    return shape + symbol


def crossings_map_svg(points: Sequence[MapPoint], *, title: str, traffic_label: str) -> SafeString:
    """The map of ``points`` (crossings with coordinates), each marker showing its status for one kind of traffic."""
    prefix = "map"
    plot_w, plot_h = WIDTH - 2 * PAD, HEIGHT - LEGEND_HEIGHT - 2 * PAD
    lat_mid = sum(p.latitude for p in points) / len(points) if points else 0.0
    k = max(math.cos(math.radians(lat_mid)), 0.05)
    xs = [p.longitude * k for p in points] or [0.0]
    ys = [p.latitude for p in points] or [0.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys), MIN_SPAN_DEGREES)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    scale = min(plot_w, plot_h) / span  # pixels per degree of latitude

    def project(lat: float, lon: float) -> tuple[float, float]:
        return WIDTH / 2 + (lon * k - cx) * scale, PAD + plot_h / 2 - (lat - cy) * scale

    west, east = (cx - (WIDTH / 2) / scale) / k, (cx + (WIDTH / 2) / scale) / k
    north, south = cy + (PAD + plot_h / 2) / scale, cy - (HEIGHT - LEGEND_HEIGHT - PAD - plot_h / 2) / scale
    steps = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0)
    step = _nice((north - south) / 5, steps)
    body = [
        f"<defs>{status_patterns(prefix)}</defs>",
        tag("rect", x=0, y=0, width=WIDTH, height=HEIGHT - LEGEND_HEIGHT, class_="map-sea"),
    ]
    lon = math.ceil(west / step) * step
    while lon <= east:
        x, _ = project(cy, lon)
        body.append(tag("line", x1=x, x2=x, y1=0, y2=HEIGHT - LEGEND_HEIGHT, class_="map-graticule"))
        body.append(tag("text", text(_degrees(lon, "E", "W")), x=x + 3, y=14, class_="map-grid-label"))
        lon += step
    lat = math.ceil(south / step) * step
    while lat <= north:
        _, y = project(lat, east)
        body.append(tag("line", x1=0, x2=WIDTH, y1=y, y2=y, class_="map-graticule"))
        body.append(tag("text", text(_degrees(lat, "N", "S")), x=4, y=y - 4, class_="map-grid-label"))
        lat += step
    # Scale bar (bottom left) and north arrow (top right).
    km_per_px = KM_PER_DEGREE / scale
    length_km = _nice(km_per_px * WIDTH / 5, (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000))
    bar_px = length_km / km_per_px
    base_y = HEIGHT - LEGEND_HEIGHT - 16
    body.append(tag("rect", x=16, y=base_y - 6, width=bar_px, height=6, class_="map-scale"))
    body.append(tag("text", text(f"{length_km:g} km"), x=16, y=base_y - 10, class_="map-grid-label"))
    body.append(tag("text", "N", x=WIDTH - 28, y=30, class_="map-north", text_anchor="middle"))
    body.append(tag("path", d=f"M{WIDTH - 28},36 l-7,18 l7,-5 l7,5 z", class_="map-north-arrow"))
    # Markers, then labels placed top to bottom without overlapping, with a leader line when moved.
    placed = sorted(((project(p.latitude, p.longitude), p) for p in points), key=lambda item: item[0][1])
    last_label_y = -math.inf
    for (x, y), point in placed:
        label = f"{point.name}: {status_symbol(point.status)} {status_word(point.status)}"
        label_y = max(y, last_label_y + LABEL_SPACING)
        last_label_y = label_y
        width = len(label) * CHAR_WIDTH
        right_side = x + 18 + width < WIDTH - 4
        label_x = x + 18 if right_side else x - 18
        leader = tag("line", x1=x, y1=y, x2=label_x, y2=label_y, class_="map-leader") if abs(label_y - y) > 2 else ""
        body.append(
            f'<a href="{text(point.href)}" class="map-link">'
            + tag(
                "title",
                text(
                    f"{point.name}: {status_word(point.status).lower()} for {traffic_label.lower()}"
                    + (f". {point.detail}" if point.detail else "")
                ),
            )
            + leader
            + _marker(point.status, x, y, prefix)
            + tag(
                "text",
                text(label),
                x=label_x,
                y=label_y + 5,
                class_="map-label",
                text_anchor="start" if right_side else "end",
            )
            + "</a>"
        )
    legend_y = HEIGHT - LEGEND_HEIGHT + 10
    legend_text = f"Status for {traffic_label.lower()}:"
    body.append(tag("text", text(legend_text), x=16, y=legend_y + 14, class_="chart-legend"))
    first_x = 16 + len(legend_text) * CHAR_WIDTH + 24
    for index, status in enumerate(STATUS_ORDER):
        x = first_x + index * 130
        body.append(_marker(status, x, legend_y + 9, prefix))
        body.append(tag("text", text(status_word(status)), x=x + 18, y=legend_y + 14, class_="chart-legend"))
    described = "; ".join(f"{p.name}: {status_word(p.status).lower()}" for p in points) or "no crossing has coordinates"
    return svg_document(
        width=WIDTH,
        height=HEIGHT,
        title=title,
        description=f"Status for {traffic_label.lower()}: {described}.",
        body="".join(body),
        label_id="map",
        css_class="map",
    )


def map_points(
    crossings: Sequence[object], *, traffic: str, href: Callable[[object], str]
) -> tuple[list[MapPoint], list[object]]:
    """Crossings (with ``standing``) as map points for ``traffic``; also those without coordinates."""
    points, unplaced = [], []
    for crossing in crossings:
        latitude, longitude = getattr(crossing, "latitude", None), getattr(crossing, "longitude", None)
        if latitude is None or longitude is None:
            unplaced.append(crossing)
            continue
        standing = next(s for s in crossing.standing if s.traffic == traffic)  # type: ignore[attr-defined]
        since = f"Since {standing.since:%Y-%m-%d}" if standing.since else ""
        points.append(
            MapPoint(
                name=str(crossing),
                latitude=float(latitude),
                longitude=float(longitude),
                status=standing.status,
                href=href(crossing),
                detail=" ".join(part for part in (since, "(stale)" if standing.stale else "") if part),
            )
        )
    return points, unplaced
