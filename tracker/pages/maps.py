"""The map of crossings, drawn as SVG on the server over a base map kept in the repository: no tiles, no script and
no outside request, so it works the same with no network.

The base map (``geodata/levant.geojson``, see its README) is Natural Earth's 1:10m countries, clipped to the
region and simplified: land by country, the Gaza Strip and the West Bank as places of their own, land borders and
coastlines. An equirectangular projection scaled by the cosine of the middle latitude is true enough for the few
hundred kilometres a crisis spans. The map frames the crossings it shows (the crossings of one crisis, with
``?crisis=``), widened to the Gaza Strip or the West Bank when a crossing is on its edge, so the place reads at once.
Every label is placed where it fits inside the map and clear of every other label and marker, with a leader line
when it had to move away from its marker.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi, gettext, gettext_lazy, ngettext, pgettext

from .svg import (
    STATUS_COLOURS,
    STATUS_ORDER,
    Box,
    Layout,
    anchored,
    status_patterns,
    status_symbol,
    status_word,
    svg_document,
    tag,
    text,
    text_box,
    text_width,
)

GEODATA = Path(__file__).resolve().parent / "geodata" / "levant.geojson"
WIDTH, HEIGHT = 820.0, 540.0
LEGEND_HEIGHT = 40.0
MAP_HEIGHT = HEIGHT - LEGEND_HEIGHT
MARGIN = 0.14  # of the framed extent, on each side: room for labels around the outermost crossings
KM_PER_DEGREE = 111.32
MIN_SPAN_DEGREES = 0.3  # the closest zoom: about 33 km from top to bottom
FOCUS_NEAR_DEGREES = 0.05  # a crossing this close to a territory's extent brings the whole territory into the frame
MARKER_RADIUS = 13.0
LABEL_SIZE = 14.0
PLACE_SIZE = 13.0
GRID_SIZE = 11.0
LEGEND_SIZE = 13.0
# Where a crossing's label may go: directions (unit vectors, y down) tried at growing distances from the marker.
DIRECTIONS = [(1.0, 0.0), (-1.0, 0.0), (0.0, -1.0), (0.0, 1.0), (0.71, -0.71), (0.71, 0.71), (-0.71, -0.71)]
DIRECTIONS += [(-0.71, 0.71), (0.92, -0.38), (0.92, 0.38), (-0.92, -0.38), (-0.92, 0.38)]
RADII = (18.0, 30.0, 46.0, 64.0, 86.0, 112.0, 145.0, 185.0, 235.0, 300.0, 380.0, 480.0)


@dataclass(frozen=True)
class MapPoint:
    name: str
    latitude: float
    longitude: float
    status: str
    href: str
    detail: str = ""


@dataclass(frozen=True)
class Area:
    """A named place of the base map: a country's land, a territory (Gaza Strip, West Bank) or a sea (no rings:
    the sea is what land leaves). ``anchors`` are (lon, lat) points well inside it, where its name may go."""

    kind: str
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]
    bounds: tuple[float, float, float, float]  # west, south, east, north
    anchors: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class BaseMap:
    bounds: tuple[float, float, float, float]
    areas: tuple[Area, ...]
    coast: tuple[tuple[tuple[float, float], ...], ...]
    borders: tuple[tuple[tuple[float, float], ...], ...]
    source: dict[str, Any]


def _bounds(lines: Iterable[Sequence[tuple[float, float]]]) -> tuple[float, float, float, float]:
    xs = [x for line in lines for x, _ in line]
    ys = [y for line in lines for _, y in line]
    return (min(xs), min(ys), max(xs), max(ys)) if xs else (0.0, 0.0, 0.0, 0.0)


def _lines(geometry: dict[str, Any] | None) -> tuple[tuple[tuple[float, float], ...], ...]:
    """Every ring or line of a (Multi)Polygon or (Multi)LineString, as tuples of (lon, lat)."""
    if not geometry:
        return ()
    coordinates = geometry["coordinates"]
    kind = geometry["type"]
    groups = {"Polygon": [coordinates], "MultiPolygon": coordinates, "LineString": [[coordinates]]}
    groups["MultiLineString"] = [coordinates]
    return tuple(tuple((float(x), float(y)) for x, y in line) for group in groups[kind] for line in group)


@functools.cache
def base_map() -> BaseMap:
    """The base map, read once per process (about 70 kB)."""
    document = json.loads(GEODATA.read_text(encoding="utf-8"))
    areas: list[Area] = []
    coast: tuple[tuple[tuple[float, float], ...], ...] = ()
    borders: tuple[tuple[tuple[float, float], ...], ...] = ()
    for feature in document["features"]:
        properties = feature["properties"]
        lines = _lines(feature["geometry"])
        if properties["kind"] == "coast":
            coast = lines
        elif properties["kind"] == "border":
            borders = lines
        else:
            anchors = tuple((float(x), float(y)) for x, y in properties["anchors"])
            areas.append(
                Area(
                    kind=properties["kind"],
                    name=properties["name"],
                    rings=lines,
                    bounds=_bounds(lines or [anchors]),
                    anchors=anchors,
                )
            )
    west, south, east, north = document["bbox"]
    return BaseMap(
        bounds=(west, south, east, north),
        areas=tuple(areas),
        coast=coast,
        borders=borders,
        source=document["source"],
    )


@dataclass(frozen=True)
class View:
    """What the map frames, and how a (lat, lon) becomes a point of the drawing."""

    west: float
    south: float
    east: float
    north: float
    k: float  # cosine of the middle latitude: how much shorter a degree of longitude is than one of latitude
    scale: float  # pixels per degree of latitude
    x0: float  # longitude * k at the left edge
    y0: float  # latitude at the top edge

    def project(self, lat: float, lon: float) -> tuple[float, float]:
        return (lon * self.k - self.x0) * self.scale, (self.y0 - lat) * self.scale

    def shows(self, bounds: tuple[float, float, float, float]) -> bool:
        west, south, east, north = bounds
        return west <= self.east and east >= self.west and south <= self.north and north >= self.south


def map_extent(points: Sequence[MapPoint], areas: Sequence[Area] = ()) -> tuple[float, float, float, float]:
    """West, south, east, north of what the map should frame: the crossings, and whole any territory one of them
    lies on or next to (a crisis at Gaza's crossings shows the Gaza Strip)."""
    if not points:
        return (-1.0, -1.0, 1.0, 1.0)
    lons = [p.longitude for p in points]
    lats = [p.latitude for p in points]
    west, south, east, north = min(lons), min(lats), max(lons), max(lats)
    near = FOCUS_NEAR_DEGREES
    for area in areas:
        if area.kind != "territory":
            continue
        a_west, a_south, a_east, a_north = area.bounds
        if any(
            a_west - near <= p.longitude <= a_east + near and a_south - near <= p.latitude <= a_north + near
            for p in points
        ):
            west, south, east, north = min(west, a_west), min(south, a_south), max(east, a_east), max(north, a_north)
    return west, south, east, north


def _view(extent: tuple[float, float, float, float]) -> View:
    west, south, east, north = extent
    k = max(math.cos(math.radians((south + north) / 2)), 0.05)
    span_x = max((east - west) * k, MIN_SPAN_DEGREES * k)
    span_y = max(north - south, MIN_SPAN_DEGREES)
    span_x, span_y = span_x * (1 + 2 * MARGIN), span_y * (1 + 2 * MARGIN)
    scale = min(WIDTH / span_x, MAP_HEIGHT / span_y)
    cx, cy = (west + east) / 2 * k, (south + north) / 2
    x0, y0 = cx - WIDTH / 2 / scale, cy + MAP_HEIGHT / 2 / scale
    return View(
        west=x0 / k,
        east=(x0 + WIDTH / scale) / k,
        north=y0,
        south=y0 - MAP_HEIGHT / scale,
        k=k,
        scale=scale,
        x0=x0,
        y0=y0,
    )


def _path(view: View, lines: Iterable[Sequence[tuple[float, float]]], *, closed: bool) -> str:
    """An SVG path ``d`` of the lines that the view shows (the drawing's clip hides what spills over its edge)."""
    parts = []
    for line in lines:
        if not view.shows(_bounds([line])):
            continue
        points = []
        last = ""
        for lon, lat in line:
            x, y = view.project(lat, lon)
            point = f"{x:.1f},{y:.1f}"
            if point != last:
                points.append(point)
                last = point
        if len(points) > 1:
            parts.append("M" + " ".join(points) + ("Z" if closed else ""))
    return "".join(parts)


def _nice(value: float, steps: Sequence[float]) -> float:
    return next((s for s in steps if s >= value), steps[-1])


# The base map's place names (geodata/levant.geojson holds them in English), in the reader's language.
PLACE_NAMES = {
    "Egypt": gettext_lazy("Egypt"),
    "Gaza Strip": gettext_lazy("Gaza Strip"),
    "Gulf of Aqaba": gettext_lazy("Gulf of Aqaba"),
    "Gulf of Suez": gettext_lazy("Gulf of Suez"),
    "Israel": gettext_lazy("Israel"),
    "Jordan": gettext_lazy("Jordan"),
    "Lebanon": gettext_lazy("Lebanon"),
    "Mediterranean Sea": gettext_lazy("Mediterranean Sea"),
    "Saudi Arabia": gettext_lazy("Saudi Arabia"),
    "Syria": gettext_lazy("Syria"),
    "West Bank": gettext_lazy("West Bank"),
}


def place_name(name: str) -> str:
    """A place of the base map named in the active language; a name added to the file later stays as written."""
    return str(PLACE_NAMES.get(name, name))


def _degrees(value: float, positive: str, negative: str, step: float) -> str:
    digits = 0 if step >= 1 else 1 if step >= 0.1 else 2
    word = positive if value >= 0 else negative
    # A letter follows the degree sign closely (31.5°N); a word (Arabic's «شمالاً») after a space.
    return f"{abs(value):.{digits}f}°{' ' if len(word) > 1 else ''}{word}"


def _marker(status: str, x: float, y: float, prefix: str, size: float = 11.0) -> str:
    _, ink = STATUS_COLOURS[status]
    fill = f"url(#{prefix}-{status})"
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


def _label_spot(x: float, y: float, dx: float, dy: float, radius: float) -> tuple[float, float, str]:
    """Where a label goes at ``radius`` from a marker at (x, y) in direction (dx, dy): its anchor point, baseline
    and text-anchor, so the text's near side faces the marker."""
    ax, ay = x + dx * radius, y + dy * radius
    anchor = "start" if dx > 0.3 else "end" if dx < -0.3 else "middle"
    if dy < -0.3:
        baseline = ay - 0.26 * LABEL_SIZE
    elif dy > 0.3:
        baseline = ay + 0.82 * LABEL_SIZE
    else:
        baseline = ay + 0.3 * LABEL_SIZE
    return ax, baseline, anchor


def _crossing_label_spots(x: float, y: float, rtl: bool = False) -> Iterator[tuple[float, float, str, bool]]:
    """Where a crossing's label may go, nearest first: around its marker at growing distances, then stacked down
    either edge of the map (a crowd of crossings on one spot). The flag says it is away from the marker. Right to
    left, the left of the marker is tried first: the label then reads on from its marker."""
    for radius in RADII:
        for dx, dy in DIRECTIONS:
            yield (*_label_spot(x, y, -dx if rtl else dx, dy, radius), radius > RADII[0])
    edges = [(8.0, row, "start") for row in range(20, int(MAP_HEIGHT) - 4, 19)]
    edges += [(WIDTH - 8.0, row, "end") for row in range(20, int(MAP_HEIGHT) - 4, 19)]
    for lx, ly, anchor in sorted(edges, key=lambda e: math.hypot(e[0] - x, e[1] - y)):
        yield lx, float(ly), anchor, True


def _place_crossing_label(
    layout: Layout, x: float, y: float, label: str, rtl: bool = False
) -> tuple[float, float, str, Box, bool] | None:
    """The first free spot for the label, or ``None`` when there is none (the crossing keeps its marker, its link
    and its tooltip, and the map says how many labels it left out: an overlap would make two unreadable)."""
    for lx, ly, anchor, moved in _crossing_label_spots(x, y, rtl):
        box = text_box(lx, ly, label, font_size=LABEL_SIZE, anchor=anchor, bold=True)
        if layout.claim(box):
            return lx, ly, anchor, box, moved
    return None


def _place_area_label(
    layout: Layout, view: View, area: Area, name: str, size: float, bold: bool, rtl: bool = False
) -> str:
    """The area's name at the visible anchor nearest the middle of its visible anchors, if one is free."""
    margin = 0.02
    visible = [
        (lon, lat)
        for lon, lat in area.anchors
        if view.west + margin < lon < view.east - margin and view.south + margin < lat < view.north - margin
    ]
    if not visible:
        return ""
    mid_lon = sum(lon for lon, _ in visible) / len(visible)
    mid_lat = sum(lat for _, lat in visible) / len(visible)
    visible.sort(key=lambda p: (p[0] - mid_lon) ** 2 + (p[1] - mid_lat) ** 2)
    for lon, lat in visible:
        x, y = view.project(lat, lon)
        baseline = y + 0.3 * size
        if layout.claim(text_box(x, baseline, name, font_size=size, anchor="middle", bold=bold)):
            return tag(
                "text",
                text(name),
                x=x,
                y=baseline,
                font_size=size,
                class_=f"map-place map-place-{area.kind}",
                **anchored("middle", rtl),
            )
    return ""


def crossings_map_svg(points: Sequence[MapPoint], *, title: str, traffic_label: str) -> SafeString:
    """The map of ``points`` (crossings with coordinates), each marker showing its status for one kind of traffic,
    over the base map, framed on the points."""
    prefix = "map"
    rtl = get_language_bidi()
    base = base_map()
    view = _view(map_extent(points, base.areas))
    layout = Layout(Box(2.0, 2.0, WIDTH - 2.0, MAP_HEIGHT - 2.0))
    body = [
        f"<defs>{status_patterns(prefix)}"
        f'<clipPath id="map-frame">{tag("rect", x=0, y=0, width=WIDTH, height=MAP_HEIGHT)}</clipPath></defs>',
        tag("rect", x=0, y=0, width=WIDTH, height=MAP_HEIGHT, class_="map-nodata"),
    ]
    # The base map, clipped to the frame: sea where the data reaches, land on it, then borders and coasts.
    geography = []
    b_west, b_south, b_east, b_north = base.bounds
    if view.shows(base.bounds):
        left, top = view.project(b_north, b_west)
        right, bottom = view.project(b_south, b_east)
        geography.append(tag("rect", x=left, y=top, width=right - left, height=bottom - top, class_="map-sea"))
        for area in base.areas:
            if area.rings and view.shows(area.bounds):
                d = _path(view, area.rings, closed=True)
                if d:
                    geography.append(
                        tag("path", d=d, class_=f"map-{area.kind}", fill_rule="evenodd", data_name=area.name)
                    )
        for kind, lines in (("border", base.borders), ("coast", base.coast)):
            d = _path(view, lines, closed=False)
            if d:
                geography.append(tag("path", d=d, class_=f"map-{kind}"))
    # Graticule lines (their labels are placed with the others, below).
    steps = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0)
    step = _nice((view.north - view.south) / 5, steps)
    grid_labels: list[tuple[float, float, str]] = []
    lon = math.ceil(view.west / step) * step
    while lon <= view.east:
        x, _ = view.project(view.north, lon)
        geography.append(tag("line", x1=x, x2=x, y1=0, y2=MAP_HEIGHT, class_="map-graticule"))
        grid_labels.append(
            (x + 3, 3 + GRID_SIZE, _degrees(lon, pgettext("compass", "E"), pgettext("compass", "W"), step))
        )
        lon += step
    lat = math.ceil(view.south / step) * step
    while lat <= view.north:
        _, y = view.project(lat, view.east)
        geography.append(tag("line", x1=0, x2=WIDTH, y1=y, y2=y, class_="map-graticule"))
        grid_labels.append((5, y - 4, _degrees(lat, pgettext("compass", "N"), pgettext("compass", "S"), step)))
        lat += step
    body.append('<g clip-path="url(#map-frame)">' + "".join(geography) + "</g>")

    # Scale bar (bottom right, where the sea of a coast running south-west to north-east is least likely to need
    # the room for a name) and north arrow (top right): their room is taken before any label is placed.
    km_per_px = KM_PER_DEGREE / view.scale
    length_km = _nice(km_per_px * WIDTH / 5, (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000))
    bar_px = length_km / km_per_px
    base_y = MAP_HEIGHT - 14
    bar_left = WIDTH - 16 - bar_px
    scale_text = gettext("%(length)s km") % {"length": f"{length_km:g}"}
    body.append(tag("rect", x=bar_left, y=base_y - 6, width=bar_px, height=6, class_="map-scale"))
    body.append(
        tag(
            "text",
            text(scale_text),
            x=WIDTH - 16,
            y=base_y - 10,
            font_size=GRID_SIZE,
            class_="map-grid-label",
            **anchored("end", rtl),
        )
    )
    layout.reserve(Box(bar_left - 6, base_y - 10 - GRID_SIZE - 4, WIDTH - 10, base_y + 4))
    body.append(
        tag(
            "text",
            text(pgettext("compass", "N")),
            x=WIDTH - 28,
            y=30,
            font_size=14,
            class_="map-north",
            **anchored("middle", rtl),
        )
    )
    body.append(tag("path", d=f"M{WIDTH - 28},36 l-7,18 l7,-5 l7,5 z", class_="map-north-arrow"))
    layout.reserve(Box(WIDTH - 44, 12, WIDTH - 12, 58))

    # Markers first (labels keep off every one of them), then crossing labels, grid labels and place names.
    projected = [(view.project(p.latitude, p.longitude), p) for p in points]
    for (x, y), _ in projected:
        layout.reserve(Box(x - MARKER_RADIUS - 2, y - MARKER_RADIUS - 2, x + MARKER_RADIUS + 2, y + MARKER_RADIUS + 2))
    crossings: list[str] = []
    # French sets a space before the colon ("Rafah : ✕ Fermé").
    label_text_of = pgettext("map label", "%(crossing)s: %(symbol)s %(status)s")
    described_of = pgettext("map description", "%(crossing)s: %(status)s")
    leaders: list[str] = []
    left_out = 0
    # Top to bottom, then left to right: neighbours' labels settle in reading order.
    for (x, y), point in sorted(projected, key=lambda item: (item[0][1], item[0][0])):
        label = label_text_of % {
            "crossing": point.name,
            "symbol": status_symbol(point.status),
            "status": status_word(point.status),
        }
        placed = _place_crossing_label(layout, x, y, label, rtl)
        label_text = ""
        if placed is None:
            left_out += 1
        else:
            lx, ly, anchor, box, moved = placed
            if moved:
                ex, ey = box.nearest(x, y)
                distance = math.hypot(ex - x, ey - y) or 1.0
                sx, sy = x + (ex - x) / distance * MARKER_RADIUS, y + (ey - y) / distance * MARKER_RADIUS
                # Drawn before every marker and label: a line never crosses over a label's text.
                leaders.append(tag("line", x1=sx, y1=sy, x2=ex, y2=ey, class_="map-leader"))
            label_text = tag(
                "text", text(label), x=lx, y=ly, font_size=LABEL_SIZE, class_="map-label", **anchored(anchor, rtl)
            )
        crossings.append(
            f'<a href="{text(point.href)}" class="map-link">'
            + tag(
                "title",
                text(
                    gettext("%(crossing)s: %(status)s for %(traffic)s")
                    % {
                        "crossing": point.name,
                        "status": status_word(point.status).lower(),
                        "traffic": traffic_label.lower(),
                    }
                    + (f". {point.detail}" if point.detail else "")
                ),
            )
            + _marker(point.status, x, y, prefix)
            + label_text
            + "</a>"
        )
    labels = []
    for x, y, value in grid_labels:
        if layout.claim(text_box(x, y, value, font_size=GRID_SIZE, pad=2.0)):
            labels.append(
                tag(
                    "text",
                    text(value),
                    x=x,
                    y=y,
                    font_size=GRID_SIZE,
                    class_="map-grid-label",
                    **anchored("start", rtl),
                )
            )
    order = {"territory": 0, "land": 1, "sea": 2}
    for area in sorted(base.areas, key=lambda a: (order.get(a.kind, 3), a.name)):
        if area.kind == "land":
            name, size, bold = place_name(area.name).upper(), PLACE_SIZE, False
        else:
            name, size, bold = place_name(area.name), PLACE_SIZE, area.kind == "territory"
        labels.append(_place_area_label(layout, view, area, name, size, bold, rtl))
    body.extend(leaders)
    body.extend(labels)
    body.extend(crossings)

    legend_y = MAP_HEIGHT + 10
    legend_text = gettext("Status for %(traffic)s:") % {"traffic": traffic_label.lower()}
    body.append(tag("line", x1=0, x2=WIDTH, y1=MAP_HEIGHT, y2=MAP_HEIGHT, class_="map-frame-line"))
    # Left to right, or (Arabic) from the right edge leftwards: the words, then each status's marker and word.
    side = -1 if rtl else 1
    edge = WIDTH - 12 if rtl else 12
    legend = {"font_size": LEGEND_SIZE, "class_": "chart-legend", **anchored("end" if rtl else "start", rtl)}
    body.append(tag("text", text(legend_text), x=edge, y=legend_y + 14, **legend))
    x = edge + side * (text_width(legend_text, font_size=LEGEND_SIZE) + 22)
    for status in STATUS_ORDER:
        body.append(_marker(status, x, legend_y + 9, prefix, size=9.0))
        word = status_word(status)
        body.append(tag("text", text(word), x=x + side * 16, y=legend_y + 14, **legend))
        x += side * (16 + text_width(word, font_size=LEGEND_SIZE) + 26)
    notes: list[tuple[str, int | None]] = []
    if left_out:
        # A crowd of crossings on one spot is the case where a reader most needs to know what is not written.
        note = ngettext(
            "%(count)d crossing here too crowded to label: every one is in the table",
            "%(count)d crossings here too crowded to label: every one is in the table",
            left_out,
        )
        notes.append((note % {"count": left_out}, left_out))
    if view.west < b_west or view.east > b_east or view.south < b_south or view.north > b_north:
        north, east = pgettext("compass", "N"), pgettext("compass", "E")
        covered = f"{b_south:g}–{b_north:g}°{north}, {b_west:g}–{b_east:g}°{east}"
        notes.append(
            (
                gettext("The base map covers %(covered)s; grey beyond it is no data, not land") % {"covered": covered},
                None,
            )
        )
    height = HEIGHT
    for note, count in notes:
        body.append(
            tag(
                "text",
                text(note),
                x=edge,
                y=height + 8,
                font_size=LEGEND_SIZE,
                class_="map-note",
                data_left_out=count,
                **anchored("end" if rtl else "start", rtl),
            )
        )
        height += 18
    described = pgettext("list separator", "; ").join(
        described_of % {"crossing": p.name, "status": status_word(p.status).lower()} for p in points
    ) or gettext("no crossing has coordinates")
    return svg_document(
        width=WIDTH,
        height=height,
        title=title,
        description=gettext("Status for %(traffic)s:") % {"traffic": traffic_label.lower()} + f" {described}.",
        body="".join(body),
        label_id="map",
        css_class="map",
    )


def map_points(
    crossings: Sequence[object], *, traffic: str, href: Callable[[object], str], name: Callable[[object], str]
) -> tuple[list[MapPoint], list[object]]:
    """Crossings (with ``standing``) as map points for ``traffic``, each named by ``name`` (the request's namer, so
    the page's list of unplaced crossings reads the same aliases); also those without coordinates."""
    points, unplaced = [], []
    for crossing in crossings:
        latitude, longitude = getattr(crossing, "latitude", None), getattr(crossing, "longitude", None)
        if latitude is None or longitude is None:
            unplaced.append(crossing)
            continue
        standing = next(s for s in crossing.standing if s.traffic == traffic)  # type: ignore[attr-defined]
        since = gettext("Since %(day)s") % {"day": f"{standing.since:%Y-%m-%d}"} if standing.since else ""
        points.append(
            MapPoint(
                name=name(crossing),
                latitude=float(latitude),
                longitude=float(longitude),
                status=standing.status,
                href=href(crossing),
                detail=" ".join(part for part in (since, gettext("(stale)") if standing.stale else "") if part),
            )
        )
    return points, unplaced
