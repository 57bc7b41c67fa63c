"""CSV columns of every list, with their HXL hashtags (https://hxlstandard.org/standard/1-1final/dictionary/), so
HDX users can load an export as it is. Country names always stand beside their ISO 3166-1 alpha-3 codes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tracker.models import Traffic
from tracker.selectors import status_is_stale

from .renderers import CsvColumn
from .serializers import visible_report


def _join(values: Any) -> str:
    return "; ".join(str(v) for v in values)


def _name(obj: Any) -> str:
    return "" if obj is None else obj.name


def _iso3(country: Any) -> str:
    return "" if country is None else country.iso3


def _report_url(report: Any) -> str:
    shown = visible_report(report)
    return "" if shown is None else (shown.url or str(shown.uid))


def _report_title(report: Any) -> str:
    shown = visible_report(report)
    return "" if shown is None else shown.title


def _report_source(report: Any) -> str:
    shown = visible_report(report)
    return "" if shown is None else shown.source.name


def _report_organisations(report: Any) -> str:
    shown = visible_report(report)
    return "" if shown is None else _join(shown.organisations or [])


def _evidence_columns(prefix: str, suffix: str, report: Callable[[Any], Any]) -> list[CsvColumn]:
    """A cited report as readers see it everywhere: link, title, the feed source's name, who wrote it."""
    return [
        CsvColumn(f"{prefix}report", f"#meta+url{suffix}", lambda x: _report_url(report(x))),
        CsvColumn(f"{prefix}report_title", f"#meta+title{suffix}", lambda x: _report_title(report(x))),
        CsvColumn(f"{prefix}report_source", f"#meta+source{suffix}", lambda x: _report_source(report(x))),
        CsvColumn(
            f"{prefix}report_organisations",
            f"#org+name+originating{suffix}",
            lambda x: _report_organisations(report(x)),
        ),
    ]


def _status_columns(kind: str, as_of: datetime) -> list[CsvColumn]:
    def row(crossing: Any) -> Any:
        return crossing.status_by_traffic[kind]

    def report(crossing: Any) -> Any:
        return row(crossing) and row(crossing).report

    return [
        CsvColumn(f"status_{kind}", f"#status+{kind}", lambda c: row(c).status if row(c) else "unknown"),
        # Since when the status has held without a break (the pages' "since"), not the latest row's own time.
        CsvColumn(f"status_{kind}_since", f"#date+effective+{kind}", lambda c: c.since_by_traffic.get(kind)),
        CsvColumn(f"status_{kind}_last_stated_at", f"#date+stated+{kind}", lambda c: row(c) and row(c).effective_at),
        CsvColumn(f"status_{kind}_stale", f"#status+stale+{kind}", lambda c: status_is_stale(row(c), as_of=as_of)),
        CsvColumn(f"status_{kind}_certainty", f"#status+certainty+{kind}", lambda c: row(c) and row(c).certainty),
        CsvColumn(f"status_{kind}_stated_by", f"#org+source+{kind}", lambda c: row(c) and _name(row(c).stated_by)),
        *_evidence_columns(f"status_{kind}_", f"+{kind}", report),
    ]


def crossing_columns(as_of: datetime) -> list[CsvColumn]:
    columns = [
        CsvColumn("crossing", "#loc+crossing+code", lambda c: c.slug),
        CsvColumn("crossing_name", "#loc+crossing+name", lambda c: c.name),
        CsvColumn("kind", "#loc+type", lambda c: c.kind),
        CsvColumn("side_a", "#country+name+side_a", lambda c: c.side_a.name),
        CsvColumn("side_a_iso3", "#country+code+side_a", lambda c: c.side_a.iso3),
        CsvColumn("side_b", "#country+name+side_b", lambda c: _name(c.side_b)),
        CsvColumn("side_b_iso3", "#country+code+side_b", lambda c: _iso3(c.side_b)),
        CsvColumn("latitude", "#geo+lat", lambda c: c.latitude),
        CsvColumn("longitude", "#geo+lon", lambda c: c.longitude),
        CsvColumn("crises", "#crisis+code", lambda c: _join(c.crisis_slugs)),
        CsvColumn("status_as_of", "#date+as_of", lambda c: as_of),
    ]
    for kind in Traffic.specific():
        columns += _status_columns(kind.value, as_of)
    return columns


HISTORY_COLUMNS = [
    CsvColumn("crossing", "#loc+crossing+code", lambda r: r.crossing.slug),
    CsvColumn("crossing_name", "#loc+crossing+name", lambda r: r.crossing.name),
    CsvColumn("uid", "#meta+id", lambda r: r.uid),
    CsvColumn("status", "#status", lambda r: r.status),
    CsvColumn("traffic", "#status+traffic", lambda r: r.traffic),
    CsvColumn("effective_at", "#date+effective", lambda r: r.effective_at),
    CsvColumn("recorded_at", "#date+recorded", lambda r: r.recorded_at),
    CsvColumn("certainty", "#status+certainty", lambda r: r.certainty),
    CsvColumn("stated_by", "#org+source", lambda r: _name(r.stated_by)),
    *_evidence_columns("", "", lambda r: r.report),
    CsvColumn("note", "#description", lambda r: r.note),
    CsvColumn("retracted_at", "#date+retracted", lambda r: getattr(getattr(r, "retraction", None), "recorded_at", "")),
    CsvColumn(
        "retraction_reason", "#description+retraction", lambda r: getattr(getattr(r, "retraction", None), "reason", "")
    ),
]

CRISIS_COLUMNS = [
    CsvColumn("crisis", "#crisis+code", lambda c: c.slug),
    CsvColumn("crisis_name", "#crisis+name", lambda c: c.name),
    CsvColumn("state", "#status", lambda c: c.state),
    CsvColumn("started_on", "#date+start", lambda c: c.started_on),
    CsvColumn("ended_on", "#date+end", lambda c: c.ended_on),
    CsvColumn("countries", "#country+name", lambda c: _join(x.name for x in c.countries.all())),
    CsvColumn("countries_iso3", "#country+code", lambda c: _join(x.iso3 for x in c.countries.all())),
]

ACTOR_COLUMNS = [
    CsvColumn("actor", "#org+code", lambda a: a.slug),
    CsvColumn("actor_name", "#org+name", lambda a: a.name),
    CsvColumn("short_name", "#org+acronym", lambda a: a.short_name),
    CsvColumn("kind", "#org+type", lambda a: a.kind),
    CsvColumn("country", "#country+name", lambda a: _name(a.country)),
    CsvColumn("country_iso3", "#country+code", lambda a: _iso3(a.country)),
]

DISPUTE_COLUMNS = [
    CsvColumn("dispute", "#event+dispute+code", lambda d: d.slug),
    CsvColumn("dispute_name", "#event+dispute+name", lambda d: d.name),
    CsvColumn("crisis", "#crisis+code", lambda d: d.crisis.slug),
    CsvColumn("subject", "#event+type", lambda d: d.subject),
    CsvColumn("state", "#status", lambda d: d.state),
    CsvColumn("opened_on", "#date+start", lambda d: d.opened_on),
    CsvColumn("resolved_on", "#date+end", lambda d: d.resolved_on),
    CsvColumn("parties", "#org+name", lambda d: _join(a.name for a in d.parties.all())),
    CsvColumn("crossings", "#loc+crossing+code", lambda d: _join(c.slug for c in d.crossings.all())),
]

AGREEMENT_COLUMNS = [
    CsvColumn("agreement", "#event+agreement+code", lambda a: a.slug),
    CsvColumn("agreement_name", "#event+agreement+name", lambda a: a.name),
    CsvColumn("crisis", "#crisis+code", lambda a: a.crisis.slug),
    CsvColumn("state", "#status", lambda a: a.state),
    CsvColumn("announced_on", "#date+announced", lambda a: a.announced_on),
    CsvColumn("starts_on", "#date+start", lambda a: a.starts_on),
    CsvColumn("ends_on", "#date+end", lambda a: a.ends_on),
    CsvColumn("parties", "#org+name", lambda a: _join(f"{p.actor.name} ({p.role})" for p in a.parties.all())),
    CsvColumn("crossings", "#loc+crossing+code", lambda a: _join(c.slug for c in a.crossings.all())),
    CsvColumn("eligible", "#population+eligible", lambda a: _join(e.group for e in a.eligible.all())),
]

TIMELINE_COLUMNS = [
    CsvColumn("uid", "#meta+id", lambda e: e.uid),
    CsvColumn("crisis", "#crisis+code", lambda e: e.crisis.slug),
    CsvColumn("occurred_on", "#date+occurred", lambda e: e.occurred_on),
    CsvColumn("kind", "#event+type", lambda e: e.kind),
    CsvColumn("title", "#event+name", lambda e: e.title),
    CsvColumn("description", "#description", lambda e: e.description),
    CsvColumn("location", "#loc+name", lambda e: e.location),
    CsvColumn("actors", "#org+name", lambda e: _join(a.name for a in e.actors.all())),
]

FLOW_COLUMNS = [
    CsvColumn("uid", "#meta+id", lambda f: f.uid),
    CsvColumn("crossing", "#loc+crossing+code", lambda f: f.crossing.slug),
    CsvColumn("crossing_name", "#loc+crossing+name", lambda f: f.crossing.name),
    CsvColumn("day", "#date", lambda f: f.day),
    CsvColumn("metric", "#indicator+code", lambda f: f.metric),
    CsvColumn("value", "#indicator+value+num", lambda f: f.value),
    CsvColumn("source", "#meta+source", lambda f: f.source.slug),
    CsvColumn("report", "#meta+url", lambda f: _report_url(f.report)),
]

REPORT_COLUMNS = [
    CsvColumn("uid", "#meta+id", lambda r: r.uid),
    CsvColumn("title", "#meta+title", lambda r: r.title),
    CsvColumn("url", "#meta+url", lambda r: r.url),
    CsvColumn("source", "#meta+source", lambda r: r.source.slug),
    CsvColumn("published_at", "#date+published", lambda r: r.published_at),
    CsvColumn("language", "#meta+lang", lambda r: r.language),
    CsvColumn("crises", "#crisis+code", lambda r: _join(c.slug for c in r.crises.all())),
    CsvColumn("crossings", "#loc+crossing+code", lambda r: _join(c.slug for c in r.crossings.all())),
    CsvColumn("organisations", "#org+name+originating", lambda r: _join(r.organisations or [])),
    CsvColumn("country_codes", "#country+code", lambda r: _join(r.country_codes or [])),
    CsvColumn("disaster", "#crisis+name+disaster", lambda r: r.disaster),
    CsvColumn("glide", "#crisis+code+glide", lambda r: r.glide),
]


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if data is None:
            return ""
        data = data.get(key) if isinstance(data, dict) else getattr(data, key, None)
    return "" if data is None else data


CHANGE_COLUMNS = [
    CsvColumn("cursor", "#meta+cursor", lambda d: d["cursor"]),
    CsvColumn("kind", "#event+type", lambda d: d["kind"]),
    CsvColumn("recorded_at", "#date+recorded", lambda d: d["recorded_at"]),
    CsvColumn("crossing", "#loc+crossing+code", lambda d: _get(d, "crossing", "slug")),
    CsvColumn("dispute", "#event+dispute+code", lambda d: _get(d, "dispute", "slug")),
    CsvColumn("agreement", "#event+agreement+code", lambda d: _get(d, "agreement", "slug")),
    CsvColumn("status", "#status", lambda d: _get(d, "status", "status")),
    CsvColumn("traffic", "#status+traffic", lambda d: _get(d, "status", "traffic")),
    CsvColumn(
        "effective_at",
        "#date+effective",
        lambda d: _get(d, "status", "effective_at") or _get(d, "state_change", "effective_at"),
    ),
    CsvColumn("from_state", "#status+from", lambda d: _get(d, "state_change", "from_state")),
    CsvColumn("to_state", "#status+to", lambda d: _get(d, "state_change", "to_state")),
    CsvColumn("retracted_status", "#meta+retracted", lambda d: _get(d, "retraction", "retracted_status")),
    CsvColumn(
        "note",
        "#description",
        lambda d: (
            _get(d, "status", "evidence", "note") or _get(d, "retraction", "reason") or _get(d, "state_change", "note")
        ),
    ),
]

WEBHOOK_COLUMNS = [
    CsvColumn("uid", "#meta+id", lambda w: w.uid),
    CsvColumn("url", "#meta+url", lambda w: w.url),
    CsvColumn("description", "#description", lambda w: w.description),
    CsvColumn("active", "#status+active", lambda w: w.active),
    CsvColumn("created_at", "#date+created", lambda w: w.created_at),
]
