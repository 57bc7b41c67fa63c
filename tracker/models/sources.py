"""Where reports come from, the reports themselves, and the status suggestions they raise."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .accords import AidDispute, EvacuationAgreement
from .base import PublicIdModel, SluggedModel, VersionedModel, choices_check
from .crossings import Crossing, CrossingStatus, Traffic
from .reference import Crisis


class SourceKind(models.TextChoices):
    FEED = "feed", _("Feed (RSS, Atom, JSON Feed)")
    RELIEFWEB = "reliefweb", _("ReliefWeb-style JSON API")
    MANUAL = "manual", _("Manual (entered by editors)")


class SourceReliability(models.TextChoices):
    # The Admiralty (NATO) scale for source reliability, familiar to analysts.
    A = "A", _("A: completely reliable")
    B = "B", _("B: usually reliable")
    C = "C", _("C: fairly reliable")
    D = "D", _("D: not usually reliable")
    E = "E", _("E: unreliable")
    F = "F", _("F: reliability cannot be judged")


# A source's polling health: written by every poll, shown to editors, kept out of its history (and, by migration
# 0005, out of the record's version: no page or API answer shows it).
SOURCE_HEALTH_FIELDS = (
    "last_polled_at",
    "last_success_at",
    "last_error",
    "last_error_at",
    "failures_in_row",
    "next_poll_at",
    "etag",
    "last_modified",
)


class Source(SluggedModel, VersionedModel):
    """A feed, an API, or a named outlet whose reports are entered by hand (``manual``)."""

    Kind = SourceKind
    Reliability = SourceReliability

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.URLField(
        _("URL"), max_length=2000, blank=True, help_text=_("Feed or API address; empty for manual sources")
    )
    home_page = models.URLField(_("home page"), max_length=2000, blank=True)
    params = models.JSONField(
        _("params"), default=dict, blank=True, help_text=_("API parameters, e.g. appname and query")
    )
    enabled = models.BooleanField(_("enabled"), default=True, help_text=_("Paused sources are not polled"))
    poll_interval_minutes = models.PositiveIntegerField(_("poll interval (minutes)"), default=30)
    reliability = models.CharField(_("reliability"), max_length=1, choices=Reliability.choices, default=Reliability.F)
    # Health, written by the ingestion pipeline.
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last success at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    failures_in_row = models.PositiveIntegerField(_("failures in a row"), default=0)
    next_poll_at = models.DateTimeField(_("next poll at"), null=True, blank=True)
    etag = models.CharField(_("ETag"), max_length=500, blank=True)
    last_modified = models.CharField(_("Last-Modified"), max_length=100, blank=True)
    history = HistoricalRecords(excluded_fields=list(SOURCE_HEALTH_FIELDS))

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            choices_check("kind", SourceKind, name="source_kind_valid"),
            choices_check("reliability", SourceReliability, name="source_reliability_valid"),
            models.CheckConstraint(condition=models.Q(kind="manual") | ~models.Q(url=""), name="source_polled_has_url"),
            models.CheckConstraint(condition=models.Q(poll_interval_minutes__gte=1), name="source_interval_positive"),
        ]
        indexes = [
            # poll_due_sources: enabled sources whose next poll has come.
            models.Index(fields=["enabled", "next_poll_at"], name="source_due"),
        ]

    def __str__(self) -> str:
        return self.name


class ReportReviewState(models.TextChoices):
    NEW = "new", pgettext_lazy("review state", "New")
    RELEVANT = "relevant", pgettext_lazy("review state", "Relevant")
    NOT_RELEVANT = "not_relevant", pgettext_lazy("review state", "Not relevant")
    DUPLICATE = "duplicate", pgettext_lazy("review state", "Duplicate")


class Report(PublicIdModel, VersionedModel):
    """One item from a source. Only ``relevant`` reports are shown outside the admin."""

    ReviewState = ReportReviewState

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="reports", verbose_name=_("source"))
    url = models.URLField(_("URL"), max_length=2000, blank=True)
    canonical_url = models.CharField(
        _("canonical URL"), max_length=2000, blank=True, help_text=_("URL without fragment or tracking")
    )
    external_id = models.CharField(
        _("external id"), max_length=500, blank=True, help_text=_("The source's own id for the item")
    )
    title = models.CharField(_("title"), max_length=1000, blank=True)
    summary_html = models.TextField(_("summary (HTML)"), blank=True, help_text=_("Sanitised HTML"))
    text = models.TextField(_("text"), blank=True, help_text=_("Plain text, for search and matching"))
    published_at = models.DateTimeField(_("published at"))
    published_at_estimated = models.BooleanField(
        _("date estimated"), default=False, help_text=_("The source gave no date; the fetch time stands in")
    )
    fetched_at = models.DateTimeField(_("fetched at"))
    language = models.CharField(
        _("language"), max_length=12, blank=True, help_text=_("Read from the item's own text where it can be")
    )
    # Who wrote it, as against the feed it came through (ReliefWeb names the originating organisations, the
    # countries and the disaster, with its GLIDE number): "on whose word" for readers.
    organisations = models.JSONField(
        _("organisations"),
        default=list,
        blank=True,
        help_text=_("Originating organisations, as the source names them"),
    )
    country_codes = models.JSONField(
        _("country codes"), default=list, blank=True, help_text=_("ISO 3166 alpha-3 codes of the countries")
    )
    disaster = models.CharField(
        _("disaster"), max_length=300, blank=True, help_text=_("The disaster the source files it under")
    )
    glide = models.CharField(
        _("GLIDE number"), max_length=40, blank=True, help_text=_("Its GLIDE number, e.g. CE-2023-000202-PSE")
    )
    content_hash = models.CharField(
        _("content hash"), max_length=64, help_text=_("SHA-256 of the normalised title and text")
    )
    raw = models.TextField(_("raw item"), blank=True, help_text=_("The item as the source served it"))
    review_state = models.CharField(
        _("review state"), max_length=14, choices=ReviewState.choices, default=ReviewState.NEW
    )
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    crises = models.ManyToManyField(Crisis, blank=True, related_name="reports", verbose_name=_("crises"))
    crossings = models.ManyToManyField(Crossing, blank=True, related_name="reports", verbose_name=_("crossings"))
    disputes = models.ManyToManyField(AidDispute, blank=True, related_name="reports", verbose_name=_("aid disputes"))
    agreements = models.ManyToManyField(
        EvacuationAgreement, blank=True, related_name="reports", verbose_name=_("evacuation agreements")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["raw", "text", "summary_html", "updated_at"])

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="report_unique_external_id",
            ),
            models.UniqueConstraint(
                fields=["source", "canonical_url"],
                condition=models.Q(external_id="") & ~models.Q(canonical_url=""),
                name="report_unique_url_without_id",
            ),
            choices_check("review_state", ReportReviewState, name="report_review_state_valid"),
            models.CheckConstraint(condition=~models.Q(title="") | ~models.Q(url=""), name="report_has_title_or_url"),
            models.CheckConstraint(
                condition=models.Q(review_state="duplicate", duplicate_of__isnull=False)
                | (~models.Q(review_state="duplicate") & models.Q(duplicate_of__isnull=True)),
                name="report_duplicate_has_original",
            ),
            models.CheckConstraint(
                condition=models.Q(content_hash__regex=r"^[0-9a-f]{64}$"), name="report_hash_format"
            ),
        ]
        indexes = [
            # Cross-source deduplication looks reports up by canonical URL and by content hash.
            models.Index(fields=["canonical_url"], name="report_canonical_url"),
            models.Index(fields=["content_hash"], name="report_content_hash"),
            # Pages and API: reviewed reports, newest first.
            models.Index(fields=["review_state", "-published_at", "-id"], name="report_review_published"),
            # A source's reports, newest first (admin and source health).
            models.Index(fields=["source", "-published_at"], name="report_source_published"),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class ReportCrossingDate(models.Model):
    """A report's link to a crossing (a row of ``Report.crossings``) with the report's publication date beside it,
    so that "the latest reports about this crossing" is read from one index, newest first, and stops at the page's
    dozen. Joining the links to the reports instead, PostgreSQL walks all reports newest first and probes each one's
    links: 5,800 probes for the twelve reports of a crossing that one report in 300 is about (26 ms of the 50 a
    crossing page may take; issue 16).

    Nothing in the application writes it: database triggers (migration 0013) add, move and remove its rows with the
    links and with each report's date, in the same statement, so it cannot disagree with them.
    tests/test_report_crossing_dates.py checks it against the links after every kind of write, on both databases.
    """

    link_id = models.BigIntegerField(
        _("link"), primary_key=True, help_text=_("The id of the report's link to the crossing")
    )
    crossing = models.ForeignKey(Crossing, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("crossing"))
    report = models.ForeignKey(
        Report, on_delete=models.DO_NOTHING, related_name="crossing_dates", verbose_name=_("report")
    )
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("report's date at a crossing")
        verbose_name_plural = _("reports' dates at crossings")
        indexes = [
            models.Index(fields=["crossing", "-published_at", "-report"], name="report_crossing_by_date"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["report", "crossing"], name="report_crossing_date_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} @ {self.crossing_id}"


class StatusSuggestionState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("suggestion state", "Pending")
    ACCEPTED = "accepted", pgettext_lazy("suggestion state", "Accepted")
    REJECTED = "rejected", pgettext_lazy("suggestion state", "Rejected")


class RejectionReason(models.TextChoices):
    """Why an editor turned a suggestion down; the short list lets the linker's mistakes be counted."""

    NO_CLAIM = "no_claim", _("States no status (expected, hedged, demanded or conditional)")
    HISTORICAL = "historical", _("Past or superseded, not the status now")
    WRONG_CROSSING = "wrong_crossing", _("Another crossing")
    WRONG_STATUS = "wrong_status", _("Wrong status")
    WRONG_TRAFFIC = "wrong_traffic", _("Wrong kind of traffic")
    ALREADY_RECORDED = "already_recorded", _("Already recorded")
    UNRELIABLE = "unreliable", _("Report not reliable enough")
    OTHER = "other", _("Other (say why in the note)")


class StatusSuggestion(PublicIdModel, VersionedModel):
    """A machine's proposal that a report changes a crossing's status; an editor accepts or rejects it."""

    State = StatusSuggestionState
    RejectionReason = RejectionReason
    # Below this, the reader was unsure (a hedge nearby, a name far away, a small number, "the crossing" read across
    # sentences): such a suggestion is decided on its own page, never accepted in bulk.
    LOW_CONFIDENCE = 0.6

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("report"))
    crossing = models.ForeignKey(
        Crossing, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("crossing")
    )
    proposed_status = models.CharField(_("proposed status"), max_length=12, choices=CrossingStatus.Status.choices)
    traffic = models.CharField(_("kind of traffic"), max_length=12, choices=Traffic.choices, default=Traffic.ALL)
    evidence = models.TextField(_("evidence"), help_text=_("The sentence that names the crossing and its status"))
    matched_phrase = models.CharField(_("matched phrase"), max_length=200, blank=True)
    confidence = models.FloatField(_("confidence"), default=1.0, help_text=_("How sure the reader was, 0 to 1"))
    reason = models.TextField(_("reason"), blank=True, help_text=_("The clause and the rule that raised it"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    resulting_status = models.OneToOneField(
        CrossingStatus,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suggestion",
        verbose_name=_("resulting status"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("status suggestion")
        verbose_name_plural = _("status suggestions")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "crossing", "proposed_status", "traffic"], name="suggestion_once_per_report"
            ),
            # One open question per report, crossing and kind of traffic: overlapping readings are merged by the
            # reader (with all their sentences) before they are raised.
            models.UniqueConstraint(
                fields=["report", "crossing", "traffic"],
                condition=models.Q(state="pending"),
                name="suggestion_one_pending_per_traffic",
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0, confidence__lte=1), name="suggestion_confidence_range"
            ),
            choices_check("proposed_status", CrossingStatus.Status, name="suggestion_status_valid"),
            choices_check("traffic", Traffic, name="suggestion_traffic_valid"),
            choices_check("state", StatusSuggestionState, name="suggestion_state_valid"),
            models.CheckConstraint(
                condition=models.Q(state="rejected", rejection_reason__in=RejectionReason.values)
                | (~models.Q(state="rejected") & models.Q(rejection_reason="")),
                name="suggestion_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="rejected", rejection_reason="other") | ~models.Q(decision_note=""),
                name="suggestion_other_reason_explained",
            ),
            models.CheckConstraint(
                condition=models.Q(state="pending", decided_at__isnull=True, resulting_status__isnull=True)
                | models.Q(state="accepted", decided_at__isnull=False, resulting_status__isnull=False)
                | models.Q(state="rejected", decided_at__isnull=False, resulting_status__isnull=True),
                name="suggestion_decision_consistent",
            ),
        ]
        indexes = [
            # The editors' queue: pending suggestions, newest first.
            models.Index(fields=["state", "-created_at"], name="suggestion_queue"),
        ]

    @property
    def is_low_confidence(self) -> bool:
        return self.confidence < self.LOW_CONFIDENCE

    def __str__(self) -> str:
        # A proposal, not a fact: "Rafah: open for all traffic? (pending) from “UN: Rafah reopens…”". Reads the
        # crossing and the report: select_related both where suggestions are listed.
        title = str(self.report)
        cut = title if len(title) <= 60 else title[:59] + "…"
        return gettext("%(crossing)s: %(status)s for %(traffic)s? (%(state)s) from “%(report)s”") % {
            "crossing": self.crossing,
            "status": self.get_proposed_status_display().lower(),
            "traffic": self.get_traffic_display().lower(),
            "state": self.get_state_display().lower(),
            "report": cut,
        }
