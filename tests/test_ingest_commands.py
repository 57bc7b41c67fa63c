"""``ingest_file`` runs the pipeline on a local file and prints counts; ``poll_sources`` polls now, queued or here."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ingest.models import FetchRun
from ingest.tasks import fetch_source
from tests.http_server import Reply
from tests.ingest_fixtures.support import HERE, crossings, feed_source, item, rss
from tracker.models import Report, StatusSuggestion

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_ingest_file_prints_counts_and_a_second_run_adds_nothing(tmp_path):
    crossings()
    source = feed_source()
    path = tmp_path / "feed.xml"
    path.write_bytes(rss([item(1, "Rafah was closed."), item(2), {"guid": "x", "description": "no title"}]))
    first = run("ingest_file", str(path), "--source", source.slug)
    assert "new 2, updated 0, duplicate 0, rejected 1" in first
    assert "new 0, updated 0, duplicate 0, rejected 1" in run("ingest_file", str(path), "--source", source.slug)
    assert Report.objects.count() == 2 and StatusSuggestion.objects.count() == 1
    run_row = FetchRun.objects.filter(origin=FetchRun.Origin.FILE).first()
    assert run_row.url == str(path.resolve()) and run_row.status == FetchRun.Status.SUCCEEDED


def test_ingest_file_reads_a_reliefweb_page():
    source = feed_source()
    out = run(
        "ingest_file", str(HERE / "reliefweb-v2-reports-page.json"), "--source", source.slug, "--format", "reliefweb"
    )
    assert "new 3" in out


def test_ingest_file_refuses_a_format_that_does_not_match(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(rss([item(1)]))
    with pytest.raises(CommandError, match="ReliefWeb API JSON was expected"):
        run("ingest_file", str(path), "--source", feed_source().slug, "--format", "reliefweb")
    assert FetchRun.objects.get().status == FetchRun.Status.FAILED


@pytest.mark.parametrize(
    "args,message",
    [
        (["/nonexistent/feed.xml", "--source", "{slug}"], "is not a readable file"),
        (["{path}", "--source", "no-such-source"], "no source with slug"),
    ],
)
def test_ingest_file_bad_arguments_are_clear_errors(tmp_path, args, message):
    path = tmp_path / "feed.xml"
    path.write_bytes(rss([item(1)]))
    slug = feed_source().slug
    with pytest.raises(CommandError, match=message):
        run("ingest_file", *[a.format(slug=slug, path=path) for a in args])


@pytest.mark.parametrize("source_args", [[], ["--source", "no-such-source"]])
def test_ingest_file_without_a_known_source_says_how_to_create_one_and_writes_nothing(tmp_path, source_args):
    path = tmp_path / "feed.xml"
    path.write_bytes(rss([item(1, "Rafah was closed.")]))
    slugs = [feed_source().slug, feed_source().slug]
    with pytest.raises(CommandError) as refused:
        run("ingest_file", str(path), *source_args)
    message = str(refused.value)
    assert ("no --source given" if not source_args else "no source with slug 'no-such-source'") in message
    assert "/admin/tracker/source/add/" in message and "load_demo" in message
    assert f"Existing sources (--source SLUG): {', '.join(sorted(slugs))}." in message
    assert "Nothing was written" in message
    assert (FetchRun.objects.count(), Report.objects.count()) == (0, 0)


def test_ingest_file_with_no_sources_at_all_says_so(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(rss([item(1)]))
    with pytest.raises(CommandError, match=r"There are no sources yet\. To add one, sign in as an editor at /admin/"):
        run("ingest_file", str(path), "--source", "ocha")


def test_ingest_file_refuses_a_file_over_the_cap(tmp_path, settings):
    settings.OUTBOUND_MAX_BYTES = 1024
    path = tmp_path / "big.xml"
    path.write_bytes(rss([item(n) for n in range(50)]))
    with pytest.raises(CommandError, match="over the 1,024-byte cap"):
        run("ingest_file", str(path), "--source", feed_source().slug)


def test_poll_sources_sync_polls_here_and_prints_what_it_did(allow_server):
    allow_server.routes["/feed"] = Reply(200, rss([item(1), item(2)]))
    source = feed_source(allow_server.url("/feed"))
    assert f"{source.slug}: succeeded; new 2" in run("poll_sources", "--source", source.slug, "--sync")


def test_poll_sources_sync_reports_failures_as_an_error(allow_server):
    allow_server.routes["/feed"] = Reply(404, b"")
    source = feed_source(allow_server.url("/feed"))
    with pytest.raises(CommandError, match="1 of 1 poll"):
        run("poll_sources", "--source", source.slug, "--sync")
    assert FetchRun.objects.get().error.startswith("HTTP 404")


def test_poll_sources_queues_for_the_worker_after_commit(monkeypatch, django_capture_on_commit_callbacks):
    one, two = feed_source(), feed_source()
    feed_source(enabled=False)
    queued: list[int] = []
    monkeypatch.setattr(fetch_source, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        assert "Queued 2 poll(s)" in run("poll_sources")
    assert sorted(queued) == sorted([one.pk, two.pk])


def test_poll_sources_refuses_paused_and_manual_sources():
    from tests.factories import SourceFactory

    with pytest.raises(CommandError, match="paused"):
        run("poll_sources", "--source", feed_source(enabled=False).slug)
    with pytest.raises(CommandError, match="nothing to poll"):
        run("poll_sources", "--source", SourceFactory().slug)
