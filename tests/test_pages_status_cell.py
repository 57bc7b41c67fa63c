"""The status table's cells and the accord lists' items are built in Python (issue 16: through the template they
were most of a cold dashboard). They must write, byte for byte, what the templates wrote: the reference templates
are rendered here beside them, on the demo scenario, in each language, for an analyst and for an editor."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone, translation

from tests.factories import ActorFactory, report, status
from tests.test_pages_support import relevant_report
from tracker import selectors
from tracker.demo import load_demo
from tracker.models import ActorAlias, Crossing, CrossingStatus, Traffic

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "includes"
# The loops as the templates wrote them before the tags took over; the tags must write the same.
DISPUTE_LOOP = """{% for dispute in disputes %}
      <li>
        <a href="{% at 'pages:dispute' dispute.slug %}"><bdi>{{ dispute.name }}</bdi></a>
        <span class="state state-{{ dispute.state_as_of }}">{{ dispute.state_as_of|state_label }}</span>
        <span class="meta">{{ dispute.get_subject_display }} · {% translate "since" context "state held since a moment" %} <time datetime="{{ dispute.state_since|date:'c' }}">{{ dispute.state_since|utc }}</time>{% for party in dispute.parties.all %}{% if forloop.first %} · {% else %}, {% endif %}<bdi>{% actor_name party %}</bdi>{% endfor %}</span>
      </li>
      {% endfor %}"""  # noqa: E501
AGREEMENT_LOOP = """{% for agreement in agreements %}
      <li>
        <a href="{% at 'pages:agreement' agreement.slug %}"><bdi>{{ agreement.name }}</bdi></a>
        <span class="state state-{{ agreement.state_as_of }}">{{ agreement.state_as_of|state_label }}</span>
        <span class="meta">{% translate "since" context "state held since a moment" %} <time datetime="{{ agreement.state_since|date:'c' }}">{{ agreement.state_since|utc }}</time>{% for party in agreement.parties.all %}{% if forloop.first %} · {% else %}, {% endif %}<bdi>{% actor_name party.actor %}</bdi> ({{ party.get_role_display|lower }}){% endfor %}</span>
      </li>
      {% endfor %}"""  # noqa: E501


def _pair(name: str, replacements: dict[str, str]) -> tuple[Any, Any]:
    """The template as it is, and as it was (each tag replaced by the template code it stands for)."""
    source = (TEMPLATES / name).read_text()
    reference = source
    for tagged, old in replacements.items():
        assert tagged in source, f"{name} no longer uses {tagged!r}: update this test with it"
        reference = reference.replace(tagged, old)
    engine = engines["django"]
    return engine.from_string(source), engine.from_string(reference)


@pytest.mark.parametrize("language", [code for code, _ in settings.LANGUAGES])
@pytest.mark.parametrize("editor", [False, True])
def test_cells_and_accord_items_write_what_the_templates_wrote(language, editor, settings):
    settings.STATUS_STALE_AFTER_DAYS = 1  # the demo's older statuses are then stale
    load_demo()
    # Cells of every kind, with names that need escaping: cited reports, a statement on someone's word, stale ones.
    crossing = Crossing.objects.filter(crises__isnull=False).first()
    hour_ago = timezone.now() - timedelta(hours=1)
    cited = relevant_report(title='Rafah <b>"closed"</b> & more', url="https://example.org/a?b=1&c=2")
    status(crossing, CrossingStatus.Status.CLOSED, hour_ago, Traffic.AID, report=cited)
    status(crossing, CrossingStatus.Status.OPEN, hour_ago, Traffic.PEOPLE, report=report(title="Second <i>report</i>"))
    speaker = ActorFactory(name="O'Brien & Sons <UN>")
    ActorAlias.objects.create(actor=speaker, name="أوبراين وأبناؤه <الأمم>", language="ar")
    status(crossing, CrossingStatus.Status.RESTRICTED, hour_ago, Traffic.FUEL, stated_by=speaker)
    board = selectors.dashboard(as_of=timezone.now(), include_unreviewed=editor)
    standings = [standing for block in board.crises for c in block.crossings for standing in c.standing]
    assert any(s.row for s in standings) and any(not s.row for s in standings)
    assert any(block.open_disputes for block in board.crises) and any(block.agreements for block in board.crises)
    table, table_reference = _pair(
        "status_table.html", {"{% status_cell crossing standing %}": '{% include "includes/status_cell.html" %}'}
    )
    lists, lists_reference = _pair(
        "accord_lists.html",
        {
            "{% for dispute in disputes %}{% dispute_item dispute %}{% endfor %}": DISPUTE_LOOP,
            "{% for agreement in agreements %}{% agreement_item agreement %}{% endfor %}": AGREEMENT_LOOP,
        },
    )
    request = RequestFactory().get("/")
    tables = []
    with translation.override(language):
        for block in board.crises:
            context = {"crossings": block.crossings, "viewer_is_editor": editor}
            html = table.render(context, request)
            tables.append(html)
            assert html == table_reference.render(context, request)
            assert html.count('<td class="status-cell"') == 4 * len(block.crossings)
            context = {
                "disputes": block.open_disputes,
                "agreements": block.agreements,
                "prefix": block.crisis.slug,
                "only_open": True,
            }
            html = lists.render(context, request)
            assert html == lists_reference.render(context, request)
            assert html.count("<li>") == len(block.open_disputes) + len(block.agreements)
    # The demo has cells of every kind: cited reports, statements on someone's word, an editor's note.
    everything = "".join(tables)
    speaker = "أوبراين وأبناؤه &lt;الأمم&gt;" if language == "ar" else "O&#x27;Brien &amp; Sons &lt;UN&gt;"
    assert 'class="evidence-report"' in everything and speaker in everything
    assert 'class="stale"' in everything and "Second &lt;i&gt;report" in everything
    if language == "ar":  # actors by their Arabic alias, escaped like any name
        assert "O&#x27;Brien" not in everything
