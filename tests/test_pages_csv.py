"""Every list page exports what it shows as CSV: a download, UTF-8, one row per item, formulas defused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.test_pages_support import build_situation, csv_rows, signed_in
from tracker.pages.csv_export import cell

pytestmark = pytest.mark.django_db


def test_cells_are_plain_text_times_in_utc_and_formulas_defused():
    assert cell(datetime(2023, 10, 15, 12, tzinfo=UTC)) == "2023-10-15T12:00:00Z"
    assert cell(None) == "" and cell(True) == "yes" and cell(["a", "b"]) == "a; b" and cell(-3) == "-3"
    for risky in ("=1+1", "+1", "-cmd", "@SUM(A1)", "\t=x"):
        assert cell(risky) == "'" + risky


def test_dashboard_csv_has_a_row_per_crossing_and_kind_of_traffic(analyst_client):
    situation = build_situation(2)
    response = analyst_client.get("/", {"format": "csv", "as_of": "2023-10-20"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="crossing-status-20231020T2359Z.csv"'
    rows = csv_rows(response)
    assert len(rows) == 2 * 4
    aid = next(r for r in rows if r["crossing"] == situation.crossings[0].name and r["traffic"] == "aid")
    assert aid["status"] == "closed" and aid["since"] == "2023-10-04T00:00:00Z" and aid["stale"] == "yes"
    assert aid["report_title"] == situation.reports[0].title and aid["crisis"] == situation.crisis.name


def test_crossing_csv_is_its_status_history(analyst_client):
    situation = build_situation(1)
    rows = csv_rows(analyst_client.get(f"/crossings/{situation.crossings[0].slug}/", {"format": "csv"}))
    assert [(r["traffic"], r["status"]) for r in rows] == [("people", "restricted"), ("all", "closed"), ("all", "open")]
    assert rows[0]["retracted"] == "no"


def test_crisis_dispute_and_agreement_pages_export_their_lists(analyst_client):
    situation = build_situation(1)
    crossing = situation.crossings[0]
    assert len(csv_rows(analyst_client.get(f"/crises/{situation.crisis.slug}/", {"format": "csv"}))) == 4
    dispute_rows = csv_rows(analyst_client.get(f"/disputes/{crossing.disputes.get().slug}/", {"format": "csv"}))
    assert [r["to_state"] for r in dispute_rows] == ["open"]
    agreement_rows = csv_rows(analyst_client.get(f"/agreements/{crossing.agreements.get().slug}/", {"format": "csv"}))
    assert [r["to_state"] for r in agreement_rows] == ["proposed"]


def test_exports_never_carry_unreviewed_material_to_analysts(analyst_client, editor):
    build_situation(1)
    analyst_rows = csv_rows(analyst_client.get("/reports/", {"format": "csv"}))
    assert all(r["review_state"] == "relevant" for r in analyst_rows)
    editor_rows = csv_rows(signed_in(editor).get("/reports/", {"format": "csv"}))
    assert {r["review_state"] for r in editor_rows} == {"relevant", "new"}


def test_crossing_csv_reads_the_history_only(analyst_client, django_assert_max_num_queries):
    """The export does not build the page (chart, flows, accords, reports): a few queries, whatever the history."""
    situation = build_situation(1)
    with django_assert_max_num_queries(6):
        response = analyst_client.get(f"/crossings/{situation.crossings[0].slug}/", {"format": "csv"})
    assert len(csv_rows(response)) == 3
    assert analyst_client.get("/crossings/no-such-crossing/", {"format": "csv"}).status_code == 404
