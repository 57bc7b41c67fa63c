"""Rows for tests. Reference rows come from factory_boy; history rows are written through the services, as in life."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import factory

from tracker import services
from tracker.models import (
    Actor,
    AidDispute,
    Country,
    Crisis,
    Crossing,
    CrossingStatus,
    EvacuationAgreement,
    Report,
    Source,
    Traffic,
)


def country(iso3: str) -> Country:
    return Country.objects.get(iso3=iso3)


class CrisisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Crisis

    name = factory.Sequence(lambda n: f"Crisis {n}")
    started_on = date(2023, 10, 7)


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Actor {n}")
    kind = Actor.Kind.STATE


class CrossingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Crossing

    name = factory.Sequence(lambda n: f"Crossing {n}")
    side_a = factory.LazyFunction(lambda: country("EGY"))
    side_b = factory.LazyFunction(lambda: country("PSE"))


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"Source {n}")
    kind = Source.Kind.MANUAL


def report(source: Source | None = None, **fields: Any) -> Report:
    fields.setdefault("title", f"Report {Report.objects.count() + 1}")
    fields.setdefault("published_at", datetime(2023, 10, 15, 12, tzinfo=UTC))
    return services.report_store(source=source or SourceFactory(), **fields).report


def status(
    crossing: Crossing,
    status: str,
    effective_at: datetime,
    traffic: str = Traffic.ALL,
    *,
    note: str = "test evidence",
    **fields: Any,
) -> CrossingStatus:
    return services.crossing_record_status(
        crossing=crossing,
        status=status,
        traffic=traffic,
        effective_at=effective_at,
        recorded_by=None,
        note=note,
        **fields,
    )


def dispute(crisis: Crisis | None = None, **fields: Any) -> AidDispute:
    fields.setdefault("name", f"Dispute {AidDispute.objects.count() + 1}")
    fields.setdefault("subject", AidDispute.Subject.ACCESS)
    fields.setdefault("opened_on", date(2023, 10, 10))
    entity = AidDispute(crisis=crisis or CrisisFactory(), **fields)
    return services.accord_create(entity=entity, created_by=None)


def agreement(crisis: Crisis | None = None, **fields: Any) -> EvacuationAgreement:
    fields.setdefault("name", f"Agreement {EvacuationAgreement.objects.count() + 1}")
    fields.setdefault("announced_on", date(2023, 10, 15))
    entity = EvacuationAgreement(crisis=crisis or CrisisFactory(), **fields)
    return services.accord_create(entity=entity, created_by=None)
