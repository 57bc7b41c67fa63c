"""The map: crossings drawn from their coordinates in SVG, no tiles and no outside request; status by shape,
pattern, symbol and word; crossings without coordinates listed beside it."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from tests.factories import CrisisFactory, CrossingFactory, status
from tests.test_pages_support import build_situation, count_queries, csv_rows, day, text
from tracker.models import CrossingStatus, Traffic
from tracker.pages.maps import MapPoint, crossings_map_svg

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


def test_one_crossing_alone_still_makes_a_map_and_labels_do_not_overlap():
    points = [
        MapPoint(name=f"Point {n}", latitude=31.25 + n * 0.0001, longitude=34.25, status="open", href=f"/c/{n}/")
        for n in range(4)
    ]
    svg = str(crossings_map_svg(points, title="t", traffic_label="Fuel"))
    label_ys = [float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)" class="map-label"', svg)]
    assert len(label_ys) == 4 and all(b - a >= 24 for a, b in pairwise(label_ys))
    single = str(crossings_map_svg(points[:1], title="t", traffic_label="Fuel"))
    assert "Point 0: ✓ Open" in single and "km</text>" in single


def test_map_text_is_escaped():
    point = MapPoint(name='<b onload="x">', latitude=1, longitude=2, status="closed", href='/c/"><script>/')
    svg = str(crossings_map_svg([point], title="<t>", traffic_label="Aid"))
    assert "<b " not in svg and "<script>" not in svg and "&lt;b onload=&quot;x&quot;&gt;" in svg


def test_map_queries_do_not_grow_with_the_data(analyst_client):
    build_situation(2)
    small = count_queries(analyst_client, "/map/")
    build_situation(6)
    assert count_queries(analyst_client, "/map/") == small and small <= 10, small
