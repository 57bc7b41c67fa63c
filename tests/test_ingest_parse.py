"""Parsing is pure and safe: bytes in, entries out; entity tricks, broken or foreign documents refused, saying why."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from ingest.parse import ParseError, UnsafeXML, parse_document
from tests.conftest import shared_fixture

HERE = Path(__file__).parent / "ingest_fixtures"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><item><title>&secret;</title></item></channel></rss>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY % remote SYSTEM "http://169.254.169.254/evil.dtd"> %remote;]>
<rss version="2.0"><channel><title>t</title></channel></rss>"""

SMALL_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Small</title><link>https://example.org/</link>
<item><guid>a-1</guid><title>Rafah closed</title><link>https://example.org/a-1</link>
<description>&lt;p&gt;Closed &lt;b&gt;today&lt;/b&gt;&lt;/p&gt;</description>
<pubDate>Mon, 16 Oct 2023 09:00:00 +0300</pubDate></item>
<item><guid>a-2</guid><title>No date</title><link>https://example.org/a-2</link></item>
</channel></rss>"""


@pytest.fixture
def feedparser_untouched(monkeypatch):
    """Fails the test if feedparser is called: refusals must come before it sees the bytes."""

    def refuse(*args, **kwargs):
        raise AssertionError("feedparser was handed a document that should have been refused first")

    monkeypatch.setattr(feedparser, "parse", refuse)


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY, PARAMETER_ENTITY])
def test_entity_declarations_are_refused_before_feedparser_sees_them(document, feedparser_untouched):
    with pytest.raises(UnsafeXML, match="declares XML entities"):
        parse_document(document)


def test_entity_declaration_in_utf16_is_refused_too(feedparser_untouched):
    with pytest.raises(UnsafeXML):
        parse_document(BILLION_LAUGHS.replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16"))


def test_entity_declaration_behind_a_broken_prolog_is_refused(feedparser_untouched):
    broken = b"<?xml?xml version='1.0'??>\n" + EXTERNAL_ENTITY.split(b"\n", 1)[1]
    with pytest.raises(UnsafeXML):
        parse_document(broken)


def test_a_doctype_without_entities_is_read():
    netscape = SMALL_RSS.replace(
        b"<rss",
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss',
        1,
    )
    assert len(parse_document(netscape).entries) == 2


def test_rss_entries_carry_ids_links_bodies_and_utc_times():
    doc = parse_document(SMALL_RSS)
    first, second = doc.entries
    assert (doc.kind, first.external_id, first.url, first.title) == (
        "rss20",
        "a-1",
        "https://example.org/a-1",
        "Rafah closed",
    )
    assert "<b>today</b>" in first.body_html
    assert first.published == datetime(2023, 10, 16, 6, 0, tzinfo=UTC)
    assert second.published is None and second.updated is None
    assert first.raw.startswith(b"<item><guid>a-1</guid>") and first.raw.endswith(b"</item>")


def test_real_gdacs_rss_with_a_byte_order_mark():
    doc = parse_document(shared_fixture("real/gdacs-rss-2019-12-30.xml").read_bytes())
    assert doc.kind == "rss20" and len(doc.entries) == 16
    assert all(e.external_id and e.url.startswith("http") and e.published for e in doc.entries)


def test_real_atom_feed():
    doc = parse_document(shared_fixture("real/atom-naads-pelmorex-cap12-signed-2013.atom").read_bytes())
    assert doc.kind == "atom10" and len(doc.entries) == 1
    assert doc.entries[0].updated is not None


def test_real_rdf_feed():
    doc = parse_document(shared_fixture("real/feeds-corpus/14dda539770f94e3.xml").read_bytes())
    assert doc.kind == "rss10" and doc.entries and all(e.title for e in doc.entries)


def test_real_json_feed():
    doc = parse_document(shared_fixture("real/feeds-corpus/d4b7ab74da763119.json").read_bytes())
    assert doc.kind == "jsonfeed" and len(doc.entries) == 10
    assert all(e.url.startswith("https://humanwhocodes.com") and e.published for e in doc.entries)


def test_reliefweb_v2_reports_page():
    doc = parse_document((HERE / "reliefweb-v2-reports-page.json").read_bytes(), format="reliefweb")
    assert (doc.kind, doc.total, len(doc.entries)) == ("reliefweb", 5, 3)
    first, second, third = doc.entries
    assert first.external_id == "9100001"
    assert first.url.startswith("https://reliefweb.int/report/")  # the readable alias, not the node URL
    assert first.published == datetime(2023, 10, 16, 9, tzinfo=UTC)  # date.original
    assert first.language == "en" and "<strong>closed</strong>" in first.body_html
    assert second.published == datetime(2023, 10, 17, 8, tzinfo=UTC) and second.body_text  # created; plain body
    assert third.language == "ar"


def test_real_reliefweb_v2_item_reads_too():
    doc = parse_document(shared_fixture("real/reliefweb-api-v2-disaster-52433.json").read_bytes())
    assert doc.kind == "reliefweb" and doc.entries[0].title.startswith("DR Congo")


def test_a_byte_order_mark_encoded_twice_is_removed_and_said():
    doc = parse_document(shared_fixture("real/gdacs-rss-2024-12-10-double-encoded-bom.xml").read_bytes())
    assert len(doc.entries) == 2
    assert doc.warnings == ["removed a byte-order mark that had been encoded twice"]


def test_lexical_damage_in_a_complete_document_is_read_and_reported_as_a_warning():
    damaged = SMALL_RSS.replace(b"<title>No date</title>", b"<title>No \x02date</title>")
    doc = parse_document(damaged)
    assert len(doc.entries) == 2
    assert "recovered from malformed XML" in doc.warnings[0]


def test_html_entities_undeclared_in_xml_are_tolerated():
    doc = parse_document(SMALL_RSS.replace(b"<title>Small</title>", b"<title>Small&nbsp;feed</title>"))
    assert len(doc.entries) == 2 and "tolerated" in doc.warnings[0]


@pytest.mark.parametrize(
    "document,reason",
    [
        (b"", "empty document"),
        (b"   \n\t ", "empty document"),
        (SMALL_RSS[: len(SMALL_RSS) // 2], "truncated"),
        (SMALL_RSS[:-7], "truncated"),
        (b"<html><head><title>Moved</title></head><body>Not here</body></html>", "an HTML page"),
        (b"this is not a feed", "neither XML nor JSON"),
        (b'{"items": [}', "malformed JSON"),
        (b'{"hello": "world"}', "neither a JSON Feed nor a ReliefWeb"),
        (b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>a</title></chanel></rss>", "malformed XML"),
        (b"<?xml version='1.0'?><rss version='2.0'><channel><<<>>></channel></rss>", "not a readable feed"),
        (
            b"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>caf\xe9 \xff</title>"
            b"<item><title>x</title></item></channel></rss>",
            "wrongly encoded",
        ),
    ],
)
def test_unreadable_documents_are_refused_with_the_reason(document, reason):
    with pytest.raises(ParseError, match=reason):
        parse_document(document)


def test_format_mismatch_is_a_clear_error():
    with pytest.raises(ParseError, match="ReliefWeb API JSON was expected"):
        parse_document(SMALL_RSS, format="reliefweb")
    with pytest.raises(ParseError, match="but the source is a feed"):
        parse_document((HERE / "reliefweb-v2-reports-page.json").read_bytes(), format="feed")
    with pytest.raises(ParseError, match="unknown format"):
        parse_document(SMALL_RSS, format="csv")


def test_a_url_or_a_path_is_never_fetched_or_opened(allow_server, tmp_path):
    allow_server.routes["/feed"] = lambda request: pytest.fail("the parser fetched a URL")
    secret = tmp_path / "feed.xml"
    secret.write_bytes(SMALL_RSS)
    for text in (allow_server.url("/feed").encode(), str(secret).encode()):
        with pytest.raises(ParseError, match="neither XML nor JSON"):
            parse_document(text)
    with pytest.raises(TypeError, match="reads bytes"):
        parse_document(str(secret))  # type: ignore[arg-type]
    assert allow_server.requests == []
