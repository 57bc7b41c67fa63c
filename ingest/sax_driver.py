"""The SAX driver feedparser reads XML feeds with: the standard library's expat reader, with text buffered.

Without buffering, expat hands over text in pieces, one per line and one on each side of every character
reference, and feedparser's Python handler runs for each: an entry whose HTML body is escaped (``&lt;p&gt;``)
costs hundreds of calls. With ``buffer_text`` expat joins a run of text into one piece first; feedparser joins
the pieces it gets anyway, so what it reads is the same. ``ingest.parse`` names this module in feedparser's
``PREFERRED_XML_PARSERS`` (the list of SAX driver modules it asks ``xml.sax.make_parser`` for).
"""

from __future__ import annotations

from typing import Any
from xml.sax.expatreader import ExpatParser

# Bytes of text expat gathers before handing it over: more than a typical entry's body, so it comes in one piece.
TEXT_BUFFER_BYTES = 1 << 16


class BufferedExpatParser(ExpatParser):
    def reset(self) -> None:
        super().reset()
        expat = self.__dict__["_parser"]  # the pyexpat parser reset() just made (not in the SAX interface's types)
        expat.buffer_text = True
        expat.buffer_size = TEXT_BUFFER_BYTES


def create_parser(*args: Any, **kwargs: Any) -> BufferedExpatParser:
    return BufferedExpatParser(*args, **kwargs)
