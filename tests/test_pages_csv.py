"""Every list page exports what it shows as CSV: a download, UTF-8, one row per item, formulas defused."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import hxl
import pytest

from tests.test_pages_support import build_situation, csv_rows, signed_in
from tracker.models import Report
from tracker.pages.csv_export import cell

pytestmark = pytest.mark.django_db


def test_cells_are_plain_text_times_in_utc_and_formulas_defused():
    assert cell(datetime(2023, 10, 15, 12, tzinfo=UTC)) == "2023-10-15T12:00:00Z"
    assert cell(None) == "" and cell(True) == "true" and cell(["a", "b"]) == "a; b" and cell(-3) == "-3"
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
    assert aid["status"] == "closed" and aid["since"] == "2023-10-04T00:00:00Z" and aid["stale"] == "true"
    assert aid["report_title"] == situation.reports[0].title and aid["crisis"] == situation.crisis.name


def test_crossing_csv_is_its_status_history(analyst_client):
    situation = build_situation(1)
    rows = csv_rows(analyst_client.get(f"/crossings/{situation.crossings[0].slug}/", {"format": "csv"}))
    assert [(r["traffic"], r["status"]) for r in rows] == [("people", "restricted"), ("all", "closed"), ("all", "open")]
    assert rows[0]["retracted"] == "false"


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


# --- HXL on every page CSV (issue 15) ---------------------------------------------------------------------------

PAGE_CSVS = {
    "page-status": lambda s: "/",
    "page-history": lambda s: f"/crossings/{s.crossings[0].slug}/",
    "page-accord": lambda s: f"/disputes/{s.crossings[0].disputes.get().slug}/",
    "page-timeline": lambda s: "/timeline/",
    "page-reports": lambda s: "/reports/",
    "page-map": lambda s: "/map/",
}


@pytest.mark.parametrize("dataset", list(PAGE_CSVS))
def test_every_page_csv_is_hxl_that_both_schemas_accept(analyst_client, tmp_path, dataset):
    from tests.test_hxl_exports import as_hxl, our_schema, problems

    situation = build_situation(2)
    response = analyst_client.get(PAGE_CSVS[dataset](situation), {"format": "csv"})
    text = b"".join(response.streaming_content).decode()
    data = as_hxl(text.lstrip("\ufeff"), tmp_path)
    assert len(list(data)) == len(csv_rows(analyst_client.get(PAGE_CSVS[dataset](situation), {"format": "csv"})))
    assert problems(hxl.schema(), data, {"error"}) == []
    assert problems(our_schema(dataset), data, {"error", "warning", "info"}) == []


def test_page_moments_are_a_day_column_and_a_time_column(analyst_client):
    situation = build_situation(1)
    response = analyst_client.get("/", {"format": "csv", "as_of": "2023-10-20"})
    header, hashtags = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))[:2]
    tag = dict(zip(header, hashtags, strict=True))
    assert (tag["since_date"], tag["since"]) == ("#date+since", "#meta+datetime+since")
    assert (tag["last_stated_at_date"], tag["last_stated_at"]) == ("#date+stated", "#meta+datetime+stated")
    rows = csv_rows(analyst_client.get("/", {"format": "csv", "as_of": "2023-10-20"}))
    aid = next(r for r in rows if r["crossing"] == situation.crossings[0].name and r["traffic"] == "aid")
    assert (aid["since_date"], aid["since"]) == ("2023-10-04", "2023-10-04T00:00:00Z")


def test_page_lists_are_one_value_per_cell(analyst_client):
    situation = build_situation(1)
    Report.objects.filter(title__startswith="Crossing").update(organisations=["OCHA", "Egypt"])
    rows = csv_rows(analyst_client.get("/", {"format": "csv", "as_of": "2023-10-20"}))
    aid = next(r for r in rows if r["crossing"] == situation.crossings[0].name and r["traffic"] == "aid")
    assert (aid["report_organisation_1"], aid["report_organisation_2"]) == ("OCHA", "Egypt")
    assert "report_organisations" not in aid
    listed = csv_rows(analyst_client.get("/reports/", {"format": "csv"}))
    assert all("; " not in value for row in listed for value in row.values())
    assert any(row["crossing_1"] == situation.crossings[0].name for row in listed)


def test_numbers_are_numbers_in_every_csv_negative_ones_too():
    """A longitude west of Greenwich (a Decimal from the database) is a number, not text shielded from spreadsheets:
    only text that would start a formula is defused."""
    from decimal import Decimal

    from tracker.csv_cells import csv_cell

    assert csv_cell(Decimal("-73.500000")) == "-73.500000" and csv_cell(-3) == "-3" and csv_cell(-0.5) == "-0.5"
    assert csv_cell("-cmd|' /C calc'!A0") == "'-cmd|' /C calc'!A0" and csv_cell("=1+2") == "'=1+2"
