"""Polling a source over HTTP: conditional GET, failures judged transient or permanent, and every poll recorded."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from ingest import pipeline
from ingest.models import FetchRun, QuarantinedItem
from ingest.parse import parse_document
from ingest.pipeline import poll_source
from tests.conftest import shared_fixture
from tests.http_server import Reply
from tests.ingest_fixtures.support import HERE, feed_source, item, reliefweb_source, rss
from tests.test_ingest_parse import BILLION_LAUGHS
from tracker.models import Report, Source

pytestmark = pytest.mark.django_db

FEED = rss([item(1), item(2)])


def real(name: str) -> tuple[bytes, int]:
    """A real feed from ../shared/fixtures/real/ and how many entries it holds."""
    data = shared_fixture(f"real/{name}").read_bytes()
    return data, len(parse_document(data).entries)


def poll(source: Source, **kwargs):  # type: ignore[no-untyped-def]
    outcome = poll_source(source.pk, holder="test-poll", **kwargs)
    source.refresh_from_db()
    return outcome


def test_a_feed_is_fetched_stored_and_its_validators_kept(allow_server):
    gdacs, entries = real("gdacs-rss-2019-12-30.xml")
    allow_server.routes["/feed"] = Reply(
        200,
        gdacs,
        {"Content-Type": "application/rss+xml", "ETag": '"v1"', "Last-Modified": "Mon, 30 Dec 2019 09:00:00 GMT"},
    )
    source = feed_source(allow_server.url("/feed"))
    outcome = poll(source)
    assert (outcome.status, outcome.counts.new) == ("succeeded", entries) and entries == 16
    assert (source.etag, source.last_modified) == ('"v1"', "Mon, 30 Dec 2019 09:00:00 GMT")
    assert source.last_success_at == source.last_polled_at and source.failures_in_row == 0
    assert source.next_poll_at == source.last_polled_at + timedelta(minutes=source.poll_interval_minutes)
    run = FetchRun.objects.get()
    assert (run.http_status, run.entries_seen, run.entries_new, run.pages) == (200, 16, 16, 1)
    assert run.bytes_received == len(gdacs) and run.finished_at is not None


def test_a_304_to_our_conditional_get_parses_nothing(allow_server, monkeypatch):
    atom, entries = real("atom-naads-pelmorex-cap12-signed-2013.atom")
    allow_server.routes["/feed"] = [
        Reply(200, atom, {"ETag": '"v1"', "Last-Modified": "Mon, 16 Oct 2023 09:00:00 GMT"}),
        Reply(304, b""),
    ]
    source = feed_source(allow_server.url("/feed"))
    poll(source)
    monkeypatch.setattr(pipeline, "parse_document", lambda *a, **k: pytest.fail("a 304 was parsed"))
    outcome = poll(source)
    sent = allow_server.requests[1].headers
    assert (sent["if-none-match"], sent["if-modified-since"]) == ('"v1"', "Mon, 16 Oct 2023 09:00:00 GMT")
    assert outcome.status == FetchRun.Status.NOT_MODIFIED and outcome.counts.seen == 0
    assert source.etag == '"v1"' and source.failures_in_row == 0
    assert Report.objects.count() == entries == 1


def test_a_server_error_is_transient_and_retried_then_success_resets_the_failures(allow_server):
    news, entries = real("feeds-corpus/3f9eeff5039a008d.xml")  # Al Jazeera, as served
    allow_server.routes["/feed"] = [Reply(503, b"busy"), Reply(200, news)]
    source = feed_source(allow_server.url("/feed"))
    failed = poll(source, attempt=0, max_retries=3)
    assert (failed.status, failed.transient, failed.retry_in) == ("failed", True, 30)
    assert "HTTP 503" in source.last_error and source.failures_in_row == 1
    assert source.next_poll_at >= source.last_polled_at + timedelta(seconds=30)
    succeeded = poll(source, attempt=1, max_retries=3)
    assert succeeded.status == "succeeded" and succeeded.counts.new == entries > 0 and source.failures_in_row == 0
    assert list(FetchRun.objects.order_by("id").values_list("status", "http_status", "transient")) == [
        ("failed", 503, True),
        ("succeeded", 200, False),
    ]


def test_retries_grow_and_stop_at_the_limit(allow_server):
    allow_server.routes["/feed"] = Reply(500, b"")
    source = feed_source(allow_server.url("/feed"))
    assert [poll(source, attempt=n, max_retries=3).retry_in for n in range(4)] == [30, 60, 120, None]


def test_429_waits_as_long_as_the_server_asks(allow_server):
    allow_server.routes["/feed"] = Reply(429, b"", {"Retry-After": "120"})
    source = feed_source(allow_server.url("/feed"))
    assert poll(source, max_retries=3).retry_in == 120


def test_retry_waits_never_exceed_the_cap(allow_server, settings):
    settings.INGEST_MAX_RETRY_AFTER_SECONDS = 45
    allow_server.routes["/feed"] = Reply(500, b"")
    source = feed_source(allow_server.url("/feed"))
    assert [poll(source, attempt=n, max_retries=3).retry_in for n in range(3)] == [30, 45, 45]


def test_a_retry_after_beyond_the_cap_moves_the_next_poll_instead(allow_server):
    allow_server.routes["/feed"] = Reply(429, b"", {"Retry-After": "7200"})
    source = feed_source(allow_server.url("/feed"))
    before = timezone.now()
    assert poll(source, max_retries=3).retry_in is None
    assert source.next_poll_at >= before + timedelta(seconds=7200)


def test_a_slow_server_times_out_as_a_transient_failure(allow_server, settings):
    settings.OUTBOUND_READ_TIMEOUT = 1
    allow_server.routes["/feed"] = Reply(200, FEED, delay=2.5)
    source = feed_source(allow_server.url("/feed"))
    outcome = poll(source, max_retries=3)
    assert outcome.status == "failed" and outcome.transient and "timed out" in outcome.error
    assert Report.objects.count() == 0


def test_an_oversized_body_is_a_permanent_failure_and_nothing_is_stored(allow_server, settings):
    settings.OUTBOUND_MAX_BYTES = 2048
    allow_server.routes["/feed"] = Reply(200, iter([rss([item(n) for n in range(50)])]))
    source = feed_source(allow_server.url("/feed"))
    outcome = poll(source, max_retries=3)
    assert (outcome.status, outcome.transient, outcome.retry_in) == ("failed", False, None)
    assert "cap" in outcome.error and Report.objects.count() == 0


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:9/feed"])
def test_a_redirect_to_an_internal_address_is_refused_and_recorded(allow_server, target):
    allow_server.routes["/feed"] = Reply(302, b"", {"Location": target})
    source = feed_source(allow_server.url("/feed"))
    outcome = poll(source, max_retries=3)
    assert outcome.status == "failed" and "refused" in outcome.error and outcome.retry_in is None
    assert len(allow_server.requests) == 1, "only the allowed first hop was requested"
    assert "refused" in FetchRun.objects.get().error and "refused" in source.last_error


def test_a_local_address_without_the_allowlist_is_never_requested(http_server):
    http_server.routes["/feed"] = Reply(200, FEED)
    source = feed_source(http_server.url("/feed"))
    outcome = poll(source, max_retries=3)
    assert outcome.status == "failed" and "non-public address 127.0.0.1" in outcome.error
    assert http_server.requests == [] and Report.objects.count() == 0


def test_a_client_error_is_permanent(allow_server):
    allow_server.routes["/feed"] = Reply(404, b"not here")
    source = feed_source(allow_server.url("/feed"))
    outcome = poll(source, max_retries=3)
    assert outcome.retry_in is None and not outcome.transient and "HTTP 404" in outcome.error
    assert source.failures_in_row == 1


def test_an_entity_attack_served_by_a_source_is_refused_and_kept(allow_server):
    allow_server.routes["/feed"] = Reply(200, BILLION_LAUGHS)
    source = feed_source(allow_server.url("/feed"))
    outcome = poll(source, max_retries=3)
    assert outcome.status == "failed" and "entities" in outcome.error and outcome.retry_in is None
    assert QuarantinedItem.objects.get().kind == QuarantinedItem.Kind.DOCUMENT
    assert Report.objects.count() == 0


@pytest.mark.parametrize("body,reason", [(b"", "empty document"), (b"<rss version='2.0'><channel><item>", "truncated")])
def test_empty_and_malformed_feeds_are_failed_runs(allow_server, body, reason):
    allow_server.routes["/feed"] = Reply(200, body)
    source = feed_source(allow_server.url("/feed"))
    outcome = poll(source, max_retries=3)
    assert outcome.status == "failed" and reason in outcome.error and not outcome.transient
    assert source.etag == "", "validators are kept only from a successful poll"


def test_failures_back_off_exponentially_up_to_a_cap(allow_server, settings):
    settings.INGEST_MAX_BACKOFF_MINUTES = 150
    allow_server.routes["/feed"] = Reply(404, b"")
    source = feed_source(allow_server.url("/feed"), poll_interval_minutes=30)
    waits = []
    for _ in range(5):
        poll(source)
        waits.append(round((source.next_poll_at - source.last_polled_at).total_seconds() / 60))
    assert waits == [30, 60, 120, 150, 150]


# --- ReliefWeb ----------------------------------------------------------------------------------------------


def test_reliefweb_pages_are_read_by_offset_with_the_appname(allow_server):
    page = (HERE / "reliefweb-v2-reports-page.json").read_bytes()
    second = (
        b'{"totalCount": 5, "count": 2, "data": ['
        b'{"id": "9100004", "fields": {"title": "Test update four", "url": "https://reliefweb.int/node/9100004"}},'
        b'{"id": "9100005", "fields": {"title": "Test update five", "url": "https://reliefweb.int/node/9100005"}}]}'
    )
    allow_server.routes["/v2/reports"] = lambda request: Reply(200, page if "offset=0" in request.path else second)
    source = reliefweb_source(
        allow_server.url("/v2/reports"), params={"appname": "tracker-tests", "limit": 3, "max_pages": 3}
    )
    outcome = poll(source)
    assert (outcome.status, outcome.counts.new, outcome.run.pages) == ("succeeded", 5, 2)
    queries = [parse_qs(urlsplit(r.path).query) for r in allow_server.requests]
    assert [q["offset"] for q in queries] == [["0"], ["3"]]
    assert all(q["appname"] == ["tracker-tests"] and q["limit"] == ["3"] for q in queries)
    assert Report.objects.filter(source=source, external_id="9100001").get().language == "en"


def test_reliefweb_v1_answering_410_reads_as_retired(allow_server):
    allow_server.routes["/v1/reports"] = Reply(410, b'{"status": 410, "error": {"message": "Gone"}}')
    source = reliefweb_source(allow_server.url("/v1/reports"))
    outcome = poll(source, max_retries=3)
    assert "ReliefWeb API v1 is retired" in outcome.error and outcome.retry_in is None
    assert "v1 is retired" in source.last_error


def test_reliefweb_without_an_appname_fails_before_any_request(allow_server):
    source = reliefweb_source(allow_server.url("/v2/reports"), params={})
    outcome = poll(source)
    assert "no appname" in outcome.error and allow_server.requests == []


def test_reliefweb_refusing_the_appname_says_how_to_get_one(allow_server):
    allow_server.routes["/v2/reports"] = Reply(403, b'{"error": {"type": "AccessDeniedHttpException"}}')
    outcome = poll(reliefweb_source(allow_server.url("/v2/reports")))
    assert "pre-approved appnames" in outcome.error and "AccessDeniedHttpException" in outcome.error


def test_a_wrong_api_parameter_fails_with_the_apis_message(allow_server):
    message = b'{"status": 400, "error": {"type": "InvalidArgumentException", "message": "Invalid filter field."}}'
    allow_server.routes["/v2/reports"] = Reply(400, message)
    source = reliefweb_source(allow_server.url("/v2/reports"), params={"appname": "t", "filter[field]": "nope"})
    outcome = poll(source, max_retries=3)
    assert "HTTP 400" in outcome.error and "Invalid filter field." in outcome.error and outcome.retry_in is None


def test_manual_and_missing_sources_are_skipped():
    from tests.factories import SourceFactory

    assert poll_source(SourceFactory().pk, holder="t").status == "skipped"
    assert poll_source(999_999, holder="t").status == "skipped"
