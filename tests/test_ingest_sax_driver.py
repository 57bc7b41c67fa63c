"""What ingest.parse gives feedparser (expat with its text buffered, a Windows-1252 table that raises nothing):
used, and reading exactly as feedparser's defaults."""

from __future__ import annotations

import xml.sax

import feedparser
import feedparser.api
import feedparser.html
import feedparser.mixin
import pytest

import ingest.parse  # noqa: F401  (names the driver, installs the table)
from ingest.cp1252 import CP1252_TABLE
from ingest.sax_driver import BufferedExpatParser
from tests.conftest import shared_fixture

ESCAPED_BODY = (
    b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title><item><title>Rafah &amp; Kerem</title>"
    b"<description>&lt;p&gt;Aid &lt;b&gt;waits&lt;/b&gt; at &#x52;afah&lt;/p&gt;\nline two</description>"
    b"</item></channel></rss>"
)


def _read(data: bytes, drivers: list[str], *, ours: bool = True) -> feedparser.FeedParserDict:
    """feedparser's reading with the given drivers, and our Windows-1252 table or (``ours=False``) its own dict."""
    saved = list(feedparser.api.PREFERRED_XML_PARSERS)
    feedparser.api.PREFERRED_XML_PARSERS[:] = drivers
    feedparser.mixin._cp1252 = CP1252_TABLE if ours else feedparser.html._cp1252
    try:
        return feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    finally:
        feedparser.api.PREFERRED_XML_PARSERS[:] = saved
        feedparser.mixin._cp1252 = CP1252_TABLE


def test_feedparser_is_given_the_buffered_driver():
    assert feedparser.api.PREFERRED_XML_PARSERS == ["ingest.sax_driver"]
    reader = xml.sax.make_parser(feedparser.api.PREFERRED_XML_PARSERS)
    assert isinstance(reader, BufferedExpatParser)
    reader.reset()
    assert reader._parser.buffer_text


def test_text_in_many_pieces_reads_as_one():
    # "drv_libxml2" is feedparser's own default; it is not installed, so the standard expat reader stands in.
    buffered, default = _read(ESCAPED_BODY, ["ingest.sax_driver"]), _read(ESCAPED_BODY, ["drv_libxml2"])
    assert buffered.entries[0].summary == "<p>Aid <b>waits</b> at Rafah</p>\nline two"
    assert buffered.entries == default.entries
    assert not buffered.bozo


def test_the_windows_1252_table_translates_every_character_as_feedparsers_dict():
    assert feedparser.mixin._cp1252 is CP1252_TABLE
    every_character = "".join(map(chr, range(0x110000)))  # beyond the table's plane too
    assert every_character.translate(CP1252_TABLE) == every_character.translate(feedparser.html._cp1252)
    mixed = "\x93Rafah\x94 \x80 \u00e9\u062c \U0001f600"
    assert mixed.translate(CP1252_TABLE) == "\u201cRafah\u201d \u20ac \u00e9\u062c \U0001f600"


def test_feedparser_reads_the_table_where_it_is_installed():
    """Were feedparser to stop reading ``feedparser.mixin._cp1252``, installing the table would do nothing."""
    marked = list(CP1252_TABLE)
    marked[ord("R")] = "X"
    feedparser.mixin._cp1252 = marked
    try:
        read = feedparser.parse(b"<rss version='2.0'><channel><item><title>Rafah</title></item></channel></rss>")
    finally:
        feedparser.mixin._cp1252 = CP1252_TABLE
    assert read.entries[0].title == "Xafah"


def test_c1_controls_in_a_feed_are_repaired_as_feedparser_does():
    data = (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title><item>"
        "<title>\x93Rafah\x94 crossing \u00e9tat</title><description>\u20ac\x80 aid</description>"
        "</item></channel></rss>"
    ).encode()
    ours, theirs = _read(data, ["ingest.sax_driver"]), _read(data, ["drv_libxml2"], ours=False)
    assert ours.entries[0].title == "\u201cRafah\u201d crossing \u00e9tat"
    assert ours.entries == theirs.entries


@pytest.mark.slow
def test_every_real_feed_reads_the_same_as_with_the_default_driver():
    """The proof for the parser's speed-up: on the 200 real feeds, nothing it reads differs."""
    folder = shared_fixture("real/feeds-corpus")
    documents = [path.read_bytes() for path in sorted(folder.glob("*.xml"))]
    assert len(documents) > 150
    for data in documents:
        ours, theirs = _read(data, ["ingest.sax_driver"]), _read(data, ["drv_libxml2"], ours=False)
        assert (ours.version, ours.feed, ours.entries) == (theirs.version, theirs.feed, theirs.entries)
        assert (ours.get("bozo"), str(ours.get("bozo_exception"))) == (
            theirs.get("bozo"),
            str(theirs.get("bozo_exception")),
        )
