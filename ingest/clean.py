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


# Part of every fingerprint: change it when cleaning changes what is stored, and every entry is stored once more.
CLEANING_VERSION = "1"


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def identify(entry: ParsedEntry, *, base_url: str = "") -> tuple[str, str]:
    """(identity, fingerprint) of an entry, cheaply: no HTML is read unless the entry has neither id nor link.

    The identity is what makes it the same item (its id, else its canonical URL, else its content); the
    fingerprint covers everything the entry is stored from, so an equal one means storing it again changes
    nothing and it need not even be cleaned.
    """
    external_id = _plain(entry.external_id).strip()[:500]
    if external_id:
        identity = f"id:{external_id}"
    else:
        canonical = canonical_url(_absolute(entry.url, base_url))
        if canonical:
            identity = f"url:{canonical}"
        else:
            title, text = _title(entry), _text(entry)
            identity = f"hash:{content_hash(title, text)}"
    digest = hashlib.sha256(
        orjson.dumps(
            [
                CLEANING_VERSION,
                base_url,
                entry.external_id,
                entry.url,
                entry.title,
                entry.title_is_html,
                entry.body_html,
                entry.body_text,
                _iso(entry.published),
                _iso(entry.updated),
                entry.language,
            ]
        )
    )
    digest.update(entry.raw)
    return hashlib.sha256(identity.encode("utf-8")).hexdigest(), digest.hexdigest()


def _title(entry: ParsedEntry) -> str:
    title = _plain(entry.title)
    return _SPACE.sub(" ", html_to_text(title) if entry.title_is_html else title).strip()


def _text(entry: ParsedEntry) -> str:
    body_html = _plain(entry.body_html)
    return html_to_text(body_html) if body_html else _plain(entry.body_text).strip()


def clean_entry(
    entry: ParsedEntry, *, base_url: str = "", max_bytes: int, identified: tuple[str, str] | None = None
) -> CleanEntry:
    """Normalise one entry; raises ``Rejected`` when it cannot become a report.

    ``identified``: what ``identify(entry, base_url=base_url)`` returned, when the caller has it already.
    """
    if len(entry.raw) > max_bytes:
        raise Rejected(f"entry of {len(entry.raw):,} bytes exceeds the {max_bytes:,}-byte cap")
    title = _title(entry)
    url = _absolute(entry.url, base_url)
    if not title and not url:
        raise Rejected("no title and no link: nothing to show an editor or to find it by")
    identity, fingerprint = identified or identify(entry, base_url=base_url)
    return CleanEntry(
        external_id=_plain(entry.external_id).strip()[:500],
        url=url,
        canonical_url=canonical_url(url),
        title=title,
        summary_html=_plain(entry.body_html),
        text=_text(entry),
        published_at=entry.published or entry.updated,
        language=_plain(entry.language).strip()[:12],
        raw=_plain(entry.raw.decode("utf-8", errors="replace")),
        identity=identity,
        fingerprint=fingerprint,
    )
