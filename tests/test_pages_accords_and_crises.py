"""Crisis, dispute and agreement pages: as they stood at the moment shown, with their evidence."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import CrisisFactory, agreement, dispute
from tests.test_pages_support import build_situation, count_queries, day, text
from tracker import services
from tracker.models import AgreementEligibility, AidDispute, EvacuationAgreement

pytestmark = pytest.mark.django_db


def test_crisis_page_lists_its_crossings_accords_events_and_reports(analyst_client):
    situation = build_situation(2)
    page = text(analyst_client.get(f"/crises/{situation.crisis.slug}/"))
    for crossing in situation.crossings:
        assert crossing.name in page
        assert crossing.disputes.get().name in page and crossing.agreements.get().name in page
    assert f"Statement {situation.crisis.pk}-0" in page and situation.reports[0].title in page


def test_crisis_page_before_the_crisis_began_says_so(analyst_client):
    crisis = CrisisFactory(started_on=date(2023, 10, 7))
    page = text(analyst_client.get(f"/crises/{crisis.slug}/", {"as_of": "2023-10-01"}))
    assert "This crisis had not begun at the moment shown" in page


def test_dispute_page_shows_the_state_at_the_moment_and_its_history(analyst_client):
    disputed = dispute(CrisisFactory(), name="Fuel for hospitals", subject=AidDispute.Subject.FUEL)
    services.accord_change_state(
        entity=disputed, to_state=AidDispute.State.STALLED, changed_by=None, effective_at=day(20), note="talks off"
    )
    now = text(analyst_client.get(f"/disputes/{disputed.slug}/"))
    assert "State now: Stalled since 2023-10-21 00:00 UTC" in now
    assert "Open → Stalled" in now and "talks off" in now and "Subject Fuel" in now
    earlier = text(analyst_client.get(f"/disputes/{disputed.slug}/", {"as_of": day(15).isoformat()}))
    assert "State at the moment shown: Open" in earlier and "talks off" not in earlier
    before = text(analyst_client.get(f"/disputes/{disputed.slug}/", {"as_of": "2023-10-01"}))
    assert "This dispute was not yet on record at the moment shown." in before


def test_agreement_page_shows_parties_eligibility_terms_and_state(analyst_client):
    situation = build_situation(1)
    accord = situation.crossings[0].agreements.get()
    AgreementEligibility.objects.create(
        agreement=accord, group=AgreementEligibility.Group.DUAL_NATIONALS, detail="Palestinian Americans"
    )
    EvacuationAgreement.objects.filter(pk=accord.pk).update(terms="Not published.")
    services.accord_change_state(
        entity=accord, to_state=EvacuationAgreement.State.IN_EFFECT, changed_by=None, effective_at=day(25)
    )
    page = text(analyst_client.get(f"/agreements/{accord.slug}/"))
    assert "State now: In effect" in page and "Proposed → In effect" in page
    assert "Dual nationals: Palestinian Americans" in page and "Not published." in page
    assert "(party)" in page and situation.crossings[0].name in page


def test_unknown_slugs_are_404(analyst_client):
    for url in ("/crises/none/", "/disputes/none/", "/agreements/none/"):
        assert analyst_client.get(url).status_code == 404


def test_detail_pages_queries_do_not_grow_with_the_data(analyst_client):
    situation = build_situation(1)
    crossing = situation.crossings[0]
    urls = [
        f"/crises/{situation.crisis.slug}/",
        f"/disputes/{crossing.disputes.get().slug}/",
        f"/agreements/{crossing.agreements.get().slug}/",
    ]
    small = [count_queries(analyst_client, url) for url in urls]
    build_situation(4, crisis=situation.crisis)
    disputed, accord = crossing.disputes.get(), crossing.agreements.get()
    for n in range(5):
        services.accord_change_state(
            entity=disputed, to_state="stalled" if n % 2 else "open", changed_by=None, effective_at=day(15 + n)
        )
        services.accord_change_state(
            entity=accord, to_state="agreed" if n % 2 else "suspended", changed_by=None, effective_at=day(15 + n)
        )
    disputed.crossings.add(*situation.crisis.crossings.all())
    assert [count_queries(analyst_client, url) for url in urls] == small
    assert max(small) <= 24, small  # the timeline reads its crises' crossings first (selectors/timeline.py)


def test_agreement_created_through_the_factory_reads_without_parties(analyst_client):
    accord = agreement(CrisisFactory())
    page = text(analyst_client.get(f"/agreements/{accord.slug}/"))
    assert "Parties —" in page and "Who may leave —" in page
