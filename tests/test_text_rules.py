"""Sanitising, canonical URLs and content hashes: the pure rules every report passes through."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pytest

from tracker.text import canonical_url, content_hash, html_to_text, sanitize_html


@pytest.mark.parametrize(
    "dirty",
    [
        "<script>alert(1)</script><p>ok</p>",
        '<p onclick="alert(1)">ok</p>',
        '<a href="javascript:alert(1)">ok</a>',
        '<svg onload="alert(1)"><script>alert(1)</script></svg><p>ok</p>',
        "<img src=x onerror=alert(1)><p>ok</p>",
        '<iframe src="https://evil.example"></iframe><p>ok</p>',
        '<p style="background:url(javascript:alert(1))">ok</p>',
    ],
)
def test_sanitised_html_keeps_no_script(dirty):
    clean = sanitize_html(dirty).lower()
    for bad in ["<script", "onclick", "onerror", "onload", "javascript:", "<svg", "<img", "<iframe", "style="]:
        assert bad not in clean
    assert "ok" in clean


def test_links_survive_sanitising_and_gain_safe_rel():
    clean = sanitize_html('<a href="https://reliefweb.int/r/1">report</a>')
    assert 'href="https://reliefweb.int/r/1"' in clean and "noopener" in clean


def test_plain_text_drops_markup_and_keeps_words():
    assert (
        html_to_text("<p>Rafah&nbsp;crossing <b>closed</b></p><p>Aid waits</p>") == "Rafah crossing closed\nAid waits"
    )


@pytest.mark.parametrize(
    "url,expected",
    [
        ("HTTPS://Example.ORG:443/a?utm_source=x&b=2&a=1#frag", "https://example.org/a?a=1&b=2"),
        ("http://example.org", "http://example.org/"),
        ("https://example.org/a?fbclid=abc", "https://example.org/a"),
        ("javascript:alert(1)", ""),
        ("ftp://example.org/file", ""),
        ("", ""),
        ("https://[::1", ""),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_content_hash_ignores_case_and_spacing_but_not_words():
    assert content_hash("Rafah  closed", "Aid\nwaits") == content_hash("rafah closed", "aid waits")
    assert content_hash("Rafah closed", "Aid waits") != content_hash("Rafah open", "Aid waits")


def test_content_hash_is_stable_across_every_kind_of_whitespace():
    """Stored hashes decide deduplication against reports already held: the spacing rule must not drift.

    Every character of the Basic Multilingual Plane, between words and around them, is folded as the regex
    ``\\s+`` folds it (the rule the first million hashes were computed with).
    """
    whitespace = re.compile(r"\s+")
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        c = chr(code)
        text = f"{c}Rafah{c}{c}crossing{c}"
        normalised = unicodedata.normalize("NFKC", text).casefold()
        expected = f"title\n{whitespace.sub(' ', normalised).strip()}"
        assert content_hash("Title", text) == hashlib.sha256(expected.encode()).hexdigest(), hex(code)


def test_plain_text_lines_collapse_whitespace_as_before():
    text = "<p>\u00a0Rafah\u2009 crossing\t\tclosed </p>\u3000<br>\x0b<div>aid\u2028waits</div>"
    assert html_to_text(text) == "Rafah crossing closed\naid\nwaits"
