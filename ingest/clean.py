"""A parsed entry made ready to store: plain text kept, links made absolute and canonical, times aware. Pure.

HTML is sanitised by ``tracker.services.report_store`` (nh3) when the report is stored; here it is only read
for its plain text, which is what search and the link matcher use.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import orjson

from tracker.text import canonical_url, content_hash, html_to_text

from .parse import ParsedEntry

# C0 controls other than tab, line feed and carriage return: PostgreSQL refuses NUL, and none of them is text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


class Rejected(Exception):
    """The entry cannot be stored; it goes to quarantine with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CleanEntry:
    external_id: str
    url: str
    canonical_url: str
    title: str
    summary_html: str  # sanitised when stored
    text: str
    published_at: datetime | None  # None: the source gave no date; the fetch time stands in, flagged
    language: str
    raw: str
    identity: str  # SHA-256 of what makes it the same item: its id, else its canonical URL, else its content
    fingerprint: str  # SHA-256 of everything it is stored from: equal means storing it again changes nothing


def _plain(value: str) -> str:
    return _CONTROL.sub("", value or "")


def _absolute(url: str, base: str) -> str:
    url = _plain(url).strip()
    if not url:
        return ""
    if not urlsplit(url).scheme and base:
        url = urljoin(base, url)
    return url if canonical_url(url) else ""  # javascript:, mailto:, data: ... are not links to a report


def clean_entry(entry: ParsedEntry, *, base_url: str = "", max_bytes: int) -> CleanEntry:
    """Normalise one entry; raises ``Rejected`` when it cannot become a report."""
    if len(entry.raw) > max_bytes:
        raise Rejected(f"entry of {len(entry.raw):,} bytes exceeds the {max_bytes:,}-byte cap")
    title_source = _plain(entry.title)
    title = html_to_text(title_source) if entry.title_is_html else title_source
    title = _SPACE.sub(" ", title).strip()
    url = _absolute(entry.url, base_url)
    if not title and not url:
        raise Rejected("no title and no link: nothing to show an editor or to find it by")
    body_html = _plain(entry.body_html)
    text = html_to_text(body_html) if body_html else _plain(entry.body_text).strip()
    external_id = _plain(entry.external_id).strip()[:500]
    canonical = canonical_url(url)
    published = entry.published or entry.updated
    raw = _plain(entry.raw.decode("utf-8", errors="replace"))
    if external_id:
        identity = f"id:{external_id}"
    elif canonical:
        identity = f"url:{canonical}"
    else:
        identity = f"hash:{content_hash(title, text)}"
    language = _plain(entry.language).strip()[:12]
    fingerprint = hashlib.sha256(
        orjson.dumps(
            [external_id, url, title, body_html, text, published.isoformat() if published else "", language, raw]
        )
    ).hexdigest()
    return CleanEntry(
        external_id=external_id,
        url=url,
        canonical_url=canonical,
        title=title,
        summary_html=body_html,
        text=text,
        published_at=published,
        language=language,
        raw=raw,
        identity=hashlib.sha256(identity.encode("utf-8")).hexdigest(),
        fingerprint=fingerprint,
    )
