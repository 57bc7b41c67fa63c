"""Cleaning: plain text kept, links absolute and canonical, times aware, what cannot be a report rejected."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from ingest import clean as clean_module
from ingest.clean import Rejected, clean_entry, identify
from ingest.parse import ParsedEntry

ENTRY = ParsedEntry(
    external_id="item-1",
    url="https://Example.org/news/rafah?utm_source=feed&id=7#top",
    title="Rafah crossing <em>closed</em>",
    title_is_html=True,
    body_html='<p onclick="steal()">Closed <a href="javascript:alert(1)">today</a>.</p><script>alert(1)</script>',
    body_text="",
    published=datetime(2023, 10, 16, 9, tzinfo=UTC),
    updated=None,
    language="en",
    raw=b"<item>...</item>",
)


def clean(entry: ParsedEntry = ENTRY, **changes):  # type: ignore[no-untyped-def]
    return clean_entry(replace(entry, **changes), base_url="https://example.org/feed/", max_bytes=10_000)


def test_title_and_text_are_plain_and_the_url_canonical():
    entry = clean()
    assert entry.title == "Rafah crossing closed"
    assert entry.text == "Closed today."
    assert "script" not in entry.text and "steal" not in entry.text
    assert entry.canonical_url == "https://example.org/news/rafah?id=7"


def test_a_plain_text_title_keeps_its_angle_brackets():
    assert clean(title="Fuel < 10% of needs", title_is_html=False).title == "Fuel < 10% of needs"


def test_a_relative_link_is_made_absolute_against_the_feed():
    assert clean(url="../items/42").url == "https://example.org/items/42"


@pytest.mark.parametrize("link", ["javascript:alert(1)", "mailto:press@example.org", "data:text/html,hi"])
def test_a_link_that_is_not_http_is_dropped(link):
    entry = clean(url=link)
    assert entry.url == "" and entry.canonical_url == ""


def test_a_missing_date_is_left_for_the_fetch_time_and_an_updated_one_stands_in():
    assert clean(published=None).published_at is None
    updated = datetime(2023, 10, 17, tzinfo=UTC)
    assert clean(published=None, updated=updated).published_at == updated


def test_control_characters_are_removed_everywhere():
    entry = clean(title="Ra\x00fah", body_html="<p>cl\x07osed</p>", raw=b"<item>\x00</item>", external_id="a\x00b")
    assert (entry.title, entry.text, entry.external_id) == ("Rafah", "closed", "ab")
    assert "\x00" not in entry.raw


def test_identity_is_the_id_else_the_canonical_url_else_the_content():
    with_id = clean()
    by_url = clean(external_id="")
    same_url_other_tracking = clean(external_id="", url="https://example.org/news/rafah?id=7&utm_medium=x")
    by_content = clean(external_id="", url="")
    assert len({with_id.identity, by_url.identity, by_content.identity}) == 3
    assert by_url.identity == same_url_other_tracking.identity


def test_fingerprint_changes_with_any_stored_field_and_only_then():
    assert clean().fingerprint == clean().fingerprint
    assert clean().fingerprint != clean(body_html="<p>Reopened.</p>").fingerprint
    assert clean().fingerprint != clean(raw=b"<item>changed</item>").fingerprint


def test_no_title_and_no_link_is_rejected():
    with pytest.raises(Rejected, match="no title and no link"):
        clean(title=" <b></b> ", url="javascript:void(0)")


def test_an_entry_over_the_size_cap_is_rejected():
    with pytest.raises(Rejected, match="exceeds the 10,000-byte cap"):
        clean(raw=b"x" * 10_001)


def test_an_entry_is_identified_without_reading_its_html(monkeypatch):
    monkeypatch.setattr(clean_module, "html_to_text", lambda html: pytest.fail("the HTML was read"))
    identity, fingerprint = identify(ENTRY, base_url="https://example.org/feed/")
    assert (identity, fingerprint) == identify(ENTRY, base_url="https://example.org/feed/")
    assert fingerprint != identify(replace(ENTRY, body_html="<p>Reopened.</p>"))[1]


def test_an_identity_already_computed_is_not_computed_again():
    given = ("a" * 64, "b" * 64)
    cleaned = clean_entry(ENTRY, base_url="https://example.org/feed/", max_bytes=10_000, identified=given)
    assert (cleaned.identity, cleaned.fingerprint) == given
    assert clean_entry(ENTRY, base_url="https://example.org/feed/", max_bytes=10_000).identity != given[0]
