"""Template tags of the status pages: links that keep the as-of moment, and status symbols."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.timezone import get_current_timezone, template_localtime  # type: ignore[attr-defined]  # in Django, not in its stubs
from django.utils.translation import gettext, pgettext

from ..models import CrossingStatus
from ..models.accords import AidDisputeState, EvacuationAgreementState
from ..selectors.names import Namer, actor_names_in, crossing_names_in
from ..selectors.reports import shown_states

register = template.Library()

# Each status has a symbol and a pattern as well as a colour, so it reads without colour (see tracker.css).
STATUS_SYMBOLS: dict[str, str] = {
    CrossingStatus.Status.OPEN: "✓",
    CrossingStatus.Status.RESTRICTED: "◐",
    CrossingStatus.Status.CLOSED: "✕",
    CrossingStatus.Status.UNKNOWN: "?",
}
# Lazy labels, turned into text when a page is rendered, in the reader's language.
STATUS_LABELS: dict[str, Any] = dict(CrossingStatus.Status.choices)


@lru_cache(maxsize=20_000)
def _reverse(urlconf: str | None, prefix: str, view_name: str, args: tuple[Any, ...]) -> str:
    """``reverse()``, remembered: the dashboard links 1,700 pages, and each reverse() was a tenth of a millisecond
    (issue 16). Keyed on the URLconf and script prefix in force, so a URL is never given under the wrong ones."""
    return reverse(view_name, args=args)


@register.simple_tag(takes_context=True)
def at(context: dict[str, Any], view_name: str, *args: Any, **query: Any) -> str:
    """The URL of a page, keeping the as-of moment being shown (``{% at 'pages:crossing' c.slug %}``)."""
    url = _reverse(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), view_name, args)
    as_of = context.get("as_of")
    params = {k: v for k, v in query.items() if v not in (None, "")}
    if as_of is not None and as_of.query_value:
        params["as_of"] = as_of.query_value
    return f"{url}?{urlencode(params)}" if params else url


@register.simple_tag(takes_context=True)
def with_query(context: dict[str, Any], **changes: Any) -> str:
    """The current page's query string with some parameters changed (``None`` or "" removes one)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def status_badge(status: str | None) -> SafeString:
    """A status as symbol + word in a coloured, patterned badge; ``None`` is unknown."""
    value = status or CrossingStatus.Status.UNKNOWN
    return format_html(
        '<span class="status status-{}"><span class="status-symbol" aria-hidden="true">{}</span> {}</span>',
        value,
        STATUS_SYMBOLS.get(value, "?"),
        str(STATUS_LABELS.get(value, value)),
    )


@register.filter
def bdi(value: Any) -> SafeString:
    """Record text (a name, a title) quoted inside a sentence, isolated in its own direction: an English source
    name inside an Arabic sentence would otherwise pull the punctuation around it into the wrong places."""
    return format_html("<bdi>{}</bdi>", value)


class _UnitWords:
    """One unit of ``timesince``'s ``time_strings`` ("%(num)d day"), each number's words looked up once: timesince
    looks up its plural forms on every call, a third of its time on a page of 1,200 "for 3 days"."""

    def __init__(self, lazy: Any) -> None:
        self.lazy: Any = lazy
        self.done: dict[int, str] = {}

    def __mod__(self, values: dict[str, int]) -> str:
        number = values["num"]
        words = self.done.get(number)
        if words is None:
            words = self.done[number] = str(self.lazy % values)
        return words


def time_words() -> dict[str, Any]:
    """``timesince``'s words in the reader's language, remembered for one page (a page is one language)."""
    return {unit: _UnitWords(lazy) for unit, lazy in TIME_STRINGS.items()}


@register.filter
def held_for(since: datetime | None, until: datetime | None, words: dict[str, Any] | None = None) -> str:
    """How long from ``since`` to ``until``, in words ("12 days", "3 months, 1 week"). ``words``: from
    ``time_words()``, for a caller that writes many."""
    if since is None or until is None:
        return ""
    if until - since < timedelta(minutes=1):
        return gettext("less than a minute")
    return timesince(since, until, time_strings=words)


def _esc(value: Any) -> str:
    """``conditional_escape`` without its lazy-string wrapper (27,000 calls on the dashboard): safe text as it is,
    anything else through ``html.escape``, which replaces the same five characters the same way."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


@register.filter
def utc(moment: datetime | None) -> str:
    """A moment as every page shows it: UTC, to the minute."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


@register.filter
def snippet(value: str) -> SafeString:
    """A search snippet as escaped HTML with its matches in ``<mark>``."""
    from ..selectors import snippet_html

    return snippet_html(value)


@register.filter
def marked_title(report: Any) -> SafeString:
    """A report's title as escaped HTML, the search's matches in ``<mark>`` where the search marked it."""
    from ..selectors.reports import title_html

    return title_html(report.title, getattr(report, "title_marked", None))


@register.filter
def visible_to(report: Any, viewer_is_editor: bool) -> bool:
    """Whether a report may be named to this reader: relevant ones to all, new ones to editors only."""
    return report is not None and report.review_state in shown_states(include_unreviewed=bool(viewer_is_editor))


@register.simple_tag
def admin_change_url(obj: Any) -> str:
    """The admin page where an editor deals with ``obj``."""
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


_STATE_LABELS = {**dict(AidDisputeState.choices), **dict(EvacuationAgreementState.choices)}


@register.filter
def state_label(value: str) -> str:
    """A dispute's or agreement's state in words."""
    return str(_STATE_LABELS.get(value, value or gettext("Not on record")))


NAMES_IN = {"crossing": crossing_names_in, "actor": actor_names_in}


def namer(request: Any, kind: str) -> Namer:
    """The request's namer of crossings or actors (``kind``): each language's aliases are read once per request,
    whether a page's frame, its cached body or its view names them. Without a request, a new one each time."""
    if request is None:
        return Namer(NAMES_IN[kind])
    namers = request.__dict__.setdefault("_namers", {})
    if kind not in namers:
        namers[kind] = Namer(NAMES_IN[kind])
    return namers[kind]  # type: ignore[no-any-return]


def _namer(context: Any, kind: str) -> Namer:
    request = context.get("request")
    if request is not None:
        return namer(request, kind)
    return context.render_context.setdefault(("_namer", kind), Namer(NAMES_IN[kind]))  # type: ignore[no-any-return]


@register.simple_tag(takes_context=True)
def crossing_name(context: Any, crossing: Any) -> str:
    """A crossing's name in the reader's language (its alias in that language), else its own name."""
    return _namer(context, "crossing")(crossing)


@register.simple_tag(takes_context=True)
def actor_name(context: Any, actor: Any) -> str:
    """An actor's name in the reader's language (its alias in that language), else its own name."""
    return "" if actor is None else _namer(context, "actor")(actor)


def _iso(moment: datetime | None, zone: Any = None) -> str:
    """``{{ moment|date:'c' }}``: the moment in the current time zone (as the date filter reads it), in ISO 8601 (as
    its ``c`` writes it), without the filter's format lookups (two per status cell). ``zone``: the current time
    zone, for a caller that writes many (what ``template_localtime`` converts an aware moment to)."""
    if not moment:
        return ""
    return moment.astimezone(zone).isoformat() if zone is not None else template_localtime(moment).isoformat()


def _page_memo(context: Any, name: str, build: Any) -> Any:
    """What ``build()`` gives, once per page: kept on the template ``Context``, which a page shares with its
    ``{% include %}``s (the dashboard includes its status table and accord lists once per crisis, and each include
    starts a render context of its own). A page renders in one language and one time zone; looking them up for
    every cell was itself a tenth of the dashboard's rendering."""
    memo = context.__dict__.get("_page_memo")
    if memo is None:
        memo = context.__dict__["_page_memo"] = {}
    found = memo.get(name)
    if found is None:
        found = memo[name] = build()
    return found


def _cell_words() -> dict[str, str]:
    """The words of a status cell in the reader's language, looked up once per table rather than once per cell."""
    return {
        "nothing": gettext("Nothing recorded"),
        "for": gettext("for %(period)s"),
        "since": pgettext("status held since a moment", "since"),
        "confirmed": f"✔ {gettext('Confirmed')}",
        "reported": gettext("Reported, not confirmed"),
        "stale": gettext("Stale: last stated %(period)s ago"),
        "word": gettext("On the word of %(who)s"),
        "note": gettext("Editor's note"),
        "evidence": gettext("Evidence"),
        "hidden": gettext("for %(name)s, %(traffic)s"),
    }


@register.simple_tag(takes_context=True)
def status_cell(context: Any, crossing: Any, standing: Any) -> SafeString:
    """One cell of the status table: the same HTML as ``includes/status_cell.html``, built in Python.

    Translated words are not escaped, as ``{% translate "literal" %}`` leaves them; the values in them are.
    The dashboard draws 1,200 of them; through the template they were most of its cold rebuild (issue 16: each
    one resolved ~40 variables, looked up ten translations and reversed a URL). The template stays as the reference
    that a test compares this with (tests/test_pages_status_cell.py); a change to one must be made to the other.
    """
    esc = _esc
    memo = _page_memo(
        context,
        "status_cell",
        lambda: {
            "words": _cell_words(),
            "urls": {},
            "labels": {},
            "time": time_words(),
            "zone": get_current_timezone(),
        },
    )
    words, urls, labels, time, zone = memo["words"], memo["urls"], memo["labels"], memo["time"], memo["zone"]
    row = standing.row
    status = standing.status
    label_and_badge = labels.get((standing.traffic, status))
    if label_and_badge is None:
        label_and_badge = labels[standing.traffic, status] = (standing.traffic_label, status_badge(status))
    label, badge = label_and_badge
    head = (
        f'\n<td class="status-cell" data-label="{esc(label)}" data-traffic="{esc(standing.traffic)}"'
        f' data-status="{esc(status)}" data-stale="{"true" if standing.stale else "false"}"'
        f' data-last-stated-at="{esc(_iso(standing.last_stated_at, zone))}">\n  {badge}\n  '
    )
    if not row:
        return SafeString(f'{head}\n    <span class="muted">{words["nothing"]}</span>\n  \n</td>\n')
    held = words["for"] % {"period": esc(held_for(standing.since, standing.as_of, time))}
    since = (
        f'<span class="since">{words["since"]} '
        f'<time datetime="{esc(_iso(standing.since, zone))}">{esc(utc(standing.since))}</time></span>'
    )
    certainty_text = words["confirmed"] if row.certainty == "confirmed" else words["reported"]
    certainty = f'<span class="certainty certainty-{esc(row.certainty)}">{certainty_text}</span>'
    stale = ""
    if standing.stale:
        period = esc(held_for(standing.last_stated_at, standing.as_of, time))
        stale = f'<span class="stale"><span aria-hidden="true">⚠</span> {words["stale"] % {"period": period}}</span>'
    report = row.report
    shown = visible_to(report, context.get("viewer_is_editor", ""))
    word = ""
    if row.stated_by:
        who = esc(actor_name(context, row.stated_by))
        word = f'<span class="word">{words["word"] % {"who": f"<bdi>{who}</bdi>"}}</span>'
    elif not shown:
        word = f'<span class="word">{words["note"]}</span>'
    evidence = ""
    if shown:
        template = context.template.engine.get_template("includes/evidence_report.html")
        with context.push(report=report):
            evidence = template.render(context)
    url = urls.get(crossing.slug)
    if url is None:
        url = urls[crossing.slug] = esc(at(context, "pages:crossing", crossing.slug))
    hidden = words["hidden"] % {"name": esc(crossing_name(context, crossing)), "traffic": esc(label.lower())}
    anchor = (
        f'<a class="evidence" href="{url}#status-{esc(row.uid)}">{words["evidence"]}'
        f'<span class="visually-hidden"> {hidden}</span></a>'
    )
    body = (
        f'\n    <span class="held">{held}</span>\n    {since}\n    {certainty}\n    {stale}\n    '
        f"\n    {word}\n    {evidence}\n    \n    \n    {anchor}\n  "
    )
    return SafeString(f"{head}{body}\n</td>\n")


def _accord_memo(context: Any) -> dict[str, Any]:
    """Words of the accord lists looked up once per page: "since", and each state, subject and role label."""
    return _page_memo(  # type: ignore[no-any-return]
        context,
        "accord_item",
        lambda: {"since": pgettext("state held since a moment", "since"), "zone": get_current_timezone()},
    )


def _label(memo: dict[Any, Any], key: tuple[str, str], words: Any) -> str:
    found = memo.get(key)
    if found is None:
        found = memo[key] = _esc(words())
    return found  # type: ignore[no-any-return]


@register.simple_tag(takes_context=True)
def dispute_item(context: Any, dispute: Any) -> SafeString:
    """One dispute of ``includes/accord_lists.html``, the ``<li>`` its loop wrote, built in Python (the dashboard
    lists a thousand disputes and agreements; issue 16). Kept identical to the template by
    tests/test_pages_status_cell.py."""
    esc = _esc
    memo = _accord_memo(context)
    since, state, zone = memo["since"], dispute.state_as_of, memo["zone"]
    parties = list(dispute.parties.all())
    who = "".join(
        f"{' · ' if n == 0 else ', '}<bdi>{esc(actor_name(context, party))}</bdi>" for n, party in enumerate(parties)
    )
    subject = _label(memo, ("subject", dispute.subject), dispute.get_subject_display)
    return SafeString(
        f'\n      <li>\n        <a href="{esc(at(context, "pages:dispute", dispute.slug))}">'
        f"<bdi>{esc(dispute.name)}</bdi></a>\n"
        f'        <span class="state state-{esc(state)}">{_label(memo, ("state", state), lambda: state_label(state))}'
        "</span>\n"
        f'        <span class="meta">{subject} · {since} '
        f'<time datetime="{esc(_iso(dispute.state_since, zone))}">{esc(utc(dispute.state_since))}</time>{who}</span>\n'
        "      </li>\n      "
    )


@register.simple_tag(takes_context=True)
def agreement_item(context: Any, agreement: Any) -> SafeString:
    """One agreement of ``includes/accord_lists.html``, as ``dispute_item`` is one dispute."""
    esc = _esc
    memo = _accord_memo(context)
    since, zone = memo["since"], memo["zone"]
    who = "".join(
        f"{' · ' if n == 0 else ', '}<bdi>{esc(actor_name(context, party.actor))}</bdi> "
        f"({_label(memo, ('role', party.role), lambda party=party: str(party.get_role_display()).lower())})"
        for n, party in enumerate(agreement.parties.all())
    )
    url, state = at(context, "pages:agreement", agreement.slug), agreement.state_as_of
    return SafeString(
        f'\n      <li>\n        <a href="{esc(url)}"><bdi>{esc(agreement.name)}</bdi></a>\n'
        f'        <span class="state state-{esc(state)}">{_label(memo, ("state", state), lambda: state_label(state))}'
        "</span>\n"
        f'        <span class="meta">{since} '
        f'<time datetime="{esc(_iso(agreement.state_since, zone))}">'
        f"{esc(utc(agreement.state_since))}</time>{who}</span>\n"
        "      </li>\n      "
    )
