"""One ordered feed of every status and state change, for partners who sync incrementally."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .accords import AidDisputeStateChange, EvacuationAgreementStateChange
from .base import AppendOnlyModel, choices_check
from .crossings import CrossingStatus, CrossingStatusRetraction


class ChangeKind(models.TextChoices):
    CROSSING_STATUS = "crossing_status", _("Crossing status recorded")
    STATUS_RETRACTION = "status_retraction", _("Crossing status retracted")
    DISPUTE_STATE = "dispute_state", _("Aid dispute state changed")
    AGREEMENT_STATE = "agreement_state", _("Evacuation agreement state changed")


class Change(AppendOnlyModel):
    """An entry in the change feed; its ``id`` is the cursor.

    ``tracker.services`` writes one in the same transaction as the change it describes, under a lock that makes
    ids commit in order, so a reader paging by ``id`` never skips a row that commits late.
    """

    Kind = ChangeKind

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    crossing_status = models.ForeignKey(
        CrossingStatus, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("crossing status")
    )
    retraction = models.ForeignKey(
        CrossingStatusRetraction,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("status retraction"),
    )
    dispute_change = models.ForeignKey(
        AidDisputeStateChange,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("aid dispute state change"),
    )
    agreement_change = models.ForeignKey(
        EvacuationAgreementStateChange,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("evacuation agreement state change"),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("change")
        verbose_name_plural = _("change feed")
        constraints = [
            choices_check("kind", ChangeKind, name="change_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(
                    kind="crossing_status",
                    crossing_status__isnull=False,
                    retraction__isnull=True,
                    dispute_change__isnull=True,
                    agreement_change__isnull=True,
                )
                | models.Q(
                    kind="status_retraction",
                    crossing_status__isnull=True,
                    retraction__isnull=False,
                    dispute_change__isnull=True,
                    agreement_change__isnull=True,
                )
                | models.Q(
                    kind="dispute_state",
                    crossing_status__isnull=True,
                    retraction__isnull=True,
                    dispute_change__isnull=False,
                    agreement_change__isnull=True,
                )
                | models.Q(
                    kind="agreement_state",
                    crossing_status__isnull=True,
                    retraction__isnull=True,
                    dispute_change__isnull=True,
                    agreement_change__isnull=False,
                ),
                name="change_points_at_one_row",
            ),
        ]

    def __str__(self) -> str:
        return gettext("#%(number)s %(kind)s") % {"number": self.pk, "kind": self.get_kind_display()}
