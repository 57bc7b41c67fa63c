"""What blocks aid (disputes) and what lets people leave (evacuation agreements), each with its state history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .base import AppendOnlyModel, PublicIdModel, SluggedModel, VersionedModel, choices_check
from .crossings import Crossing
from .reference import Actor, Crisis


class AidDisputeSubject(models.TextChoices):
    INSPECTION = "inspection", _("Inspection")
    ACCESS = "access", _("Access")
    QUANTITIES = "quantities", _("Quantities")
    FUEL = "fuel", _("Fuel")
    SECURITY_GUARANTEES = "security_guarantees", _("Security guarantees")
    OTHER = "other", _("Other")


class AidDisputeState(models.TextChoices):
    OPEN = "open", pgettext_lazy("dispute state", "Open")
    NEGOTIATING = "negotiating", pgettext_lazy("dispute state", "Negotiating")
    STALLED = "stalled", pgettext_lazy("dispute state", "Stalled")
    RESOLVED = "resolved", pgettext_lazy("dispute state", "Resolved")


class AidDispute(SluggedModel, VersionedModel):
    """A dispute that blocks or limits aid. ``state`` is kept by ``tracker.services.accord_change_state``."""

    Subject = AidDisputeSubject
    State = AidDisputeState

    name = models.CharField(max_length=200, unique=True)
    crisis = models.ForeignKey(Crisis, on_delete=models.PROTECT, related_name="disputes")
    subject = models.CharField(max_length=24, choices=Subject.choices)
    summary = models.TextField(blank=True)
    parties = models.ManyToManyField(Actor, blank=True, related_name="disputes")
    crossings = models.ManyToManyField(Crossing, blank=True, related_name="disputes")
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    opened_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[parties, crossings])

    class Meta:
        ordering = ["-opened_on", "name"]
        constraints = [
            choices_check("subject", AidDisputeSubject, name="dispute_subject_valid"),
            choices_check("state", AidDisputeState, name="dispute_state_valid"),
            models.CheckConstraint(
                condition=models.Q(resolved_on__isnull=True) | models.Q(resolved_on__gte=models.F("opened_on")),
                name="dispute_resolved_after_opened",
            ),
            models.CheckConstraint(
                condition=models.Q(state="resolved", resolved_on__isnull=False)
                | (~models.Q(state="resolved") & models.Q(resolved_on__isnull=True)),
                name="dispute_resolved_has_date",
            ),
        ]
        indexes = [
            # The dashboard's "open disputes" per crisis.
            models.Index(fields=["crisis", "state"], name="dispute_crisis_state"),
        ]

    def __str__(self) -> str:
        return self.name


class AidDisputeStateChange(PublicIdModel, AppendOnlyModel):
    dispute = models.ForeignKey(AidDispute, on_delete=models.PROTECT, related_name="state_changes")
    from_state = models.CharField(max_length=12, choices=AidDispute.State.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=AidDispute.State.choices)
    effective_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report = models.ForeignKey("tracker.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-effective_at", "-recorded_at", "-id"]
        constraints = [
            choices_check("from_state", AidDispute.State, name="dispute_change_from_valid", allow_blank=True),
            choices_check("to_state", AidDispute.State, name="dispute_change_to_valid"),
        ]
        indexes = [models.Index(fields=["dispute", "-effective_at"], name="dispute_change_lookup")]

    def __str__(self) -> str:
        return f"{self.dispute}: {self.from_state or '-'} -> {self.to_state}"


class EvacuationAgreementState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    AGREED = "agreed", _("Agreed")
    IN_EFFECT = "in_effect", _("In effect")
    SUSPENDED = "suspended", _("Suspended")
    EXPIRED = "expired", _("Expired")
    COLLAPSED = "collapsed", _("Collapsed")


class EvacuationAgreement(SluggedModel, VersionedModel):
    """An arrangement for people to leave. ``state`` is kept by ``tracker.services.accord_change_state``."""

    State = EvacuationAgreementState

    name = models.CharField(max_length=200, unique=True)
    crisis = models.ForeignKey(Crisis, on_delete=models.PROTECT, related_name="agreements")
    summary = models.TextField(blank=True)
    terms = models.TextField(blank=True)
    crossings = models.ManyToManyField(Crossing, blank=True, related_name="agreements")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROPOSED)
    announced_on = models.DateField()
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[crossings])

    class Meta:
        ordering = ["-announced_on", "name"]
        constraints = [
            choices_check("state", EvacuationAgreementState, name="agreement_state_valid"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["crisis", "state"], name="agreement_crisis_state")]

    def __str__(self) -> str:
        return self.name


class AgreementPartyRole(models.TextChoices):
    PARTY = "party", _("Party")
    MEDIATOR = "mediator", _("Mediator")
    GUARANTOR = "guarantor", _("Guarantor")


class AgreementParty(models.Model):
    Role = AgreementPartyRole

    agreement = models.ForeignKey(EvacuationAgreement, on_delete=models.CASCADE, related_name="parties")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="agreement_roles")
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["agreement", "role", "actor"]
        verbose_name_plural = "agreement parties"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "actor", "role"], name="agreement_party_unique"),
            choices_check("role", AgreementPartyRole, name="agreement_party_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.get_role_display().lower()})"


class AgreementEligibilityGroup(models.TextChoices):
    DUAL_NATIONALS = "dual_nationals", "Dual nationals"
    FOREIGN_PASSPORT_HOLDERS = "foreign_passport_holders", "Foreign passport holders"
    WOUNDED_AND_SICK = "wounded_and_sick", "Wounded and sick"
    UN_STAFF = "un_staff", "UN staff"
    AID_WORKERS = "aid_workers", "Aid workers"
    DIPLOMATS = "diplomats", "Diplomatic staff"
    CHILDREN = "children", "Children"
    OTHER = "other", "Other"


class AgreementEligibility(models.Model):
    """Who may leave under an agreement."""

    Group = AgreementEligibilityGroup

    agreement = models.ForeignKey(EvacuationAgreement, on_delete=models.CASCADE, related_name="eligible")
    group = models.CharField(max_length=30, choices=Group.choices)
    detail = models.CharField(max_length=200, blank=True, help_text="e.g. Palestinian Americans")

    class Meta:
        verbose_name_plural = "agreement eligibility"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "group"], name="agreement_eligibility_unique"),
            choices_check("group", AgreementEligibilityGroup, name="agreement_eligibility_group_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()}: {self.detail}" if self.detail else self.get_group_display()


class EvacuationAgreementStateChange(PublicIdModel, AppendOnlyModel):
    agreement = models.ForeignKey(EvacuationAgreement, on_delete=models.PROTECT, related_name="state_changes")
    from_state = models.CharField(max_length=12, choices=EvacuationAgreement.State.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=EvacuationAgreement.State.choices)
    effective_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report = models.ForeignKey("tracker.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-effective_at", "-recorded_at", "-id"]
        constraints = [
            choices_check(
                "from_state", EvacuationAgreement.State, name="agreement_change_from_valid", allow_blank=True
            ),
            choices_check("to_state", EvacuationAgreement.State, name="agreement_change_to_valid"),
        ]
        indexes = [models.Index(fields=["agreement", "-effective_at"], name="agreement_change_lookup")]

    def __str__(self) -> str:
        return f"{self.agreement}: {self.from_state or '-'} -> {self.to_state}"
