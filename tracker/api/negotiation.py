"""Content negotiation as HTTP says it (RFC 9110, 12.5.1), with ``?format=`` winning over ``Accept``.

DRF's own negotiation ranks ``Accept`` by how specific each range is and ignores quality values, so
``text/csv;q=0.9, application/json;q=0.8`` gave JSON; and it checked ``?format=`` against ``Accept`` too, so
``?format=json`` with ``Accept: text/csv`` was a 406 although the parameter is documented to win. Here a format
named in the query is the answer (a format the endpoint does not offer is a 400 naming the parameter); otherwise
each format gets the quality of the most specific range that matches it, the best quality above zero wins (the
endpoint's own order breaks ties: JSON first), and 406 comes only when ``Accept`` rules out every format offered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from rest_framework.exceptions import NotAcceptable, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header: ``type/subtype`` (either may be ``*``) and its quality."""

    kind: str
    subtype: str
    quality: float

    @property
    def specificity(self) -> int:
        return (self.kind != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        kind, _, subtype = media_type.partition("/")
        return self.kind in ("*", kind) and self.subtype in ("*", subtype)


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header. A malformed element, or one with an unreadable ``q``, is dropped
    rather than refused: clients send odd headers, and the rest of the header still says what they want."""
    ranges: list[MediaRange] = []
    for element in header.split(","):
        media, *params = (part.strip() for part in element.split(";"))
        kind, slash, subtype = media.lower().partition("/")
        if not slash or not kind or not subtype or (kind == "*" and subtype != "*"):
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = -1.0
        if 0.0 <= quality <= 1.0:
            ranges.append(MediaRange(kind, subtype, quality))
    return ranges


def quality_of(media_type: str, ranges: list[MediaRange]) -> float:
    """The quality ``Accept`` gives a media type: that of the most specific range matching it, 0 if none does."""
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0
    top = max(r.specificity for r in matching)
    return max(r.quality for r in matching if r.specificity == top)


class ApiContentNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> Any:
        renderers = list(renderers)
        requested = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if requested:
            for renderer in renderers:
                if renderer.format == requested:
                    return renderer, renderer.media_type
            offered = ", ".join(str(renderer.format) for renderer in renderers)
            raise ValidationError(
                {
                    self.settings.URL_FORMAT_OVERRIDE: [
                        gettext("This endpoint offers: %(offered)s.") % {"offered": offered}
                    ]
                }
            )
        ranges = parse_accept(request.META.get("HTTP_ACCEPT", ""))
        if not ranges:  # no header, or none of it readable: no preference
            return renderers[0], renderers[0].media_type
        best, best_quality = None, 0.0
        for renderer in renderers:
            quality = quality_of(renderer.media_type, ranges)
            if quality > best_quality:
                best, best_quality = renderer, quality
        if best is None:
            offered = ", ".join(renderer.media_type for renderer in renderers)
            raise NotAcceptable(
                gettext(
                    "Nothing in your Accept header is offered here. This endpoint offers: %(offered)s (or pass "
                    "?format=)."
                )
                % {"offered": offered}
            )
        return best, best.media_type
