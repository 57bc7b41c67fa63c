"""Pure text rules shared by every way a report enters the tracker: sanitising, canonical URLs, content hashes."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3

# Query parameters that identify a campaign or a click, not a document.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ocid",
        "cmpid",
        "s_cid",
        "ref_src",
        "ref_url",
        "smid",
        "sr_share",
    }
)
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")

ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "cite",
        "code",
        "dd",
        "del",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}


def sanitize_html(fragment: str) -> str:
    """HTML safe to show: no scripts, styles, event handlers, images or non-http(s) links.

    Images are dropped on purpose: an ingested ``<img>`` would make every reader's browser call the publisher.
    """
    return nh3.clean(
        fragment or "",
        tags=set(ALLOWED_TAGS),
        clean_content_tags={
            "script",
            "style",
            "svg",
            "math",
            "iframe",
            "object",
            "embed",
            "template",
            "noscript",
        },
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace collapsed; for search and phrase matching."""
    without_tags = nh3.clean(
        re.sub(r"(?i)<\s*(br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", "\n", fragment or ""),
        tags=set(),
        clean_content_tags={
            "script",
            "style",
            "svg",
            "math",
            "iframe",
            "object",
            "embed",
            "template",
            "noscript",
        },
    )
    text = html.unescape(without_tags)
    # str.split() splits on the same whitespace as the regex \s+, in C: each line's runs become one space.
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def canonical_url(url: str) -> str:
    """The URL that identifies a document: lower-case scheme and host, no default port, no fragment, no
    tracking parameters, remaining parameters sorted. Anything that is not http(s) yields ``""``."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        return ""
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in TRACKING_PARAMS and not key.lower().startswith(TRACKING_PREFIXES)
    )
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(query, doseq=True), ""))


def normalise_for_hash(text: str) -> str:
    """Case and compatibility forms folded, whitespace runs made one space (``str.split``, as ``\\s+`` does)."""
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def content_hash(title: str, text: str) -> str:
    """SHA-256 of the normalised title and text: the same story told twice hashes the same."""
    payload = f"{normalise_for_hash(title)}\n{normalise_for_hash(text)}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# A cell starting with one of these is a formula to spreadsheet programs (CSV injection); ingested and typed text is
# not to be trusted.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse_formula(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet runs: a leading apostrophe before a formula's first character."""
    return "'" + text if text.startswith(_FORMULA_START) else text
