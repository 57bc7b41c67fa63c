"""The analysts' pages: each view reads its parameters, asks the selectors, and renders HTML or CSV.

Every page takes ``?as_of=`` (the record as it stood then) and ``?format=csv`` (its main list as a download).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any, TypeGuard, TypeVar

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from .. import selectors
from ..models import AidDispute, Crisis, Crossing, EvacuationAgreement, Report, Traffic
from ..selectors import search_query
from ..selectors.dashboard import accord_page, crossing_suggestions, editor_queue
from ..selectors.reports import shown_states
from ..selectors.timeline import TimelineEntry
from .access import is_editor, may_read
from .charts import flow_chart_svg, status_bands_svg
from .csv_export import EVIDENCE_HEADER, csv_response, evidence_cells
from .forms import ChartWindowForm, DashboardForm, MapForm, ReportFilterForm, TimelineFilterForm
from .fragments import cached_fragment
from .maps import crossings_map_svg, map_points
from .params import AsOf, BadParameter, parse_as_of, parse_format
from .templatetags import namer

REPORTS_PER_PAGE = 20
TIMELINE_PER_PAGE = 50
# A crossing page lists its latest status rows; ``?history=all`` and the CSV have every one (a crossing followed
# for years has a thousand, a page of them all was a megabyte). The chart above them draws every change; 25 rows
# are the last weeks of a busy crossing and months of most. A hundred were a third of a cold page (issue 16).
HISTORY_ON_PAGE = 25

View = Callable[..., HttpResponseBase]
F = TypeVar("F", bound=forms.Form)


def page(view: View) -> View:
    """Sign-in and role check, then the as-of moment and format parsed; bad parameters answer 400."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not may_read(request.user):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            return render(request, "tracker/forbidden.html", status=403)
        try:
            as_of = parse_as_of(request.GET.get("as_of"))
            fmt = parse_format(request.GET.get("format"))
            return view(request, *args, as_of=as_of, fmt=fmt, **kwargs)
        except BadParameter as error:
            return render(request, "tracker/bad_request.html", {"error": error}, status=400)

    return require_safe(wrapper)


def _valid(form: F) -> F:
    """``form`` (bound to the query string); a 400 naming its first wrong parameter when it does not validate."""
    if not form.is_valid():
        raise BadParameter(next(iter(form.errors)), str(next(iter(form.errors.values()))[0]))
    return form


def _stamp(as_of: AsOf) -> str:
    return as_of.moment.strftime("%Y%m%dT%H%MZ")


def _standing_rows(crossings: list[Any], crisis: Crisis | None = None) -> Iterator[list[Any]]:
    for crossing in crossings:
        for standing in crossing.standing:
            row = standing.row
            yield [
                crisis.name if crisis else "",
                crossing.name,
                crossing.slug,
                standing.traffic,
                standing.status,
                row.certainty if row else "",
                standing.since,
                standing.last_stated_at,
                standing.stale,
                row.stated_by.name if row and row.stated_by else "",
                *evidence_cells(row and row.report, visible=_report_visible(row and row.report, False)),
                row.note if row else "",
            ]


STANDING_HEADER = [
    "crisis",
    "crossing",
    "crossing_slug",
    "traffic",
    "status",
    "certainty",
    "since",
    "last_stated_at",
    "stale",
    "stated_by",
    *EVIDENCE_HEADER,
    "note",
]


@page
def dashboard(request: HttpRequest, *, as_of: AsOf, fmt: str) -> HttpResponseBase:
    if fmt == "csv":  # every crisis under way, not a page of them
        board = selectors.dashboard(as_of=as_of.moment, include_unreviewed=False)
        rows = (row for block in board.crises for row in _standing_rows(block.crossings, block.crisis))
        return csv_response(f"crossing-status-{_stamp(as_of)}.csv", STANDING_HEADER, rows)
    form = _valid(DashboardForm(request.GET))

    def body() -> str:
        board = selectors.dashboard(as_of=as_of.moment, include_unreviewed=False, page=form.cleaned_data["page"] or 1)
        return render_to_string("tracker/_dashboard_body.html", {"as_of": as_of, "board": board}, request)

    context: dict[str, Any] = {"as_of": as_of, "body": mark_safe(cached_fragment(request, as_of, "dashboard", body))}
    if is_editor(request.user):
        unreviewed, suggestions = editor_queue(as_of=as_of.moment)
        context["board"] = {"unreviewed": unreviewed, "suggestions": suggestions}
    return render(request, "tracker/dashboard.html", context)


@page
def crisis_detail(request: HttpRequest, slug: str, *, as_of: AsOf, fmt: str) -> HttpResponseBase:
    crisis = get_object_or_404(Crisis.objects.prefetch_related("countries"), slug=slug)
    view = selectors.crisis_page(crisis, as_of=as_of.moment, include_unreviewed=is_editor(request.user))
    if fmt == "csv":
        rows = _standing_rows(view.block.crossings, crisis)
        return csv_response(f"{crisis.slug}-crossing-status-{_stamp(as_of)}.csv", STANDING_HEADER, rows)
    return render(
        request,
        "tracker/crisis.html",
        {"as_of": as_of, "crisis": crisis, "view": view, "not_begun": crisis.started_on > as_of.moment.date()},
    )


def _crossing_with_standing(slug: str, as_of: AsOf) -> Crossing:
    found = selectors.crossings_with_standing(
        Crossing.objects.filter(slug=slug).select_related("side_a", "side_b").prefetch_related("aliases", "crises"),
        as_of=as_of.moment,
    )
    if not found:
        raise Http404("No such crossing.")
    return found[0]


@page
def crossing_detail(request: HttpRequest, slug: str, *, as_of: AsOf, fmt: str) -> HttpResponseBase:
    window = ChartWindowForm(request.GET)
    if not window.is_valid():
        raise BadParameter("days", str(window.errors["days"][0]))
    every_row = request.GET.get("history", "")
    if every_row not in ("", "all"):
        raise BadParameter("history", "history must be “all” (every status row) or left out (the latest ones).")
    editor = is_editor(request.user)
    if fmt == "csv":
        # The export is the status history alone: none of the page's chart, flows, accords or reports is read.
        crossing = get_object_or_404(Crossing.objects.only("pk", "slug"), slug=slug)
        history = selectors.crossing_status_history(crossing=crossing).filter(effective_at__lte=as_of.moment)
        return csv_response(
            f"{crossing.slug}-status-history-{_stamp(as_of)}.csv",
            [
                "effective_at",
                "traffic",
                "status",
                "certainty",
                "recorded_at",
                "stated_by",
                *EVIDENCE_HEADER,
                "note",
                "retracted",
                "retraction_reason",
            ],
            (
                [
                    row.effective_at,
                    row.traffic,
                    row.status,
                    row.certainty,
                    row.recorded_at,
                    row.stated_by.name if row.stated_by else "",
                    *evidence_cells(row.report, visible=_report_visible(row.report, editor)),
                    row.note,
                    hasattr(row, "retraction"),
                    row.retraction.reason if hasattr(row, "retraction") else "",
                ]
                for row in history
            ),
        )

    def build() -> tuple[str, str]:
        crossing = _crossing_with_standing(slug, as_of)
        view = selectors.crossing_page(
            crossing,
            as_of=as_of.moment,
            include_unreviewed=editor,
            window_days=window.cleaned_data["days"],
            history_limit=None if every_row else HISTORY_ON_PAGE,
            suggestions=False,  # the editor's queue is read apart, below: it is not part of the cached page
        )
        # Named as the reader reads it (its alias in their language), in the title, the heading and the charts, by
        # the request's namer, which the page's tables use too.
        name = namer(request, "crossing")(crossing)
        charts = [flow_chart_svg(series, crossing_name=name, index=n) for n, series in enumerate(view.flows)]
        body = render_to_string(
            "tracker/_crossing_body.html",
            {
                "as_of": as_of,
                "crossing": crossing,
                "single": [crossing],
                "view": view,
                "bands_svg": status_bands_svg(
                    view.bands, start=view.window_start, end=as_of.moment, crossing_name=name
                ),
                "flow_charts": list(zip(view.flows, charts, strict=True)),
                "window_form": window,
                "window_days": window.cleaned_data["days"],
                "history_on_page": HISTORY_ON_PAGE,
            },
            request,
        )
        return name, body

    title, body = cached_fragment(request, as_of, "crossing", build)
    context: dict[str, Any] = {"as_of": as_of, "title": title, "body": mark_safe(body)}
    if editor:
        context["suggestions"] = crossing_suggestions(as_of=as_of.moment, crossing_slug=slug)
    return render(request, "tracker/crossing.html", context)


def _report_visible(report: Report | None, editor: bool) -> TypeGuard[Report]:
    return report is not None and report.review_state in shown_states(include_unreviewed=editor)


def _accord(
    request: HttpRequest, model: type[AidDispute] | type[EvacuationAgreement], slug: str, as_of: AsOf, fmt: str
) -> HttpResponseBase:
    entity: Any = get_object_or_404(model, slug=slug)
    editor = is_editor(request.user)
    on_record: AidDispute | EvacuationAgreement | None
    if isinstance(entity, AidDispute):
        on_record = selectors.disputes_as_of(AidDispute.objects.filter(pk=entity.pk), as_of=as_of.moment).first()
    else:
        on_record = selectors.agreements_as_of(
            EvacuationAgreement.objects.filter(pk=entity.pk), as_of=as_of.moment
        ).first()
    view = accord_page(on_record or entity, as_of=as_of.moment, include_unreviewed=editor)
    kind = "dispute" if model is AidDispute else "agreement"
    if fmt == "csv":
        return csv_response(
            f"{entity.slug}-state-history-{_stamp(as_of)}.csv",
            ["effective_at", "from_state", "to_state", "recorded_at", "report_title", "report_url", "note"],
            (
                [
                    change.effective_at,
                    change.from_state,
                    change.to_state,
                    change.recorded_at,
                    change.report.title if _report_visible(change.report, editor) else "",
                    change.report.url if _report_visible(change.report, editor) else "",
                    change.note,
                ]
                for change in view.history
            ),
        )
    return render(
        request,
        f"tracker/{kind}.html",
        {"as_of": as_of, "entity": on_record or entity, "on_record": on_record is not None, "view": view},
    )


@page
def dispute_detail(request: HttpRequest, slug: str, *, as_of: AsOf, fmt: str) -> HttpResponseBase:
    return _accord(request, AidDispute, slug, as_of, fmt)


@page
def agreement_detail(request: HttpRequest, slug: str, *, as_of: AsOf, fmt: str) -> HttpResponseBase:
    return _accord(request, EvacuationAgreement, slug, as_of, fmt)


def _timeline_csv(entries: Iterator[TimelineEntry], as_of: AsOf) -> HttpResponseBase:
    return csv_response(
        f"timeline-{_stamp(as_of)}.csv",
        ["date", "time", "category", "kind", "title", "detail", "crisis", "actors", "reports", "link"],
        (
            [
                entry.day,
                entry.at,
                entry.category,
                entry.label,
                entry.title,
                entry.detail,
                entry.crisis.name if entry.crisis else "",
                [actor.name for actor in entry.actors],
                [report.title for report in entry.reports],
                reverse(entry.link_view, args=[entry.link_slug]),
            ]
            for entry in entries
        ),
    )


@page
def timeline(request: HttpRequest, *, as_of: AsOf, fmt: str) -> HttpResponseBase:
    form = TimelineFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "tracker/timeline.html", {"as_of": as_of, "form": form}, status=400)
    data = form.cleaned_data
    filters = {
        "as_of": as_of.moment,
        "crises": [data["crisis"]] if data["crisis"] else None,
        "kinds": [data["kind"]] if data["kind"] else None,
        "actor": data["actor"],
        "since": data["since"],
        "until": data["until"],
        "include_unreviewed": is_editor(request.user),
    }
    if fmt == "csv":
        return _timeline_csv(selectors.timeline_stream(**filters), as_of)
    number = data["page"] or 1
    entries = selectors.timeline_entries(
        **filters, limit=TIMELINE_PER_PAGE + 1, offset=(number - 1) * TIMELINE_PER_PAGE
    )
    return render(
        request,
        "tracker/timeline.html",
        {
            "as_of": as_of,
            "form": form,
            "entries": entries[:TIMELINE_PER_PAGE],
            "page_number": number,
            "has_next": len(entries) > TIMELINE_PER_PAGE,
        },
    )


@page
def reports(request: HttpRequest, *, as_of: AsOf, fmt: str) -> HttpResponseBase:
    form = ReportFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "tracker/reports.html", {"as_of": as_of, "form": form}, status=400)
    data = form.cleaned_data
    found = selectors.reports_listing(
        as_of=as_of.moment,
        include_unreviewed=is_editor(request.user),
        text=data["q"],
        source=data["source"],
        crisis=data["crisis"],
        crossing=data["crossing"],
        since=data["since"],
        until=data["until"],
        ranked=fmt != "csv",  # the download holds every match, newest first
    )
    if fmt == "csv":
        return csv_response(
            f"reports-{_stamp(as_of)}.csv",
            ["published_at", "title", "source", "url", "review_state", "language", "crises", "crossings", "excerpt"],
            (
                [
                    report.published_at,
                    report.title,
                    report.source.name,
                    report.url,
                    report.review_state,
                    report.language,
                    [c.name for c in report.crises.all()],
                    [c.name for c in report.crossings.all()],
                    selectors.snippet_plain(getattr(report, "snippet", "")),
                ]
                for report in found.iterator(chunk_size=500)
            ),
        )
    paginator = Paginator(found, REPORTS_PER_PAGE)
    page_obj = paginator.get_page(data["page"] or 1)
    window = settings.SEARCH_RANK_WINDOW
    return render(
        request,
        "tracker/reports.html",
        {
            "as_of": as_of,
            "form": form,
            "page_obj": page_obj,
            "searched": bool(data["q"]),
            # A query of punctuation or stop words alone finds nothing on either database: say why.
            "nothing_to_search": bool(data["q"]) and search_query.parse(data["q"]).empty,
            # Search ranks the most recent matches only; when they fill the window, older ones exist too.
            "rank_window": window if data["q"] and selectors.search_supported() and paginator.count >= window else None,
        },
    )


@page
def crossings_map(request: HttpRequest, *, as_of: AsOf, fmt: str) -> HttpResponseBase:
    data = request.GET.copy()
    data.setdefault("traffic", str(Traffic.AID))  # so the control shows what the map shows
    form = _valid(MapForm(data))
    crisis, traffic = form.cleaned_data["crisis"], form.cleaned_data["traffic"]
    crossings_qs = Crossing.objects.filter(crises=crisis) if crisis else Crossing.objects.all()
    crossings = selectors.crossings_with_standing(crossings_qs.order_by("name"), as_of=as_of.moment)
    if fmt == "csv":
        return csv_response(
            f"crossings-map-{_stamp(as_of)}.csv",
            ["crossing", "crossing_slug", "latitude", "longitude", "traffic", "status", "since", "stale"],
            (
                [c.name, c.slug, c.latitude, c.longitude, s.traffic, s.status, s.since, s.stale]
                for c in crossings
                for s in c.standing  # type: ignore[attr-defined]
            ),
        )
    query = f"?as_of={as_of.query_value}" if as_of.query_value else ""
    points, unplaced = map_points(
        crossings,
        traffic=traffic,
        href=lambda c: reverse("pages:crossing", args=[c.slug]) + query,  # type: ignore[attr-defined]
        name=namer(request, "crossing"),
    )
    traffic_label = Traffic(traffic).label
    if crisis:
        title = gettext("Crossings of %(crisis)s: status for %(traffic)s") % {
            "crisis": crisis,
            "traffic": traffic_label.lower(),
        }
    else:
        title = gettext("Crossings: status for %(traffic)s") % {"traffic": traffic_label.lower()}
    return render(
        request,
        "tracker/map.html",
        {
            "as_of": as_of,
            "form": form,
            "crisis": crisis,
            "traffic": traffic,
            "traffic_label": traffic_label,
            "crossings": crossings,
            "unplaced": unplaced,
            "map_svg": crossings_map_svg(points, title=title, traffic_label=str(traffic_label)) if points else None,
        },
    )
