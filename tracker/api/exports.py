"""CSV columns of every list with their HXL 1.1 hashtags (https://hxlstandard.org/standard/1-1final/dictionary/),
and the flat GeoJSON feature of a crossing: what partners load as it is into HDX, HXL Proxy, pandas or QGIS.

The rules (issue 15; README "Exports"), each checked with libhxl in tests/test_hxl_exports.py:

- ``#date`` columns hold the UTC day alone (``2023-10-15``); the moment itself, RFC 3339 in UTC to the second
  (``tracker.timestamps``), is in a column of its own tagged ``#meta+datetime`` with the same attributes. libhxl reads
  any full timestamp in a ``#date`` column day first, and a ``#date`` query tries every column its tag matches.
- One value per cell: a list is spread over numbered columns sharing one hashtag (``RepeatedColumns``).
- Tags say what the value is: ``#meta+id`` for our ids, ``#meta+url`` only for URLs, ``#status`` only for a state
  (open, closed, ...; agreed, stalled, ...), ``#meta+traffic`` / ``#meta+certainty`` / ``#meta+stale`` for the
  qualifiers of a crossing status, ``#group+eligible+code`` for who may leave under an agreement.
- Names in other languages: ``+i_ar`` / ``+i_he`` (the crossing's aliases in that language); admin areas as OCHA
  P-codes (``#adm1+code``, ``#adm2+code``); crises with their GLIDE number (``#crisis+code+glide``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import Count, Func, IntegerField, Max, QuerySet

from tracker.models import (
    AgreementEligibility,
    AgreementParty,
    AidDispute,
    Crisis,
    Crossing,
    CrossingAlias,
    EvacuationAgreement,
    Report,
    TimelineEvent,
    Traffic,
)
from tracker.models.accords import AgreementPartyRole
from tracker.selectors import status_is_stale
from tracker.timestamps import rfc3339, utc_day

from .renderers import CsvColumn, RepeatedColumns, repeated
from .serializers import visible_report

Columns = list[CsvColumn]


# --- widths of repeated columns: the most items any row has, one query each, asked when an export starts ----------


def _most(links: QuerySet[Any], group: str) -> int:
    """The largest number of ``links`` rows sharing one ``group`` value."""
    top = links.values(group).annotate(n=Count("pk")).order_by("-n").values_list("n", flat=True).first()
    return top or 0


class _JsonListLength(Func):
    """Items in a JSON list (0 for anything else), on PostgreSQL and SQLite alike."""

    template = "CASE WHEN jsonb_typeof(%(expressions)s) = 'array' THEN jsonb_array_length(%(expressions)s) ELSE 0 END"
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "CASE WHEN json_type(%(expressions)s) = 'array' THEN json_array_length(%(expressions)s) ELSE 0 END"
        return self.as_sql(compiler, connection, template=template, **extra)


def _longest_list(reports: QuerySet[Report], field: str) -> int:
    return reports.aggregate(n=Max(_JsonListLength(field)))["n"] or 0


def _through(model: Any, field: str) -> QuerySet[Any]:
    return getattr(model, field).through.objects.all()


def _cited_organisations_width() -> int:
    # Reports readers may see only (``visible_report``): a hidden one's cells are blank, so it must not widen them.
    cited = Report.objects.filter(status_rows__isnull=False, review_state=Report.ReviewState.RELEVANT)
    return _longest_list(cited, "organisations")


# --- cells ----------------------------------------------------------------------------------------------------


def _name(obj: Any) -> str:
    return "" if obj is None else obj.name


def _iso3(country: Any) -> str:
    return "" if country is None else country.iso3


def _shown(report: Any) -> Any:
    return visible_report(report)


def moment_columns(header: str, attributes: str, moment: Callable[[Any], datetime | None]) -> list[CsvColumn]:
    """A moment as two columns: ``<header>_date`` (``#date<attributes>``, the UTC day) and ``<header>``
    (``#meta+datetime<attributes>``, RFC 3339)."""
    return [
        CsvColumn(f"{header}_date", f"#date{attributes}", lambda row: utc_day(moment(row))),
        CsvColumn(header, f"#meta+datetime{attributes}", lambda row: rfc3339(moment(row))),
    ]


def _evidence_columns(prefix: str, suffix: str, report: Callable[[Any], Any]) -> Columns:
    """A cited report as readers see it everywhere: its id, link, title, the feed source's name, who wrote it."""

    def field(read: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def value(row: Any) -> Any:
            shown = _shown(report(row))
            return None if shown is None else read(shown)

        return value

    return [
        CsvColumn(f"{prefix}report", f"#meta+id+report{suffix}", field(lambda r: r.uid)),
        CsvColumn(f"{prefix}report_url", f"#meta+url+report{suffix}", field(lambda r: r.url)),
        CsvColumn(f"{prefix}report_title", f"#meta+title+report{suffix}", field(lambda r: r.title)),
        CsvColumn(f"{prefix}report_source", f"#meta+source+report{suffix}", field(lambda r: r.source.name)),
        repeated(
            f"{prefix}report_organisation",
            (("", f"#org+name+originating{suffix}", str),),
            lambda row: field(lambda r: r.organisations)(row) or [],
            _cited_organisations_width,
        ),
    ]


def _aliases(language: str) -> RepeatedColumns:
    return repeated(
        f"crossing_name_{language}",
        (("", f"#loc+name+crossing+i_{language}", lambda alias: alias["name"]),),
        lambda c: [a for a in getattr(c, "alias_list", []) if a["language"] == language],
        lambda: _most(CrossingAlias.objects.filter(language=language), "crossing"),
    )


def _status_columns(kind: str, as_of: datetime) -> Columns:
    def row(crossing: Any) -> Any:
        return crossing.status_by_traffic[kind]

    def report(crossing: Any) -> Any:
        return row(crossing) and row(crossing).report

    return [
        CsvColumn(f"status_{kind}", f"#status+{kind}", lambda c: row(c).status if row(c) else "unknown"),
        # Since when the status has held without a break (the pages' "since"), not the latest row's own time.
        *moment_columns(f"status_{kind}_since", f"+since+{kind}", lambda c: c.since_by_traffic.get(kind)),
        *moment_columns(f"status_{kind}_last_stated_at", f"+stated+{kind}", lambda c: row(c) and row(c).effective_at),
        CsvColumn(f"status_{kind}_stale", f"#meta+stale+{kind}", lambda c: status_is_stale(row(c), as_of=as_of)),
        CsvColumn(f"status_{kind}_certainty", f"#meta+certainty+{kind}", lambda c: row(c) and row(c).certainty),
        CsvColumn(f"status_{kind}_stated_by", f"#org+name+stated+{kind}", lambda c: row(c) and _name(row(c).stated_by)),
        *_evidence_columns(f"status_{kind}_", f"+{kind}", report),
    ]


def crossing_columns(as_of: datetime) -> Columns:
    columns: Columns = [
        CsvColumn("crossing", "#loc+crossing+code", lambda c: c.slug),
        CsvColumn("crossing_name", "#loc+name+crossing+i_en", lambda c: c.name),
        _aliases("ar"),
        _aliases("he"),
        CsvColumn("kind", "#loc+type+code", lambda c: c.kind),
        CsvColumn("side_a", "#country+name+side_a", lambda c: c.side_a.name),
        CsvColumn("side_a_iso3", "#country+code+v_iso3+side_a", lambda c: c.side_a.iso3),
        CsvColumn("side_b", "#country+name+side_b", lambda c: _name(c.side_b)),
        CsvColumn("side_b_iso3", "#country+code+v_iso3+side_b", lambda c: _iso3(c.side_b)),
        CsvColumn("adm1_pcode", "#adm1+code+v_pcode", lambda c: c.adm1_pcode),
        CsvColumn("adm2_pcode", "#adm2+code+v_pcode", lambda c: c.adm2_pcode),
        CsvColumn("latitude", "#geo+lat", lambda c: c.latitude),
        CsvColumn("longitude", "#geo+lon", lambda c: c.longitude),
        repeated(
            "crisis",
            (("", "#crisis+code", str),),
            lambda c: c.crisis_slugs,
            lambda: _most(_through(Crossing, "crises"), "crossing"),
        ),
        *moment_columns("status_as_of", "+as_of", lambda c: as_of),
    ]
    for kind in Traffic.specific():
        columns += _status_columns(kind.value, as_of)
    return columns


def _retraction(row: Any) -> Any:
    return getattr(row, "retraction", None)


HISTORY_COLUMNS: Columns = [
    CsvColumn("crossing", "#loc+crossing+code", lambda r: r.crossing.slug),
    CsvColumn("crossing_name", "#loc+name+crossing+i_en", lambda r: r.crossing.name),
    CsvColumn("uid", "#meta+id", lambda r: r.uid),
    CsvColumn("status", "#status", lambda r: r.status),
    CsvColumn("traffic", "#meta+traffic", lambda r: r.traffic),
    *moment_columns("effective_at", "+effective", lambda r: r.effective_at),
    *moment_columns("recorded_at", "+recorded", lambda r: r.recorded_at),
    CsvColumn("certainty", "#meta+certainty", lambda r: r.certainty),
    CsvColumn("stated_by", "#org+name+stated", lambda r: _name(r.stated_by)),
    *_evidence_columns("", "", lambda r: r.report),
    CsvColumn("note", "#description", lambda r: r.note),
    *moment_columns("retracted_at", "+retracted", lambda r: _retraction(r) and _retraction(r).recorded_at),
    CsvColumn("retraction_reason", "#description+retraction", lambda r: _retraction(r) and _retraction(r).reason),
]

CRISIS_COLUMNS: Columns = [
    CsvColumn("crisis", "#crisis+code", lambda c: c.slug),
    CsvColumn("crisis_name", "#crisis+name", lambda c: c.name),
    CsvColumn("glide", "#crisis+code+glide", lambda c: c.glide),
    CsvColumn("state", "#status", lambda c: c.state),
    CsvColumn("started_on", "#date+start", lambda c: c.started_on),
    CsvColumn("ended_on", "#date+end", lambda c: c.ended_on),
    repeated(
        "country",
        (("", "#country+name", lambda x: x.name), ("_iso3", "#country+code+v_iso3", lambda x: x.iso3)),
        lambda c: list(c.countries.all()),
        lambda: _most(_through(Crisis, "countries"), "crisis"),
    ),
]

ACTOR_COLUMNS: Columns = [
    CsvColumn("actor", "#org+code", lambda a: a.slug),
    CsvColumn("actor_name", "#org+name", lambda a: a.name),
    CsvColumn("short_name", "#org+acronym", lambda a: a.short_name),
    CsvColumn("kind", "#org+type+code", lambda a: a.kind),
    CsvColumn("country", "#country+name", lambda a: _name(a.country)),
    CsvColumn("country_iso3", "#country+code+v_iso3", lambda a: _iso3(a.country)),
]


def _crossing_links(model: Any) -> RepeatedColumns:
    return repeated(
        "crossing",
        (("", "#loc+crossing+code", lambda c: c.slug),),
        lambda row: list(row.crossings.all()),
        lambda: _most(_through(model, "crossings"), model._meta.model_name),
    )


DISPUTE_COLUMNS: Columns = [
    CsvColumn("dispute", "#event+dispute+code", lambda d: d.slug),
    CsvColumn("dispute_name", "#event+dispute+name", lambda d: d.name),
    CsvColumn("crisis", "#crisis+code", lambda d: d.crisis.slug),
    CsvColumn("subject", "#event+type+code", lambda d: d.subject),
    CsvColumn("state", "#status", lambda d: d.state),
    CsvColumn("opened_on", "#date+start", lambda d: d.opened_on),
    CsvColumn("resolved_on", "#date+end", lambda d: d.resolved_on),
    repeated(
        "party",
        (("", "#org+name+party", lambda a: a.name),),
        lambda d: list(d.parties.all()),
        lambda: _most(_through(AidDispute, "parties"), "aiddispute"),
    ),
    _crossing_links(AidDispute),
]


def _parties_in(role: str) -> RepeatedColumns:
    return repeated(
        role,
        (("", f"#org+name+{role}", lambda p: p.actor.name),),
        lambda a: [p for p in a.parties.all() if p.role == role],
        lambda: _most(AgreementParty.objects.filter(role=role), "agreement"),
    )


AGREEMENT_COLUMNS: Columns = [
    CsvColumn("agreement", "#event+agreement+code", lambda a: a.slug),
    CsvColumn("agreement_name", "#event+agreement+name", lambda a: a.name),
    CsvColumn("crisis", "#crisis+code", lambda a: a.crisis.slug),
    CsvColumn("state", "#status", lambda a: a.state),
    CsvColumn("announced_on", "#date+announced", lambda a: a.announced_on),
    CsvColumn("starts_on", "#date+start", lambda a: a.starts_on),
    CsvColumn("ends_on", "#date+end", lambda a: a.ends_on),
    *(_parties_in(role.value) for role in AgreementPartyRole),
    _crossing_links(EvacuationAgreement),
    repeated(
        "eligible",
        (("", "#group+eligible+code", lambda e: e.group),),
        lambda a: list(a.eligible.all()),
        lambda: _most(AgreementEligibility.objects.all(), "agreement"),
    ),
]

TIMELINE_COLUMNS: Columns = [
    CsvColumn("uid", "#meta+id", lambda e: e.uid),
    CsvColumn("crisis", "#crisis+code", lambda e: e.crisis.slug),
    CsvColumn("occurred_on", "#date+occurred", lambda e: e.occurred_on),
    CsvColumn("kind", "#event+type+code", lambda e: e.kind),
    CsvColumn("title", "#event+name", lambda e: e.title),
    CsvColumn("description", "#description", lambda e: e.description),
    CsvColumn("location", "#loc+name", lambda e: e.location),
    repeated(
        "actor",
        (("", "#org+name", lambda a: a.name),),
        lambda e: list(e.actors.all()),
        lambda: _most(_through(TimelineEvent, "actors"), "timelineevent"),
    ),
]

FLOW_COLUMNS: Columns = [
    CsvColumn("uid", "#meta+id", lambda f: f.uid),
    CsvColumn("crossing", "#loc+crossing+code", lambda f: f.crossing.slug),
    CsvColumn("crossing_name", "#loc+name+crossing+i_en", lambda f: f.crossing.name),
    CsvColumn("day", "#date", lambda f: f.day),
    CsvColumn("metric", "#indicator+code", lambda f: f.metric),
    CsvColumn("value", "#indicator+value+num", lambda f: f.value),
    CsvColumn("source", "#meta+source", lambda f: f.source.slug),
    *_evidence_columns("", "", lambda f: f.report)[:2],
]

REPORT_COLUMNS: Columns = [
    CsvColumn("uid", "#meta+id", lambda r: r.uid),
    CsvColumn("title", "#meta+title", lambda r: r.title),
    CsvColumn("url", "#meta+url", lambda r: r.url),
    CsvColumn("source", "#meta+source", lambda r: r.source.slug),
    *moment_columns("published_at", "+published", lambda r: r.published_at),
    CsvColumn("language", "#meta+lang", lambda r: r.language),
    repeated(
        "crisis",
        (("", "#crisis+code", lambda c: c.slug),),
        lambda r: list(r.crises.all()),
        lambda: _most(_through(Report, "crises"), "report"),
    ),
    repeated(
        "crossing",
        (("", "#loc+crossing+code", lambda c: c.slug),),
        lambda r: list(r.crossings.all()),
        lambda: _most(_through(Report, "crossings"), "report"),
    ),
    repeated(
        "organisation",
        (("", "#org+name+originating", str),),
        lambda r: r.organisations or [],
        lambda: _longest_list(Report.objects.all(), "organisations"),
    ),
    repeated(
        "country",
        (("", "#country+code+v_iso3", str),),
        lambda r: r.country_codes or [],
        lambda: _longest_list(Report.objects.all(), "country_codes"),
    ),
    CsvColumn("disaster", "#crisis+name+disaster", lambda r: r.disaster),
    CsvColumn("glide", "#crisis+code+glide", lambda r: r.glide),
]


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if data is None:
            return ""
        data = data.get(key) if isinstance(data, dict) else getattr(data, key, None)
    return "" if data is None else data


def _moment(value: Any) -> datetime | None:
    """A moment from a row: a datetime, or the RFC 3339 text a change-feed entry already carries."""
    if value in (None, ""):
        return None
    return datetime.fromisoformat(value) if isinstance(value, str) else value


CHANGE_COLUMNS: Columns = [
    CsvColumn("cursor", "#meta+cursor", lambda d: d["cursor"]),
    CsvColumn("kind", "#meta+change+type", lambda d: d["kind"]),
    *moment_columns("recorded_at", "+recorded", lambda d: _moment(d["recorded_at"])),
    CsvColumn("crossing", "#loc+crossing+code", lambda d: _get(d, "crossing", "slug")),
    CsvColumn("dispute", "#event+dispute+code", lambda d: _get(d, "dispute", "slug")),
    CsvColumn("agreement", "#event+agreement+code", lambda d: _get(d, "agreement", "slug")),
    CsvColumn("status", "#status", lambda d: _get(d, "status", "status")),
    CsvColumn("traffic", "#meta+traffic", lambda d: _get(d, "status", "traffic")),
    *moment_columns(
        "effective_at",
        "+effective",
        lambda d: _moment(_get(d, "status", "effective_at") or _get(d, "state_change", "effective_at")),
    ),
    CsvColumn("from_state", "#status+from", lambda d: _get(d, "state_change", "from_state")),
    CsvColumn("to_state", "#status+to", lambda d: _get(d, "state_change", "to_state")),
    CsvColumn("retracted_status", "#meta+id+retracted", lambda d: _get(d, "retraction", "retracted_status")),
    CsvColumn(
        "note",
        "#description",
        lambda d: (
            _get(d, "status", "evidence", "note") or _get(d, "retraction", "reason") or _get(d, "state_change", "note")
        ),
    ),
]

WEBHOOK_COLUMNS: Columns = [
    CsvColumn("uid", "#meta+id", lambda w: w.uid),
    CsvColumn("url", "#meta+url", lambda w: w.url),
    CsvColumn("description", "#description", lambda w: w.description),
    CsvColumn("active", "#meta+active", lambda w: w.active),
    *moment_columns("created_at", "+created", lambda w: w.created_at),
]


# --- GeoJSON ----------------------------------------------------------------------------------------------------


def _first_alias(crossing: Any, language: str) -> str:
    return next((a["name"] for a in getattr(crossing, "alias_list", []) if a["language"] == language), "")


def crossing_feature(crossing: Any, *, as_of_requested: datetime | None, as_of: datetime) -> dict[str, Any]:
    """A crossing as an RFC 7946 Feature with flat properties (``status_people``, ``since_people``,
    ``stale_people``, ``evidence_url_people``, ...): GeoPackage and Shapefile keep scalars as columns GIS users can
    filter on, where a nested object became one JSON string. The crossing needs what ``crossing_data`` needs."""
    geometry = (
        None
        if crossing.latitude is None
        else {"type": "Point", "coordinates": [float(crossing.longitude), float(crossing.latitude)]}
    )
    properties: dict[str, Any] = {
        "slug": crossing.slug,
        "name": crossing.name,
        "name_ar": _first_alias(crossing, "ar"),
        "name_he": _first_alias(crossing, "he"),
        "kind": crossing.kind,
        "side_a_iso3": crossing.side_a.iso3,
        "side_a_name": crossing.side_a.name,
        "side_b_iso3": _iso3(crossing.side_b),
        "side_b_name": _name(crossing.side_b),
        "adm1_pcode": crossing.adm1_pcode,
        "adm2_pcode": crossing.adm2_pcode,
        "crises": ",".join(crossing.crisis_slugs),
        "status_as_of": rfc3339(as_of_requested),
    }
    for kind in Traffic.specific():
        row = crossing.status_by_traffic[kind]
        report = _shown(row and row.report)
        since = getattr(crossing, "since_by_traffic", {}).get(kind)
        properties.update(
            {
                f"status_{kind}": row.status if row else "unknown",
                f"since_{kind}": rfc3339(since or (row and row.effective_at)),
                f"last_stated_at_{kind}": rfc3339(row and row.effective_at),
                f"stale_{kind}": status_is_stale(row, as_of=as_of) if row else False,
                f"certainty_{kind}": row.certainty if row else None,
                f"stated_by_{kind}": _name(row.stated_by) if row and row.stated_by else None,
                f"evidence_note_{kind}": row.note if row else None,
                f"evidence_url_{kind}": (report.url or None) if report else None,
                f"evidence_title_{kind}": report.title if report else None,
                f"evidence_source_{kind}": report.source.name if report else None,
            }
        )
    return {"type": "Feature", "id": crossing.slug, "geometry": geometry, "properties": properties}
