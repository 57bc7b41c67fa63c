"""The crossing page's charts, drawn as SVG on the server: status bands over time, and daily flow counts.

No script and no outside request: the page carries the drawing, with a title and description for screen readers,
and the same figures stand in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language_bidi, gettext, ngettext, pgettext, pgettext_lazy

from ..models import Traffic
from ..selectors.dashboard import FlowSeries
from ..selectors.standing import Band
from .svg import (
    STATUS_COLOURS,
    STATUS_ORDER,
    Box,
    Layout,
    anchored,
    num,
    status_patterns,
    status_symbol,
    status_word,
    svg_document,
    tag,
    text,
    text_box,
    text_width,
)

WIDTH = 820.0
LABEL_WIDTH = 178.0
RIGHT = 16.0
ROW_HEIGHT = 34.0
ROW_GAP = 10.0
TOP = 26.0  # room above the rows for the "Now" marker's label
AXIS_HEIGHT = 34.0
LEGEND_HEIGHT = 34.0
# The newest change is never drawn narrower than this: when the chosen range would, the axis breaks (time_axis).
MIN_NEWEST_WIDTH = 64.0
MIN_BAND_WIDTH = 3.0  # any other band: a change of a minute on a chart of ten years still shows
# Bands narrower than MIN_BAND_WIDTH side by side are drawn as one stretch of "several changes", this wide at most.
SEVERAL_MAX_WIDTH = 16.0
SEVERAL_FILL, SEVERAL_INK = "#e6e6e6", "#3d3d3d"
# The chart's description (for screen readers) lists this many of the latest changes of each kind of traffic.
DESCRIBED_CHANGES = 12
RECENT_SHARE = 0.32  # of the plot, for the recent stretch after a break
MIN_RECENT_SPAN = timedelta(minutes=3)
BREAK_GAP = 10.0
# Month names on the time axis, short, in the reader's language (figures stay Western digits in every language).
MONTHS = [
    pgettext_lazy("month, short", "Jan"),
    pgettext_lazy("month, short", "Feb"),
    pgettext_lazy("month, short", "Mar"),
    pgettext_lazy("month, short", "Apr"),
    pgettext_lazy("month, short", "May"),
    pgettext_lazy("month, short", "Jun"),
    pgettext_lazy("month, short", "Jul"),
    pgettext_lazy("month, short", "Aug"),
    pgettext_lazy("month, short", "Sep"),
    pgettext_lazy("month, short", "Oct"),
    pgettext_lazy("month, short", "Nov"),
    pgettext_lazy("month, short", "Dec"),
]


def _day_month(moment: date) -> str:
    """``15 Oct``: a day on the time axis."""
    return pgettext("chart tick", "%(day)s %(month)s") % {"day": moment.day, "month": MONTHS[moment.month - 1]}


def _month_year(moment: date) -> str:
    """``Oct 2023``: a month on the time axis."""
    return pgettext("chart tick", "%(month)s %(year)s") % {"month": MONTHS[moment.month - 1], "year": moment.year}


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    return moment.replace(year=moment.year + index // 12, month=index % 12 + 1, day=1)


def time_ticks(start: datetime, end: datetime, max_ticks: int = 8) -> list[tuple[datetime, str]]:
    """Round moments between ``start`` and ``end`` for a time axis, each with its label."""
    span = end - start
    ticks: list[tuple[datetime, str]] = []
    if span <= timedelta(hours=4):
        step_minutes = next((m for m in (1, 2, 5, 10, 15, 30, 60) if span / timedelta(minutes=m) <= max_ticks), 60)
        moment = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
        while moment.minute % step_minutes:
            moment += timedelta(minutes=1)
        while moment < end:
            ticks.append((moment, f"{moment:%H:%M}"))
            moment += timedelta(minutes=step_minutes)
        return ticks
    if span <= timedelta(days=3):
        step_hours = next((h for h in (1, 2, 3, 6, 12, 24) if span / timedelta(hours=h) <= max_ticks), 24)
        moment = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        while moment.hour % step_hours:
            moment += timedelta(hours=1)
        while moment < end:
            ticks.append((moment, f"{_day_month(moment)} {moment:%H:%M}"))
            moment += timedelta(hours=step_hours)
        return ticks
    if span <= timedelta(days=240):
        step_days = next((d for d in (1, 2, 7, 14, 28, 56) if span / timedelta(days=d) <= max_ticks), 56)
        moment = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        if step_days >= 7:
            moment += timedelta(days=(7 - moment.weekday()) % 7)  # Mondays
        while moment < end:
            ticks.append((moment, _day_month(moment)))
            moment += timedelta(days=step_days)
        return ticks
    months = span.days / 30.4
    step_months = next((m for m in (1, 2, 3, 6, 12, 24, 60, 120) if months / m <= max_ticks), 120)
    moment = _add_months(start.replace(hour=0, minute=0, second=0, microsecond=0), 1)
    while (moment.month - 1) % step_months:
        moment = _add_months(moment, 1)
    while moment < end:
        label = str(moment.year) if step_months >= 12 else _month_year(moment)
        ticks.append((moment, label))
        moment = _add_months(moment, step_months)
    return ticks


def _legend(y: float, prefix: str, x0: float = LABEL_WIDTH, *, rtl: bool = False, several: bool = False) -> str:
    """Each status's swatch, symbol and word; right to left, they run from the right edge leftwards. With
    ``several``, a fifth swatch for changes too close together to draw apart (the legend then starts at the left
    edge, to make room)."""
    items = []
    x = RIGHT if several else x0
    if rtl:
        x = WIDTH - RIGHT
    for status in STATUS_ORDER:
        _, ink = STATUS_COLOURS[status]
        swatch: dict[str, Any] = {
            "width": 22.0,
            "height": 16.0,
            "fill": f"url(#{prefix}-{status})",
            "stroke": ink,
            "class_": "chart-legend-swatch",
        }
        if not rtl:
            items.append(
                tag("rect", x=x, y=y, **swatch)
                + tag(
                    "text",
                    text(f"{status_symbol(status)} {status_word(status)}"),
                    x=x + 28,
                    y=y + 12.5,
                    class_="chart-legend",
                )
            )
            x += 140
            continue
        # The symbol and the word apart: one text of both is drawn with the symbol over the word (svg.anchored).
        word = status_word(status)
        symbol_end = x - 28 - text_width(status_symbol(status), font_size=13) - 4
        items.append(
            tag("rect", x=x - 22.0, y=y, **swatch)
            + tag(
                "text", text(status_symbol(status)), x=x - 28, y=y + 12.5, class_="chart-legend", **anchored("end", rtl)
            )
            + tag("text", text(word), x=symbol_end, y=y + 12.5, class_="chart-legend", **anchored("end", rtl))
        )
        x = symbol_end - text_width(word, font_size=13) - 30
    if several:
        swatch = {"width": 22.0, "height": 16.0, "fill": f"url(#{prefix}-several)", "stroke": SEVERAL_INK}
        word = pgettext("chart legend", "Several changes")
        anchor = anchored("end", rtl) if rtl else {}  # its right end at x, right to left; else its left end
        items.append(
            tag("rect", x=x - 22.0 if rtl else x, y=y, class_="chart-legend-swatch", **swatch)
            + tag("text", text(word), x=x - 28 if rtl else x + 28, y=y + 12.5, class_="chart-legend", **anchor)
        )
    return "".join(items)


@dataclass(frozen=True)
class Segment:
    """A stretch of the time axis drawn linearly between two x positions."""

    start: datetime
    end: datetime
    left: float
    right: float

    def __post_init__(self) -> None:
        # Worked out once: a busy chart places 1,200 bands (frozen, so set as the dataclass itself sets fields).
        start, end = self.start.timestamp(), self.end.timestamp()
        object.__setattr__(self, "_from", start)
        object.__setattr__(self, "_until", end)
        object.__setattr__(self, "_scale", (self.right - self.left) / max(end - start, 1e-9))

    def x_of(self, moment: datetime) -> float:
        return self.x_at(moment.timestamp())

    def x_at(self, seconds: float) -> float:
        """``x_of`` for a moment in seconds since the epoch (clamped to the segment)."""
        at = min(max(seconds, self._from), self._until)  # type: ignore[attr-defined]
        return self.left + (at - self._from) * self._scale  # type: ignore[attr-defined]

    def covers(self, start: float, end: float) -> bool:
        """Whether the stretch from ``start`` to ``end`` (seconds since the epoch) shows in this segment."""
        return end > self._from and start < self._until  # type: ignore[attr-defined]


def newest_change(bands: dict[str, list[Band]], *, start: datetime) -> datetime | None:
    """When the latest band inside the window began (a band that begins at ``start`` began before it)."""
    return max((b.start for runs in bands.values() for b in runs if b.start > start), default=None)


def time_axis(bands: dict[str, list[Band]], *, start: datetime, end: datetime) -> list[Segment]:
    """One linear segment from ``start`` to ``end``; or, when the newest change would be drawn narrower than
    ``MIN_NEWEST_WIDTH`` (a change minutes old on a chart of years), two: the history, then, after a visible break,
    the recent stretch around the newest change, at a scale that shows it legibly."""
    plot = Segment(start, end, LABEL_WIDTH, WIDTH - RIGHT)
    newest = newest_change(bands, start=start)
    if newest is None or plot.x_of(end) - plot.x_of(newest) >= MIN_NEWEST_WIDTH:
        return [plot]
    recent = max((end - newest) * 2, MIN_RECENT_SPAN)
    split = max(end - recent, start + (end - start) / 2)
    recent_left = WIDTH - RIGHT - (WIDTH - RIGHT - LABEL_WIDTH) * RECENT_SHARE
    return [
        Segment(start, split, LABEL_WIDTH, recent_left - BREAK_GAP),
        Segment(split, end, recent_left, WIDTH - RIGHT),
    ]


@dataclass(frozen=True)
class Several:
    """Changes too close together to draw apart at the chart's scale (each narrower than ``MIN_BAND_WIDTH``): drawn
    as one hatched stretch that says how many there were and between when. Every one of them is in the full status
    history (the page's "show every row", and its CSV). Three years of a busy crossing are ~1,100 bands on 626
    pixels: drawn one by one they were 3-pixel slivers on top of each other that nobody could read or point at, and
    390 KB of the page (issue 16)."""

    start: datetime
    end: datetime
    count: int


def _band_pieces(
    runs: Sequence[Band], segments: Sequence[Segment], *, newest: datetime | None
) -> list[tuple[Band | Several, list[tuple[float, float]]]]:
    """Each band with the x ranges it covers (one per axis segment it crosses; bands outside the window left
    out), consecutive slivers gathered into ``Several``: at most ``SEVERAL_MAX_WIDTH`` wide each, within one
    segment. The newest change is never gathered (it is drawn at least ``MIN_NEWEST_WIDTH`` wide)."""
    drawn: list[tuple[Band | Several, list[tuple[float, float]]]] = []
    pending: list[tuple[Band, int, float, float]] = []  # slivers waiting: band, segment, x1, x2

    def flush() -> None:
        if len(pending) == 1:
            band, _, x1, x2 = pending[0]
            drawn.append((band, [(x1, x2)]))
        elif pending:
            several = Several(start=pending[0][0].start, end=pending[-1][0].end, count=len(pending))
            drawn.append((several, [(pending[0][2], pending[-1][3])]))
        pending.clear()

    for band in runs:
        band_start, band_end = band.start.timestamp(), band.end.timestamp()
        pieces = [
            (index, segment.x_at(band_start), segment.x_at(band_end))
            for index, segment in enumerate(segments)
            if segment.covers(band_start, band_end)
        ]
        if not pieces:
            continue
        sliver = len(pieces) == 1 and pieces[0][2] - pieces[0][1] < MIN_BAND_WIDTH and band.start != newest
        if sliver:
            index, x1, x2 = pieces[0]
            if pending and (pending[0][1] != index or x2 - pending[0][2] > SEVERAL_MAX_WIDTH):
                flush()
            pending.append((band, index, x1, x2))
            continue
        flush()
        drawn.append((band, [(x1, x2) for _, x1, x2 in pieces]))
    flush()
    return drawn


def _several_rect(
    several: Several, pieces: list[tuple[float, float]], *, kind: str, kind_label: str, y: float, prefix: str
) -> str:
    [(x1, x2)] = pieces
    hover = ngettext(
        "%(kind)s: %(count)d change from %(start)s to %(end)s UTC, in the full status history",
        "%(kind)s: %(count)d changes from %(start)s to %(end)s UTC, each in the full status history",
        several.count,
    ) % {
        "kind": kind_label,
        "count": several.count,
        "start": f"{several.start:%Y-%m-%d %H:%M}",
        "end": f"{several.end:%Y-%m-%d %H:%M}",
    }
    return (
        f"<g><title>{text(hover)}</title>"
        f'<rect x="{num(x1)}" y="{num(y)}" width="{num(max(x2 - x1, MIN_BAND_WIDTH))}" height="{num(ROW_HEIGHT)}" '
        f'fill="url(#{text(prefix)}-several)" stroke="{SEVERAL_INK}" stroke-width="1" class="chart-several" '
        f'data-kind="{text(kind)}" data-changes="{several.count}" data-start="{several.start:%Y-%m-%dT%H:%M:%SZ}" '
        f'data-end="{several.end:%Y-%m-%dT%H:%M:%SZ}"/></g>'
    )


def _now_label(end: datetime) -> str:
    if end >= timezone.now() - timedelta(minutes=5):
        return pgettext("chart marker", "Now")
    moment = pgettext("chart marker", "%(day)s %(month)s %(year)s %(time)s") % {
        "day": end.day,
        "month": MONTHS[end.month - 1],
        "year": end.year,
        "time": f"{end:%H:%M}",
    }
    return pgettext("chart marker", "As of %(moment)s") % {"moment": moment}


def status_bands_svg(
    bands: dict[str, list[Band]], *, start: datetime, end: datetime, crossing_name: str, now_label: str | None = None
) -> SafeString:
    """One row per kind of traffic, coloured and patterned by status over time, with a time axis, a marker at the
    moment shown ("Now") and a legend. The newest change is always visible: the axis breaks to show it (see
    ``time_axis``), and no band is drawn narrower than ``MIN_BAND_WIDTH``."""
    prefix = "band"
    rtl = get_language_bidi()
    segments = time_axis(bands, start=start, end=end)
    kinds = [str(kind) for kind in Traffic.specific()]
    rows_height = len(kinds) * (ROW_HEIGHT + ROW_GAP)
    height = TOP + rows_height + AXIS_HEIGHT + LEGEND_HEIGHT
    several_pattern = (
        f'<pattern id="{text(prefix)}-several" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{SEVERAL_FILL}"/>'
        f'<path d="M3,0 v6" stroke="{SEVERAL_INK}" stroke-width="1.5"/>'
        "</pattern>"
    )
    body = [""]  # the definitions, written once it is known whether any changes were gathered
    gathered = False
    axis_y = TOP + rows_height
    newest = newest_change(bands, start=start)
    # Ticks: each segment its own, spread by its width; a label that would run into another is left out.
    ticks = Layout(Box(0, axis_y, WIDTH, axis_y + AXIS_HEIGHT))
    now_x = segments[-1].x_of(end)
    label = now_label or _now_label(end)
    now_box = text_box(now_x, TOP - 9, label, font_size=12, anchor="end", bold=True)
    if len(segments) > 1:
        recent = segments[-1]
        body.append(
            tag(
                "rect",
                x=recent.left,
                y=TOP - 4,
                width=recent.right - recent.left,
                height=rows_height + 2,
                class_="chart-recent",
            )
        )
        zoom_text = pgettext("chart", "Last %(span)s") % {"span": _duration(recent.end - recent.start)}
        zoom_box = text_box(recent.left + 2, TOP - 9, zoom_text, font_size=12)
        if not zoom_box.overlaps(now_box):
            body.append(
                tag(
                    "text", text(zoom_text), x=recent.left + 2, y=TOP - 9, class_="chart-tick", **anchored("start", rtl)
                )
            )
    for n, segment in enumerate(segments):
        share = (segment.right - segment.left) / (WIDTH - RIGHT - LABEL_WIDTH)
        marks = time_ticks(segment.start, segment.end, max_ticks=max(2, round(8 * share)))
        if n and newest is not None:
            # The recent stretch is there for the newest change: its moment is the tick placed first.
            short = segment.end - segment.start < timedelta(days=1)
            marks.insert(0, (newest, f"{newest:%H:%M}" if short else _day_month(newest)))
        for tick, tick_label in marks:
            x = segment.x_of(tick)
            if ticks.claim(text_box(x, axis_y + 16, tick_label, font_size=12, anchor="middle")):
                body.append(tag("line", x1=x, x2=x, y1=TOP - 4, y2=axis_y, class_="chart-grid"))
                body.append(
                    tag("text", text(tick_label), x=x, y=axis_y + 16, class_="chart-tick", **anchored("middle", rtl))
                )
    # Three years of a busy crossing are ~3,000 bands: the words of each status are looked up once, and each band's
    # rectangle is written directly (issue 16: through ``tag`` they were a third of a cold crossing page).
    words = {status: status_word(status) for status in STATUS_COLOURS}
    lowered = {status: word.lower() for status, word in words.items()}
    hover_text = gettext("%(kind)s: %(status)s from %(start)s to %(end)s UTC")
    band_texts = {}  # status -> (label in a band, the width a band needs to hold it)
    for status, word in words.items():
        band_text = f"{status_symbol(status)} {word}"
        band_texts[status] = (band_text, text_width(band_text, font_size=13, bold=True) + 12)
    symbol_widths = {status: text_width(status_symbol(status), font_size=13, bold=True) for status in STATUS_COLOURS}
    band_label = {
        status: {"class_": "chart-band-label", "fill": ink, **anchored("end", rtl)}
        for status, (_, ink) in STATUS_COLOURS.items()
    }
    for index, kind in enumerate(kinds):
        y = TOP + index * (ROW_HEIGHT + ROW_GAP)
        kind_label = str(Traffic(kind).label)
        body.append(
            tag(
                "text",
                text(kind_label),
                x=LABEL_WIDTH - 10,
                y=y + ROW_HEIGHT / 2 + 5,
                class_="chart-label",
                **anchored("end", rtl),
            )
        )
        row_y, row_height = num(y), num(ROW_HEIGHT)
        band_attrs = {
            status: (
                f'fill="url(#{text(prefix)}-{text(status)})" stroke="{text(ink)}" stroke-width="1" class="chart-band" '
                f'data-kind="{text(kind)}" data-status="{text(status)}"'
            )
            for status, (_, ink) in STATUS_COLOURS.items()
        }
        runs = bands.get(kind, [])
        drawn = _band_pieces(runs, segments, newest=newest)
        for band_index, (band, pieces) in enumerate(drawn):
            if isinstance(band, Several):
                gathered = True
                body.append(_several_rect(band, pieces, kind=kind, kind_label=kind_label, y=y, prefix=prefix))
                continue
            _, ink = STATUS_COLOURS[band.status]
            word = words[band.status]
            hover = hover_text % {
                "kind": kind_label,
                "status": lowered[band.status],
                "start": f"{band.start:%Y-%m-%d %H:%M}",
                "end": f"{band.end:%Y-%m-%d %H:%M}",
            }
            is_last = band_index == len(drawn) - 1
            if is_last and band.start == newest:
                x1, x2 = pieces[-1]
                pieces[-1] = (min(x1, x2 - MIN_NEWEST_WIDTH), x2)  # a change seconds old
            widest = max(pieces, key=lambda p: p[1] - p[0])
            group = ["<g>", f"<title>{text(hover)}</title>"]
            # As tag("rect", x=, y=, width=, height=, fill=, stroke=, stroke_width=1, class_="chart-band", data_...)
            # would write it: every value is a number, a moment or a word of a closed vocabulary (escaped once).
            tail = f'{band_attrs[band.status]} data-start="{band.start:%Y-%m-%dT%H:%M:%SZ}"' + (
                ' data-newest="true"/>' if band.start == newest else "/>"
            )
            for x1, x2 in pieces:
                width = max(x2 - x1, MIN_BAND_WIDTH)
                x1 = min(x1, segments[-1].right - width)  # a sliver at the very end still ends at the end
                group.append(f'<rect x="{num(x1)}" y="{row_y}" width="{num(width)}" height="{row_height}" {tail}')
            band_text, text_room = band_texts[band.status]
            if widest[1] - widest[0] > text_room and rtl:
                # From the band's right end, as Arabic reads: the symbol, then the word in a text of its own.
                symbol_x = widest[1] - 6
                word_x = symbol_x - symbol_widths[band.status] - 4
                label_y = y + ROW_HEIGHT / 2 + 5
                group.append(
                    tag("text", text(status_symbol(band.status)), x=symbol_x, y=label_y, **band_label[band.status])
                    + tag("text", text(word), x=word_x, y=label_y, **band_label[band.status])
                )
            elif widest[1] - widest[0] > text_room:
                group.append(
                    tag(
                        "text",
                        text(band_text),
                        x=widest[0] + 6,
                        y=y + ROW_HEIGHT / 2 + 5,
                        class_="chart-band-label",
                        fill=ink,
                    )
                )
            group.append("</g>")
            body.append("".join(group))
    if len(segments) > 1:
        # The break: a gap in the rows and two slanted strokes on the axis.
        gap_x = segments[0].right + BREAK_GAP / 2
        body.append(
            tag(
                "path",
                d=f"M{gap_x - 5:.1f},{axis_y + 5:.1f} l4,-10 M{gap_x + 1:.1f},{axis_y + 5:.1f} l4,-10",
                class_="chart-break",
            )
        )
    body.append(tag("line", x1=now_x, x2=now_x, y1=TOP - 6, y2=axis_y + 4, class_="chart-now"))
    body.append(tag("text", text(label), x=now_x, y=TOP - 9, class_="chart-now-label", **anchored("end", rtl)))
    for segment in segments:
        body.append(tag("line", x1=segment.left, x2=segment.right, y1=axis_y, y2=axis_y, class_="chart-axis"))
    body[0] = f"<defs>{status_patterns(prefix)}{several_pattern if gathered else ''}</defs>"
    body.append(_legend(axis_y + AXIS_HEIGHT, prefix, rtl=rtl, several=gathered))
    change_text, kind_text = gettext("%(status)s from %(start)s"), gettext("%(kind)s: %(changes)s")
    comma, semicolon = pgettext("list separator", ", "), pgettext("list separator", "; ")

    def described(runs: list[Band]) -> str:
        """The latest ``DESCRIBED_CHANGES`` of a row, and how many earlier ones the history lists."""
        shown = comma.join(
            change_text % {"status": lowered[b.status], "start": f"{b.start:%Y-%m-%d %H:%M}"}
            for b in runs[-DESCRIBED_CHANGES:]
        )
        earlier = len(runs) - DESCRIBED_CHANGES
        if earlier <= 0:
            return shown
        return (
            ngettext(
                "%(count)d earlier change, in the full status history",
                "%(count)d earlier changes, in the full status history",
                earlier,
            )
            % {"count": earlier}
            + comma
            + shown
        )

    description = semicolon.join(
        kind_text % {"kind": Traffic(kind).label, "changes": described(bands.get(kind, []))} for kind in kinds
    )
    zoom_note = "."
    if len(segments) > 1:
        span = _duration(end - segments[-1].start)
        zoom_note = ". " + gettext("The last %(span)s are drawn larger, after a break in the axis.") % {"span": span}
    title = gettext("Status of %(crossing)s from %(start)s to %(end)s UTC, by kind of traffic") % {
        "crossing": crossing_name,
        "start": f"{start:%Y-%m-%d}",
        "end": f"{end:%Y-%m-%d %H:%M}",
    }
    return svg_document(
        width=WIDTH,
        height=height,
        title=title,
        description=description + zoom_note,
        body="".join(body),
        label_id="bands",
        css_class="chart chart-bands",
    )


def _duration(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    if minutes < 120:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours = round(minutes / 60)
    if hours < 72:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    days = round(hours / 24)
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


# Bars of different sources side by side: each source a fill pattern of its own, not only a colour.
SOURCE_STYLES = [
    ("#1f4e8c", ""),
    ("#6b3fa0", '<path d="M0,6 l6,-6" stroke="#fff" stroke-width="1.5"/>'),
    ("#0f6b6b", '<circle cx="3" cy="3" r="1.2" fill="#fff"/>'),
    ("#7a4d00", '<path d="M0,3 h6" stroke="#fff" stroke-width="1.2"/>'),
]


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        candidate = int(step * magnitude)
        if candidate >= value:
            return candidate
    return value


def flow_chart_svg(series: FlowSeries, *, crossing_name: str, index: int) -> SafeString:
    """Daily bars of one metric, one bar per source and day; a day with no figure has no bar, a zero a flat mark."""
    rtl = get_language_bidi()
    prefix = f"flow{index}"
    sources = sorted(series.by_source)
    days: Sequence[date] = series.days
    top, plot_height, left = 14.0, 150.0, 56.0
    plot_width = WIDTH - left - RIGHT
    peak = _nice_max(max((v for values in series.by_source.values() for v in values.values()), default=0))
    slot = plot_width / max(len(days), 1)
    bar = max(min((slot - 2) / max(len(sources), 1), 18.0), 1.0)
    base = top + plot_height
    defs = "".join(
        f'<pattern id="{prefix}-s{n}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="{SOURCE_STYLES[n % len(SOURCE_STYLES)][0]}"/>'
        f"{SOURCE_STYLES[n % len(SOURCE_STYLES)][1]}</pattern>"
        for n in range(len(sources))
    )
    body = [f"<defs>{defs}</defs>"]
    figure = str(series.label).lower()
    bar_text, words = gettext("%(day)s: %(value)s %(figure)s (%(source)s)"), {"figure": figure}
    for fraction in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = base - plot_height * fraction
        body.append(tag("line", x1=left, x2=WIDTH - RIGHT, y1=y, y2=y, class_="chart-grid"))
        body.append(
            tag(
                "text", text(f"{round(peak * fraction):,}"), x=left - 8, y=y + 4, class_="chart-tick", text_anchor="end"
            )
        )
    for n, source in enumerate(sources):
        for day_index, day in enumerate(days):
            value = series.by_source[source].get(day)
            if value is None:
                continue
            x = left + day_index * slot + 1 + n * bar
            h = plot_height * value / peak if peak else 0.0
            body.append(
                "<g>"
                + tag(
                    "title",
                    text(bar_text % {**words, "day": f"{day:%Y-%m-%d}", "value": f"{value:,}", "source": source}),
                )
                + tag("rect", x=x, y=base - max(h, 1.5), width=bar, height=max(h, 1.5), fill=f"url(#{prefix}-s{n})")
                + "</g>"
            )
    for tick, label in time_ticks(
        datetime.combine(days[0], datetime.min.time(), tzinfo=UTC) - timedelta(days=1),
        datetime.combine(days[-1], datetime.min.time(), tzinfo=UTC) + timedelta(days=1),
        max_ticks=8,
    ):
        day_index = (tick.date() - days[0]).days
        if 0 <= day_index < len(days):
            x = left + (day_index + 0.5) * slot
            body.append(tag("text", text(label), x=x, y=base + 16, class_="chart-tick", **anchored("middle", rtl)))
    body.append(tag("line", x1=left, x2=WIDTH - RIGHT, y1=base, y2=base, class_="chart-axis"))
    legend_y = base + 30
    for n, source in enumerate(sources):
        x = left + n * 220
        body.append(tag("rect", x=x, y=legend_y, width=22.0, height=14.0, fill=f"url(#{prefix}-s{n})"))
        body.append(tag("text", text(source), x=x + 28, y=legend_y + 11.5, class_="chart-legend"))
    total_text = gettext("%(source)s: %(total)s in all")
    totals = pgettext("list separator", "; ").join(
        total_text % {"source": source, "total": f"{sum(series.by_source[source].values()):,}"} for source in sources
    )
    title = gettext("%(figure)s at %(crossing)s, daily, %(first)s to %(last)s") % {
        "figure": series.label,
        "crossing": crossing_name,
        "first": f"{days[0]:%Y-%m-%d}",
        "last": f"{days[-1]:%Y-%m-%d}",
    }
    return svg_document(
        width=WIDTH,
        height=legend_y + 24,
        title=title,
        description=gettext("Over the days shown, %(totals)s. Every figure is in the table below the charts.")
        % {"totals": totals},
        body="".join(body),
        label_id=prefix,
        css_class="chart chart-flow",
    )
