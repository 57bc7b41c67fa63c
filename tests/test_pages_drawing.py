"""The server-drawn charts: time axes with round ticks, bands and bars with text alternatives, safe text."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from tests.factories import CrossingFactory
from tests.factories import status as record_status
from tracker.models import CrossingStatus, Traffic
from tracker.pages.charts import (
    MIN_BAND_WIDTH,
    MIN_NEWEST_WIDTH,
    RIGHT,
    WIDTH,
    flow_chart_svg,
    status_bands_svg,
    time_ticks,
)
from tracker.pages.svg import text_box
from tracker.selectors.dashboard import FlowSeries
from tracker.selectors.standing import Band

START = datetime(2023, 10, 1, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


def test_ticks_are_round_moments_inside_the_window_and_few():
    for span in (
        timedelta(hours=20),
        timedelta(days=10),
        timedelta(days=100),
        timedelta(days=800),
        timedelta(days=3650),
    ):
        ticks = time_ticks(START + timedelta(hours=5), START + timedelta(hours=5) + span)
        assert 2 <= len(ticks) <= 9, (span, ticks)
        assert all(START + timedelta(hours=5) <= t < START + timedelta(hours=5) + span for t, _ in ticks)
        assert all(t.minute == 0 and t.second == 0 for t, _ in ticks)
    assert [label for _, label in time_ticks(START, START + timedelta(days=400))][:2] == ["Nov 2023", "Jan 2024"]


def test_bands_chart_has_a_title_description_legend_and_one_row_per_kind():
    bands = {
        "people": [
            Band(START, START + timedelta(days=5), "unknown"),
            Band(START + timedelta(days=5), START + timedelta(days=9), "open"),
        ],
        "aid": [Band(START, START + timedelta(days=9), "closed")],
    }
    svg = str(status_bands_svg(bands, start=START, end=START + timedelta(days=9), crossing_name="A & B"))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 820 ')
    assert 'aria-labelledby="bands-title bands-desc"' in svg and "Status of A &amp; B" in svg
    for label in ("People", "Humanitarian aid", "Commercial goods", "Fuel", "✓ Open", "◐ Restricted", "✕ Closed"):
        assert label in svg
    assert len(re.findall(r'<pattern id="band-', svg)) == 4


def test_flow_chart_scales_to_a_round_maximum_and_titles_every_bar():
    days = [date(2023, 10, 21) + timedelta(days=n) for n in range(5)]
    series = FlowSeries(
        metric="aid_trucks",
        label="Aid trucks",
        days=days,
        by_source={"UN": {days[0]: 20, days[1]: 14, days[4]: 0}, "ERC": {days[0]: 23}},
    )
    svg = str(flow_chart_svg(series, crossing_name="Rafah", index=3))
    assert ">25</text>" in svg  # the axis runs to the round number above the peak of 23
    assert svg.count("<title>2023-10-2") == 4
    assert "Over the days shown, ERC: 23 in all; UN: 34 in all." in svg
    assert 'id="flow3-s0"' in svg and 'id="flow3-s1"' in svg


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_status_colours_meet_wcag_aa_and_match_the_style_sheet():
    from django.conf import settings

    from tracker.pages.svg import STATUS_COLOURS

    css = (Path(settings.BASE_DIR) / "tracker/static/tracker/tracker.css").read_text()
    for status, (fill, ink) in STATUS_COLOURS.items():
        assert contrast(ink, fill) >= 4.5, status
        assert contrast(ink, "#ffffff") >= 4.5, status
        assert f"--{status}-fill: {fill};" in css and f"--{status}-ink: {ink};" in css
    variables = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6});", css))
    for text_colour in ("ink", "muted", "link", "editor"):
        assert contrast(variables[text_colour], "#ffffff") >= 4.5, text_colour
        assert contrast(variables[text_colour], variables["wash"]) >= 4.5, text_colour
    assert contrast("#ffffff", variables["brand"]) >= 7


# --- the status chart shows now ---------------------------------------------------------------------------------

RAFAH_CLOSED = datetime(2023, 10, 15, tzinfo=UTC)


def rafah_bands(end: datetime, opened_ago: timedelta) -> dict[str, list[Band]]:
    """Rafah as in the issue: closed from 15 October 2023, open for people a moment ago."""
    opened = end - opened_ago
    return {
        "people": [
            Band(START, RAFAH_CLOSED, "unknown"),
            Band(RAFAH_CLOSED, opened, "closed"),
            Band(opened, end, "open"),
        ],
        "aid": [Band(START, RAFAH_CLOSED, "unknown"), Band(RAFAH_CLOSED, end, "closed")],
        "commercial": [Band(START, end, "unknown")],
        "fuel": [
            Band(START, RAFAH_CLOSED, "unknown"),
            Band(RAFAH_CLOSED, RAFAH_CLOSED + timedelta(minutes=1), "restricted"),
            Band(RAFAH_CLOSED + timedelta(minutes=1), end, "closed"),
        ],
    }


def band_rects(svg: str) -> list[ElementTree.Element]:
    return [r for r in ElementTree.fromstring(svg).iter(f"{SVG}rect") if r.get("class") == "chart-band"]


def newest_band(svg: str, kind: str) -> ElementTree.Element:
    rects = [r for r in band_rects(svg) if r.get("data-kind") == kind]
    return max(rects, key=lambda r: (r.get("data-start", ""), float(r.get("x", 0))))


@pytest.mark.parametrize("opened_ago", [timedelta(seconds=10), timedelta(minutes=5), timedelta(hours=6)])
def test_the_newest_change_is_drawn_at_least_the_minimum_width_beside_a_now_marker(opened_ago):
    end = datetime(2025, 12, 3, 14, 0, tzinfo=UTC)
    svg = str(status_bands_svg(rafah_bands(end, opened_ago), start=START, end=end, crossing_name="Rafah"))
    newest = newest_band(svg, "people")
    assert newest.get("data-status") == "open" and newest.get("data-newest") == "true"
    assert float(newest.get("width", 0)) >= MIN_NEWEST_WIDTH
    assert abs(float(newest.get("x", 0)) + float(newest.get("width", 0)) - (WIDTH - RIGHT)) < 0.2  # ends at now
    root = ElementTree.fromstring(svg)
    now_line = next(e for e in root.iter(f"{SVG}line") if e.get("class") == "chart-now")
    assert abs(float(now_line.get("x1", 0)) - (WIDTH - RIGHT)) < 0.2
    now_text = next(e for e in root.iter(f"{SVG}text") if e.get("class") == "chart-now-label")
    assert now_text.text == "As of 3 Dec 2025 14:00"  # a moment in the past is named; the present says "Now"
    # The axis breaks to show the recent stretch, and says so; every band shows, however short.
    assert any(e.get("class") == "chart-break" for e in root.iter(f"{SVG}path"))
    assert "drawn larger, after a break in the axis" in svg
    assert all(float(r.get("width", 0)) >= MIN_BAND_WIDTH for r in band_rects(svg))
    ticks = [e for e in root.iter(f"{SVG}text") if e.get("class") == "chart-tick" and e.get("text-anchor")]
    boxes = [
        text_box(float(t.get("x", 0)), float(t.get("y", 0)), t.text or "", font_size=12, anchor="middle") for t in ticks
    ]
    assert len(boxes) >= 3 and not any(a.overlaps(b) for a, b in combinations(boxes, 2))


def test_a_chart_whose_newest_change_is_wide_enough_keeps_one_axis():
    end = START + timedelta(days=9)
    bands = {
        "people": [Band(START, START + timedelta(days=5), "unknown"), Band(START + timedelta(days=5), end, "open")]
    }
    svg = str(status_bands_svg(bands, start=START, end=end, crossing_name="A"))
    assert "chart-break" not in svg and "drawn larger" not in svg
    assert float(newest_band(svg, "people").get("width", 0)) > 200
    now_svg = str(status_bands_svg(bands, start=START, end=timezone.now(), crossing_name="A"))
    assert ">Now</text>" in now_svg


def test_ticks_of_a_few_minutes_are_round_minutes():
    start = datetime(2026, 12, 3, 13, 52, 30, tzinfo=UTC)
    ticks = time_ticks(start, start + timedelta(minutes=10), max_ticks=3)
    assert [label for _, label in ticks] == ["13:55", "14:00"]


@pytest.mark.django_db
def test_after_rafah_is_recorded_open_for_people_the_page_chart_ends_with_an_open_band(analyst_client):
    rafah = CrossingFactory(name="Rafah", slug="rafah")
    record_status(rafah, CrossingStatus.Status.CLOSED, RAFAH_CLOSED)
    record_status(rafah, CrossingStatus.Status.OPEN, timezone.now() - timedelta(minutes=3), Traffic.PEOPLE)
    html = analyst_client.get("/crossings/rafah/").content.decode()
    svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 820') :]
    svg = svg[: svg.index("</svg>") + 6]
    newest = newest_band(svg, "people")
    assert newest.get("data-status") == "open" and float(newest.get("width", 0)) >= MIN_NEWEST_WIDTH
    assert newest_band(svg, "aid").get("data-status") == "closed"
    assert ">Now</text>" in svg


def busy_bands(end: datetime) -> dict[str, list[Band]]:
    """Three years of a crossing whose status for people changed every three days (as the benchmark's do), the
    last change a day before ``end``; aid closed throughout."""
    start = end - timedelta(days=3 * 365)
    statuses = ["open", "restricted", "closed"]
    people = []
    moment, n = start, 0
    while moment + timedelta(days=3) < end - timedelta(days=1):
        people.append(Band(moment, moment + timedelta(days=3), statuses[n % 3]))
        moment, n = moment + timedelta(days=3), n + 1
    people.append(Band(moment, end - timedelta(days=1), statuses[n % 3]))
    people.append(Band(end - timedelta(days=1), end, "open"))
    return {"people": people, "aid": [Band(start, end, "closed")]}


def test_changes_too_close_to_draw_apart_are_gathered_and_counted_the_newest_never():
    end = datetime(2026, 12, 3, 12, tzinfo=UTC)
    bands = busy_bands(end)
    svg = str(status_bands_svg(bands, start=bands["aid"][0].start, end=end, crossing_name="Rafah"))
    root = ElementTree.fromstring(svg)
    gathered = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-several"]
    drawn = [r for r in band_rects(svg) if r.get("data-kind") == "people"]
    # Every change is either drawn or counted in a gathered stretch, once; far fewer shapes than changes.
    # (A band across the axis's break is drawn in two pieces: counted by when it starts.)
    starts = {r.get("data-start") for r in drawn}
    assert len(starts) + sum(int(r.get("data-changes", 0)) for r in gathered) == len(bands["people"])
    assert gathered and len(drawn) + len(gathered) < len(bands["people"]) / 2
    assert all(int(r.get("data-changes", 0)) >= 2 for r in gathered)
    assert all(float(r.get("width", 0)) >= MIN_BAND_WIDTH for r in [*drawn, *gathered])
    # Each stretch says what it holds.
    first = next(
        g
        for g in root.iter(f"{SVG}g")
        if g.find(f"{SVG}rect") is not None and g.find(f"{SVG}rect").get("class") == "chart-several"
    )  # type: ignore[union-attr]
    assert re.fullmatch(
        r"People: \d+ changes from \d{4}-\d\d-\d\d \d\d:\d\d to \d{4}-\d\d-\d\d \d\d:\d\d UTC, each in the full "
        r"status history",
        first.findtext(f"{SVG}title") or "",
    )
    newest = newest_band(svg, "people")
    assert newest.get("data-newest") == "true" and newest.get("data-status") == "open"
    assert float(newest.get("width", 0)) >= MIN_NEWEST_WIDTH
    # The legend names the hatching; a chart with nothing gathered has no such entry.
    assert "Several changes" in svg and '<pattern id="band-several"' in svg
    quiet = str(status_bands_svg({"aid": bands["aid"]}, start=bands["aid"][0].start, end=end, crossing_name="R"))
    assert "Several changes" not in quiet and "band-several" not in quiet


def test_the_description_reads_out_the_latest_changes_of_each_kind_and_counts_the_earlier_ones():
    end = datetime(2026, 12, 3, 12, tzinfo=UTC)
    bands = busy_bands(end)
    svg = str(status_bands_svg(bands, start=bands["aid"][0].start, end=end, crossing_name="Rafah"))
    description = ElementTree.fromstring(svg).findtext(f"{SVG}desc") or ""
    earlier = len(bands["people"]) - 12
    assert description.startswith(f"People: {earlier} earlier changes, in the full status history, ")
    assert description.count(" from 20") == 12 + 1  # the twelve latest for people, aid's one
    assert "open from 2026-12-02 12:00" in description  # the newest is read out


def test_the_gathered_changes_are_named_in_the_legend_right_to_left_too():
    from django.utils import translation

    end = datetime(2026, 12, 3, 12, tzinfo=UTC)
    bands = busy_bands(end)
    with translation.override("ar"):
        svg = str(status_bands_svg(bands, start=bands["aid"][0].start, end=end, crossing_name="رفح"))
    root = ElementTree.fromstring(svg)
    legend = [t for t in root.iter(f"{SVG}text") if t.get("class") == "chart-legend"]
    several = next(t for t in legend if t.text == "تغييرات متعددة")
    assert several.get("direction") == "rtl"  # its right end at x, as the other items right to left
    others = [float(t.get("x", 0)) for t in legend if t is not several]
    assert float(several.get("x", 0)) < min(others)  # last, leftmost: the legend runs in from the right
    swatches = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-legend-swatch"]
    assert swatches[-1].get("fill") == "url(#band-several)"
    assert float(swatches[-1].get("x", 0)) > float(several.get("x", 0))  # the swatch to the right of its word
