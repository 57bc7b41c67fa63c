"""Dated developments of a crisis: meetings, statements, advisories and the like."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import PublicIdModel, VersionedModel, choices_check
from .reference import Actor, Crisis


class TimelineEventKind(models.TextChoices):
    DIPLOMATIC_MEETING = "diplomatic_meeting", _("Diplomatic meeting")
    STATEMENT = "statement", _("Statement")
    SECURITY_ADVISORY = "security_advisory", _("Security advisory")
    HUMANITARIAN = "humanitarian", _("Humanitarian")
    MILITARY = "military", _("Military")
    OTHER = "other", _("Other")


class TimelineEvent(PublicIdModel, VersionedModel):
    Kind = TimelineEventKind

    crisis = models.ForeignKey(Crisis, on_delete=models.PROTECT, related_name="events", verbose_name=_("crisis"))
    occurred_on = models.DateField(_("occurred on"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    actors = models.ManyToManyField(Actor, blank=True, related_name="events", verbose_name=_("actors"))
    reports = models.ManyToManyField("tracker.Report", blank=True, related_name="events", verbose_name=_("reports"))
    history = HistoricalRecords(m2m_fields=[actors])

    class Meta:
        ordering = ["-occurred_on", "title"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        constraints = [
            choices_check("kind", TimelineEventKind, name="event_kind_valid"),
            models.UniqueConstraint(fields=["crisis", "occurred_on", "title"], name="event_unique_per_day"),
        ]
        indexes = [
            # The timeline page and the dashboard's "latest events", per crisis, newest first.
            models.Index(fields=["crisis", "-occurred_on"], name="event_crisis_date"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on}: {self.title}"
