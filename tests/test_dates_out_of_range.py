"""Dates no report can carry (year 9999, year 1, a time that overflows when moved to UTC) are refused at ingestion and
quarantined with the reason; report_store refuses them on every path; the admin's date hierarchy at the edge of the
calendar (year 9999, whose end is year 10000) is a 400 in every admin (tracker.middleware.check_admin_dates), and our
own admins treat any such lookup as invalid (DateBoundedChangeList): never an OverflowError and a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from django.core.exceptions import ValidationError

from ingest.models import QuarantinedItem
from ingest.pipeline import ingest_bytes
from tests.factories import SourceFactory
from tests.ingest_fixtures.support import feed_source, item, rss
from tracker.models import Report
from tracker.services import report_store

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "pub_date", ["Fri, 31 Dec 9999 23:00:00 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "Sat, 01 Jan 2500 00:00:00 GMT"]
)
def test_a_feed_item_dated_out_of_range_is_quarantined_with_the_reason(pub_date):
    outcome = ingest_bytes(feed_source(), rss([item(1), item(2, pubDate=pub_date)]))
    assert Report.objects.count() + outcome.counts.rejected == 2
    if outcome.counts.rejected:  # feedparser reads some such dates as none at all (then the item is undated)
        reason = QuarantinedItem.objects.get().reason
        assert "outside 1900-2199" in reason, reason
    assert not Report.objects.filter(published_at__year__gte=2200).exists()


def test_the_year_9999_rss_item_is_quarantined():
    outcome = ingest_bytes(feed_source(), rss([item(1), item(2, pubDate="Fri, 31 Dec 9999 23:00:00 GMT")]))
    assert (outcome.counts.new, outcome.counts.rejected) == (1, 1)
    assert "9999" in QuarantinedItem.objects.get().reason


@pytest.mark.parametrize("date", ["9999-12-31T23:00:00Z", "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_json_feed_item_dated_out_of_range_or_overflowing_is_quarantined(date):
    document = orjson.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": "t",
            "items": [
                {"id": "1", "url": "https://news.example.org/1", "title": "one", "date_published": date},
                {"id": "2", "url": "https://news.example.org/2", "title": "two"},
            ],
        }
    )
    outcome = ingest_bytes(feed_source(), document)
    assert (outcome.counts.new, outcome.counts.rejected) == (1, 1)
    assert "date" in QuarantinedItem.objects.get().reason


@pytest.mark.parametrize(
    "moment",
    [
        datetime(9999, 12, 31, 23, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=5))),
    ],
)
def test_report_store_refuses_a_date_out_of_range(moment):
    with pytest.raises(ValidationError, match="published_at"):
        report_store(source=SourceFactory(), title="t", published_at=moment)


@pytest.mark.parametrize(
    "query",
    [
        "published_at__year=9999",
        "published_at__year=9999&published_at__month=12",
        "published_at__year=9999&published_at__month=12&published_at__day=31",
        "published_at__year=0",
        "published_at__year=99999999999999999999",
    ],
)
def test_the_report_admin_date_hierarchy_at_the_edge_of_the_calendar_is_no_500(editor_client, query):
    source = SourceFactory()
    stored = report_store(source=source, title="old row", published_at=datetime(2023, 10, 1, tzinfo=UTC)).report
    Report.objects.filter(pk=stored.pk).update(published_at=datetime(9999, 12, 31, 23, tzinfo=UTC))  # a row from before
    response = editor_client.get(f"/admin/tracker/report/?{query}")
    assert response.status_code in {200, 302, 400}, response.status_code
    assert editor_client.get("/admin/tracker/report/").status_code == 200
    assert editor_client.get("/admin/tracker/report/?published_at__year=9998&published_at__month=12").status_code == 200


def _hierarchies() -> list[tuple[str, str]]:
    from django.contrib import admin

    return sorted(
        (f"/admin/{model._meta.app_label}/{model._meta.model_name}/", model_admin.date_hierarchy)
        for model, model_admin in admin.site._registry.items()
        if model_admin.date_hierarchy
    )


@pytest.mark.parametrize(("changelist", "field"), _hierarchies())
def test_every_admin_date_hierarchy_at_year_9999_is_no_500(client, superuser, changelist, field):
    client.force_login(superuser)
    client.raise_request_exception = False
    for query in (f"{field}__year=9999", f"{field}__year=9999&{field}__month=12&{field}__day=31"):
        response = client.get(f"{changelist}?{query}")
        assert response.status_code < 500, (changelist, query)
