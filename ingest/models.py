"""What the ingestion pipeline keeps about its own work: fetch runs, quarantine, status phrases, leases, parked tasks.

The reports themselves, their links and the suggestions they raise are tracker rows, written through
``tracker.services``; the rows here explain how they got there (or why they did not).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.models import Report, Source, Traffic
from tracker.models.base import PublicIdModel, VersionedModel, choices_check


class FetchRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    NOT_MODIFIED = "not_modified", _("Not modified (304)")
    FAILED = "failed", _("Failed")
    ABANDONED = "abandoned", _("Abandoned (worker lost)")


class FetchRunOrigin(models.TextChoices):
    POLL = "poll", _("Poll")
    FILE = "file", _("Local file (ingest_file)")


class FetchRun(PublicIdModel):
    """One poll of a source (or one ``ingest_file``): when, what came back, what it added, what went wrong."""

    Status = FetchRunStatus
    Origin = FetchRunOrigin

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="fetch_runs", verbose_name=_("source"))
    origin = models.CharField(_("origin"), max_length=8, choices=Origin.choices, default=Origin.POLL)
    url = models.CharField(
        _("URL"), max_length=2000, blank=True, help_text=_("What was fetched, or the local file read")
    )
    task_id = models.CharField(
        _("task id"), max_length=255, blank=True, help_text=_("The Celery task, or the command, that ran it")
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.RUNNING)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    bytes_received = models.PositiveBigIntegerField(_("bytes received"), default=0)
    entries_seen = models.PositiveIntegerField(_("entries seen"), default=0)
    entries_new = models.PositiveIntegerField(_("entries new"), default=0)
    entries_updated = models.PositiveIntegerField(_("entries updated"), default=0)
    entries_unchanged = models.PositiveIntegerField(_("entries unchanged"), default=0)
    entries_duplicate = models.PositiveIntegerField(_("entries duplicate"), default=0)
    entries_rejected = models.PositiveIntegerField(
        _("entries rejected"), default=0, help_text=_("Kept in quarantine, with the reason")
    )
    error = models.TextField(_("error"), blank=True)
    transient = models.BooleanField(
        _("transient"), default=False, help_text=_("The failure may pass by itself (time-out, 5xx, 429)")
    )
    warnings = models.TextField(_("warnings"), blank=True, help_text=_("Problems the parser recovered from"))

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("fetch run")
        verbose_name_plural = _("fetch runs")
        constraints = [
            choices_check("status", FetchRunStatus, name="fetchrun_status_valid"),
            choices_check("origin", FetchRunOrigin, name="fetchrun_origin_valid"),
            models.CheckConstraint(
                condition=models.Q(status="running", finished_at__isnull=True)
                | (~models.Q(status="running") & models.Q(finished_at__isnull=False)),
                name="fetchrun_finished_unless_running",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="failed") | ~models.Q(error=""), name="fetchrun_failure_has_reason"
            ),
        ]
        indexes = [
            # A source's runs, newest first (source page inline, admin filter).
            models.Index(fields=["source", "-started_at"], name="fetchrun_source_recent"),
            # Finding a source's runs left "running" by a worker that died.
            models.Index(fields=["source", "status"], name="fetchrun_source_status"),
        ]

    def __str__(self) -> str:
        return gettext("%(source)s at %(moment)s: %(status)s") % {
            "source": self.source,
            "moment": f"{self.started_at:%Y-%m-%d %H:%M:%S}",
            "status": self.get_status_display().lower(),
        }

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class QuarantineKind(models.TextChoices):
    DOCUMENT = "document", _("Whole document (could not be parsed)")
    ENTRY = "entry", _("One entry (could not be stored)")


class QuarantinedItem(PublicIdModel):
    """Something a source sent that could not be stored, kept byte for byte with the reason.

    The same bytes from the same source are kept once; seeing them again only counts.
    """

    Kind = QuarantineKind

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="quarantined_items", verbose_name=_("source")
    )
    fetch_run = models.ForeignKey(
        FetchRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quarantined_items",
        verbose_name=_("fetch run"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    title = models.CharField(
        _("title"), max_length=1000, blank=True, help_text=_("What could be read of it, if anything")
    )
    url = models.CharField(_("URL"), max_length=2000, blank=True)
    raw = models.BinaryField(_("raw bytes"), help_text=_("The bytes as the source served them"))
    raw_size = models.PositiveBigIntegerField(_("raw size"), default=0)
    raw_sha256 = models.CharField(_("raw SHA-256"), max_length=64)
    first_seen_at = models.DateTimeField(_("first seen at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    times_seen = models.PositiveIntegerField(_("times seen"), default=1)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        verbose_name = _("quarantined item")
        verbose_name_plural = _("quarantined items")
        constraints = [
            models.UniqueConstraint(fields=["source", "raw_sha256"], name="quarantine_once_per_source"),
            choices_check("kind", QuarantineKind, name="quarantine_kind_valid"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="quarantine_has_reason"),
            models.CheckConstraint(condition=models.Q(raw_sha256__regex=r"^[0-9a-f]{64}$"), name="quarantine_hash"),
        ]
        indexes = [
            # The editors' list: newest first.
            models.Index(fields=["-last_seen_at"], name="quarantine_recent"),
        ]

    def __str__(self) -> str:
        what = self.title or self.url or gettext("%(size)s bytes") % {"size": f"{self.raw_size:,}"}
        return f"{self.source}: {what[:80]}"

    @staticmethod
    def hash_of(raw: bytes) -> str:
        return hashlib.sha256(raw).hexdigest()


class PhraseKind(models.TextChoices):
    STATUS = "status", _("Says a status")
    NOT_STATUS = "not_status", _("Looks like one but is not (e.g. “opened fire”)")


class PhraseStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("crossing status", "Open")
    RESTRICTED = "restricted", pgettext_lazy("crossing status", "Restricted")
    CLOSED = "closed", pgettext_lazy("crossing status", "Closed")


class StatusPhrase(VersionedModel):
    """Words that, near a crossing's name, suggest its status; editors extend the table in the admin.

    Matching ignores case, accents and diacritics, and is by whole words; the longest phrase wins where two
    overlap, so a ``not_status`` phrase such as “opened fire” silences “opened” inside it.
    """

    Kind = PhraseKind
    ProposedStatus = PhraseStatus

    phrase = models.CharField(_("phrase"), max_length=200)
    key = models.CharField(_("key"), max_length=200, unique=True, editable=False, help_text=_("The phrase as matched"))
    language = models.CharField(_("language"), max_length=12, blank=True, help_text=_("BCP 47 code: en, ar, he ..."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STATUS)
    proposed_status = models.CharField(_("proposed status"), max_length=12, choices=ProposedStatus.choices, blank=True)
    traffic = models.CharField(
        _("kind of traffic"),
        max_length=12,
        choices=Traffic.choices,
        blank=True,
        help_text=_("Empty: read from the sentence (people, aid, fuel ... or all traffic when it says none)"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["language", "proposed_status", "phrase"]
        verbose_name = _("status phrase")
        verbose_name_plural = _("status phrases")
        constraints = [
            choices_check("kind", PhraseKind, name="statusphrase_kind_valid"),
            choices_check("proposed_status", PhraseStatus, name="statusphrase_status_valid", allow_blank=True),
            choices_check("traffic", Traffic, name="statusphrase_traffic_valid", allow_blank=True),
            models.CheckConstraint(
                condition=models.Q(kind="status") & ~models.Q(proposed_status="")
                | models.Q(kind="not_status", proposed_status="", traffic=""),
                name="statusphrase_status_iff_kind",
            ),
            models.CheckConstraint(condition=~models.Q(key=""), name="statusphrase_key_not_blank"),
        ]

    def __str__(self) -> str:
        if self.kind == PhraseKind.NOT_STATUS:
            return gettext("“%(phrase)s” (not a status)") % {"phrase": self.phrase}
        names = {"phrase": self.phrase, "status": self.get_proposed_status_display().lower()}
        if self.traffic:
            return gettext("“%(phrase)s” → %(status)s, %(traffic)s") % {
                **names,
                "traffic": self.get_traffic_display().lower(),
            }
        return gettext("“%(phrase)s” → %(status)s") % names

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .link import phrase_key

        self.key = phrase_key(self.phrase)
        if not self.key:
            raise ValidationError({"phrase": gettext("A phrase needs at least one letter or digit.")})
        if self.kind == PhraseKind.STATUS and not self.proposed_status:
            raise ValidationError({"proposed_status": gettext("Say which status this phrase suggests.")})
        if self.kind == PhraseKind.NOT_STATUS and (self.proposed_status or self.traffic):
            raise ValidationError(gettext("A phrase that is not a status proposes no status and no traffic."))

    def save(self, *args: Any, **kwargs: Any) -> None:
        from .link import phrase_key

        self.key = phrase_key(self.phrase)
        super().save(*args, **kwargs)


class SourceLease(models.Model):
    """Who is polling a source right now; taken by a conditional UPDATE, so two workers never poll one source.

    A lease expires (a worker that died cannot hold a source forever). A holder that never released its lease
    died mid-run: ``unfinished_runs`` counts those in a row, and past a limit the source's polling is parked.
    """

    source = models.OneToOneField(Source, on_delete=models.CASCADE, primary_key=True, related_name="ingest_lease")
    holder = models.CharField(max_length=255, blank=True, help_text="Task id or command; empty when free")
    process = models.CharField(max_length=255, blank=True, help_text="host:pid of the holder")
    acquired_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    unfinished_runs = models.PositiveIntegerField(default=0)
    parked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(holder="") | models.Q(expires_at__isnull=False), name="lease_held_has_expiry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}: {self.holder or 'free'}"


class ParkedTask(PublicIdModel):
    """A poll that kept killing its worker, set aside for an editor instead of looping forever."""

    task_name = models.CharField(_("task name"), max_length=200)
    task_id = models.CharField(_("task id"), max_length=255, blank=True)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="parked_tasks", verbose_name=_("source"))
    unfinished_runs = models.PositiveIntegerField(
        _("unfinished runs"), help_text=_("Runs in a row whose worker died before finishing")
    )
    reason = models.TextField(_("reason"))
    parked_at = models.DateTimeField(_("parked at"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("released by"),
    )

    class Meta:
        ordering = ["-parked_at", "-id"]
        verbose_name = _("parked task")
        verbose_name_plural = _("parked tasks")
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=models.Q(released_at__isnull=True), name="parkedtask_one_open_per_source"
            ),
        ]

    def __str__(self) -> str:
        names = {"task": self.task_name, "source": self.source}
        if self.released_at:
            return gettext("%(task)s for %(source)s (released)") % names
        return gettext("%(task)s for %(source)s (parked)") % names


class EntryFingerprint(models.Model):
    """What each entry of a source looked like when it was last stored, so an unchanged entry costs no writes.

    Only a shortcut: the deduplication rule itself is ``tracker.services.report_store``.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, help_text="SHA-256 of the entry's identity (id, else URL, else content)")
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of everything the entry was stored from")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="fingerprint_unique_per_source")]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.key[:12]}"
