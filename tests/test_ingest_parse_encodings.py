"""Encodings that can hide markup from the entity check are refused (issue 14, finding 5): a feed served as UTF-7
carried ``+ADw-!ENTITY`` past the prolog check, and feedparser then expanded the declared entity into a title.
ASCII-compatible encodings are read, and UTF-16 and UTF-32 when they begin with their byte-order mark."""

from __future__ import annotations

import base64
import codecs

import pytest

from ingest.parse import ParseError, RefusedEncoding, UnsafeXML, parse_document


def utf7_block(text: str) -> bytes:
    """Every character of ``text`` in UTF-7's base64 form, as a hostile server would write it."""
    return b"+" + base64.b64encode(text.encode("utf-16-be")).rstrip(b"=") + b"-"


DOCTYPE = '<!DOCTYPE rss [\n<!ENTITY x "SMUGGLED">\n]>'
BODY = (
    b'\n<rss version="2.0"><channel><title>t</title><item><title>&x;</title>'
    b"<link>https://news.example.org/1</link></item></channel></rss>"
)
UTF7_SMUGGLER = b'<?xml version="1.0" encoding="utf-7"?>\n' + utf7_block(DOCTYPE) + BODY
PLAIN = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Rafah café</title>'
    "<link>https://news.example.org/1</link></item></channel></rss>"
)


def titles(data: bytes, content_type: str = "") -> list[str]:
    return [entry.title for entry in parse_document(data, content_type=content_type).entries]


@pytest.mark.parametrize("content_type", ["", "application/rss+xml; charset=utf-7", "text/xml; charset=UTF-7"])
def test_the_utf7_entity_smuggler_is_refused_and_nothing_is_expanded(content_type):
    with pytest.raises(RefusedEncoding, match=r"(?i)utf-7"):
        parse_document(UTF7_SMUGGLER, content_type=content_type)


def test_utf7_named_only_in_the_http_charset_is_refused():
    data = b'<?xml version="1.0"?>\n' + utf7_block(DOCTYPE) + BODY
    with pytest.raises(RefusedEncoding, match="Content-Type"):
        parse_document(data, content_type="application/xml; charset=utf-7")


@pytest.mark.parametrize("name", ["iso-2022-jp", "hz", "cp037", "utf-7"])
def test_encodings_that_are_not_ascii_compatible_are_refused(name):
    data = PLAIN.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{name}"?>').encode("ascii", "replace")
    with pytest.raises(RefusedEncoding):
        parse_document(data)


@pytest.mark.parametrize("name", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_utf16_and_utf32_without_a_byte_order_mark_are_refused(name):
    with pytest.raises(RefusedEncoding, match="byte-order mark"):
        parse_document(PLAIN.encode(name))


def test_utf16_declared_in_the_charset_of_a_bomless_ascii_document_is_refused():
    with pytest.raises(RefusedEncoding):
        parse_document(PLAIN.encode("utf-8"), content_type="text/xml; charset=utf-16")


@pytest.mark.parametrize("name", ["utf-16", "utf-32"])  # Python writes the byte-order mark for these
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(name):
    data = PLAIN.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{name}"?>')
    assert titles(data.encode(name)) == ["Rafah café"]


@pytest.mark.parametrize("name", ["utf-8", "iso-8859-1", "windows-1252", "shift_jis", "euc-jp", "koi8-r"])
def test_ascii_compatible_encodings_are_read(name):
    data = PLAIN.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{name}"?>')
    assert titles(data.encode(name, errors="replace"))[0].startswith("Rafah caf")


def test_entity_declarations_in_utf16_with_a_bom_are_still_refused():
    data = ('<?xml version="1.0" encoding="utf-16"?>' + DOCTYPE + BODY.decode()).encode("utf-16")
    with pytest.raises(UnsafeXML):
        parse_document(data)


def test_a_utf8_bom_with_utf7_declared_is_refused():
    with pytest.raises(ParseError):
        parse_document(codecs.BOM_UTF8 + UTF7_SMUGGLER)
