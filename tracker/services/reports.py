"""Writes about reports and the status suggestions they raise.

``report_store`` holds the deduplication rule, so a report entered by hand in the admin and one ingested from a
feed are judged the same way.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext

from ..models import (
    AidDispute,
    Crisis,
    Crossing,
    CrossingStatus,
    EvacuationAgreement,
    Report,
    Source,
)
from ..text import canonical_url, content_hash, html_to_text, sanitize_html
from ._common import (
    INSERT_ROWS_PER_STATEMENT,
    history_bulk_create,
    insert_new_rows,
    now_or,
    require_aware,
    set_history_user,
)


@dataclass(frozen=True)
class StoreResult:
    report: Report
    outcome: str  # "new", "updated", "unchanged" or "duplicate"


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One item as a source gave it, before the rules below make it a report (``report_store_many`` takes these)."""

    title: str
    url: str = ""
    external_id: str = ""
    summary_html: str = ""
    text: str = ""
    published_at: datetime | None = None
    language: str = ""
    raw: str = ""
    # Who wrote it (ReliefWeb names them; feeds do not): organisations' short names, ISO 3166 alpha-3 codes, the
    # disaster the source files it under and its GLIDE number.
    organisations: Sequence[str] = ()
    country_codes: Sequence[str] = ()
    disaster: str = ""
    glide: str = ""


# What a report keeps of who wrote it; longer values are cut, more items than this dropped.
MAX_ORGANISATIONS = 20
MAX_ORGANISATION_CHARS = 200
MAX_COUNTRIES = 50
MAX_DISASTER_CHARS = 300  # Report.disaster's max_length
MAX_GLIDE_CHARS = 40  # Report.glide's max_length
# A report's date must fall in this window (issue 14): a feed dated 9999 (or year 1, or one that overflows when
# moved to UTC) is refused here and quarantined by ingestion, never stored to break the admin's date hierarchy
# (datetime cannot reach the year after 9999) or the pages' arithmetic.
EARLIEST_PUBLISHED_AT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_PUBLISHED_AT = datetime(2200, 1, 1, tzinfo=UTC)


def published_at_problem(moment: datetime) -> str:
    """Why a report cannot carry this date, or "" when it can."""
    try:
        in_utc = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return gettext("date %(date)s cannot be expressed in UTC") % {"date": moment.isoformat()}
    if not EARLIEST_PUBLISHED_AT <= in_utc < LATEST_PUBLISHED_AT:
        return gettext("date %(date)s is outside %(first)s-%(last)s; no report is dated so") % {
            "date": moment.isoformat(),
            "first": EARLIEST_PUBLISHED_AT.year,
            "last": LATEST_PUBLISHED_AT.year - 1,
        }
    return ""


_ALPHA3 = re.compile(r"[A-Z]{3}")

# Fields an update from the same source may change; review decisions and links stay as editors left them.
_REFRESHED_FIELDS = (
    "url",
    "canonical_url",
    "title",
    "summary_html",
    "text",
    "published_at",
    "published_at_estimated",
    "language",
    "content_hash",
    "raw",
    "organisations",
    "country_codes",
    "disaster",
    "glide",
)

# A batch whose inserts keep losing races to other writers gives up after this many looks (each loss means
# another transaction committed the same item meanwhile, so a second look finds it; a third loss is a bug).
_MAX_LOOKS = 3


def report_store(
    *,
    source: Source,
    title: str,
    url: str = "",
    external_id: str = "",
    summary_html: str = "",
    text: str = "",
    published_at: datetime | None = None,
    fetched_at: datetime | None = None,
    language: str = "",
    raw: str = "",
    organisations: Sequence[str] = (),
    country_codes: Sequence[str] = (),
    disaster: str = "",
    glide: str = "",
) -> StoreResult:
    """Store one item from a source, or refresh the row it already has.

    The same item from the same source (its external id, else its canonical URL) updates that row; the same
    story already held from anywhere (same canonical URL or content hash) is stored as a duplicate of the first.
    Safe to run twice and safe to run concurrently: the unique constraints decide, and a lost race becomes an
    update. One rule for one item or many: this is ``report_store_many`` with a single item.
    """
    item = ReportItem(
        title=title,
        url=url,
        external_id=external_id,
        summary_html=summary_html,
        text=text,
        published_at=published_at,
        language=language,
        raw=raw,
        organisations=organisations,
        country_codes=country_codes,
        disaster=disaster,
        glide=glide,
    )
    (result,) = report_store_many(source=source, items=[item], fetched_at=fetched_at)
    if isinstance(result, ValidationError):
        raise result
    return result


def report_store_many(
    *, source: Source, items: Sequence[ReportItem], fetched_at: datetime | None = None
) -> list[StoreResult | ValidationError]:
    """Store a whole feed's items with a handful of queries, judged exactly as one by one, in order.

    Returns, for each item in order, its ``StoreResult``, or the ``ValidationError`` that kept it out (the others
    are stored all the same). Items are written in rounds: a round holds items that share no key (item id, URL,
    content hash, nor the old URL and hash of a row one of them updates), so none can change what another finds,
    and each round costs the same few statements: one locking read of the source's rows for these items, two
    reads of the stories already held, one bulk update, one ``INSERT ... ON CONFLICT DO NOTHING``, and their
    history rows. An item sharing a key with an earlier one (the same item twice in a feed, the same story under
    two ids) waits for the next round, where it sees the earlier one stored, as it would one by one. An insert
    that loses a race with another writer is skipped by the database and looked up again in the next round,
    now as an update: concurrent workers store each item once.
    """
    fetched_at = now_or(fetched_at)
    require_aware(fetched_at, "fetched_at")
    results: list[StoreResult | ValidationError | None] = [None] * len(items)
    prepared: dict[int, _Prepared] = {}
    for index, item in enumerate(items):
        try:
            prepared[index] = _prepare(item, fetched_at)
        except ValidationError as error:
            results[index] = error
    looks: dict[int, int] = dict.fromkeys(prepared, 0)
    with transaction.atomic():
        pending = sorted(prepared)
        while pending:
            held = _same_items(source, [prepared[i] for i in pending])
            now, later = _split_round(pending, prepared, held)
            skipped = _store_round(source, fetched_at, [(i, prepared[i]) for i in now], held, results)
            for index in skipped:
                looks[index] += 1
                if looks[index] >= _MAX_LOOKS:
                    raise IntegrityError(f"report {prepared[index].key} kept conflicting with another writer")
            pending = sorted([*skipped, *later])
    done = [result for result in results if result is not None]
    if len(done) != len(items):
        raise RuntimeError("report_store_many left an item without an outcome (a bug)")
    return done


@dataclass(slots=True)
class _Prepared:
    external_id: str
    fields: dict[str, Any]
    key: tuple[str, str] | None  # what makes it the same item of this source: its id, else its canonical URL
    keys: frozenset[tuple[str, str]]  # everything another item could collide with in a round


def _story_keys(content_hash: str, canonical: str) -> set[tuple[str, str]]:
    return {("hash", content_hash), ("story-url", canonical)} if canonical else {("hash", content_hash)}


def _prepare(item: ReportItem, fetched_at: datetime) -> _Prepared:
    title = " ".join((item.title or "").split())[:1000]
    url = (item.url or "").strip()[:2000]
    external_id = (item.external_id or "").strip()[:500]
    if not title and not url:
        raise ValidationError(gettext("A report needs a title or a link."))
    published_at = item.published_at
    if published_at is not None:
        require_aware(published_at, "published_at")
        problem = published_at_problem(published_at)
        if problem:
            raise ValidationError({"published_at": problem})
    summary = sanitize_html(item.summary_html)
    plain = (item.text or "").strip() or html_to_text(summary)
    canonical = canonical_url(url)
    fields: dict[str, Any] = {
        "url": url if canonical else "",
        "canonical_url": canonical,
        "title": title,
        "summary_html": summary,
        "text": plain,
        "published_at": published_at or fetched_at,
        "published_at_estimated": published_at is None,
        "language": (item.language or "")[:12],
        "content_hash": content_hash(title, plain),
        "raw": item.raw,
        **_origin(item),
    }
    if not fields["title"] and not fields["url"]:
        raise ValidationError(gettext("A report needs a title or an http(s) link."))
    key = ("id", external_id) if external_id else (("url", canonical) if canonical else None)
    keys = _story_keys(fields["content_hash"], canonical)
    if key is not None:
        keys.add(key)
    return _Prepared(external_id, fields, key, frozenset(keys))


def _origin(item: ReportItem) -> dict[str, Any]:
    """Who wrote the item, checked: names and codes as lists of strings (JSON), codes ISO 3166 alpha-3."""
    for name in ("organisations", "country_codes"):
        values = getattr(item, name)
        if isinstance(values, str) or not all(isinstance(value, str) for value in values):
            raise ValidationError({name: gettext("A list of strings is expected.")})
    organisations = [" ".join(name.split())[:MAX_ORGANISATION_CHARS] for name in item.organisations]
    codes = [code.strip().upper() for code in item.country_codes]
    wrong = [code for code in codes if not _ALPHA3.fullmatch(code)]
    if wrong:
        raise ValidationError(
            {
                "country_codes": gettext("Not ISO 3166 alpha-3 country codes: %(codes)s.")
                % {"codes": ", ".join(wrong[:5])}
            }
        )
    return {
        "organisations": list(dict.fromkeys(name for name in organisations if name))[:MAX_ORGANISATIONS],
        "country_codes": list(dict.fromkeys(codes))[:MAX_COUNTRIES],
        "disaster": " ".join((item.disaster or "").split())[:MAX_DISASTER_CHARS],
        "glide": (item.glide or "").strip()[:MAX_GLIDE_CHARS],
    }


def _same_items(source: Source, items: list[_Prepared]) -> dict[tuple[str, str], Report]:
    """The source's rows for these items, locked (in id order, so two writers never lock crosswise)."""
    ids = {item.external_id for item in items if item.key and item.key[0] == "id"}
    urls = {item.key[1] for item in items if item.key and item.key[0] == "url"}
    if not ids and not urls:
        return {}
    same = Q(pk__in=[])
    if ids:
        same |= Q(external_id__in=ids)
    if urls:
        same |= Q(external_id="", canonical_url__in=urls)
    rows = Report.objects.select_for_update().filter(same, source=source).order_by("pk")
    return {(("id", row.external_id) if row.external_id else ("url", row.canonical_url)): row for row in rows}


def _split_round(
    pending: list[int], prepared: dict[int, _Prepared], held: dict[tuple[str, str], Report]
) -> tuple[list[int], list[int]]:
    """The items that can be stored together now, and those that must wait for an earlier item they share a key with.

    Once an item waits, every later item sharing a key with it waits too, so items that touch each other are
    always stored in their feed order.
    """
    now: list[int] = []
    later: list[int] = []
    taken: set[tuple[str, str]] = set()
    waiting: set[tuple[str, str]] = set()
    for index in pending:
        item = prepared[index]
        keys = set(item.keys)
        row = held.get(item.key) if item.key else None
        if row is not None:  # an update also changes what the row's old URL and hash find
            keys |= _story_keys(row.content_hash, row.canonical_url)
        if keys & taken or keys & waiting:
            later.append(index)
            waiting |= keys
        else:
            now.append(index)
            taken |= keys
    return now, later


def _originals(items: list[_Prepared]) -> tuple[dict[str, int], dict[str, int]]:
    """The first report (lowest id) that is no duplicate itself, by content hash and by canonical URL."""
    hashes = {item.fields["content_hash"] for item in items}
    urls = {item.fields["canonical_url"] for item in items} - {""}
    first = Report.objects.filter(duplicate_of__isnull=True).order_by()
    by_hash = dict(
        first.filter(content_hash__in=hashes)
        .values("content_hash")
        .annotate(first=Min("id"))
        .values_list("content_hash", "first")
    )
    by_url: dict[str, int] = {}
    if urls:
        by_url = dict(
            first.filter(canonical_url__in=urls)
            .values("canonical_url")
            .annotate(first=Min("id"))
            .values_list("canonical_url", "first")
        )
    return by_hash, by_url


def _store_round(
    source: Source,
    fetched_at: datetime,
    items: list[tuple[int, _Prepared]],
    held: dict[tuple[str, str], Report],
    results: list[StoreResult | ValidationError | None],
) -> list[int]:
    """Write one round; returns the items whose insert lost a race (to be looked up again)."""
    now = timezone.now()
    updated: list[Report] = []
    changed_fields: set[str] = set()
    new: list[tuple[int, _Prepared]] = []
    for index, item in items:
        existing = held.get(item.key) if item.key else None
        if existing is None:
            new.append((index, item))
            continue
        fields = item.fields
        if existing.published_at_estimated is False and fields["published_at_estimated"]:
            # A date once given is not replaced by a fetch time.
            fields = {**fields, "published_at": existing.published_at, "published_at_estimated": False}
        changed = [name for name in _REFRESHED_FIELDS if getattr(existing, name) != fields[name]]
        if not changed:
            results[index] = StoreResult(existing, "unchanged")
            continue
        for name in changed:
            setattr(existing, name, fields[name])
        existing.fetched_at = fetched_at
        existing.updated_at = now  # bulk_update does not run auto_now
        existing.version += 1
        changed_fields.update(changed)
        updated.append(existing)
        results[index] = StoreResult(existing, "updated")
    if updated:
        Report.objects.bulk_update(updated, [*sorted(changed_fields), "fetched_at", "version", "updated_at"])
        history_bulk_create(updated, update=True)
    if not new:
        return []
    by_hash, by_url = _originals([item for _, item in new])
    rows: list[tuple[int, Report]] = []
    for index, item in new:
        fields = item.fields
        candidates = [by_hash.get(fields["content_hash"]), by_url.get(fields["canonical_url"])]
        original = min((c for c in candidates if c is not None), default=None)
        report = Report(source=source, external_id=item.external_id, fetched_at=fetched_at, **fields)
        if original is not None:
            report.review_state = Report.ReviewState.DUPLICATE
            report.duplicate_of_id = original
        rows.append((index, report))
    # Inserted in feed order, so ids follow the feed as they would one by one (an item that waited for a later
    # round gets its id after the round's others), and two writers storing the same feed wait on each other in
    # the same order, never crosswise.
    inserted = insert_new_rows([report for _, report in rows])
    history_bulk_create(inserted)
    skipped: list[int] = []
    for index, report in rows:
        if report.pk is None:
            skipped.append(index)
        else:
            results[index] = StoreResult(report, "duplicate" if report.duplicate_of_id else "new")
    return skipped


def report_review(*, report: Report, state: str, reviewed_by: Any) -> Report:
    """An editor's verdict on a report: relevant (shown to analysts and partners) or not relevant.

    A report that is the evidence of a standing status row stays relevant: readers would otherwise see a status
    on nobody's word. The editor retracts the row first (it stays in the history, struck through), then the
    report may go. The database refuses the same (migration 0006), for any path that skips this function.
    """
    if state not in {Report.ReviewState.RELEVANT, Report.ReviewState.NOT_RELEVANT, Report.ReviewState.NEW}:
        raise ValidationError({"review_state": gettext("A report can be marked new, relevant or not relevant.")})
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if state != Report.ReviewState.RELEVANT and locked.review_state == Report.ReviewState.RELEVANT:
            standing = list(
                CrossingStatus.objects.filter(report=locked, retraction__isnull=True).select_related("crossing")[:5]
            )
            if standing:
                rows = "; ".join(str(row) for row in standing)
                if state == Report.ReviewState.NEW:
                    message = gettext(
                        "“%(report)s” is the evidence of a status that stands (%(rows)s). Retract that status "
                        "first; then the report can be marked new."
                    )
                else:
                    message = gettext(
                        "“%(report)s” is the evidence of a status that stands (%(rows)s). Retract that status "
                        "first; then the report can be marked not relevant."
                    )
                raise ValidationError(message % {"report": locked, "rows": rows})
        _mark_reviewed(locked, state, reviewed_by)
    return locked


def report_vouch(*, report: Report, reviewed_by: Any) -> Report:
    """Make a report fit to be cited by a status row, inside the caller's transaction.

    Citing is vouching: a report nobody reviewed becomes relevant, by whoever cites it, so that readers see the
    evidence the status rests on. A report already judged not relevant, or held as a duplicate, is refused: the
    editor decides that first (mark it relevant, or cite the original).
    """
    locked = Report.objects.select_for_update().get(pk=report.pk)
    if locked.review_state == Report.ReviewState.NEW:
        _mark_reviewed(locked, Report.ReviewState.RELEVANT, reviewed_by)
    elif locked.review_state == Report.ReviewState.NOT_RELEVANT:
        raise ValidationError(
            {"report": gettext("This report is marked not relevant, so readers cannot see it. Mark it relevant first.")}
        )
    elif locked.review_state == Report.ReviewState.DUPLICATE:
        original = locked.duplicate_of_id
        raise ValidationError(
            {
                "report": gettext("This report is a duplicate of report %(original)s; cite that one.")
                % {"original": original}
            }
        )
    report.review_state, report.reviewed_by_id, report.reviewed_at = (
        locked.review_state,
        locked.reviewed_by_id,
        locked.reviewed_at,
    )
    report.version = locked.version
    return locked


def _mark_reviewed(locked: Report, state: str, reviewed_by: Any) -> None:
    # Reviewing a report marked duplicate overrides the machine: the editor says it is a story of its own.
    locked.review_state = state
    who = reviewed_by if getattr(reviewed_by, "is_authenticated", False) else None
    if state == Report.ReviewState.NEW:
        locked.reviewed_by, locked.reviewed_at = None, None
    else:
        locked.reviewed_by, locked.reviewed_at = who, timezone.now()
    locked.duplicate_of = None
    locked.version += 1
    set_history_user(locked, reviewed_by)
    locked.save(update_fields=["review_state", "reviewed_by", "reviewed_at", "duplicate_of", "version", "updated_at"])


@dataclass(frozen=True, slots=True)
class ReportLinks:
    """What one report is about, by primary key (``report_link_many`` takes these)."""

    report_id: int
    crossing_ids: Collection[int] = ()
    crisis_ids: Collection[int] = ()
    dispute_ids: Collection[int] = ()
    agreement_ids: Collection[int] = ()


_LINK_TABLES = (
    (Report.crossings, "crossing_ids", "crossing_id"),
    (Report.crises, "crisis_ids", "crisis_id"),
    (Report.disputes, "dispute_ids", "aiddispute_id"),
    (Report.agreements, "agreement_ids", "evacuationagreement_id"),
)


def report_link(
    *,
    report: Report,
    crossings: list[Crossing] | None = None,
    crises: list[Crisis] | None = None,
    disputes: list[AidDispute] | None = None,
    agreements: list[EvacuationAgreement] | None = None,
) -> None:
    """Add links from a report to what it is about; existing links stay (adding twice is harmless)."""
    report_link_many(
        links=[
            ReportLinks(
                report_id=report.pk,
                crossing_ids=[c.pk for c in crossings or ()],
                crisis_ids=[c.pk for c in crises or ()],
                dispute_ids=[d.pk for d in disputes or ()],
                agreement_ids=[a.pk for a in agreements or ()],
            )
        ]
    )


def report_link_many(*, links: Iterable[ReportLinks]) -> None:
    """Add the links of many reports, one statement per kind; a link already there is left as it is.

    The unique key of each link table decides (``ON CONFLICT DO NOTHING``), so two writers adding the same link
    at once both succeed. Reports' links are not kept in their history (``Report.history`` tracks no
    many-to-many), so nothing else is written.
    """
    links = list(links)
    with transaction.atomic():
        for descriptor, attribute, column in _LINK_TABLES:
            through: Any = descriptor.through
            rows = {(link.report_id, target) for link in links for target in getattr(link, attribute)}
            if rows:
                # Links already there are left out first: a statement that inserts nothing would still tell every
                # cache that the record changed (the statement triggers of migration 0005).
                rows -= set(
                    through.objects.filter(report_id__in={report_id for report_id, _ in rows}).values_list(
                        "report_id", column
                    )
                )
            if rows:
                through.objects.bulk_create(
                    [through(report_id=report_id, **{column: target}) for report_id, target in sorted(rows)],
                    ignore_conflicts=True,
                    batch_size=INSERT_ROWS_PER_STATEMENT,
                )
