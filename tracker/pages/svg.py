"""Small helpers for drawing SVG on the server: escaped text and attributes, the status patterns and symbols.

Each status is drawn with a pattern and a symbol as well as a colour, so that a chart or map reads in grey print,
for colour-blind readers and in forced-colour modes. The colours are those of ``tracker.css``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..models import CrossingStatus
from .templatetags import STATUS_LABELS, STATUS_SYMBOLS

OPEN, RESTRICTED, CLOSED, UNKNOWN = (
    CrossingStatus.Status.OPEN,
    CrossingStatus.Status.RESTRICTED,
    CrossingStatus.Status.CLOSED,
    CrossingStatus.Status.UNKNOWN,
)
# (fill, ink): the fill behind a pattern, and the colour of the pattern, outline and symbol (contrast >= 4.5:1 on
# the fill and on white).
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    OPEN: ("#d7f0dd", "#14632c"),
    RESTRICTED: ("#fdecc8", "#7a4d00"),
    CLOSED: ("#f9d5d3", "#9b1c1c"),
    UNKNOWN: ("#e8e8e8", "#4a4a4a"),
}
STATUS_ORDER: list[str] = [OPEN, RESTRICTED, CLOSED, UNKNOWN]


def num(value: float) -> str:
    """A coordinate, short."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def attrs(**values: Any) -> str:
    """Escaped attributes; ``class_`` for ``class``, underscores in other names become dashes."""
    parts = []
    for name, value in values.items():
        if value is None or value is False:
            continue
        key = "class" if name == "class_" else name.replace("_", "-")
        text = num(value) if isinstance(value, float) else str(value)
        parts.append(f'{key}="{escape(text)}"')
    return " ".join(parts)


def tag(name: str, content: str = "", **values: Any) -> str:
    attributes = attrs(**values)
    opening = f"<{name} {attributes}" if attributes else f"<{name}"
    return f"{opening}>{content}</{name}>" if content else f"{opening}/>"


def text(value: Any) -> str:
    return str(escape(str(value)))


def anchored(anchor: str, rtl: bool) -> dict[str, str]:
    """The attributes that set a text's ``anchor`` (start: its left end at x; end: its right end; middle).

    Right to left (an Arabic page), the text is also set right to left, its anchor named the other way round (the
    start of a right-to-left text is its right end), so it lands where ``text_box`` measured it. In a left-to-right
    ``<text>``, Chromium draws Arabic mixed with other characters away from where it measures it: anchored at its
    end it overshoots the anchor, and a symbol before a word is drawn over the word (issue 17). A symbol and a word
    that must not touch are best drawn as two texts (the chart's bands and legend).
    """
    if not rtl:
        return {"text_anchor": anchor} if anchor != "start" else {}
    return {"direction": "rtl", "text_anchor": {"start": "end", "end": "start"}.get(anchor, anchor)}


def status_patterns(prefix: str) -> str:
    """``<pattern>`` definitions, one per status, with ids ``{prefix}-{status}``."""
    shapes = {
        OPEN: "",  # plain fill: open needs no warning texture
        RESTRICTED: '<path d="M-2,2 l4,-4 M0,10 l10,-10 M8,12 l4,-4" stroke-width="2"/>',
        CLOSED: '<path d="M0,0 L10,10 M10,0 L0,10" stroke-width="1.6"/>',
        UNKNOWN: '<circle cx="5" cy="5" r="1.3"/>',
    }
    out = []
    for status, shape in shapes.items():
        fill, ink = STATUS_COLOURS[status]
        out.append(
            f'<pattern id="{prefix}-{status}" width="10" height="10" patternUnits="userSpaceOnUse">'
            f'<rect width="10" height="10" fill="{fill}"/>'
            f'<g stroke="{ink}" fill="{ink}">{shape}</g></pattern>'
        )
    return "".join(out)


def status_word(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def status_symbol(status: str) -> str:
    return STATUS_SYMBOLS.get(status, "?")


def svg_document(
    *, width: float, height: float, title: str, description: str, body: str, label_id: str, css_class: str
) -> SafeString:
    """A responsive ``<svg role="img">`` with a title and description for screen readers."""
    # Every piece of text inside was escaped by the helpers above.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(width)} {num(height)}" '
        f'class="{escape(css_class)}" role="img" aria-labelledby="{label_id}-title {label_id}-desc" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{label_id}-title">{text(title)}</title><desc id="{label_id}-desc">{text(description)}</desc>'
        f"{body}</svg>"
    )


# Text is measured on the server, where no font is at hand: widths in ems, a little wider than DejaVu Sans (the
# widest of the fonts `system-ui` resolves to on the machines we know), so a box made from them holds the text.
_NARROW = set("ijlt.,:;'|!()[] fIr-")
_WIDE = set("mwMW@%")
# Arabic letters join, and are narrower than a Latin letter on average (DejaVu Sans: ~0.67 em, measured in Chromium).
_EM_WIDTH = {"narrow": 0.38, "wide": 0.98, "upper": 0.76, "digit": 0.66, "lower": 0.64, "other": 0.9, "arabic": 0.74}


def text_width(value: str, *, font_size: float, bold: bool = False) -> float:
    """The width ``value`` takes at ``font_size`` pixels, on the generous side."""
    ems = 0.0
    for char in value:
        if char in _NARROW:
            ems += _EM_WIDTH["narrow"]
        elif char in _WIDE:
            ems += _EM_WIDTH["wide"]
        elif char.isdigit():
            ems += _EM_WIDTH["digit"]
        elif char == " ":
            ems += 0.34
        elif char.isascii() and char.isupper():
            ems += _EM_WIDTH["upper"]
        elif char.isascii():
            ems += _EM_WIDTH["lower"]
        elif "\u064b" <= char <= "\u065f" or char == "\u0670":
            continue  # Arabic vowel marks sit on their letter
        elif "\u0600" <= char <= "\u06ff":
            ems += _EM_WIDTH["arabic"]
        else:
            ems += _EM_WIDTH["other"]  # symbols (✓ ◐ ✕ °) and other scripts
    return ems * font_size * (1.08 if bold else 1.0)


@dataclass(frozen=True)
class Box:
    """A rectangle in the drawing's coordinates (y grows downwards)."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        horizontal = self.left < other.right and other.left < self.right
        return horizontal and self.top < other.bottom and other.top < self.bottom

    def within(self, other: Box) -> bool:
        horizontal = self.left >= other.left and self.right <= other.right
        return horizontal and self.top >= other.top and self.bottom <= other.bottom

    def nearest(self, x: float, y: float) -> tuple[float, float]:
        """The point of the box nearest to (x, y): where a leader line from (x, y) meets it."""
        return min(max(x, self.left), self.right), min(max(y, self.top), self.bottom)


def text_box(
    x: float, y: float, value: str, *, font_size: float, anchor: str = "start", bold: bool = False, pad: float = 3.0
) -> Box:
    """The box of a line of text drawn at (x, baseline y) with ``text-anchor`` ``anchor``, plus ``pad`` around it
    (room for the white halo labels are drawn with)."""
    width = text_width(value, font_size=font_size, bold=bold)
    left = x if anchor == "start" else x - width if anchor == "end" else x - width / 2
    return Box(left - pad, y - 0.82 * font_size - pad, left + width + pad, y + 0.26 * font_size + pad)


class Layout:
    """The space a drawing's labels share: a label is placed only where it is inside ``bounds`` and clear of every
    box already taken, so no two labels overlap and none is clipped."""

    def __init__(self, bounds: Box) -> None:
        self.bounds = bounds
        self.taken: list[Box] = []

    def reserve(self, box: Box) -> None:
        self.taken.append(box)

    def is_free(self, box: Box) -> bool:
        return box.within(self.bounds) and not any(box.overlaps(other) for other in self.taken)

    def claim(self, box: Box) -> bool:
        if not self.is_free(box):
            return False
        self.taken.append(box)
        return True
