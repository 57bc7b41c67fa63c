"""Bytes in, entries out: RSS 0.9x/1.0/2.0, Atom, JSON Feed and ReliefWeb API pages. Pure: no database, no network.

feedparser opens URLs and local paths when handed a string, so it is only ever handed bytes. Before it sees any,
the document's prolog is read by defusedxml's expat reader, which refuses entity declarations (the billion
laughs, external entities); reading stops at the root element, so the check costs the same for any size.
A document is refused, with the reason, when it is empty, is not a feed, stops before its root element closes
(truncated), or cannot be decoded as the encoding it declares; feedparser's tolerant reading of an otherwise
complete document (an undefined ``&nbsp;``, a stray control character) is kept, and said in ``warnings``.
"""

from __future__ import annotations

import codecs
import re
import xml.sax
from calendar import timegm
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.sax.handler import ContentHandler

import feedparser
import feedparser.api
import feedparser.mixin
import orjson
from defusedxml import DefusedXmlException
from defusedxml.expatreader import create_parser

from .cp1252 import CP1252_TABLE

FORMATS = ("auto", "feed", "reliefweb")

# feedparser reads well-formed XML through the SAX driver it finds first in this list; ours is expat with its text
# buffered, which reads the same a third faster (ingest.sax_driver says why). Set here, where feedparser is used.
feedparser.api.PREFERRED_XML_PARSERS[:] = ["ingest.sax_driver"]
# Its repair of Windows-1252 characters, with a table that gives the same text without an exception per character
# (ingest.cp1252 says why).
feedparser.mixin._cp1252 = CP1252_TABLE  # type: ignore[attr-defined]


class ParseError(Exception):
    """The document cannot be read; ``reason`` says why, in words an editor can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnsafeXML(ParseError):
    """The document declares XML entities (entity expansion or external entities): refused unread."""


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    external_id: str
    url: str
    title: str
    title_is_html: bool
    body_html: str  # the fullest body the entry has (content, else summary), unsanitised
    body_text: str  # a plain-text body when the source gives one instead of HTML
    published: datetime | None
    updated: datetime | None
    language: str  # the entry's own declaration (xml:lang, ReliefWeb's language field); "" when it makes none
    raw: bytes
    feed_language: str = ""  # the channel's declaration for all its entries
    # Who wrote it, as against the feed it came through: ReliefWeb names them, feeds do not (an RSS <source> or
    # dc:creator names a republished channel or a person, not an originating organisation, so none is read).
    organisations: tuple[str, ...] = ()  # each organisation's short name where given, else its name
    country_codes: tuple[str, ...] = ()  # ISO 3166 alpha-3 as the source gives them (the primary country first)
    disaster: str = ""  # the first disaster the source files it under
    glide: str = ""  # that disaster's GLIDE number


@dataclass(frozen=True)
class ParsedDocument:
    kind: str  # rss20, atom10, rss10, rss091u ..., jsonfeed, reliefweb
    title: str = ""
    link: str = ""
    language: str = ""
    entries: list[ParsedEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    total: int | None = None  # ReliefWeb: how many items match the query in all


# --- entry point ----------------------------------------------------------------------------------------------


def parse_document(data: bytes, *, format: str = "auto", content_type: str = "") -> ParsedDocument:
    """Read a feed or ReliefWeb page; raises ``ParseError`` (``UnsafeXML``) with the reason when it cannot."""
    if format not in FORMATS:
        raise ParseError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
    if not isinstance(data, bytes):
        raise TypeError("parse_document reads bytes; never a URL or a path")
    text_start = _skip_bom_and_space(data)
    if not text_start:
        raise ParseError("empty document: the source sent no content")
    first = text_start[:1]
    if first in (b"{", b"["):
        payload = _load_json(data)
        if _is_reliefweb(payload):
            if format == "feed":
                raise ParseError("a ReliefWeb API page, but the source is a feed (use --format reliefweb)")
            return parse_reliefweb(payload)
        if _is_json_feed(payload):
            if format == "reliefweb":
                raise ParseError("a JSON Feed, but ReliefWeb API JSON was expected")
            return parse_json_feed(payload)
        raise ParseError("JSON that is neither a JSON Feed nor a ReliefWeb API page (no 'items' or 'data' list)")
    if format == "reliefweb":
        raise ParseError("ReliefWeb API JSON was expected, but the document is not JSON")
    if first != b"<" and not data.startswith(_DOUBLE_BOM):
        raise ParseError(f"not a feed: neither XML nor JSON (it starts with {text_start[:20]!r})")
    return parse_xml_feed(data, content_type=content_type)


# --- XML feeds ------------------------------------------------------------------------------------------------

_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _skip_bom_and_space(data: bytes) -> bytes:
    for bom in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(_bom_codec(bom), errors="replace").lstrip().encode("utf-8")[:64]
            except LookupError:  # pragma: no cover - every BOM above has a codec
                return data[len(bom) :].lstrip()[:64]
    if data[:2] in (b"\x00<", b"<\x00"):  # UTF-16 without a BOM
        return data.decode("utf-16-be" if data[0] == 0 else "utf-16-le", errors="replace").lstrip().encode()[:64]
    return data.lstrip()[:64]


def _bom_codec(bom: bytes) -> str:
    return {
        codecs.BOM_UTF8: "utf-8-sig",
        codecs.BOM_UTF16_LE: "utf-16",
        codecs.BOM_UTF16_BE: "utf-16",
        codecs.BOM_UTF32_LE: "utf-32",
        codecs.BOM_UTF32_BE: "utf-32",
    }[bom]


class _RootReached(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


class _StopAtRoot(ContentHandler):
    def startElement(self, name: str, attrs: Any) -> None:
        raise _RootReached(name)


_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<([A-Za-z_][\w.:-]*)")


def _text_for_scanning(data: bytes) -> bytes:
    """The document as UTF-8 bytes when it is in a UTF-16/32 form; ASCII-compatible documents as they are."""
    for bom in _BOMS:
        if data.startswith(bom) and bom != codecs.BOM_UTF8:
            return data.decode(_bom_codec(bom), errors="replace").encode("utf-8")
    if data[:2] in (b"\x00<", b"<\x00"):
        return data.decode("utf-16-be" if data[0] == 0 else "utf-16-le", errors="replace").encode("utf-8")
    return data


def check_xml_prolog(data: bytes) -> str:
    """Refuse entity declarations before anything expands them; returns the root element's name ("" if unseen).

    defusedxml's expat reader raises on the first ``<!ENTITY``; reading stops at the root element, the earliest
    point where the document could no longer declare one. A prolog too broken for expat is scanned as bytes.
    """
    # A DOCTYPE that names an external DTD (RSS 0.91's Netscape one) is allowed: nothing here or in feedparser
    # ever loads it (xml.sax's external general entities feature is off). Declaring any entity is refused.
    parser = create_parser(forbid_dtd=False, forbid_entities=True, forbid_external=False)
    parser.setContentHandler(_StopAtRoot())
    try:
        parser.feed(data)
        parser.close()
    except _RootReached as reached:
        return reached.name
    except DefusedXmlException as exc:
        raise UnsafeXML(
            f"refused: the document declares XML entities ({type(exc).__name__}); entity expansion and "
            "external entities are never processed"
        ) from exc
    except (xml.sax.SAXException, ValueError, LookupError):
        pass  # not well-formed before the root: decide from the bytes below, then let feedparser try
    scanned = _text_for_scanning(data)
    root = _FIRST_ELEMENT.search(scanned)
    prolog = scanned[: root.start()] if root else scanned
    if _ENTITY_DECLARATION.search(prolog):
        raise UnsafeXML("refused: the document declares XML entities; entity expansion is never processed")
    return root.group(1).decode("ascii", errors="replace") if root else ""


class RefusedEncoding(ParseError):
    """The document is in an encoding that could hide markup from the entity check: refused unread."""


_XML_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_UNICODE_WIDE_BOMS = {
    codecs.BOM_UTF32_LE: "utf-32",
    codecs.BOM_UTF32_BE: "utf-32",
    codecs.BOM_UTF16_LE: "utf-16",
    codecs.BOM_UTF16_BE: "utf-16",
}


def _ascii_compatible(codec: codecs.CodecInfo) -> bool:
    """Every ASCII byte reads as itself, alone, and the codec keeps no state that a byte could switch (UTF-7's
    "+...-", ISO-2022's escapes, HZ's "~{"): only then does a scan of the bytes see the markup a parser will see."""
    if codec.name == "utf-7" or codec.name.startswith(("iso2022", "hz")):
        return False
    try:
        return all(bytes([byte]).decode(codec.name) == chr(byte) for byte in range(0x80))
    except (UnicodeDecodeError, ValueError, LookupError):
        return False


def check_encoding(data: bytes, *, content_type: str = "") -> None:
    """Refuse a document whose encoding, from the HTTP charset, the XML declaration or a byte-order mark, is not
    ASCII-compatible (UTF-7 hid ``<!ENTITY`` as ``+ADw-!ENTITY`` from the prolog check, and feedparser then
    expanded it), except UTF-16 and UTF-32 that begin with their byte-order mark; feedparser decodes those by it."""
    wide = next((name for bom, name in _UNICODE_WIDE_BOMS.items() if data.startswith(bom)), "")
    if wide:
        head = data[:512].decode(wide, errors="replace").encode("utf-8")
    elif data[:4].count(0) >= 1:
        raise RefusedEncoding(
            "refused: the document looks like UTF-16 or UTF-32 without a byte-order mark; only those with one are read"
        )
    else:
        head = data[3:512] if data.startswith(codecs.BOM_UTF8) else data[:512]
    declared = []
    charset = _CHARSET.search(content_type or "")
    if charset:
        declared.append(("the Content-Type charset", charset.group(1)))
    in_xml = _XML_DECLARED_ENCODING.search(head.lstrip())
    if in_xml:
        declared.append(("the XML declaration", in_xml.group(1).decode("ascii")))
    for where, name in declared:
        try:
            codec = codecs.lookup(name)
        except LookupError:
            continue  # an unknown name: feedparser refuses it ("wrongly encoded")
        if codec.name.startswith(("utf-16", "utf-32")):
            if wide:
                continue
            raise RefusedEncoding(
                f"refused: {where} says {name}, but the document has no byte-order mark; UTF-16 and UTF-32 "
                "documents are read only with one"
            )
        if not _ascii_compatible(codec):
            raise RefusedEncoding(
                f"refused: {where} says {name}, an encoding that is not ASCII-compatible and could hide markup "
                "(entity declarations) from the safety check"
            )


def _check_complete(data: bytes, root: str) -> None:
    """A truncated document is refused whole: its last entry would be half there."""
    if not root:
        raise ParseError("not a feed: no XML element found")
    scanned = _text_for_scanning(data)
    if f"</{root}".encode() not in scanned:
        raise ParseError(f"truncated: the document ends before its root element <{root}> is closed")


_ITEM_START = re.compile(rb"<((?:[\w.-]+:)?(?:item|entry))(?:\s[^>]*)?>")
_TOLERATED = (
    "undefined entity",  # &nbsp; and friends, declared in HTML but not in XML
    "junk after document element",  # a script or comment appended after the feed by a proxy
)
# Damage to the document's structure: a tolerant reading would guess where entries begin and end, so the
# document is refused. Lexical damage (a stray control character, a bare "&") leaves the structure as it was.
_STRUCTURAL = ("mismatched tag", "unclosed token", "no element found", "unbound prefix", "duplicate attribute")
# A UTF-8 byte-order mark encoded a second time, as UTF-8 text of Latin-1 "ï»¿": seen in real feeds.
_DOUBLE_BOM = codecs.BOM_UTF8.decode("latin-1").encode("utf-8")


def _struct_to_datetime(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(timegm(value), tz=UTC)
    except (OverflowError, ValueError, TypeError, OSError):
        return None


def parse_xml_feed(data: bytes, *, content_type: str = "") -> ParsedDocument:
    warnings: list[str] = []
    if data.startswith(_DOUBLE_BOM):
        data = data[len(_DOUBLE_BOM) :]
        warnings.append("removed a byte-order mark that had been encoded twice")
    check_encoding(data, content_type=content_type)
    root = check_xml_prolog(data)
    _check_complete(data, root)
    headers = {"content-type": content_type} if content_type else {}
    # Our own sanitiser (nh3) runs later; feedparser's is three times slower and would run first for nothing.
    try:
        result = feedparser.parse(data, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    except (UnicodeError, ValueError, OverflowError) as exc:
        # feedparser's lenient reader gives up on some lexical damage (a character reference to a surrogate,
        # "&#xD800;", fails to encode): refused with the reason, so the bytes are quarantined, never a crash.
        raise ParseError(f"not a readable feed: {type(exc).__name__}: {exc}") from exc
    if result.get("bozo"):
        problem = result.get("bozo_exception")
        name = type(problem).__name__
        if name == "CharacterEncodingOverride":
            if (result.get("encoding") or "").lower().replace("_", "-") not in {"utf-8", "utf8"}:
                raise ParseError(f"wrongly encoded: {problem}; the text would be garbled")
            warnings.append(f"encoding: {problem}")
        elif name == "CharacterEncodingUnknown":
            raise ParseError(f"wrongly encoded: {problem}")
        elif name == "NonXMLContentType":
            warnings.append(str(problem))
        elif not result.entries:
            raise ParseError(f"not a readable feed: {problem}")
        elif any(words in str(problem) for words in _STRUCTURAL):
            raise ParseError(f"malformed XML: {problem}; refused rather than guessing where its entries end")
        else:
            message = str(problem)
            tolerated = any(words in message for words in _TOLERATED)
            warnings.append(f"{'tolerated' if tolerated else 'recovered from malformed XML'}: {message}")
    version = result.get("version") or ""
    if not version:
        looks_html = root.lower() == "html"
        raise ParseError("not a feed: an HTML page" if looks_html else f"not a feed: root element <{root}>")
    raw_items = _raw_items(data, result, len(result.entries))
    feed = result.get("feed", {})
    doc_language = str(feed.get("language") or "")
    entries = [_entry_from_feedparser(e, raw_items[i], doc_language) for i, e in enumerate(result.entries)]
    return ParsedDocument(
        kind=version,
        title=str(feed.get("title") or ""),
        link=str(feed.get("link") or ""),
        language=doc_language,
        entries=entries,
        warnings=warnings,
    )


def _raw_items(data: bytes, result: Any, count: int) -> list[bytes]:
    """Each entry's bytes as served, when they can be cut out one for one; else feedparser's reading of them."""
    encoding = (result.get("encoding") or "utf-8").lower()
    found = [] if encoding.startswith(("utf-16", "utf-32")) else _cut_items(data, count)
    if len(found) == count:
        if encoding not in {"utf-8", "utf8", "us-ascii", "ascii"}:
            try:
                return [item.decode(encoding, errors="replace").encode("utf-8") for item in found]
            except LookupError:
                return found
        return found
    return [orjson.dumps(entry, default=str, option=orjson.OPT_SORT_KEYS) for entry in result.entries]


def _cut_items(data: bytes, count: int) -> list[bytes]:
    """Each <item>/<entry> element as bytes, in one pass (each search starts where the last item ended)."""
    found: list[bytes] = []
    position = 0
    while len(found) <= count:
        start = _ITEM_START.search(data, position)
        if start is None:
            break
        # The element's own closing tag, not a longer name that begins like it (</itemCount>).
        close = re.compile(rb"</" + re.escape(start.group(1)) + rb"\s*>").search(data, start.end())
        if close is None:
            return []  # an item that never closes: the cut would be a guess
        found.append(data[start.start() : close.end()])
        position = close.end()
    return found


def _entry_from_feedparser(entry: Any, raw: bytes, doc_language: str) -> ParsedEntry:
    contents = entry.get("content") or []
    body = max((c.get("value") or "" for c in contents), key=len, default="")
    summary = entry.get("summary") or ""
    if len(summary) > len(body):
        body = summary
    title_detail = entry.get("title_detail") or {}
    link = entry.get("link") or ""
    if not link:
        for candidate in entry.get("links") or []:
            if candidate.get("href") and candidate.get("rel", "alternate") in {"alternate", "enclosure"}:
                link = candidate["href"]
                break
    # feedparser hands an Atom feed's xml:lang down to every entry: the same as the channel's is no word of its own.
    language = title_detail.get("language") or (contents[0].get("language") if contents else "") or ""
    if language == doc_language:
        language = ""
    return ParsedEntry(
        external_id=str(entry.get("id") or ""),
        url=str(link),
        title=str(entry.get("title") or ""),
        title_is_html="html" in (title_detail.get("type") or "text/html"),
        body_html=str(body),
        body_text="",
        published=_struct_to_datetime(entry.get("published_parsed")),
        # dict.get: feedparser's own get() maps a missing updated_parsed to published_parsed, with a warning.
        updated=_struct_to_datetime(dict.get(entry, "updated_parsed")),
        language=str(language or ""),
        raw=raw,
        feed_language=doc_language,
    )


# --- JSON -----------------------------------------------------------------------------------------------------


def _load_json(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ParseError(f"malformed JSON: {exc}") from exc


def _is_json_feed(payload: Any) -> bool:
    return (
        isinstance(payload, dict)
        and str(payload.get("version", "")).startswith("https://jsonfeed.org/version/")
        and isinstance(payload.get("items"), list)
    )


def _is_reliefweb(payload: Any) -> bool:
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        return False
    return all(isinstance(item, dict) and isinstance(item.get("fields"), dict) for item in payload["data"])


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 / ISO 8601 time as an aware datetime (UTC assumed when it names no zone); None if unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _raw(item: Any) -> bytes:
    return orjson.dumps(item, option=orjson.OPT_SORT_KEYS)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def parse_json_feed(payload: dict[str, Any]) -> ParsedDocument:
    language = _text(payload.get("language"))
    entries = []
    for item in payload["items"]:
        if not isinstance(item, dict):
            raise ParseError("malformed JSON Feed: an item is not an object")
        entries.append(
            ParsedEntry(
                external_id=_text(item.get("id")),
                url=_text(item.get("url") or item.get("external_url")),
                title=_text(item.get("title")),
                title_is_html=False,
                body_html=_text(item.get("content_html")),
                body_text="" if item.get("content_html") else _text(item.get("content_text") or item.get("summary")),
                published=parse_time(item.get("date_published")),
                updated=parse_time(item.get("date_modified")),
                language=_text(item.get("language")),
                raw=_raw(item),
                feed_language=language,
            )
        )
    return ParsedDocument(
        kind="jsonfeed",
        title=_text(payload.get("title")),
        link=_text(payload.get("home_page_url")),
        language=language,
        entries=entries,
    )


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The objects of a ReliefWeb list field (one object alone counts as a list of one); anything else is skipped."""
    if isinstance(value, dict):
        return [value]
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _reliefweb_origin(fields: dict[str, Any]) -> dict[str, Any]:
    """Originating organisations, countries, disaster and GLIDE number of a ReliefWeb item, as given.

    A ``reports`` item names its sources (``source[]``: name, shortname), countries (``primary_country``,
    ``country[]``: iso3) and disasters (``disaster[]``: name, glide). A ``disasters`` item (the API's other list,
    read the same way) is itself the disaster: its own name and ``glide``.
    """
    organisations = [
        _text(source.get("shortname")).strip() or _text(source.get("name")).strip()
        for source in _dicts(fields.get("source"))
    ]
    countries = [_text(country.get("iso3")) for country in _dicts(fields.get("primary_country"))]
    countries += [_text(country.get("iso3")) for country in _dicts(fields.get("country"))]
    disasters = _dicts(fields.get("disaster"))
    if disasters:
        disaster, glide = _text(disasters[0].get("name")), _text(disasters[0].get("glide"))
    elif isinstance(fields.get("glide"), str):
        disaster, glide = _text(fields.get("name")), fields["glide"]
    else:
        disaster, glide = "", ""
    return {
        "organisations": tuple(name for name in organisations if name),
        "country_codes": tuple(code for code in countries if code),
        "disaster": disaster,
        "glide": glide,
    }


def parse_reliefweb(payload: dict[str, Any]) -> ParsedDocument:
    """A page of the ReliefWeb v2 ``reports`` API: ``data[].fields`` with title, body(-html), url, date, ..."""
    entries = []
    for item in payload["data"]:
        fields = item["fields"]
        dates = fields.get("date") if isinstance(fields.get("date"), dict) else {}
        languages = fields.get("language") if isinstance(fields.get("language"), list) else []
        language = next((_text(lang.get("code")) for lang in languages if isinstance(lang, dict)), "")
        body_html = _text(fields.get("body-html"))
        entries.append(
            ParsedEntry(
                external_id=_text(item.get("id") or fields.get("id")),
                url=_text(fields.get("url_alias") or fields.get("url") or item.get("href")),
                title=_text(fields.get("title") or fields.get("name")),
                title_is_html=False,
                body_html=body_html,
                body_text="" if body_html else _text(fields.get("body") or fields.get("description")),
                published=parse_time(dates.get("original")) or parse_time(dates.get("created")),
                updated=parse_time(dates.get("changed")),
                language=language,
                raw=_raw(item),
                **_reliefweb_origin(fields),
            )
        )
    total = payload.get("totalCount")
    return ParsedDocument(
        kind="reliefweb",
        title=_text(payload.get("href")),
        entries=entries,
        total=total if isinstance(total, int) else None,
    )
