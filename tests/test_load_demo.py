"""The demo situation: Rafah, October 2023, from the seed article; loading it twice changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from tests.conftest import shared_fixture
from tracker import selectors
from tracker.models import (
    AidDispute,
    CrossingStatus,
    EvacuationAgreement,
    Report,
    TimelineEvent,
    Traffic,
)

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in apps.get_app_config("tracker").get_models()}


def test_loading_twice_changes_nothing():
    call_command("load_demo", stdout=StringIO())
    first = row_counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert row_counts() == first
    assert "nothing changed" in out.getvalue()


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())


def test_rafah_is_closed_to_aid_because_of_the_dispute(demo):
    from tracker.models import Crossing

    rafah = Crossing.objects.get(slug="rafah")
    aid = selectors.crossing_status_as_of(crossing=rafah, traffic=Traffic.AID)
    assert aid.status == CrossingStatus.Status.CLOSED
    assert aid.report.source.name == "Stars and Stripes"
    dispute = AidDispute.objects.get(slug="aid-for-gaza-through-rafah")
    assert rafah in dispute.crossings.all()
    assert dispute.state_changes.first().report == aid.report


def test_crossings_carry_aliases_in_arabic_and_hebrew(demo):
    from tracker.models import Crossing

    kerem = Crossing.objects.get(slug="kerem-shalom")
    languages = set(kerem.aliases.values_list("language", flat=True))
    assert {"en", "ar", "he"} <= languages
    assert kerem.aliases.filter(name="Karem Abu Salem").exists()
    assert Crossing.objects.get(slug="erez").aliases.filter(name="Beit Hanoun").exists()
    assert all(c.latitude is not None for c in Crossing.objects.all())


def test_the_agreement_names_who_may_leave_and_its_mediator(demo):
    agreement = EvacuationAgreement.objects.get(slug="safe-passage-for-dual-nationals-through-rafah")
    assert agreement.state == EvacuationAgreement.State.PROPOSED
    roles = {(p.actor.slug, p.role) for p in agreement.parties.all()}
    assert {("egypt", "party"), ("israel", "party"), ("qatar", "mediator")} <= roles
    assert agreement.eligible.filter(group="dual_nationals").exists()


def test_timeline_has_the_articles_events_each_citing_it(demo):
    titles = " | ".join(TimelineEvent.objects.values_list("title", flat=True))
    for words in ["Faisal bin Farhan", "Wang Yi", "non-emergency staff", "OIC", "Egypt"]:
        assert words in titles
    article = Report.objects.get(external_id="seed:blinken-diplomacy-2023-10")
    assert all(article in event.reports.all() for event in TimelineEvent.objects.all())
    assert article.review_state == Report.ReviewState.RELEVANT


def test_the_report_carries_the_articles_title_and_not_its_text(demo):
    article_text = shared_fixture("seed/blinken-diplomacy-article.txt").read_text(encoding="utf-8")
    article = Report.objects.get(external_id="seed:blinken-diplomacy-2023-10")
    assert article.title == article_text.splitlines()[0].strip()
    body_sentences = [s.strip() for s in article_text.split(".") if len(s.strip()) > 60]
    assert not any(sentence in article.text for sentence in body_sentences), "the summary is in our own words"
