"""Crossings, their append-only status history, and the daily figures reported at them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .base import AppendOnlyModel, PublicIdModel, SluggedModel, VersionedModel, choices_check
from .reference import Actor, Country, Crisis


class CrossingKind(models.TextChoices):
    BORDER_CROSSING = "border_crossing", _("Border crossing")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    SEA_PORT = "sea_port", _("Sea port")
    AIRPORT = "airport", _("Airport")
    OTHER = "other", _("Other")


# OCHA P-codes: the country's ISO 3166 alpha-2 code, then letters or digits, ending in a digit (PS0205, EG34,
# IQG01; common operational datasets differ in what follows the prefix, so only this much is checked).
PCODE_PATTERN = r"^[A-Z]{2}[A-Z0-9]{0,18}[0-9]$"
pcode_validator = RegexValidator(
    PCODE_PATTERN, _("A P-code is a two-letter country code then letters or digits ending in a digit, e.g. PS0205.")
)


class Crossing(SluggedModel, VersionedModel):
    """A border crossing or checkpoint such as Rafah or Kerem Shalom."""

    Kind = CrossingKind

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BORDER_CROSSING)
    side_a = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("side A"))
    side_b = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("side B"),
        help_text=_("Empty for a checkpoint inside one territory"),
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    crises = models.ManyToManyField(Crisis, blank=True, related_name="crossings", verbose_name=_("crises"))
    description = models.TextField(_("description"), blank=True)
    adm1_pcode = models.CharField(
        _("admin level 1 P-code"),
        max_length=20,
        blank=True,
        validators=[pcode_validator],
        help_text=_(
            "OCHA P-code of the first-level admin area the crossing lies in (on side A or side B), from the "
            "country's common operational dataset; blank when not verified"
        ),
    )
    adm2_pcode = models.CharField(
        _("admin level 2 P-code"),
        max_length=20,
        blank=True,
        validators=[pcode_validator],
        help_text=_("OCHA P-code of the second-level admin area, inside the first; blank when not verified"),
    )
    history = HistoricalRecords(m2m_fields=[crises])

    class Meta:
        ordering = ["name"]
        verbose_name = _("crossing")
        verbose_name_plural = _("crossings")
        constraints = [
            choices_check("kind", CrossingKind, name="crossing_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(side_b__isnull=True) | ~models.Q(side_b=models.F("side_a")),
                name="crossing_sides_differ",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="crossing_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180),
                name="crossing_longitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="crossing_coordinates_paired",
            ),
            models.CheckConstraint(
                condition=models.Q(adm1_pcode="") | models.Q(adm1_pcode__regex=PCODE_PATTERN),
                name="crossing_adm1_pcode_format",
            ),
            models.CheckConstraint(
                condition=models.Q(adm2_pcode="") | models.Q(adm2_pcode__regex=PCODE_PATTERN),
                name="crossing_adm2_pcode_format",
            ),
            # A second-level area is read inside its first-level one; alone it would be a code without a parent.
            models.CheckConstraint(
                condition=models.Q(adm2_pcode="") | ~models.Q(adm1_pcode=""),
                name="crossing_adm2_pcode_needs_adm1",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """P-codes begin with the country's alpha-2 code: one that names neither side is a typing slip."""
        super().clean()
        errors: dict[str, str] = {}
        if self.adm2_pcode and not self.adm1_pcode:
            errors["adm1_pcode"] = gettext("Give the first-level P-code too: the second-level area lies inside it.")
        sides = {c.iso2 for c in (self.side_a if self.side_a_id else None, self.side_b) if c is not None}
        for field in ("adm1_pcode", "adm2_pcode"):
            code = getattr(self, field)
            if code and sides and code[:2] not in sides:
                errors.setdefault(
                    field,
                    gettext("%(code)s does not begin with the code of either side (%(sides)s).")
                    % {"code": code, "sides": ", ".join(sorted(sides))},
                )
        if self.adm1_pcode and self.adm2_pcode and self.adm1_pcode[:2] != self.adm2_pcode[:2]:
            errors.setdefault("adm2_pcode", gettext("Both P-codes must be of the same country."))
        if errors:
            raise ValidationError(errors)


class CrossingAlias(models.Model):
    """Another name of a crossing, in any language or spelling; used to recognise it in reports."""

    crossing = models.ForeignKey(Crossing, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("crossing"))
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(
        _("language"), max_length=12, blank=True, help_text=_("BCP 47 code: en, ar, he, fr ...")
    )

    class Meta:
        ordering = ["crossing", "name"]
        verbose_name = _("crossing alias")
        verbose_name_plural = _("crossing aliases")
        constraints = [
            models.UniqueConstraint(fields=["crossing", "name"], name="crossing_alias_unique"),
            models.CheckConstraint(condition=~models.Q(name=""), name="crossing_alias_not_blank"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})" if self.language else self.name


class Traffic(models.TextChoices):
    """The kinds of traffic a status applies to; ``all`` covers every other kind."""

    ALL = "all", _("All traffic")
    PEOPLE = "people", _("People")
    AID = "aid", _("Humanitarian aid")
    COMMERCIAL = "commercial", _("Commercial goods")
    FUEL = "fuel", _("Fuel")

    @classmethod
    def specific(cls) -> list[Traffic]:
        """The kinds a status page shows one line for; ``all`` is folded into each of them."""
        return [cls.PEOPLE, cls.AID, cls.COMMERCIAL, cls.FUEL]


class CrossingStatusStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("crossing status", "Open")
    RESTRICTED = "restricted", pgettext_lazy("crossing status", "Restricted")
    CLOSED = "closed", pgettext_lazy("crossing status", "Closed")
    UNKNOWN = "unknown", pgettext_lazy("crossing status", "Unknown")


class CrossingStatusCertainty(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CONFIRMED = "confirmed", _("Confirmed")


class CrossingStatus(PublicIdModel, AppendOnlyModel):
    """One statement that a crossing was open, restricted or closed to some traffic from some moment.

    Never changed: a correction is a newer row (same or later ``effective_at``), a retraction is a
    ``CrossingStatusRetraction``. The rule that turns these rows into "the status now" or "as of" lives in
    ``tracker.selectors.crossing_status_as_of``.
    """

    Status = CrossingStatusStatus
    Certainty = CrossingStatusCertainty

    crossing = models.ForeignKey(
        Crossing, on_delete=models.PROTECT, related_name="statuses", verbose_name=_("crossing")
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    traffic = models.CharField(_("kind of traffic"), max_length=12, choices=Traffic.choices, default=Traffic.ALL)
    effective_at = models.DateTimeField(_("effective at"), help_text=_("When it took effect in the world"))
    recorded_at = models.DateTimeField(_("recorded at"), help_text=_("When it was recorded here"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("Empty only for rows written by the system (demo data, imports)"),
    )
    certainty = models.CharField(_("certainty"), max_length=10, choices=Certainty.choices, default=Certainty.REPORTED)
    report = models.ForeignKey(
        "tracker.Report",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="status_rows",
        verbose_name=_("report"),
        help_text=_("The report this status rests on"),
    )
    stated_by = models.ForeignKey(
        Actor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="status_statements",
        verbose_name=_("stated by"),
        help_text=_("On whose word: the party that announced or confirmed it, if known"),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Evidence or context in the editor's words"))

    class Meta:
        verbose_name = _("crossing status")
        verbose_name_plural = _("crossing statuses")
        ordering = ["-effective_at", "-recorded_at", "-id"]
        constraints = [
            choices_check("status", CrossingStatusStatus, name="crossing_status_status_valid"),
            choices_check("traffic", Traffic, name="crossing_status_traffic_valid"),
            choices_check("certainty", CrossingStatusCertainty, name="crossing_status_certainty_valid"),
            models.CheckConstraint(
                condition=models.Q(report__isnull=False) | ~models.Q(note=""),
                name="crossing_status_has_evidence",
            ),
        ]
        indexes = [
            # The as-of rule: latest row per crossing at or before a moment, newest first.
            models.Index(fields=["crossing", "-effective_at", "-recorded_at"], name="status_rule_lookup"),
            # Every crossing's rows newest first (the timeline, the dashboard's latest developments), and the
            # cached pages' question "does any row take effect after this moment?" (tracker/caching.py).
            models.Index(fields=["effective_at", "recorded_at", "id"], name="status_effective_order"),
        ]

    def __str__(self) -> str:
        # What the row says, short enough for a message or an audit line: "Rafah: closed for humanitarian aid
        # from 2023-10-15". Reads the crossing: select_related("crossing") where rows are listed.
        return gettext("%(crossing)s: %(status)s for %(traffic)s from %(day)s") % {
            "crossing": self.crossing,
            "status": str(self.get_status_display()).lower(),
            "traffic": str(self.get_traffic_display()).lower(),
            "day": f"{self.effective_at:%Y-%m-%d}",
        }


class CrossingStatusRetraction(PublicIdModel, AppendOnlyModel):
    """A status row withdrawn as wrong (it never held); the row stays, the rule skips it."""

    status_row = models.OneToOneField(
        CrossingStatus, on_delete=models.PROTECT, related_name="retraction", verbose_name=_("status row")
    )
    reason = models.TextField(_("reason"))
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )

    class Meta:
        verbose_name = _("status retraction")
        verbose_name_plural = _("status retractions")
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""), name="retraction_has_reason")]

    def __str__(self) -> str:
        return gettext("Retraction of %(row)s") % {"row": self.status_row}


class FlowCountMetric(models.TextChoices):
    AID_TRUCKS = "aid_trucks", _("Aid trucks")
    FUEL_TRUCKS = "fuel_trucks", _("Fuel trucks")
    COMMERCIAL_TRUCKS = "commercial_trucks", _("Commercial trucks")
    PEOPLE_OUT = "people_out", _("People out")
    PEOPLE_IN = "people_in", _("People in")
    MEDICAL_EVACUATIONS = "medical_evacuations", _("Medical evacuations")


class FlowCount(PublicIdModel, VersionedModel):
    """A daily figure at a crossing from one source; two sources' figures stand side by side."""

    Metric = FlowCountMetric

    crossing = models.ForeignKey(
        Crossing, on_delete=models.PROTECT, related_name="flow_counts", verbose_name=_("crossing")
    )
    day = models.DateField(_("day"))
    metric = models.CharField(_("metric"), max_length=24, choices=Metric.choices)
    value = models.PositiveIntegerField(_("value"))
    source = models.ForeignKey(
        "tracker.Source", on_delete=models.PROTECT, related_name="flow_counts", verbose_name=_("source")
    )
    report = models.ForeignKey(
        "tracker.Report",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="flow_counts",
        verbose_name=_("report"),
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-day", "crossing", "metric"]
        verbose_name = _("daily figure")
        verbose_name_plural = _("daily figures")
        constraints = [
            models.UniqueConstraint(
                fields=["crossing", "day", "metric", "source"], name="flow_count_one_per_source_day"
            ),
            choices_check("metric", FlowCountMetric, name="flow_count_metric_valid"),
        ]
        indexes = [
            # A crossing page's chart: its figures by day.
            models.Index(fields=["crossing", "day"], name="flow_count_crossing_day"),
        ]

    def __str__(self) -> str:
        return gettext("%(crossing)s %(day)s: %(value)s %(metric)s (%(source)s)") % {
            "crossing": self.crossing,
            "day": self.day,
            "value": self.value,
            "metric": str(self.get_metric_display()).lower(),
            "source": self.source,
        }
