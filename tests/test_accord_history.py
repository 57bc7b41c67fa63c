"""Disputes and agreements keep every change of state, with who and when."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from tests.factories import agreement, dispute
from tracker import selectors, services
from tracker.models import AidDispute, Change, EvacuationAgreement

pytestmark = pytest.mark.django_db


def test_creating_a_dispute_records_its_initial_state():
    entity = dispute(state=AidDispute.State.OPEN)
    [first] = selectors.accord_state_history(entity)
    assert (first.from_state, first.to_state) == ("", AidDispute.State.OPEN)
    assert Change.objects.filter(dispute_change=first).exists()


def test_state_change_is_kept_with_who_and_when(editor):
    entity = dispute()
    moment = datetime(2023, 10, 20, 8, tzinfo=UTC)
    services.accord_change_state(
        entity=entity,
        to_state=AidDispute.State.NEGOTIATING,
        changed_by=editor,
        effective_at=moment,
        note="talks in Cairo",
    )
    latest = selectors.accord_state_history(entity).first()
    assert (latest.from_state, latest.to_state, latest.recorded_by, latest.effective_at) == (
        AidDispute.State.OPEN,
        AidDispute.State.NEGOTIATING,
        editor,
        moment,
    )
    entity.refresh_from_db()
    assert entity.state == AidDispute.State.NEGOTIATING
    assert entity.history.first().history_user == editor


def test_resolving_sets_the_date_and_reopening_clears_it():
    entity = dispute()
    services.accord_change_state(
        entity=entity,
        to_state=AidDispute.State.RESOLVED,
        changed_by=None,
        effective_at=datetime(2023, 10, 21, tzinfo=UTC),
    )
    entity.refresh_from_db()
    assert str(entity.resolved_on) == "2023-10-21"
    services.accord_change_state(
        entity=entity,
        to_state=AidDispute.State.STALLED,
        changed_by=None,
        effective_at=datetime(2023, 10, 25, tzinfo=UTC),
    )
    entity.refresh_from_db()
    assert entity.resolved_on is None and entity.state == AidDispute.State.STALLED


def test_backdated_change_does_not_override_the_latest_state():
    entity = agreement(state=EvacuationAgreement.State.PROPOSED)
    services.accord_change_state(
        entity=entity,
        to_state=EvacuationAgreement.State.IN_EFFECT,
        changed_by=None,
        effective_at=datetime(2023, 11, 1, tzinfo=UTC),
    )
    services.accord_change_state(
        entity=entity,
        to_state=EvacuationAgreement.State.AGREED,
        changed_by=None,
        effective_at=datetime(2023, 10, 28, tzinfo=UTC),
    )
    entity.refresh_from_db()
    assert entity.state == EvacuationAgreement.State.IN_EFFECT
    assert selectors.accord_state_history(entity).count() == 3


def test_change_before_the_record_begins_is_refused():
    entity = dispute()
    with pytest.raises(ValidationError):
        services.accord_change_state(
            entity=entity,
            to_state=AidDispute.State.STALLED,
            changed_by=None,
            effective_at=datetime(2020, 1, 1, tzinfo=UTC),
        )


def test_unknown_state_is_refused():
    with pytest.raises(ValidationError):
        services.accord_change_state(entity=dispute(), to_state="abandoned", changed_by=None)
