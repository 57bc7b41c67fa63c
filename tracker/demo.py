"""The demo situation: October 2023, from the seed article (Stars and Stripes, on Blinken's diplomacy).

Everything here is stated in the article or is reference data (names, codes, coordinates, aliases). Dates of
events are those reported around the article's publication; the article itself is stored as a report with a
summary in our own words, and cited by every row it supports. Loading is idempotent: rows are found by their
natural keys, and history rows are appended only when missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from . import services
from .models import (
    Actor,
    ActorAlias,
    AgreementEligibility,
    AgreementParty,
    AidDispute,
    Country,
    Crisis,
    Crossing,
    CrossingAlias,
    CrossingStatus,
    EvacuationAgreement,
    Report,
    Source,
    TimelineEvent,
    Traffic,
)
from .services._common import add_missing

ARTICLE_PUBLISHED = datetime(2023, 10, 15, 12, 0, tzinfo=UTC)

CRISIS: dict[str, Any] = {
    "slug": "israel-hamas-war",
    "name": "Israel–Hamas war",
    "started_on": date(2023, 10, 7),
    "countries": ["ISR", "PSE", "EGY"],
    "summary": (
        "War between Israel and Hamas after Hamas's attack on Israel on 7 October 2023. Humanitarian access to "
        "the Gaza Strip and the departure of foreign and dual nationals depend on the crossings into Gaza."
    ),
}

# slug, name, short name, kind, country
ACTORS: list[tuple[str, str, str, str, str | None]] = [
    ("united-states", "United States", "US", Actor.Kind.STATE, "USA"),
    ("us-department-of-state", "US Department of State", "State Dept.", Actor.Kind.GOVERNMENT_BODY, "USA"),
    ("egypt", "Egypt", "", Actor.Kind.STATE, "EGY"),
    ("israel", "Israel", "", Actor.Kind.STATE, "ISR"),
    ("qatar", "Qatar", "", Actor.Kind.STATE, "QAT"),
    ("saudi-arabia", "Saudi Arabia", "", Actor.Kind.STATE, "SAU"),
    ("china", "China", "", Actor.Kind.STATE, "CHN"),
    ("hamas", "Hamas", "", Actor.Kind.ARMED_GROUP, "PSE"),
    ("oic", "Organisation of Islamic Cooperation", "OIC", Actor.Kind.INTERGOVERNMENTAL, "SAU"),
    ("unrwa", "UN Relief and Works Agency for Palestine Refugees", "UNRWA", Actor.Kind.UN_AGENCY, None),
    ("ocha", "UN Office for the Coordination of Humanitarian Affairs", "OCHA", Actor.Kind.UN_AGENCY, None),
    ("wfp", "World Food Programme", "WFP", Actor.Kind.UN_AGENCY, None),
    ("antony-blinken", "Antony Blinken", "", Actor.Kind.PERSON, "USA"),
    ("faisal-bin-farhan", "Prince Faisal bin Farhan", "", Actor.Kind.PERSON, "SAU"),
    ("wang-yi", "Wang Yi", "", Actor.Kind.PERSON, "CHN"),
]

# The actors' names as Arabic and French readers see them (OCHA's and the UN's own usage where they have one).
ACTOR_ALIASES: dict[str, list[tuple[str, str]]] = {
    "united-states": [("الولايات المتحدة", "ar"), ("États-Unis", "fr")],
    "us-department-of-state": [("وزارة الخارجية الأمريكية", "ar"), ("Département d’État des États-Unis", "fr")],
    "egypt": [("مصر", "ar"), ("Égypte", "fr")],
    "israel": [("إسرائيل", "ar"), ("Israël", "fr")],
    "qatar": [("قطر", "ar")],
    "saudi-arabia": [("المملكة العربية السعودية", "ar"), ("Arabie saoudite", "fr")],
    "china": [("الصين", "ar"), ("Chine", "fr")],
    "hamas": [("حماس", "ar")],
    "oic": [("منظمة التعاون الإسلامي", "ar"), ("Organisation de la coopération islamique", "fr")],
    "unrwa": [("الأونروا", "ar")],
    "ocha": [
        ("مكتب الأمم المتحدة لتنسيق الشؤون الإنسانية", "ar"),
        ("Bureau de la coordination des affaires humanitaires", "fr"),
    ],
    "wfp": [("برنامج الأغذية العالمي", "ar"), ("Programme alimentaire mondial", "fr")],
    "antony-blinken": [("أنتوني بلينكن", "ar")],
    "faisal-bin-farhan": [("الأمير فيصل بن فرحان", "ar"), ("Prince Fayçal ben Farhane", "fr")],
    "wang-yi": [("وانغ يي", "ar")],
}


@dataclass(frozen=True)
class DemoCrossing:
    slug: str
    name: str
    side_a: str
    side_b: str
    latitude: str
    longitude: str
    description: str
    aliases: list[tuple[str, str]] = field(default_factory=list)


# Admin-area P-codes (Crossing.adm1_pcode/adm2_pcode) and the crisis's GLIDE number (Crisis.glide) are left blank:
# none could be checked against OCHA's common operational datasets or glidenumber.net from here, and a wrong code
# would send partners' joins to the wrong area or event. Editors fill them in the admin once verified.
CROSSINGS = [
    DemoCrossing(
        "rafah",
        "Rafah",
        "EGY",
        "PSE",
        "31.246900",
        "34.256700",
        "The crossing between Egypt's Sinai and the southern Gaza Strip; the only one not on Israel's border.",
        [
            ("Rafah crossing", "en"),
            ("Raffah", "en"),
            ("Rafa crossing", "en"),
            ("Rafah border crossing", "en"),
            ("معبر رفح", "ar"),
            ("رفح", "ar"),
            ("מעבר רפיח", "he"),
            ("רפיח", "he"),
        ],
    ),
    DemoCrossing(
        "kerem-shalom",
        "Kerem Shalom",
        "ISR",
        "PSE",
        "31.227500",
        "34.284400",
        "Goods crossing where Israel, Egypt and the Gaza Strip meet.",
        [
            ("Karem Abu Salem", "en"),
            ("Kerem Abu Salem", "en"),
            ("Karm Abu Salem", "en"),
            ("Karam Abu Salem", "en"),
            ("Kerem Abu Salim", "en"),
            ("Karem Shalom", "en"),
            ("Kerem Salom", "en"),
            ("Kerem Shalom crossing", "en"),
            ("كرم أبو سالم", "ar"),
            ("معبر كرم أبو سالم", "ar"),
            ("כרם שלום", "he"),
            ("מעבר כרם שלום", "he"),
        ],
    ),
    DemoCrossing(
        "erez",
        "Erez",
        "ISR",
        "PSE",
        "31.560600",
        "34.541700",
        "Crossing for people between Israel and the northern Gaza Strip.",
        [
            ("Beit Hanoun", "en"),
            ("Beit Hanun", "en"),
            ("Beit Hanoon", "en"),
            ("Erez crossing", "en"),
            ("بيت حانون", "ar"),
            ("معبر بيت حانون", "ar"),
            ("معبر إيرز", "ar"),
            ("إيرز", "ar"),
            ("إيريز", "ar"),
            ("מעבר ארז", "he"),
            ("מחסום ארז", "he"),
        ],
    ),
]


def polled_sources() -> list[dict[str, Any]]:
    """Sources the worker polls, so that `make run` shows ingestion.

    A feed the app serves itself (tracker/static/demo/, written in our own words; reachable offline, its URL
    follows PORT), and real outside sources, which fail gracefully and are recorded as failing when there is no
    internet (ReliefWeb also wants an approved appname: set RELIEFWEB_APPNAME).
    """
    return [
        {
            "slug": "tracker-demo-feed",
            "name": "Demo feed (served by this tracker)",
            "kind": Source.Kind.FEED,
            "url": settings.DEMO_FEED_URL,
            "poll_interval_minutes": 5,
            "reliability": Source.Reliability.F,
        },
        {
            "slug": "reliefweb-opt",
            "name": "ReliefWeb: occupied Palestinian territory",
            "kind": Source.Kind.RELIEFWEB,
            "url": "https://api.reliefweb.int/v2/reports",
            "home_page": "https://reliefweb.int/country/pse",
            "params": {
                "appname": settings.RELIEFWEB_APPNAME,
                "filter[field]": "primary_country.iso3",
                "filter[value]": "pse",
                "limit": 20,
            },
            "poll_interval_minutes": 60,
            "reliability": Source.Reliability.A,
        },
        {
            "slug": "un-news-middle-east",
            "name": "UN News: Middle East",
            "kind": Source.Kind.FEED,
            "url": "https://news.un.org/feed/subscribe/en/news/region/middle-east/feed/rss.xml",
            "home_page": "https://news.un.org/en/news/region/middle-east",
            "poll_interval_minutes": 30,
            "reliability": Source.Reliability.B,
        },
    ]


SOURCE: dict[str, Any] = {
    "slug": "stars-and-stripes",
    "name": "Stars and Stripes",
    "kind": Source.Kind.MANUAL,
    "home_page": "https://www.stripes.com/",
    "reliability": Source.Reliability.B,
}

ARTICLE: dict[str, Any] = {
    "external_id": "seed:blinken-diplomacy-2023-10",
    "title": "Antony Blinken's Diplomatic Efforts to Prevent Escalation in the Israel-Hamas War",
    "summary": (
        "<p>US Secretary of State Antony Blinken toured the region to keep the war from spreading, meeting Saudi "
        "Foreign Minister Prince Faisal bin Farhan and speaking with China's Wang Yi. Egypt, Israel and Qatar "
        "were close to an arrangement letting Palestinian Americans and other dual nationals leave Gaza, while "
        "the Rafah crossing stayed shut over a dispute about aid for Gaza. The State Department authorised "
        "non-emergency staff to leave Jerusalem and Tel Aviv; Saudi Arabia called an urgent OIC meeting in "
        "Jeddah; Blinken went on to Egypt.</p>"
    ),
    "language": "en",
}

# (crossing slug, traffic, status, note in our words)
STATUSES = [
    (
        "rafah",
        Traffic.AID,
        CrossingStatus.Status.CLOSED,
        "Closed to aid convoys while a dispute over aid for Gaza is unresolved.",
    ),
    (
        "rafah",
        Traffic.PEOPLE,
        CrossingStatus.Status.CLOSED,
        "Closed: dual nationals wait on a proposed Egypt–Israel–Qatar arrangement for safe passage.",
    ),
]

DISPUTE: dict[str, Any] = {
    "slug": "aid-for-gaza-through-rafah",
    "name": "Aid for Gaza through Rafah",
    "subject": AidDispute.Subject.ACCESS,
    "state": AidDispute.State.NEGOTIATING,
    "opened_on": date(2023, 10, 15),
    "parties": ["egypt", "israel"],
    "crossings": ["rafah"],
    "summary": (
        "Aid for Gaza is held at the Rafah crossing, which stays closed over a dispute about aid deliveries; "
        "the record starts from the first report we hold."
    ),
}

AGREEMENT: dict[str, Any] = {
    "slug": "safe-passage-for-dual-nationals-through-rafah",
    "name": "Safe passage for dual nationals through Rafah",
    "state": EvacuationAgreement.State.PROPOSED,
    "announced_on": date(2023, 10, 15),
    "crossings": ["rafah"],
    "parties": [
        ("egypt", AgreementParty.Role.PARTY),
        ("israel", AgreementParty.Role.PARTY),
        ("qatar", AgreementParty.Role.MEDIATOR),
    ],
    "eligible": [(AgreementEligibility.Group.DUAL_NATIONALS, "Palestinian Americans and other dual nationals")],
    "summary": "A potential agreement between Egypt, Israel and Qatar for dual nationals to leave Gaza.",
    "terms": "Not published. Reported as a small step forward; the crossing remained closed.",
}

# date, kind, title, description, location, actor slugs
EVENTS: list[tuple[date, str, str, str, str, list[str]]] = [
    (
        date(2023, 10, 14),
        TimelineEvent.Kind.DIPLOMATIC_MEETING,
        "Blinken meets Saudi Foreign Minister Prince Faisal bin Farhan",
        "Both stressed protecting civilians as Israel prepared for an expected ground incursion against Hamas.",
        "Riyadh",
        ["antony-blinken", "faisal-bin-farhan", "united-states", "saudi-arabia"],
    ),
    (
        date(2023, 10, 14),
        TimelineEvent.Kind.DIPLOMATIC_MEETING,
        "Blinken speaks with Chinese Foreign Minister Wang Yi",
        "A call seeking China's help, through its influence in the region, in keeping the conflict from spreading.",
        "",
        ["antony-blinken", "wang-yi", "united-states", "china"],
    ),
    (
        date(2023, 10, 14),
        TimelineEvent.Kind.SECURITY_ADVISORY,
        "US authorises departure of non-emergency staff from Jerusalem and Tel Aviv",
        "The State Department authorised non-emergency US government staff and their families to leave the "
        "Embassy in Jerusalem and the office in Tel Aviv.",
        "Jerusalem; Tel Aviv",
        ["us-department-of-state", "united-states"],
    ),
    (
        date(2023, 10, 14),
        TimelineEvent.Kind.DIPLOMATIC_MEETING,
        "Saudi Arabia calls an urgent OIC foreign ministers' meeting in Jeddah",
        "An extraordinary meeting of the 57-member Organisation of Islamic Cooperation on the military situation in "
        "Gaza and the danger to civilians.",
        "Jeddah",
        ["saudi-arabia", "oic"],
    ),
    (
        date(2023, 10, 15),
        TimelineEvent.Kind.DIPLOMATIC_MEETING,
        "Blinken travels on to Egypt",
        "Blinken continued his regional tour in Egypt, with humanitarian aid for Gaza on the agenda.",
        "Cairo",
        ["antony-blinken", "united-states", "egypt"],
    ),
]


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Load the demo situation; returns how many rows of each kind were created (all zero the second time)."""
    created: dict[str, int] = {}

    def count(kind: str, was_created: bool) -> None:
        created[kind] = created.get(kind, 0) + int(was_created)

    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=["ISR", "PSE", "EGY", "USA", "QAT", "SAU", "CHN"])}

    crisis, new = Crisis.objects.get_or_create(
        slug=CRISIS["slug"],
        defaults={"name": CRISIS["name"], "started_on": CRISIS["started_on"], "summary": CRISIS["summary"]},
    )
    count("crises", new)
    add_missing(crisis.countries, (countries[code] for code in CRISIS["countries"]))

    actors = {}
    for slug, name, short, kind, iso3 in ACTORS:
        actors[slug], new = Actor.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "short_name": short, "kind": kind, "country": countries.get(iso3 or "")},
        )
        count("actors", new)
        for alias, language in ACTOR_ALIASES.get(slug, []):
            count(
                "aliases",
                ActorAlias.objects.get_or_create(actor=actors[slug], name=alias, language=language)[1],
            )

    crossings = {}
    for spec in CROSSINGS:
        crossing, new = Crossing.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "side_a": countries[spec.side_a],
                "side_b": countries[spec.side_b],
                "latitude": Decimal(spec.latitude),
                "longitude": Decimal(spec.longitude),
                "description": spec.description,
            },
        )
        count("crossings", new)
        add_missing(crossing.crises, [crisis])
        for alias, language in spec.aliases:
            count(
                "aliases",
                CrossingAlias.objects.get_or_create(crossing=crossing, name=alias, defaults={"language": language})[1],
            )
        crossings[spec.slug] = crossing

    source, new = Source.objects.get_or_create(
        slug=SOURCE["slug"], defaults={k: v for k, v in SOURCE.items() if k != "slug"}
    )
    count("sources", new)
    for wanted in polled_sources():
        polled, new = Source.objects.get_or_create(
            slug=wanted["slug"], defaults={k: v for k, v in wanted.items() if k != "slug"}
        )
        count("sources", new)
        if wanted["slug"] == "tracker-demo-feed" and polled.url != wanted["url"]:
            # `make run` on another PORT: the demo feed moved with the web server.
            polled.url, polled.version = wanted["url"], polled.version + 1
            polled.save(update_fields=["url", "version"])
            count("sources", True)

    report = Report.objects.filter(source=source, external_id=ARTICLE["external_id"]).first()
    if report is None:
        report = services.report_store(
            source=source,
            external_id=ARTICLE["external_id"],
            title=ARTICLE["title"],
            summary_html=ARTICLE["summary"],
            published_at=ARTICLE_PUBLISHED,
            fetched_at=ARTICLE_PUBLISHED,
            language=ARTICLE["language"],
        ).report
        count("reports", True)
    if report.review_state == Report.ReviewState.NEW:
        services.report_review(report=report, state=Report.ReviewState.RELEVANT, reviewed_by=None)
        report.refresh_from_db()
    services.report_link(report=report, crises=[crisis], crossings=[crossings["rafah"]])

    for slug, traffic, status, note in STATUSES:
        exists = CrossingStatus.objects.filter(crossing=crossings[slug], traffic=traffic, report=report).exists()
        if not exists:
            services.crossing_record_status(
                crossing=crossings[slug],
                status=status,
                traffic=traffic,
                effective_at=ARTICLE_PUBLISHED,
                certainty=CrossingStatus.Certainty.REPORTED,
                report=report,
                note=note,
                recorded_by=None,
            )
        count("statuses", not exists)

    dispute = AidDispute.objects.filter(slug=DISPUTE["slug"]).first()
    if dispute is None:
        dispute = AidDispute(
            slug=DISPUTE["slug"],
            name=DISPUTE["name"],
            crisis=crisis,
            subject=DISPUTE["subject"],
            state=DISPUTE["state"],
            opened_on=DISPUTE["opened_on"],
            summary=DISPUTE["summary"],
        )
        services.accord_create(
            entity=dispute,
            created_by=None,
            effective_at=ARTICLE_PUBLISHED,
            report=report,
            note="Reported: Rafah stays closed over a dispute about aid for Gaza.",
        )
        count("disputes", True)
    add_missing(dispute.parties, (actors[s] for s in DISPUTE["parties"]))
    add_missing(dispute.crossings, (crossings[s] for s in DISPUTE["crossings"]))

    agreement = EvacuationAgreement.objects.filter(slug=AGREEMENT["slug"]).first()
    if agreement is None:
        agreement = EvacuationAgreement(
            slug=AGREEMENT["slug"],
            name=AGREEMENT["name"],
            crisis=crisis,
            state=AGREEMENT["state"],
            announced_on=AGREEMENT["announced_on"],
            summary=AGREEMENT["summary"],
            terms=AGREEMENT["terms"],
        )
        services.accord_create(
            entity=agreement,
            created_by=None,
            effective_at=ARTICLE_PUBLISHED,
            report=report,
            note="Reported as a potential agreement between Egypt, Israel and Qatar.",
        )
        count("agreements", True)
    add_missing(agreement.crossings, (crossings[s] for s in AGREEMENT["crossings"]))
    for actor_slug, role in AGREEMENT["parties"]:
        AgreementParty.objects.get_or_create(agreement=agreement, actor=actors[actor_slug], role=role)
    for group, detail in AGREEMENT["eligible"]:
        AgreementEligibility.objects.get_or_create(agreement=agreement, group=group, defaults={"detail": detail})
    services.report_link(report=report, disputes=[dispute], agreements=[agreement])

    for day, kind, title, description, location, actor_slugs in EVENTS:
        event, new = TimelineEvent.objects.get_or_create(
            crisis=crisis,
            occurred_on=day,
            title=title,
            defaults={"kind": kind, "description": description, "location": location},
        )
        count("events", new)
        add_missing(event.actors, (actors[s] for s in actor_slugs))
        add_missing(event.reports, [report])

    return created
