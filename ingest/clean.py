"""A parsed entry made ready to store: plain text kept, links made absolute and canonical, times aware, its language
read from its own text (``ingest.language``), who wrote it tidied. Pure.

HTML is sanitised by ``tracker.services.report_store`` (nh3) when the report is stored; here it is only read
for its plain text, which is what search and the link matcher use.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import orjson

from tracker.services.reports import (
    MAX_COUNTRIES,
    MAX_DISASTER_CHARS,
    MAX_GLIDE_CHARS,
    MAX_ORGANISATION_CHARS,
    MAX_ORGANISATIONS,
    published_at_problem,
)
from tracker.text import canonical_url, content_hash, html_to_text

from .language import detect_language
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
    organisations: tuple[str, ...] = ()
    country_codes: tuple[str, ...] = ()  # upper-case ISO 3166 alpha-3, each once
    disaster: str = ""
    glide: str = ""


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
# 2: the language read from the item's own text; ReliefWeb's organisations, countries, disaster and GLIDE kept.
CLEANING_VERSION = "2"
_ALPHA3 = re.compile(r"[A-Z]{3}")


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
                entry.feed_language,
                entry.organisations,
                entry.country_codes,
                entry.disaster,
                entry.glide,
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
    published_at = entry.published or entry.updated
    if published_at is not None:
        aware = published_at if published_at.tzinfo is not None else published_at.replace(tzinfo=UTC)
        problem = published_at_problem(aware)
        if problem:
            raise Rejected(f"unusable {problem}")
    identity, fingerprint = identified or identify(entry, base_url=base_url)
    text = _text(entry)
    language = detect_language(
        title, text, declared=_plain(entry.language).strip()[:12], channel=_plain(entry.feed_language).strip()[:12]
    )
    return CleanEntry(
        external_id=_plain(entry.external_id).strip()[:500],
        url=url,
        canonical_url=canonical_url(url),
        title=title,
        summary_html=_plain(entry.body_html),
        text=text,
        published_at=published_at,
        language=language[:12],
        raw=_plain(entry.raw.decode("utf-8", errors="replace")),
        identity=identity,
        fingerprint=fingerprint,
        organisations=_names(entry.organisations, MAX_ORGANISATION_CHARS)[:MAX_ORGANISATIONS],
        country_codes=country_codes(entry.country_codes)[:MAX_COUNTRIES],
        disaster=_line(entry.disaster)[:MAX_DISASTER_CHARS],
        glide=_line(entry.glide)[:MAX_GLIDE_CHARS],
    )


def _line(value: str) -> str:
    return _SPACE.sub(" ", _plain(value)).strip()


def _names(values: tuple[str, ...], max_chars: int) -> tuple[str, ...]:
    """Each name on one line, cut to ``max_chars``, each once, in the source's order; empty ones dropped."""
    names = (_line(value)[:max_chars] for value in values)
    return tuple(dict.fromkeys(name for name in names if name))


def country_codes(values: tuple[str, ...]) -> tuple[str, ...]:
    """Upper-case ISO 3166 alpha-3 codes, each once, in the source's order; anything not three letters dropped."""
    codes = (value.strip().upper() for value in values)
    return tuple(dict.fromkeys(code for code in codes if _ALPHA3.fullmatch(code)))
