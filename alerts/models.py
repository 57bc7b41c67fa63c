"""Feed tokens, e-mail subscriptions, and the record of every alert mailed (so none is mailed twice)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tracker.models import Crossing, Traffic
from tracker.models.base import choices_check


class FeedToken(models.Model):
    """A user's key to their Atom feeds, which feed readers put in the URL because they cannot sign in.

    Shown once, when created; only its SHA-256 is kept (as the API's tokens). ``prefix`` names it on the page.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens", verbose_name=_("user")
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(
        _("key hash"), max_length=64, unique=True, editable=False, help_text=_("SHA-256 of the key, hex")
    )
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text=_("Which reader holds it, in the user's words")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("feed token")
        verbose_name_plural = _("feed tokens")
        constraints = [
            models.CheckConstraint(condition=models.Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="feed_token_hash_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("One message per change")
    DIGEST = "digest", _("A daily digest")


class SubscriptionTraffic(models.TextChoices):
    """The kinds of traffic one may follow; ``all`` means every kind (a status for all traffic matches any)."""

    ALL = "all", _("Every kind of traffic")
    PEOPLE = Traffic.PEOPLE.value, Traffic.PEOPLE.label
    AID = Traffic.AID.value, Traffic.AID.label
    COMMERCIAL = Traffic.COMMERCIAL.value, Traffic.COMMERCIAL.label
    FUEL = Traffic.FUEL.value, Traffic.FUEL.label


# The offered languages, each named in the reader's language (Django's own catalogues name them).
LANGUAGE_CHOICES = [(code, _(name)) for code, name in settings.LANGUAGES]


class AlertSubscription(models.Model):
    """A user follows one crossing for one kind of traffic (or all), by e-mail, now or in a daily digest."""

    Delivery = Delivery
    Traffic = SubscriptionTraffic

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_subscriptions", verbose_name=_("user")
    )
    crossing = models.ForeignKey(Crossing, on_delete=models.CASCADE, related_name="+", verbose_name=_("crossing"))
    traffic = models.CharField(
        _("kind of traffic"), max_length=12, choices=SubscriptionTraffic.choices, default=SubscriptionTraffic.ALL
    )
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # The interface's language when the reader subscribed: their e-mails are written in it (issue 17).
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default=settings.LANGUAGE_CODE)

    class Meta:
        ordering = ["crossing__name", "traffic"]
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["user", "crossing", "traffic"], name="alert_subscription_once"),
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _ in settings.LANGUAGES]),
                name="alert_subscription_language_offered",
            ),
            choices_check("traffic", SubscriptionTraffic, name="alert_subscription_traffic_valid"),
            choices_check("delivery", Delivery, name="alert_subscription_delivery_valid"),
        ]
        indexes = [
            # The sweep: who follows the crossings that changed.
            models.Index(fields=["crossing", "traffic"], name="alert_subscription_match"),
        ]

    def __str__(self) -> str:
        return gettext("%(user)s: %(crossing)s (%(traffic)s, %(delivery)s)") % {
            "user": self.user,
            "crossing": self.crossing,
            "traffic": self.get_traffic_display().lower(),
            "delivery": self.get_delivery_display().lower(),
        }

    def matches(self, traffic: str) -> bool:
        """Whether a status for ``traffic`` concerns this subscription (``all`` on either side matches any)."""
        return SubscriptionTraffic.ALL in (self.traffic, traffic) or self.traffic == traffic


class AlertCursor(models.Model):
    """The id of the last change the sweep turned into deliveries (one row): later changes are still to match.

    Change ids commit in order (``tracker.services._common.append_change``), so nothing can appear below it.
    """

    name = models.CharField(max_length=20, unique=True, default="email")
    change_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(change_id__gte=0), name="alert_cursor_not_negative")]

    def __str__(self) -> str:
        return f"{self.name}: after change #{self.change_id}"


class AlertDigest(models.Model):
    """One user's digest of one day: unique per pair, so a day's digest is never sent twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # A worker that claims the digest holds it until then; after that another may take it over.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-day", "user"]
        verbose_name = _("alert digest")
        verbose_name_plural = _("alert digests")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="alert_digest_once_a_day")]

    def __str__(self) -> str:
        return gettext("digest for %(user)s on %(day)s") % {"user": self.user, "day": self.day}


class DeliveryState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery state", "Pending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped (account no longer reads alerts)")
    FAILED = "failed", _("Failed (gave up)")


class AlertDelivery(models.Model):
    """One change mailed (or to be mailed) to one user: unique per pair, so a change is mailed to a user once,
    however many of their subscriptions it matches and however often the sweep runs."""

    Delivery = Delivery
    State = DeliveryState

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_deliveries", verbose_name=_("user")
    )
    change = models.ForeignKey("tracker.Change", on_delete=models.PROTECT, related_name="+", verbose_name=_("change"))
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)
    state = models.CharField(_("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    digest = models.ForeignKey(
        AlertDigest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("alert digest"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Claimed before sending, by a conditional UPDATE that must change one row; a dead worker's claim expires.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        constraints = [
            models.UniqueConstraint(fields=["user", "change"], name="alert_delivery_once"),
            choices_check("delivery", Delivery, name="alert_delivery_mode_valid"),
            choices_check("state", DeliveryState, name="alert_delivery_state_valid"),
            models.CheckConstraint(
                condition=models.Q(state="sent", sent_at__isnull=False)
                | (~models.Q(state="sent") & models.Q(sent_at__isnull=True)),
                name="alert_delivery_sent_has_time",
            ),
        ]
        indexes = [
            # The send sweep: what is still to be mailed.
            models.Index(fields=["delivery", "user"], condition=models.Q(state="pending"), name="alert_pending"),
        ]

    def __str__(self) -> str:
        return gettext("change #%(change)s to %(user)s (%(state)s)") % {
            "change": self.change_id,
            "user": self.user,
            "state": self.get_state_display().lower(),
        }
