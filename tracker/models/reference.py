"""Who and where: countries (ISO 3166), actors and crises."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .base import SluggedModel, VersionedModel, choices_check


class Country(models.Model):
    """An ISO 3166-1 country or territory; filled from pycountry by a data migration."""

    iso3 = models.CharField(_("ISO 3166 alpha-3"), max_length=3, primary_key=True)
    iso2 = models.CharField(_("ISO 3166 alpha-2"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [
            models.CheckConstraint(condition=models.Q(iso3__regex=r"^[A-Z]{3}$"), name="country_iso3_format"),
            models.CheckConstraint(condition=models.Q(iso2__regex=r"^[A-Z]{2}$"), name="country_iso2_format"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.iso3})"


class ActorKind(models.TextChoices):
    STATE = "state", pgettext_lazy("actor kind", "State")
    GOVERNMENT_BODY = "government_body", _("Government body")
    UN_AGENCY = "un_agency", _("UN agency")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental organisation")
    NGO = "ngo", _("NGO")
    ARMED_GROUP = "armed_group", _("Armed group")
    PERSON = "person", _("Person")
    OTHER = "other", _("Other")


class Actor(SluggedModel, VersionedModel):
    """A party to events: a state, a UN agency, an NGO, an armed group, a bloc of states, ..."""

    Kind = ActorKind

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(
        _("short name"), max_length=40, blank=True, help_text=_("Acronym or short form, e.g. OIC")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actors",
        verbose_name=_("country"),
        help_text=_("For a state, the state itself; for others, where they are based, if it matters"),
    )
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        constraints = [choices_check("kind", ActorKind, name="actor_kind_valid")]

    def __str__(self) -> str:
        return self.name


class ActorAlias(models.Model):
    """An actor's name in a language (مصر, Égypte): shown to readers of that language (issue 17), as crossing
    aliases are. The actor's own name stays what the record and the data carry."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("actor"))
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=12, help_text=_("BCP 47 code: ar, fr, he ..."))

    class Meta:
        ordering = ["actor", "language", "id"]
        verbose_name = _("actor alias")
        verbose_name_plural = _("actor aliases")
        constraints = [
            models.UniqueConstraint(fields=["actor", "language", "name"], name="actor_alias_unique"),
            models.CheckConstraint(condition=~models.Q(name=""), name="actor_alias_not_blank"),
            models.CheckConstraint(
                condition=models.Q(language__regex=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"), name="actor_alias_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class CrisisState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("crisis state", "Active")
    MONITORING = "monitoring", pgettext_lazy("crisis state", "Monitoring")
    CLOSED = "closed", pgettext_lazy("crisis state", "Closed")


# GLIDE numbers (glidenumber.net): hazard code, year, six-digit serial, ISO 3166 alpha-3 country: CE-2023-000191-PSE.
GLIDE_PATTERN = r"^[A-Z]{2}-[0-9]{4}-[0-9]{6}-[A-Z]{3}$"
glide_validator = RegexValidator(
    GLIDE_PATTERN, _("A GLIDE number reads hazard-year-serial-country, e.g. CE-2023-000191-PSE (capitals, six digits).")
)


class Crisis(SluggedModel, VersionedModel):
    State = CrisisState

    name = models.CharField(_("name"), max_length=200, unique=True)
    summary = models.TextField(_("summary"), blank=True)
    countries = models.ManyToManyField(Country, blank=True, related_name="crises", verbose_name=_("countries"))
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.ACTIVE)
    glide = models.CharField(
        _("GLIDE number"),
        max_length=18,
        blank=True,
        validators=[glide_validator],
        help_text=_(
            "The GLIDE number partners file this crisis under (glidenumber.net, ReliefWeb); blank when none is verified"
        ),
    )
    history = HistoricalRecords(m2m_fields=[countries])

    class Meta:
        ordering = ["-started_on", "name"]
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")
        constraints = [
            choices_check("state", CrisisState, name="crisis_state_valid"),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="crisis_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(glide="") | models.Q(glide__regex=GLIDE_PATTERN), name="crisis_glide_format"
            ),
            # One GLIDE number names one event; two crises under it would split one event's records.
            models.UniqueConstraint(fields=["glide"], condition=~models.Q(glide=""), name="crisis_glide_unique"),
        ]
        indexes = [
            # The dashboard lists active crises first.
            models.Index(fields=["state", "-started_on"], name="crisis_state_started"),
        ]

    def __str__(self) -> str:
        return self.name
