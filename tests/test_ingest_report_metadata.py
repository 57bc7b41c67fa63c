"""A report's language comes from its own text; ReliefWeb's organisations, countries, disaster and GLIDE are kept.

Items are real-shaped: a mixed feed whose channel says English but carries Arabic and Hebrew items as agencies'
and newsrooms' feeds do, and ReliefWeb v2 ``reports`` items with the fields the API gives (``source[]``,
``primary_country``, ``country[]``, ``disaster[]``, ``language[]``), beside ReliefWeb's own disaster items from
the shared real fixtures.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import orjson
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from ingest.clean import CleanEntry, clean_entry
from ingest.language import detect_language
from ingest.parse import parse_document
from ingest.pipeline import ingest_bytes
from tests.conftest import shared_fixture
from tests.ingest_fixtures.support import feed_source, reliefweb_source
from tracker import services
from tracker.models import Report

ENGLISH = (
    "Gaza: Rafah crossing opens for first aid convoy",
    "<p>Twenty trucks carrying water, food and medicines crossed from Egypt into Gaza through the Rafah crossing "
    "on Saturday morning, the first aid to enter the Strip since 7 October, the United Nations said. Aid agencies "
    "warned that far more was needed for 2.2 million people.</p>",
)
ARABIC = (
    "غزة: فتح معبر رفح أمام أول قافلة مساعدات",
    "<p>عبرت عشرون شاحنة محملة بالمياه والغذاء والأدوية من مصر إلى غزة عبر معبر رفح صباح يوم السبت، وهي أول "
    "مساعدات تدخل القطاع منذ السابع من أكتوبر، بحسب الأمم المتحدة.</p>",
)
HEBREW = (
    "מעבר רפיח נפתח לשיירת הסיוע הראשונה",
    "<p>עשרים משאיות עם מים, מזון ותרופות עברו ממצרים לרצועת עזה דרך מעבר רפיח בשבת בבוקר, הסיוע הראשון "
    "שנכנס מאז 7 באוקטובר, כך מסרו באו״ם.</p>",
)
FRENCH = (
    "Gaza : le point de passage de Rafah ouvert au premier convoi d'aide",
    "<p>Vingt camions transportant de l'eau, de la nourriture et des médicaments sont entrés à Gaza depuis "
    "l'Égypte par le point de passage de Rafah samedi matin, selon les Nations unies.</p>",
)
PERSIAN = (
    "بازگشایی گذرگاه رفح برای نخستین کاروان کمک",
    "<p>بیست کامیون حامل آب، غذا و دارو روز شنبه از طریق گذرگاه رفح از مصر وارد غزه شدند؛ به گفته سازمان ملل "
    "این نخستین کمک‌هایی است که از هفتم اکتبر وارد این باریکه می‌شود.</p>",
)


def feed(items: list[tuple[str, str, str]], *, channel_language: str = "en") -> bytes:
    """An RSS 2.0 feed of (guid, title, description) items; the channel declares ``channel_language``."""
    language = f"<language>{channel_language}</language>" if channel_language else ""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{escape(title)}</title><link>https://news.example.org/{guid}</link>"
        f"<description>{escape(description)}</description><pubDate>Sat, 21 Oct 2023 09:00:00 GMT</pubDate>"
        # A republished item's <source> and its author: a channel and a person, not an originating organisation.
        f'<source url="https://wire.example.org/rss">Example Wire</source><dc:creator>A. Reporter</dc:creator>'
        "</item>"
        for guid, title, description in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>Mixed desk</title><link>https://news.example.org/</link>{language}{body}</channel></rss>"
    ).encode()


MIXED = feed([("en-1", *ENGLISH), ("ar-1", *ARABIC), ("he-1", *HEBREW), ("short-1", "Rafah: update", "")])


def cleaned(document: bytes) -> dict[str, CleanEntry]:
    return {entry.external_id: clean_entry(entry, max_bytes=1_000_000) for entry in parse_document(document).entries}


# --- language, pure -------------------------------------------------------------------------------------------


def test_arabic_and_hebrew_items_of_an_english_channel_are_read_as_ar_and_he():
    entries = cleaned(MIXED)
    assert entries["ar-1"].language == "ar"
    assert entries["he-1"].language == "he"


def test_an_english_item_of_an_english_channel_stays_en():
    assert cleaned(MIXED)["en-1"].language == "en"


def test_a_very_short_item_falls_back_to_the_channel_and_short_arabic_is_still_arabic():
    assert cleaned(MIXED)["short-1"].language == "en", "two words cannot outvote the channel"
    no_channel = cleaned(feed([("s", "Rafah: update", "")], channel_language=""))
    assert no_channel["s"].language == "", "nothing declared and too short to tell: unknown, not a guess"
    assert detect_language("معبر رفح", "", channel="en") == "ar", "the script alone says it is not English"
    assert detect_language("מעבר רפיח", "", channel="en") == "he"


def test_a_long_text_in_another_language_wins_over_the_channel():
    assert cleaned(feed([("fr-1", *FRENCH)]))["fr-1"].language == "fr"


def test_latin_script_languages_without_accents_are_not_taken_for_english():
    swahili = (
        "Malori ishirini yaliyobeba maji, chakula na dawa yalivuka kutoka Misri kuingia Gaza kupitia kivuko cha Rafah "
        "Jumamosi asubuhi, Umoja wa Mataifa ulisema."
    )
    assert detect_language("Kivuko cha Rafah chafunguliwa", swahili, channel="en") == "sw"
    assert detect_language(ENGLISH[0], ENGLISH[1], channel="") == "en", "English without any declaration"


def test_an_items_own_declaration_is_kept_when_the_text_agrees_or_is_too_short():
    document = MIXED.replace(b"<item><guid>en-1", b'<item xml:lang="en-GB"><guid>en-1').replace(
        b"<item><guid>short-1", b'<item xml:lang="fr"><guid>short-1'
    )
    entries = cleaned(document)
    assert entries["en-1"].language == "en-GB", "the text agrees: the declaration is kept as written"
    assert entries["short-1"].language == "fr", "too short to tell: the item's word stands over the channel's"


def test_an_items_own_declaration_gives_way_only_to_a_long_and_certain_text():
    declared_english = FRENCH[1].replace("<p>", "").replace("</p>", "")
    assert detect_language(FRENCH[0], declared_english, declared="en") == "fr"
    assert detect_language("Le point de passage de Rafah", "", declared="en") == "en"


def test_arabic_script_is_arabic_unless_the_declaration_or_a_long_text_says_persian():
    title, body = PERSIAN[0], PERSIAN[1][3:-4]
    assert detect_language(title, body, channel="en") == "fa"
    assert detect_language("گذرگاه رفح", "", channel="en") == "ar", "too short to tell Persian from Arabic"
    assert detect_language("گذرگاه رفح", "", channel="fa") == "fa", "the channel names a language of that script"
    assert detect_language(ARABIC[0], ARABIC[1], channel="en") == "ar"


def test_only_the_start_of_a_long_text_is_read():
    long_english = ENGLISH[1] * 2000  # half a megabyte, then a different language
    assert detect_language(ENGLISH[0], long_english + FRENCH[1] * 2000, channel="fr") == "en"


# --- who wrote it, pure ---------------------------------------------------------------------------------------

RELIEFWEB_REPORT = {
    "id": "4021337",
    "score": 1,
    "href": "https://api.reliefweb.int/v2/reports/4021337?appname=situation-tracker-tests",
    "fields": {
        "id": 4021337,
        "title": "Hostilities in the Gaza Strip and Israel - Flash Update #14",
        "body-html": "<p>On 21 October, 20 trucks carrying humanitarian supplies entered Gaza through the Rafah "
        "crossing with Egypt, the first since 7 October.</p>",
        "url": "https://reliefweb.int/node/4021337",
        "url_alias": "https://reliefweb.int/report/occupied-palestinian-territory/hostilities-gaza-strip-and-israel-flash-update-14",
        "date": {
            "original": "2023-10-21T00:00:00+00:00",
            "created": "2023-10-21T19:12:45+00:00",
            "changed": "2023-10-21T19:20:02+00:00",
        },
        "source": [
            {
                "id": 1503,
                "name": "UN Office for the Coordination of Humanitarian Affairs",
                "shortname": "OCHA",
                "longname": "United Nations Office for the Coordination of Humanitarian Affairs",
                "type": {"id": 272, "name": "International Organization"},
            },
            {
                "id": 8920,
                "name": "Palestine Red Crescent Society",
                "type": {"id": 274, "name": "Red Cross/Red Crescent"},
            },
            {"id": 1503, "name": "UN Office for the Coordination of Humanitarian Affairs", "shortname": "OCHA"},
        ],
        "primary_country": {"id": 180, "name": "occupied Palestinian territory", "iso3": "pse"},
        "country": [
            {"id": 180, "name": "occupied Palestinian territory", "iso3": "pse", "primary": True},
            {"id": 125, "name": "Israel", "iso3": "isr"},
            {"id": 77, "name": "Egypt", "iso3": "egy"},
        ],
        "disaster": [
            {
                "id": 52044,
                "name": "Occupied Palestinian Territory: Escalation of Hostilities - Oct 2023",
                "glide": "CE-2023-000202-PSE",
                "type": [{"id": 5706, "name": "Complex Emergency", "code": "CE", "primary": True}],
                "status": "ongoing",
            }
        ],
        "language": [{"id": 267, "name": "English", "code": "en"}],
        "format": [{"id": 8, "name": "Situation Report"}],
    },
}


def reliefweb_page(*items: dict) -> bytes:
    return orjson.dumps(
        {
            "time": 12,
            "href": "https://api.reliefweb.int/v2/reports?appname=situation-tracker-tests&profile=full",
            "totalCount": len(items),
            "count": len(items),
            "data": list(items),
        }
    )


def test_a_reliefweb_report_keeps_its_organisations_countries_disaster_and_glide():
    (entry,) = parse_document(reliefweb_page(RELIEFWEB_REPORT), format="reliefweb").entries
    assert entry.organisations == ("OCHA", "Palestine Red Crescent Society", "OCHA")  # as given: shortname else name
    assert entry.country_codes == ("pse", "pse", "isr", "egy")  # the primary country first
    clean = clean_entry(entry, max_bytes=1_000_000)
    assert clean.organisations == ("OCHA", "Palestine Red Crescent Society")
    assert clean.country_codes == ("PSE", "ISR", "EGY")
    assert clean.disaster == "Occupied Palestinian Territory: Escalation of Hostilities - Oct 2023"
    assert clean.glide == "CE-2023-000202-PSE"
    assert clean.language == "en"


def test_a_real_reliefweb_disaster_item_is_its_own_disaster():
    (entry,) = parse_document(shared_fixture("real/reliefweb-api-v2-disaster-52433.json").read_bytes()).entries
    clean = clean_entry(entry, max_bytes=1_000_000)
    assert (clean.disaster, clean.glide) == ("DR Congo: Ebola Outbreak - Sep 2025", "EP-2025-000157-COD")
    assert clean.country_codes == ("COD",) and clean.organisations == ()
    (older,) = parse_document(shared_fixture("real/reliefweb-api-v1-disaster-25466.json").read_bytes()).entries
    assert clean_entry(older, max_bytes=1_000_000).glide == "FL-2015-000106-BFA"


def test_feeds_name_no_originating_organisation():
    for entry in cleaned(MIXED).values():
        assert (entry.organisations, entry.country_codes, entry.disaster, entry.glide) == ((), (), "", "")


def test_odd_reliefweb_values_are_dropped_not_stored():
    odd = orjson.loads(orjson.dumps(RELIEFWEB_REPORT))
    odd["fields"]["source"] = [{"name": "  World\nFood Programme "}, "not an object", {"shortname": ""}]
    odd["fields"]["primary_country"] = None
    odd["fields"]["country"] = [{"iso3": "wld"}, {"iso3": "x1"}, {"iso3": None}, {"name": "Nowhere"}]
    odd["fields"]["disaster"] = "not a list"
    (entry,) = parse_document(reliefweb_page(odd)).entries
    clean = clean_entry(entry, max_bytes=1_000_000)
    assert clean.organisations == ("World Food Programme",)
    assert clean.country_codes == ("WLD",)
    assert (clean.disaster, clean.glide) == ("", "")


# --- stored, refreshed, shown ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_mixed_feed_is_stored_with_each_items_language():
    source = feed_source()
    outcome = ingest_bytes(source, MIXED)
    assert outcome.counts.new == 4
    languages = dict(Report.objects.filter(source=source).values_list("external_id", "language"))
    assert languages == {"en-1": "en", "ar-1": "ar", "he-1": "he", "short-1": "en"}


@pytest.mark.django_db
def test_a_reliefweb_page_stores_who_wrote_each_report_and_an_update_refreshes_it():
    source = reliefweb_source("https://api.reliefweb.int/v2/reports")
    first = ingest_bytes(source, reliefweb_page(RELIEFWEB_REPORT), format="reliefweb")
    assert first.counts.new == 1
    report = Report.objects.get(source=source, external_id="4021337")
    assert report.organisations == ["OCHA", "Palestine Red Crescent Society"]
    assert report.country_codes == ["PSE", "ISR", "EGY"]
    assert (report.disaster, report.glide) == (
        "Occupied Palestinian Territory: Escalation of Hostilities - Oct 2023",
        "CE-2023-000202-PSE",
    )

    corrected = orjson.loads(orjson.dumps(RELIEFWEB_REPORT))
    corrected["fields"]["source"].append({"id": 1741, "name": "World Food Programme", "shortname": "WFP"})
    corrected["fields"]["country"] = corrected["fields"]["country"][:1]
    corrected["fields"]["disaster"][0]["glide"] = "CE-2023-000203-PSE"
    again = ingest_bytes(source, reliefweb_page(corrected), format="reliefweb")
    assert (again.counts.new, again.counts.updated) == (0, 1)
    report.refresh_from_db()
    assert report.organisations == ["OCHA", "Palestine Red Crescent Society", "WFP"]
    assert report.country_codes == ["PSE"]
    assert report.glide == "CE-2023-000203-PSE"
    assert report.history.latest().glide == "CE-2023-000203-PSE", "the refresh is kept in the report's history"


@pytest.mark.django_db
def test_ingest_file_stores_a_real_reliefweb_item_with_its_disaster():
    path = shared_fixture("real/reliefweb-api-v2-disaster-52433.json")
    source = reliefweb_source("https://api.reliefweb.int/v2/disasters")
    out = io.StringIO()
    call_command("ingest_file", str(path), "--source", source.slug, "--format", "reliefweb", stdout=out)
    report = Report.objects.get(source=source)
    assert (report.disaster, report.glide, report.country_codes) == (
        "DR Congo: Ebola Outbreak - Sep 2025",
        "EP-2025-000157-COD",
        ["COD"],
    )
    assert report.language == "en"


@pytest.mark.django_db
def test_report_store_checks_country_codes_and_keeps_lists():
    source = feed_source()
    with pytest.raises(ValidationError, match="alpha-3"):
        services.report_store(source=source, title="Flash update", country_codes=["PS"])
    with pytest.raises(ValidationError, match="list of strings"):
        services.report_store(source=source, title="Flash update", organisations="OCHA")  # type: ignore[arg-type]
    stored = services.report_store(
        source=source,
        title="Flash update",
        organisations=("OCHA", " OCHA ", "W" * 500),
        country_codes=("pse", "PSE"),
        disaster="x" * 400,
        glide=" CE-2023-000202-PSE ",
    ).report
    stored.refresh_from_db()
    assert stored.organisations == ["OCHA", "W" * 200] and stored.country_codes == ["PSE"]
    assert len(stored.disaster) == 300 and stored.glide == "CE-2023-000202-PSE"


@pytest.mark.django_db
def test_editors_see_who_wrote_a_report_in_the_admin_and_on_the_reports_page(editor_client):
    source = reliefweb_source("https://api.reliefweb.int/v2/reports")
    ingest_bytes(source, reliefweb_page(RELIEFWEB_REPORT), format="reliefweb")
    report = Report.objects.get(source=source)
    admin_page = editor_client.get(reverse("admin:tracker_report_change", args=[report.pk])).content.decode()
    assert "OCHA, Palestine Red Crescent Society" in admin_page and "PSE, ISR, EGY" in admin_page
    assert "CE-2023-000202-PSE" in admin_page
    listing = editor_client.get(reverse("admin:tracker_report_changelist")).content.decode()
    assert "OCHA, Palestine Red Crescent Society" in listing
    page = editor_client.get("/reports/").content.decode()
    assert 'By <span dir="auto">OCHA, Palestine Red Crescent Society</span>' in page
    assert "PSE, ISR, EGY" in page and '(GLIDE <span class="glide">CE-2023-000202-PSE</span>)' in page
