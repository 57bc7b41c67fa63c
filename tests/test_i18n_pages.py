"""The interface in Arabic and French (issue 17): complete catalogues, translated pages, the reader's choice of
language, and data (CSV, API) that never changes with it.

A translated page must have no string left in English: every text the page asks a catalogue for must be there
(recorded while the page renders), and no English sentence of the catalogue may remain in its text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from tests.factories import CrisisFactory, dispute
from tests.test_pages_support import body, build_situation, day, text
from tracker import services
from tracker.models import AidDispute, Crossing, EvacuationAgreement

LOCALE = Path(__file__).resolve().parents[1] / "locale"
LANGUAGES = ["ar", "fr"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|<[^>]+>")


def po_entries(language: str) -> list[dict[str, str]]:
    """The catalogue's entries (msgctxt, msgid, msgid_plural, msgstr...), read plainly: no dependency for this."""
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    for line in (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8").splitlines():
        if line.startswith("#, ") and "fuzzy" in line:
            current["fuzzy"] = "yes"
        elif line.startswith("#"):
            continue
        elif not line.strip():
            if current:
                entries.append(current)
            current = {}
        elif match := re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line):
            key = match.group(1)
            current[key] = match.group(2)
        else:
            current[key] += line.strip()[1:-1]
    if current:
        entries.append(current)
    return [entry for entry in entries if entry.get("msgid")]


def english_sentences(language: str) -> set[str]:
    """Runs of two or more English words from the catalogue's msgids, where the translation differs."""
    sentences = set()
    for entry in po_entries(language):
        translated = entry.get("msgstr", entry.get("msgstr[0]", ""))
        if translated == entry["msgid"]:
            continue
        for fragment in PLACEHOLDER.split(entry["msgid"].replace('\\"', '"')):
            fragment = fragment.strip(" .,:;()“”")
            if len(re.findall(r"[A-Za-z]+", fragment)) >= 2:
                sentences.add(fragment)
    return sentences


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_every_entry_translated_and_none_fuzzy(language):
    entries = po_entries(language)
    assert len(entries) > 150
    assert [e["msgid"] for e in entries if e.get("fuzzy")] == []
    untranslated = [e["msgid"] for e in entries if not any(v for k, v in e.items() if k.startswith("msgstr"))]
    assert untranslated == []
    partly = [e["msgid"] for e in entries if any(k.startswith("msgstr[") and not v for k, v in e.items())]
    assert partly == [], "a plural form is missing"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt (GNU gettext) is not installed")
@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_compiles_with_placeholders_matching(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr


@pytest.fixture
def lookups(monkeypatch) -> Iterator[list[tuple[str, str]]]:
    """Every (language, catalogue key) a page looked up and found in no catalogue, recorded while it renders."""
    missing: list[tuple[str, str]] = []
    trans = translation._trans
    real = {name: getattr(trans, name) for name in ("gettext", "ngettext", "pgettext", "npgettext")}

    def check(key: str | tuple[str, int]) -> None:
        language = translation.get_language()
        if language and not language.startswith("en"):
            catalog = translation.trans_real.translation(language)._catalog
            if key not in catalog:
                missing.append((language, str(key)))

    def gettext(message: str) -> str:
        check(message)
        return real["gettext"](message)

    def pgettext(context: str, message: str) -> str:
        check(f"{context}\x04{message}")
        return real["pgettext"](context, message)

    def ngettext(singular: str, plural: str, number: int) -> str:
        check((singular, 0))
        return real["ngettext"](singular, plural, number)

    def npgettext(context: str, singular: str, plural: str, number: int) -> str:
        check((f"{context}\x04{singular}", 0))
        return real["npgettext"](context, singular, plural, number)

    for name, function in (("gettext", gettext), ("pgettext", pgettext), ("ngettext", ngettext)):
        monkeypatch.setattr(trans, name, function)
    monkeypatch.setattr(trans, "npgettext", npgettext)
    yield missing


def in_language(client: Client, url: str, language: str, **params: str):  # type: ignore[no-untyped-def]
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE=language)


def data_strings() -> list[str]:
    """What the record itself says (names, titles, notes): it stays in the language it was written in."""
    from tracker.models import (
        Actor,
        AidDispute,
        Country,
        Crisis,
        CrossingStatus,
        Report,
        Source,
        StatusSuggestion,
        TimelineEvent,
    )
    from tracker.models.accords import AidDisputeStateChange, EvacuationAgreementStateChange

    strings: list[str] = []
    for model, fields in (
        (Crisis, ["name", "summary"]),
        (Crossing, ["name"]),
        (Actor, ["name"]),
        (Country, ["name"]),
        (Source, ["name"]),
        (Report, ["title", "url", "text"]),  # the text: search snippets quote it
        (CrossingStatus, ["note"]),
        (AidDispute, ["name", "summary"]),
        (EvacuationAgreement, ["name", "summary", "terms"]),
        (TimelineEvent, ["title", "description", "location"]),
        (StatusSuggestion, ["evidence"]),  # the sentence a report said, quoted in the editors' queue
        (AidDisputeStateChange, ["note"]),
        (EvacuationAgreementStateChange, ["note"]),
    ):
        for row in model.objects.values_list(*fields):
            strings.extend(value for value in row if value)
    from django.contrib.auth import get_user_model

    strings.extend(get_user_model().objects.values_list("username", flat=True))
    strings.extend(["talks off"])
    return sorted(set(strings), key=len, reverse=True)


# Latin-script words an Arabic page may show: codes, formats, product names, the switcher's own language names.
LATIN_ALLOWED = {"UTC", "CSV", "HXL", "GeoJSON", "ISO", "GLIDE", "English", "français", "Frictionless", "Data"}
LATIN_ALLOWED |= {"Package", "CC", "BY", "Natural", "Earth"}
# Words that give away an English sentence left on a French page.
ENGLISH_TELLS = {"the", "and", "of", "for", "with", "since", "not", "by", "from", "to", "is", "this", "none", "show"}
ENGLISH_TELLS |= {"download", "sign", "in", "on", "at", "or", "all", "no", "state", "recorded", "report"}


def assert_translated(  # type: ignore[no-untyped-def]
    response, language: str, missing: list[tuple[str, str]], also_data: tuple[str, ...] = ()
) -> str:
    """``also_data``: what else the page quotes as it is (a parameter's name, the value the reader typed)."""
    html = body(response)
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
    assert missing == [], f"looked up but not in the {language} catalogue: {missing}"
    page = text(response)
    # What the page quotes as it is may happen to read like a catalogue's msgid (a periodic task named "worker
    # heartbeat", a model's name too): it is not English left untranslated.
    unquoted = page
    for value in sorted(also_data, key=len, reverse=True):
        unquoted = unquoted.replace(value, " ")
    left = sorted(sentence for sentence in english_sentences(language) if sentence in unquoted)
    assert left == [], f"English left on the {language} page: {left}"
    # And what was never marked for translation at all: the page's words less the record's own.
    rest = page
    for value in sorted({*data_strings(), *also_data}, key=len, reverse=True):
        rest = rest.replace(value, " ")
    words = re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ’']*", rest)
    if language == "ar":
        stray = sorted({word for word in words if word not in LATIN_ALLOWED})
    else:
        stray = sorted({word for word in words if word.lower() in ENGLISH_TELLS})
    context = {word: rest[max(0, rest.find(word) - 60) : rest.find(word) + 60] for word in stray}
    assert stray == [], f"unmarked English on the {language} page: {context}"
    return page


@pytest.fixture
def situation(db):  # type: ignore[no-untyped-def]
    built = build_situation(2)
    accord = built.crossings[0].agreements.get()
    services.accord_change_state(
        entity=accord, to_state=EvacuationAgreement.State.IN_EFFECT, changed_by=None, effective_at=day(25)
    )
    disputed = dispute(CrisisFactory(), name="Fuel for hospitals", subject=AidDispute.Subject.FUEL)
    disputed.crossings.add(built.crossings[0])
    services.accord_change_state(
        entity=disputed, to_state=AidDispute.State.STALLED, changed_by=None, effective_at=day(20), note="talks off"
    )
    return built, accord, disputed


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_dispute_and_agreement_pages_are_wholly_translated(analyst_client, situation, lookups, language):
    _, accord, disputed = situation
    for url in (
        f"/disputes/{disputed.slug}/",
        f"/disputes/{disputed.slug}/?as_of=2023-10-01",
        f"/agreements/{accord.slug}/",
    ):
        assert_translated(in_language(analyst_client, url, language), language, lookups)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_crisis_timeline_and_reports_pages_are_wholly_translated(analyst_client, situation, lookups, language):
    built, _, _ = situation
    for url in (f"/crises/{built.crisis.slug}/", "/timeline/", "/reports/", "/reports/?q=aid"):
        assert_translated(in_language(analyst_client, url, language), language, lookups)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_parameter_page_is_wholly_translated(analyst_client, lookups, language):
    response = in_language(analyst_client, "/timeline/", language, as_of="not-a-moment")
    assert response.status_code == 400
    quoted = ("as_of", "'not-a-moment'", "2023-10-20T14:00:00+02:00", "2023-10-20T14:00")
    page = assert_translated(response, language, lookups, also_data=quoted)
    english = text(in_language(analyst_client, "/timeline/", "en", as_of="not-a-moment"))
    assert "as_of must be an ISO date" in english and "as_of must be an ISO date" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_dashboard_crossing_page_and_map_are_wholly_translated(client, analyst, editor, situation, lookups, language):
    """The status table, its cells, the chart and the map, for an analyst and for an editor (who sees the queue of
    suggestions and unreviewed reports as well), now and as of a past moment."""
    built, _, _ = situation
    crossing = built.crossings[0]
    urls = ["/", "/?as_of=2023-10-12", f"/crossings/{crossing.slug}/", f"/crossings/{crossing.slug}/?as_of=2023-10-12"]
    urls += ["/map/", f"/map/?crisis={built.crisis.slug}&traffic=fuel"]
    for reader in (analyst, editor):
        client.force_login(reader)
        for url in urls:
            response = in_language(client, url, language)
            assert response.status_code == 200, url
            assert_translated(response, language, lookups)


@pytest.mark.django_db
def test_crossing_page_chart_and_map_speak_the_readers_language(analyst_client, situation):
    built, _, _ = situation
    crossing = built.crossings[0]
    arabic = body(in_language(analyst_client, f"/crossings/{crossing.slug}/", "ar"))
    assert ">الآن</text>" in arabic and "حالة " in arabic and "حسب نوع العبور" in arabic  # the chart's marker, title
    assert 'direction="rtl"' in arabic  # the chart's words set right to left (tracker/pages/svg.py, anchored)
    french = body(in_language(analyst_client, "/map/", "fr"))
    assert "Points de passage : statut pour aide humanitaire" in french and 'direction="rtl"' not in french
    # Coordinates are data: a point for the decimals in every language (French and Arabic would write a comma).
    crossing.refresh_from_db()
    french_page = text(in_language(analyst_client, f"/crossings/{crossing.slug}/", "fr"))
    assert f"{crossing.latitude}, {crossing.longitude}" in french_page and "." in str(crossing.latitude)


@pytest.mark.django_db
def test_translated_page_shows_states_in_the_glossarys_words(analyst_client, situation, lookups):
    _, _, disputed = situation
    arabic = assert_translated(in_language(analyst_client, f"/disputes/{disputed.slug}/", "ar"), "ar", lookups)
    assert "الحالة الآن: متعثِّر منذ 2023-10-21 00:00 UTC" in arabic  # Western digits, ISO date, UTC
    assert "قائم ← متعثِّر" in arabic  # the arrow points the way Arabic reads
    french = assert_translated(in_language(analyst_client, f"/disputes/{disputed.slug}/", "fr"), "fr", lookups)
    assert "État actuel : Bloqué depuis 2023-10-21 00:00 UTC" in french and "Objet Carburant" in french


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_and_error_pages_are_wholly_translated(client, analyst, lookups, language):
    assert_translated(in_language(client, "/accounts/login/", language), language, lookups)
    missing = in_language(client, "/no-such-page/", language)
    assert missing.status_code == 404
    assert_translated(missing, language, lookups)
    client.force_login(analyst)
    assert_translated(in_language(client, "/no-such-page/", language), language, lookups)


def test_untranslated_string_is_caught(lookups):
    """The check itself: a string no catalogue holds is recorded (so the page tests above can fail)."""
    with translation.override("fr"):
        Template('{% load i18n %}{% translate "A sentence no catalogue holds" %} {% translate "Timeline" %}').render(
            Context()
        )
    assert lookups == [("fr", "A sentence no catalogue holds")]


def test_english_left_on_a_page_is_caught():
    assert "State history and evidence" in english_sentences("ar")
    assert "Download state history (CSV" in english_sentences("fr")


@pytest.mark.django_db
def test_crossing_is_named_by_its_alias_in_the_readers_language(analyst_client):
    call_command("load_demo", stdout=StringIO())
    rafah = Crossing.objects.get(slug="rafah")
    first_arabic = rafah.aliases.filter(language="ar").order_by("id").first()
    assert first_arabic is not None
    crisis = rafah.crises.first()
    arabic = text(in_language(analyst_client, f"/crises/{crisis.slug}/", "ar"))
    assert first_arabic.name in arabic
    english = text(in_language(analyst_client, f"/crises/{crisis.slug}/", "en"))
    assert rafah.name in english and first_arabic.name not in english


@pytest.mark.django_db
def test_timeline_names_a_crossing_by_its_alias_while_its_csv_keeps_the_name(analyst_client, situation):
    built, _, _ = situation
    crossing = built.crossings[0]
    crossing.aliases.create(name="معبر الاختبار", language="ar")
    arabic = text(in_language(analyst_client, "/timeline/", "ar"))
    assert "معبر الاختبار: " in arabic
    csv = body(in_language(analyst_client, "/timeline/?format=csv", "ar"))
    assert "معبر الاختبار" not in csv and f"{crossing.name}: " in csv


@pytest.mark.django_db
def test_switcher_keeps_the_choice_over_accept_language(analyst_client):
    response = analyst_client.post("/i18n/setlang/", {"language": "ar", "next": "/timeline/"})
    assert response.status_code == 302 and response["Location"] == "/timeline/"
    assert response.cookies["django_language"].value == "ar"
    page = body(analyst_client.get("/timeline/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert '<html lang="ar" dir="rtl">' in page


@pytest.mark.django_db
def test_a_language_we_do_not_offer_is_ignored(analyst_client):
    analyst_client.post("/i18n/setlang/", {"language": "de", "next": "/timeline/"})
    page = body(analyst_client.get("/timeline/", HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="en" dir="ltr">' in page


@pytest.mark.django_db
def test_switcher_does_not_send_the_reader_off_site(analyst_client):
    response = analyst_client.post("/i18n/setlang/", {"language": "fr", "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(("header", "expected"), [("fr-FR,fr;q=0.9", "fr"), ("ar-EG", "ar"), ("de", "en"), ("", "en")])
def test_accept_language_decides_without_a_choice(analyst_client, header, expected):
    page = body(analyst_client.get("/timeline/", HTTP_ACCEPT_LANGUAGE=header))
    assert f'<html lang="{expected}"' in page


@pytest.mark.django_db
def test_page_offers_every_language_named_in_itself(analyst_client):
    page = body(analyst_client.get("/timeline/", HTTP_ACCEPT_LANGUAGE="ar"))
    assert 'action="/i18n/setlang/"' in page
    for code in ("en", "ar", "fr"):
        assert f'name="language" value="{code}" lang="{code}"' in page


@pytest.mark.django_db
def test_csv_and_api_are_the_same_bytes_in_every_language(analyst_client, partner_client, situation):
    # The clock stands still: some exports carry the moment they answer for, which a tick between two requests
    # would change (seen flaky on a loaded machine).
    with time_machine.travel(timezone.now(), tick=False):
        built, _, disputed = situation
        urls = [
            f"/disputes/{disputed.slug}/?format=csv",
            f"/crises/{built.crisis.slug}/?format=csv",
            "/map/?format=csv",
            "/timeline/?format=csv",
            "/reports/?format=csv",
        ]
        for url in urls:
            english = body(analyst_client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
            assert english, url
            for language in LANGUAGES:
                assert body(analyst_client.get(url, HTTP_ACCEPT_LANGUAGE=language)) == english, (url, language)
        for url in ("/api/v1/crossings/", "/api/v1/aid-disputes/", "/api/v1/crossings.csv", "/api/v1/changes/"):
            english_response = partner_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
            assert english_response.status_code == 200, url
            english = body(english_response)
            for language in LANGUAGES:
                assert body(partner_client.get(url, HTTP_ACCEPT_LANGUAGE=language)) == english, (url, language)


@pytest.mark.django_db(transaction=True)
def test_a_cached_page_is_kept_apart_for_each_language(analyst_client):
    """The dashboard's and crossing page's HTML is cached (tracker.caching); an Arabic reader's copy must never be
    an English reader's, nor the other way round. Committed writes (transaction=True), so the cache is used."""
    from tests.factories import CrossingFactory, status

    crossing = CrossingFactory(name="Rafah", slug="rafah")
    crossing.crises.add(CrisisFactory())
    status(crossing, "closed", day(3))
    for url in ("/", "/crossings/rafah/"):
        arabic = body(in_language(analyst_client, url, "ar"))
        english = body(in_language(analyst_client, url, "en"))
        assert "مغلق" in arabic and "مغلق" not in english, url
        assert "مغلق" in body(in_language(analyst_client, url, "ar")), url
