"""Atom feeds of status changes, read by a real feed parser, and the rules of the per-user feed key."""

from __future__ import annotations

import hashlib
import io
import logging
import re
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alerts import services as alert_services
from alerts.logs import MaskFeedKeys
from alerts.models import FeedToken
from alerts.selectors import entries_from_changes, feed_changes
from tests import factories
from tests.alerts_support import CLOSED, OPEN, situation
from tracker import services
from tracker.models import Change, Traffic
from tracker.roles import ANALYSTS, EDITORS
from tracker.timestamps import PATTERN

pytestmark = pytest.mark.django_db


def _read(client, url: str):  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "private" in response["Cache-Control"]
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    return parsed


@pytest.fixture
def world(editor):  # type: ignore[no-untyped-def]
    return situation(editor)


@pytest.fixture
def key(analyst) -> str:  # type: ignore[no-untyped-def]
    return alert_services.feed_token_create(user=analyst, label="Thunderbird").key


def test_the_overall_feed_lists_every_status_change_newest_first_with_its_facts(client, world, key):
    feed = _read(client, reverse("alerts:feed_all", args=[key]))

    assert [entry.title for entry in feed.entries] == [
        "Kerem Shalom, humanitarian aid: unknown → restricted",
        "Rafah, people: closed → open",
        "Rafah, all traffic: unknown → closed",
    ]
    opened = feed.entries[1]
    assert opened.link == "http://testserver/crossings/rafah/"
    assert opened.id.startswith("urn:situation-tracker:change:")
    assert len({entry.id for entry in feed.entries}) == 3
    assert opened.author == "Egypt"
    # The feed's date is when the tracker published it; the effective time is in the text.
    # (The change feed's row, written a moment after the status row: the two can fall either side of a second.)
    published = Change.objects.get(crossing_status=world.opened_people).recorded_at
    assert datetime(*opened.updated_parsed[:6], tzinfo=UTC) == published.replace(microsecond=0)
    assert "In effect from 2023-11-01 09:00 UTC" in opened.summary
    assert 'href="https://news.example.org/rafah-open"' in opened.summary
    assert "Rafah reopens for dual nationals" in opened.summary
    assert {tag.term for tag in opened.tags} == {"Rafah", "People", "Open"}


def test_a_pending_suggestion_is_in_no_feed(client, world, key):
    for url in (
        reverse("alerts:feed_all", args=[key]),
        reverse("alerts:feed_crossing", args=[key, "rafah"]),
        reverse("alerts:feed_crisis", args=[key, "gaza-2023"]),
    ):
        feed = _read(client, url)
        assert not [entry for entry in feed.entries if "fuel" in entry.title.lower()], url
        assert "rumours.example.org" not in str(feed), url


def test_the_crossing_feed_has_that_crossing_only_and_the_crisis_feed_its_crossings(client, world, key):
    rafah = _read(client, reverse("alerts:feed_crossing", args=[key, "rafah"]))
    crisis = _read(client, reverse("alerts:feed_crisis", args=[key, "gaza-2023"]))
    other = factories.CrisisFactory(name="Elsewhere", slug="elsewhere")
    elsewhere = _read(client, reverse("alerts:feed_crisis", args=[key, other.slug]))

    assert [e.title for e in rafah.entries] == ["Rafah, people: closed → open", "Rafah, all traffic: unknown → closed"]
    assert rafah.feed.title == "Situation tracker: Rafah status changes"
    assert rafah.feed.link == "http://testserver/crossings/rafah/"
    assert len(crisis.entries) == 3
    assert elsewhere.entries == []


def test_a_status_for_all_traffic_shows_each_kind_it_changes_when_they_differ(client, world, key):
    services.crossing_record_status(
        crossing=world.rafah,
        status=CLOSED,
        effective_at=datetime(2023, 11, 5, tzinfo=UTC),
        recorded_by=None,
        note="Closed again",
    )
    feed = _read(client, reverse("alerts:feed_crossing", args=[key, "rafah"]))

    assert feed.entries[0].title == (
        "Rafah, all traffic: people: open → closed; humanitarian aid: still closed; "
        "commercial goods: still closed; fuel: still closed"
    )


def test_a_retraction_is_an_entry_too(client, world, key, editor):
    services.crossing_retract_status(status_row=world.opened_people, recorded_by=editor, reason="Misread report")
    feed = _read(client, reverse("alerts:feed_crossing", args=[key, "rafah"]))

    assert feed.entries[0].title.startswith("Rafah: statement retracted (open for people from 2023-11-01")
    assert "Misread report" in feed.entries[0].summary


def test_the_key_is_kept_only_as_its_hash(analyst):
    created = alert_services.feed_token_create(user=analyst)

    row = FeedToken.objects.get(pk=created.token.pk)
    assert row.key_hash == hashlib.sha256(created.key.encode()).hexdigest()
    assert created.key not in str(FeedToken.objects.filter(pk=row.pk).values().get())
    assert created.key.startswith(row.prefix + "_")


@pytest.mark.parametrize(
    "bad_key",
    ["nonsense", "feed_AAAAAAAA_wrong", "feed_" + "x" * 200, "feed_abcdEFGH_" + "A" * 43],
)
def test_a_wrong_key_is_a_404_not_a_500(client, world, key, bad_key):
    response = client.get(f"/alerts/feeds/{bad_key}/all.atom")
    assert response.status_code == 404


def test_a_revoked_key_stops_working_and_says_nothing_more(client, world, analyst, key):
    url = reverse("alerts:feed_all", args=[key])
    assert client.get(url).status_code == 200
    alert_services.feed_token_revoke(user=analyst, token_id=FeedToken.objects.get(user=analyst).pk)

    response = client.get(url)
    assert response.status_code == 404
    assert b"revoked" not in response.content


def test_a_deactivated_users_key_stops_working(client, world, analyst, key):
    url = reverse("alerts:feed_all", args=[key])
    analyst.is_active = False
    analyst.save(update_fields=["is_active"])

    assert client.get(url).status_code == 404


def test_a_user_taken_out_of_the_readers_groups_loses_the_feed(client, world, analyst, key):
    analyst.groups.remove(Group.objects.get(name=ANALYSTS))

    assert client.get(reverse("alerts:feed_all", args=[key])).status_code == 404


def test_an_unknown_crossing_or_crisis_is_a_404(client, world, key):
    assert client.get(reverse("alerts:feed_crossing", args=[key, "nowhere"])).status_code == 404
    assert client.get(reverse("alerts:feed_crisis", args=[key, "nowhere"])).status_code == 404


def test_one_users_key_cannot_be_revoked_by_another(client, world, analyst, editor):
    theirs = alert_services.feed_token_create(user=analyst)
    client.force_login(editor)

    response = client.post(reverse("alerts:token_revoke", args=[theirs.token.pk]))
    assert response.status_code == 404
    assert FeedToken.objects.get(pk=theirs.token.pk).revoked_at is None


def test_the_page_shows_a_new_key_once_and_rotating_replaces_it(analyst_client, world, analyst):
    response = analyst_client.post(reverse("alerts:token_create"), {"label": "Reader"}, follow=True)
    key = response.context["new_key"]
    assert key and key in response.content.decode()
    assert f"/alerts/feeds/{key}/crossings/" not in response.content.decode()  # follows nothing yet
    assert f'value="http://testserver/alerts/feeds/{key}/all.atom"' in response.content.decode()
    assert key not in analyst_client.get(reverse("alerts:manage")).content.decode()

    token = FeedToken.objects.get(user=analyst)
    response = analyst_client.post(reverse("alerts:token_rotate", args=[token.pk]), follow=True)
    new_key = response.context["new_key"]
    assert new_key != key
    assert analyst_client.get(reverse("alerts:feed_all", args=[key])).status_code == 404
    assert analyst_client.get(reverse("alerts:feed_all", args=[new_key])).status_code == 200
    assert FeedToken.objects.get(user=analyst, revoked_at__isnull=True).label == "Reader"


def test_the_feed_reads_a_fixed_number_of_queries_however_many_changes(client, world, key):
    url = reverse("alerts:feed_crossing", args=[key, "rafah"])
    client.get(url)  # the token's last use is written once a minute at most
    with CaptureQueriesContext(connection) as few:
        _read(client, url)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for day in range(20):
        status = OPEN if day % 2 else CLOSED
        factories.status(world.rafah, status, start + timedelta(days=day), Traffic.AID)
    with CaptureQueriesContext(connection) as many:
        feed = _read(client, url)

    assert len(feed.entries) == 22
    assert len(many) == len(few)


def test_editors_and_analysts_alike_get_feeds(client, world, editor):
    key = alert_services.feed_token_create(user=editor).key
    assert editor.groups.filter(name=EDITORS).exists()
    assert client.get(reverse("alerts:feed_all", args=[key])).status_code == 200


def test_a_report_judged_not_relevant_after_its_row_was_retracted_is_no_longer_shown(client, world, key, editor):
    """The API and open data stop showing such a report (``visible_report``); feeds and e-mails must too."""
    services.crossing_retract_status(status_row=world.opened_people, recorded_by=editor, reason="Misread report")
    services.report_review(report=world.opened_people.report, state="not_relevant", reviewed_by=editor)

    response = client.get(reverse("alerts:feed_crossing", args=[key, "rafah"]))

    assert response.status_code == 200
    assert b"Rafah reopens for dual nationals" not in response.content
    assert b"news.example.org/rafah-open" not in response.content
    # The e-mails are written from the same entries.
    entries = entries_from_changes(feed_changes(crossing=world.rafah), as_of=datetime.now(UTC))
    assert len(entries) == 3
    assert {(entry.evidence_title, entry.evidence_url) for entry in entries} == {("", "")}


def test_no_log_line_holds_a_feed_key(client, world, key):
    """A key stands for an account: the request logs (Django's "Not Found: ...", runserver's access lines under
    ``make run``) name the feed with the key masked."""
    stream = io.StringIO()
    handlers = [h for name in ("", "django.server") for h in logging.getLogger(name).handlers if h.name == "stderr"]
    assert handlers, "the stderr handler of settings.LOGGING"
    previous = [handler.setStream(stream) for handler in handlers]
    try:
        client.get(reverse("alerts:feed_crossing", args=[key, "no-such-crossing"]))
        logging.getLogger("django.server").info('"GET %s HTTP/1.1" 200 512', reverse("alerts:feed_all", args=[key]))
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            handler.setStream(old)

    written = stream.getvalue()
    assert "/alerts/feeds/" in written and "no-such-crossing" in written
    assert key not in written and key.split("_", 2)[2] not in written
    # The key's public prefix (shown on /alerts/) stays, so an operator can tell which key was used.
    assert key.split("_", 2)[1] in written


def test_feed_times_are_written_in_the_one_form_of_every_surface(client, world, key):
    """RFC 3339 in UTC to the second, ending in Z (tracker.timestamps), as in the API, CSVs and open data."""
    quiet = factories.CrossingFactory(name="Erez", slug="erez")
    for url in (reverse("alerts:feed_all", args=[key]), reverse("alerts:feed_crossing", args=[key, quiet.slug])):
        times = re.findall(r"<(?:updated|published)>([^<]*)<", client.get(url).content.decode())

        assert times, url
        assert all(re.match(PATTERN, moment) for moment in times), times


def test_the_masking_filter_lets_a_malformed_log_call_through_to_the_handler():
    """The handler reports a bad format on stderr; a filter that raised would break the caller instead."""
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "bad %s %s", (1,), None)

    assert MaskFeedKeys().filter(record) is True


def test_a_feed_speaks_the_language_its_address_asks_for(client, world, key):
    from tracker.models import CrossingAlias

    CrossingAlias.objects.create(crossing=world.rafah, name="رفح", language="ar")
    english = _read(client, reverse("alerts:feed_crossing", args=[key, "rafah"]))
    arabic = _read(client, reverse("alerts:feed_crossing", args=[key, "rafah"]) + "?lang=ar")
    assert english.feed.language == "en" and arabic.feed.language == "ar"
    assert arabic.feed.title == "متابعة الوضع: تغيّرات حالة رفح"
    assert english.feed.title == "Situation tracker: Rafah status changes"
    # The same entries, ids and times; only the words differ.
    assert [e.id for e in arabic.entries] == [e.id for e in english.entries] != []
    assert [e.updated for e in arabic.entries] == [e.updated for e in english.entries]
    assert [e.title for e in arabic.entries] != [e.title for e in english.entries]
    assert all("رفح" in e.title and not re.search(r"[A-Za-z]{3}", e.title) for e in arabic.entries)
    assert {t.term for e in arabic.entries for t in e.tags} >= {"رفح", "الأفراد"}
    french = _read(client, reverse("alerts:feed_all", args=[key]) + "?lang=fr")
    assert french.feed.language == "fr" and "points de passage" in french.feed.title


def test_a_feed_reader_s_accept_language_does_not_change_the_feed(client, world, key):
    url = reverse("alerts:feed_all", args=[key])
    with_header = client.get(url, HTTP_ACCEPT_LANGUAGE="ar")
    assert with_header.content == client.get(url).content
    assert _read(client, url).feed.language == "en"


@pytest.mark.parametrize("lang", ["de", "", "AR", "ar-EG"])
def test_a_language_not_offered_is_a_clear_400(client, world, key, lang):
    response = client.get(reverse("alerts:feed_all", args=[key]), {"lang": lang})
    assert response.status_code == 400
    assert response.content.decode() == f"lang must be one of en, ar, fr, not {lang!r}\n"


def test_the_addresses_given_with_a_new_key_carry_the_page_s_language(analyst_client, world):
    response = analyst_client.post(reverse("alerts:token_create"), {"label": "Reader"}, HTTP_ACCEPT_LANGUAGE="ar")
    page = analyst_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    addresses = re.findall(r"http://testserver/alerts/feeds/[^\s<\"]+", page)
    assert addresses and all(a.endswith("?lang=ar") for a in addresses)
    english = analyst_client.post(reverse("alerts:token_create"), {"label": "Reader 2"}, HTTP_ACCEPT_LANGUAGE="en")
    page = analyst_client.get(english["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    addresses = re.findall(r"http://testserver/alerts/feeds/[^\s<\"]+", page)
    assert addresses and not any("lang=" in a for a in addresses)
