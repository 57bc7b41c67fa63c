"""The server-drawn charts: time axes with round ticks, bands and bars with text alternatives, safe text."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from tracker.pages.charts import flow_chart_svg, status_bands_svg, time_ticks
from tracker.selectors.dashboard import FlowSeries
from tracker.selectors.standing import Band

START = datetime(2023, 10, 1, tzinfo=UTC)


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
