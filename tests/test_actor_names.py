"""Actors in the reader's language (issue 17): an actor's alias in that language, where one is on record, on every
page that names it, in the alerts, and never in the data (CSV, API)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from alerts.selectors import entries_from_changes, feed_changes
from tests.test_pages_support import build_situation, text
from tracker.models import Actor, ActorAlias, AidDispute, EvacuationAgreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(db):  # type: ignore[no-untyped-def]
    """A situation whose every actor has an Arabic alias (and one a second, later one: the first recorded wins)."""
    built = build_situation(1)
    for actor in Actor.objects.all():
        ActorAlias.objects.create(actor=actor, name=f"فاعل {actor.pk}", language="ar")
    first = Actor.objects.order_by("pk").first()
    ActorAlias.objects.create(actor=first, name="اسم لاحق", language="ar-EG")
    return built


def _arabic(actor: Actor) -> str:
    return f"فاعل {actor.pk}"


def test_every_page_names_actors_by_their_alias_in_the_reader_s_language(analyst_client, named):
    crossing = named.crossings[0]
    disputed = AidDispute.objects.get(crossings=crossing)
    accord = EvacuationAgreement.objects.get(crossings=crossing)
    speaker = crossing.statuses.exclude(stated_by=None).get().stated_by
    party = disputed.parties.order_by("pk").first()
    pages = {
        "/": [speaker, party],
        f"/crossings/{crossing.slug}/": [speaker],
        f"/disputes/{disputed.slug}/": list(disputed.parties.all()),
        f"/agreements/{accord.slug}/": [p.actor for p in accord.parties.all()],
        "/timeline/": [party],
    }
    for url, actors in pages.items():
        arabic = text(analyst_client.get(url, HTTP_ACCEPT_LANGUAGE="ar"))
        english = text(analyst_client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
        for actor in actors:
            assert _arabic(actor) in arabic and actor.name not in arabic, (url, actor)
            assert actor.name in english and _arabic(actor) not in english, (url, actor)
        assert "اسم لاحق" not in arabic  # the first alias recorded in the language is the one shown


def test_the_data_keeps_the_names_the_record_carries(analyst_client, partner_client, named):
    speaker = named.crossings[0].statuses.exclude(stated_by=None).get().stated_by
    page_csv = b"".join(analyst_client.get("/?format=csv", HTTP_ACCEPT_LANGUAGE="ar").streaming_content).decode()
    assert speaker.name in page_csv and "فاعل" not in page_csv
    api = partner_client.get("/api/v1/crossings/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert speaker.name in api and "فاعل" not in api


def test_alerts_name_the_speaker_in_the_subscriber_s_language(named):
    speaker = named.crossings[0].statuses.exclude(stated_by=None).get().stated_by
    changes = list(feed_changes())
    with translation.override("ar"):
        arabic = entries_from_changes(changes, as_of=timezone.now())
    english = entries_from_changes(changes, as_of=timezone.now())
    assert _arabic(speaker) in {e.stated_by for e in arabic}
    assert speaker.name in {e.stated_by for e in english} and _arabic(speaker) not in {e.stated_by for e in english}


@pytest.mark.parametrize(
    ("name", "language"), [("", "ar"), ("مصر", ""), ("مصر", "Arabic"), ("مصر", "ar_EG"), ("مصر", "AR")]
)
def test_an_alias_needs_a_name_and_a_language_code(name, language):
    actor = Actor.objects.create(name="Egypt", slug="egypt", kind=Actor.Kind.STATE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ActorAlias.objects.create(actor=actor, name=name, language=language)
    assert not ActorAlias.objects.exists()


def test_one_alias_is_not_recorded_twice():
    actor = Actor.objects.create(name="Egypt", slug="egypt", kind=Actor.Kind.STATE)
    ActorAlias.objects.create(actor=actor, name="مصر", language="ar")
    with pytest.raises(IntegrityError), transaction.atomic():
        ActorAlias.objects.create(actor=actor, name="مصر", language="ar")


def test_editors_give_an_actor_its_names_in_the_admin(editor_client):
    actor = Actor.objects.create(name="Egypt", slug="egypt", kind=Actor.Kind.STATE)
    page = editor_client.get(f"/admin/tracker/actor/{actor.pk}/change/").content.decode()
    assert 'name="aliases-0-name"' in page and 'name="aliases-0-language"' in page


def test_an_alias_added_since_shows_in_the_next_page_s_filters(analyst_client, named):
    """Each form reads the aliases afresh: the filters of the next page name an actor or crossing by an alias
    recorded after the first page was drawn (the fields are copied from the form class for every form)."""
    from tracker.models import CrossingAlias

    crossing = named.crossings[0]
    analyst_client.get("/timeline/", HTTP_ACCEPT_LANGUAGE="ar")
    actor = Actor.objects.order_by("pk").last()
    ActorAlias.objects.filter(actor=actor).delete()
    ActorAlias.objects.create(actor=actor, name="اسم جديد", language="ar")
    CrossingAlias.objects.create(crossing=crossing, name="معبر جديد", language="ar")
    page = analyst_client.get("/timeline/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "اسم جديد" in page
    assert "معبر جديد" in analyst_client.get("/reports/", HTTP_ACCEPT_LANGUAGE="ar").content.decode()
