"""What blocks aid (disputes) and what lets people leave (evacuation agreements), each with its state history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from simple_history.models import HistoricalRecords

from .base import AppendOnlyModel, PublicIdModel, SluggedModel, VersionedModel, choices_check
from .crossings import Crossing
from .reference import Actor, Crisis


def state_change_label(entity: object, before: object, after: object) -> str:
    """A state change named in the reader's language ("Fuel for hospitals: Open → Stalled"); no state before: "-"."""
    return pgettext("state change", "%(name)s: %(before)s → %(after)s") % {
        "name": entity,
        "before": before or "-",
        "after": after,
    }


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

    name = models.CharField(_("name"), max_length=200, unique=True)
    crisis = models.ForeignKey(Crisis, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("crisis"))
    subject = models.CharField(_("subject"), max_length=24, choices=Subject.choices)
    summary = models.TextField(_("summary"), blank=True)
    parties = models.ManyToManyField(Actor, blank=True, related_name="disputes", verbose_name=_("parties"))
    crossings = models.ManyToManyField(Crossing, blank=True, related_name="disputes", verbose_name=_("crossings"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OPEN)
    opened_on = models.DateField(_("opened on"))
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[parties, crossings])

    class Meta:
        ordering = ["-opened_on", "name"]
        verbose_name = _("aid dispute")
        verbose_name_plural = _("aid disputes")
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
    dispute = models.ForeignKey(
        AidDispute, on_delete=models.PROTECT, related_name="state_changes", verbose_name=_("aid dispute")
    )
    from_state = models.CharField(_("from state"), max_length=12, choices=AidDispute.State.choices, blank=True)
    to_state = models.CharField(_("to state"), max_length=12, choices=AidDispute.State.choices)
    effective_at = models.DateTimeField(_("effective at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    report = models.ForeignKey(
        "tracker.Report",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("report"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-effective_at", "-recorded_at", "-id"]
        verbose_name = _("aid dispute state change")
        verbose_name_plural = _("aid dispute state changes")
        constraints = [
            choices_check("from_state", AidDispute.State, name="dispute_change_from_valid", allow_blank=True),
            choices_check("to_state", AidDispute.State, name="dispute_change_to_valid"),
        ]
        indexes = [
            models.Index(fields=["dispute", "-effective_at"], name="dispute_change_lookup"),
            # Every dispute's changes newest first (the timeline, the dashboard's latest developments): without it
            # all 3,000 of a large record were joined and sorted for the eight shown (issue 16).
            models.Index(fields=["effective_at", "recorded_at", "id"], name="dispute_change_in_order"),
        ]

    def __str__(self) -> str:
        return state_change_label(self.dispute, self.get_from_state_display(), self.get_to_state_display())


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

    name = models.CharField(_("name"), max_length=200, unique=True)
    crisis = models.ForeignKey(Crisis, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("crisis"))
    summary = models.TextField(_("summary"), blank=True)
    terms = models.TextField(_("terms"), blank=True)
    crossings = models.ManyToManyField(Crossing, blank=True, related_name="agreements", verbose_name=_("crossings"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PROPOSED)
    announced_on = models.DateField(_("announced on"))
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[crossings])

    class Meta:
        ordering = ["-announced_on", "name"]
        verbose_name = _("evacuation agreement")
        verbose_name_plural = _("evacuation agreements")
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

    agreement = models.ForeignKey(
        EvacuationAgreement, on_delete=models.CASCADE, related_name="parties", verbose_name=_("evacuation agreement")
    )
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="agreement_roles", verbose_name=_("actor"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["agreement", "role", "actor"]
        verbose_name = _("agreement party")
        verbose_name_plural = _("agreement parties")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "actor", "role"], name="agreement_party_unique"),
            choices_check("role", AgreementPartyRole, name="agreement_party_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} ({self.get_role_display().lower()})"


class AgreementEligibilityGroup(models.TextChoices):
    DUAL_NATIONALS = "dual_nationals", _("Dual nationals")
    FOREIGN_PASSPORT_HOLDERS = "foreign_passport_holders", _("Foreign passport holders")
    WOUNDED_AND_SICK = "wounded_and_sick", _("Wounded and sick")
    UN_STAFF = "un_staff", _("UN staff")
    AID_WORKERS = "aid_workers", _("Aid workers")
    DIPLOMATS = "diplomats", _("Diplomatic staff")
    CHILDREN = "children", _("Children")
    OTHER = "other", _("Other")


class AgreementEligibility(models.Model):
    """Who may leave under an agreement."""

    Group = AgreementEligibilityGroup

    agreement = models.ForeignKey(
        EvacuationAgreement, on_delete=models.CASCADE, related_name="eligible", verbose_name=_("evacuation agreement")
    )
    group = models.CharField(_("group"), max_length=30, choices=Group.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True, help_text=_("e.g. Palestinian Americans"))

    class Meta:
        verbose_name = _("agreement eligibility")
        verbose_name_plural = _("agreement eligibility")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "group"], name="agreement_eligibility_unique"),
            choices_check("group", AgreementEligibilityGroup, name="agreement_eligibility_group_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()}: {self.detail}" if self.detail else self.get_group_display()


class EvacuationAgreementStateChange(PublicIdModel, AppendOnlyModel):
    agreement = models.ForeignKey(
        EvacuationAgreement,
        on_delete=models.PROTECT,
        related_name="state_changes",
        verbose_name=_("evacuation agreement"),
    )
    from_state = models.CharField(_("from state"), max_length=12, choices=EvacuationAgreement.State.choices, blank=True)
    to_state = models.CharField(_("to state"), max_length=12, choices=EvacuationAgreement.State.choices)
    effective_at = models.DateTimeField(_("effective at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    report = models.ForeignKey(
        "tracker.Report",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("report"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-effective_at", "-recorded_at", "-id"]
        verbose_name = _("evacuation agreement state change")
        verbose_name_plural = _("evacuation agreement state changes")
        constraints = [
            choices_check(
                "from_state", EvacuationAgreement.State, name="agreement_change_from_valid", allow_blank=True
            ),
            choices_check("to_state", EvacuationAgreement.State, name="agreement_change_to_valid"),
        ]
        indexes = [
            models.Index(fields=["agreement", "-effective_at"], name="agreement_change_lookup"),
            models.Index(fields=["effective_at", "recorded_at", "id"], name="agreement_change_in_order"),
        ]

    def __str__(self) -> str:
        return state_change_label(self.agreement, self.get_from_state_display(), self.get_to_state_display())
