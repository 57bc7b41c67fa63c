"""The demo polls a feed the app serves itself (offline), plus real outside sources that fail gracefully."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from ingest.pipeline import ingest_bytes, poll_source
from tracker.models import Source, StatusSuggestion

pytestmark = pytest.mark.django_db

DEMO_FEED = "demo/rafah-kerem-shalom-feed.xml"


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_an_enabled_feed_at_the_url_the_app_serves(settings):
    settings.DEMO_FEED_URL = "http://127.0.0.1:8123/static/demo/rafah-kerem-shalom-feed.xml"
    load_demo()
    demo = Source.objects.get(slug="tracker-demo-feed")
    assert (demo.kind, demo.enabled, demo.url) == (Source.Kind.FEED, True, settings.DEMO_FEED_URL)
    assert finders.find(DEMO_FEED), "the feed is a static file of the app"
    outside = Source.objects.filter(slug__in=["reliefweb-opt", "un-news-middle-east"], enabled=True)
    assert {s.kind for s in outside} == {Source.Kind.RELIEFWEB, Source.Kind.FEED}
    assert Source.objects.get(slug="reliefweb-opt").params["appname"]


def test_the_demo_feed_follows_the_port(settings):
    settings.DEMO_FEED_URL = "http://127.0.0.1:8123/static/demo/rafah-kerem-shalom-feed.xml"
    load_demo()
    assert "nothing changed" in load_demo()
    settings.DEMO_FEED_URL = "http://127.0.0.1:8124/static/demo/rafah-kerem-shalom-feed.xml"
    load_demo()
    assert Source.objects.get(slug="tracker-demo-feed").url.startswith("http://127.0.0.1:8124/")


def test_the_demo_feed_yields_reports_and_suggestions_in_three_languages():
    load_demo()
    feed = Path(finders.find(DEMO_FEED)).read_bytes()
    outcome = ingest_bytes(Source.objects.get(slug="tracker-demo-feed"), feed)
    assert outcome.counts.new == 7 and outcome.counts.rejected == 0
    suggested = set(StatusSuggestion.objects.values_list("crossing__slug", "proposed_status", "traffic"))
    assert {
        ("rafah", "closed", "all"),
        ("rafah", "open", "aid"),
        ("rafah", "open", "people"),
        ("kerem-shalom", "open", "aid"),
        ("erez", "closed", "all"),
    } <= suggested
    evidence = " ".join(StatusSuggestion.objects.values_list("evidence", flat=True))
    assert "معبر رفح" in evidence and "כרם שלום" in evidence


def test_an_outside_source_without_network_fails_gracefully(monkeypatch):
    import socket

    load_demo()

    def offline(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise socket.gaierror(-3, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    source = Source.objects.get(slug="un-news-middle-east")
    outcome = poll_source(source.pk, holder="test", max_retries=3)
    source.refresh_from_db()
    assert outcome.status == "failed" and outcome.transient and "cannot resolve" in outcome.error
    assert source.failures_in_row == 1 and source.next_poll_at > source.last_polled_at
