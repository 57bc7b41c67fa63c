"""Hypothesis against the feed parser (ingest/parse.py) and the entry cleaner (ingest/clean.py): random bytes, XML
and JSON built from hostile pieces (entity declarations, broken CDATA, stray encodings, script and javascript:
links), real feeds from the shared corpus cut short or corrupted. Whatever comes in, the only exception that
leaves is ``ParseError`` (with a reason) or ``Rejected`` for one entry; what is kept has only http(s) links and
sanitises to markup without scripts; and the whole pipeline on such bytes records its failure instead of crashing.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.clean import Rejected, clean_entry
from ingest.parse import ParseError, UnsafeXML, parse_document
from ingest.pipeline import ingest_bytes
from tests.conftest import shared_fixture
from tests.ingest_fixtures.support import feed_source
from tracker.models import Report
from tracker.text import sanitize_html

FUZZ = settings(max_examples=150, deadline=None, database=None, derandomize=True)
MAX_ENTRY = 1024 * 1024


def survives(data: bytes) -> object:
    """Parse and clean as the pipeline does; fails the test on any exception but the two that say why."""
    try:
        document = parse_document(data)
    except ParseError as error:
        assert error.reason.strip(), "a refusal says why"
        return error
    for entry in document.entries:
        try:
            clean = clean_entry(entry, base_url=document.link, max_bytes=MAX_ENTRY)
        except Rejected as rejected:
            assert rejected.reason.strip()
            continue
        assert clean.url == "" or clean.url.startswith(("http://", "https://")), clean.url
        assert clean.title or clean.url
        safe = sanitize_html(clean.summary_html).lower()
        assert "<script" not in safe and "javascript:" not in safe and " onerror" not in safe
    return document


# --- random bytes -------------------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_are_read_or_refused_with_a_reason(data):
    survives(data)


@FUZZ
@given(st.binary(max_size=2048))
def test_bytes_that_look_like_a_feed_are_read_or_refused_with_a_reason(tail):
    survives(b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>' + tail)
    survives(b'{"version": "https://jsonfeed.org/version/1.1", "items": [' + tail)


# --- XML from hostile pieces -------------------------------------------------------------------------------

PIECES = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<?xml version="1.0" encoding="iso-8859-1"?>',
    '<?xml version="1.0" encoding="utf-16"?>',
    '<rss version="2.0">',
    "</rss>",
    "<channel>",
    "</channel>",
    "<item>",
    "</item>",
    "<title>",
    "</title>",
    "<link>",
    "</link>",
    "<guid>",
    "</guid>",
    "<description>",
    "</description>",
    "<pubDate>",
    "</pubDate>",
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    "</feed>",
    "<entry>",
    "</entry>",
    '<link href="javascript:alert(1)"/>',
    '<content type="html">',
    "</content>",
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">',
    "<![CDATA[",
    "]]>",
    "&amp;",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&nbsp;",
    "&#0;",
    "&#xD800;",
    "&#x1F600;",
    '<!DOCTYPE rss [<!ENTITY boom "boomboomboom">]>',
    '<!DOCTYPE x SYSTEM "file:///etc/passwd">',
    "&boom;",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "Mon, 16 Oct 2023 09:00:00 GMT",
    "Mon, 99 Foo 20233 99:99:99 ZZZ",
    "2023-10-16T09:00:00+14:00",
    "0000-00-00",
    "https://news.example.org/rafah",
    "Rafah crossing closed",
    "معبر رفح مغلق",
    "מעבר רפיח נסגר",
    "\u202e\u200d\u0301",
    "\x00",
    "\ufeff",
    "\r\n",
    "<",
    ">",
    "&",
]
ENCODINGS = ["utf-8", "utf-16", "utf-16-le", "utf-32", "latin-1", "shift_jis", "cp1252"]


FRAMES = [
    (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>',
        "</title><link>https://news.example.org/a</link></item></channel></rss>",
    ),
    (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="html">',
        '</title><link href="https://news.example.org/b"/></entry></feed>',
    ),
    (
        '<?xml version="1.0" encoding="utf-8"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        ' xmlns="http://purl.org/rss/1.0/"><item><title>',
        "</title></item></rdf:RDF>",
    ),
    ("", ""),
]


@st.composite
def hostile_xml(draw: st.DrawFn) -> bytes:
    """Mostly a real feed's frame around hostile pieces and text: deep enough to reach the entries."""
    parts = draw(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=40)), max_size=30))
    start, end = draw(st.sampled_from(FRAMES))
    text = start + "".join(parts) + end
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        data = draw(st.sampled_from([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b""])) + data
    return data


def test_xml_made_of_hostile_pieces_is_read_or_refused_with_a_reason():
    read: list[int] = []

    @FUZZ
    @given(hostile_xml())
    def run(data: bytes) -> None:
        outcome = survives(data)
        if not isinstance(outcome, ParseError):
            read.append(len(outcome.entries))  # type: ignore[attr-defined]

    run()
    assert sum(1 for n in read if n) >= 10, "the hostile documents reached the entries, not only the first check"


@given(st.integers(min_value=1, max_value=12), st.sampled_from(["utf-8", "utf-16"]))
@settings(max_examples=20, deadline=None, database=None, derandomize=True)
def test_entity_declarations_are_refused_unread(depth, encoding):
    """Billion laughs at any depth, in any encoding: refused before expansion."""
    entities = "".join(f'<!ENTITY e{n} "{("&e" + str(n - 1) + ";") * 10 if n else "lol"}">' for n in range(depth))
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss><channel><title>&e{depth - 1};</title></channel></rss>'
    )
    with pytest.raises(UnsafeXML):
        parse_document(data.encode(encoding))


# --- JSON of any shape ---------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
FEED_KEYS = ["id", "url", "external_url", "title", "content_html", "content_text", "summary", "date_published",
             "date_modified", "language", "fields", "href", "name", "body-html", "date", "created"]  # fmt: skip


@st.composite
def feed_like_json(draw: st.DrawFn) -> bytes:
    item = st.dictionaries(st.sampled_from(FEED_KEYS), JSON_VALUES | st.sampled_from(PIECES), max_size=8)
    if draw(st.booleans()):
        payload = {"version": "https://jsonfeed.org/version/1.1", "title": draw(JSON_VALUES)}
        payload["items"] = draw(st.lists(item, max_size=5))
    else:
        payload = {
            "totalCount": draw(JSON_VALUES),
            "data": draw(st.lists(st.fixed_dictionaries({"fields": item}) | item, max_size=5)),
        }
    return json.dumps(payload).encode()


@FUZZ
@given(JSON_VALUES)
def test_any_json_is_read_or_refused_with_a_reason(value):
    survives(json.dumps(value).encode())


@FUZZ
@given(feed_like_json())
def test_json_feeds_and_reliefweb_pages_of_any_shape_are_read_or_refused(data):
    survives(data)


# --- the real corpus, damaged ---------------------------------------------------------------------------------


def corpus() -> list[bytes]:
    folder = shared_fixture("real/feeds-corpus")
    files = [*sorted(Path(folder).glob("*"))[:40], shared_fixture("real/gdacs-rss-2019-12-30.xml")]
    return [path.read_bytes() for path in files if path.stat().st_size < 400_000]


@st.composite
def damaged(draw: st.DrawFn, documents: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(documents)))
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        where = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        how = draw(st.sampled_from(["cut", "flip", "insert", "delete"]))
        if how == "cut":
            del data[where:]
        elif how == "flip" and data:
            data[where] = draw(st.integers(min_value=0, max_value=255))
        elif how == "insert":
            data[where:where] = draw(st.sampled_from(PIECES)).encode()
        elif data:
            del data[where : where + draw(st.integers(min_value=1, max_value=64))]
    return bytes(data)


@pytest.mark.slow
def test_real_feeds_cut_short_or_corrupted_are_read_or_refused_with_a_reason():
    documents = corpus()

    read: list[int] = []

    @settings(max_examples=120, deadline=None, database=None, derandomize=True)
    @given(damaged(documents))
    def run(data: bytes) -> None:
        outcome = survives(data)
        if not isinstance(outcome, ParseError):
            read.append(len(outcome.entries))  # type: ignore[attr-defined]

    run()
    assert sum(1 for n in read if n) >= 10, "damaged feeds were still read in part, and their entries cleaned"


# --- the pipeline on hostile bytes ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pipeline_records_every_hostile_document_without_an_internal_error():
    source = feed_source()

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.one_of(hostile_xml(), feed_like_json(), st.binary(max_size=512)))
    def run(data: bytes) -> None:
        outcome = ingest_bytes(source, data, label="fuzz")
        assert outcome.status in {"succeeded", "failed"}, outcome
        assert not outcome.error.startswith("internal error"), outcome.error
        for report in Report.objects.filter(source=source):
            assert "<script" not in report.summary_html.lower()
            assert report.url == "" or report.url.startswith(("http://", "https://"))

    run()


# --- what the fuzzing found ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_character_reference_to_a_surrogate_is_refused_and_quarantined_not_a_crash():
    """Found by the fuzzer: feedparser failed with UnicodeEncodeError on "&#xD800;", which left the parser as an
    "internal error" and lost the bytes. Now a refusal with the reason, and the document kept in quarantine."""
    from ingest.models import QuarantinedItem

    data = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>&#xD800;</title>'
        b"<link>https://news.example.org/a</link></item></channel></rss>"
    )
    with pytest.raises(ParseError, match="not a readable feed"):
        parse_document(data)
    outcome = ingest_bytes(feed_source(), data, label="surrogate")
    assert outcome.status == "failed" and not outcome.error.startswith("internal error"), outcome.error
    assert QuarantinedItem.objects.get().raw_size == len(data)
