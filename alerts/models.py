"""Feed tokens, e-mail subscriptions, and the record of every alert mailed (so none is mailed twice)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models import Crossing, Traffic
from tracker.models.base import choices_check


class FeedToken(models.Model):
    """A user's key to their Atom feeds, which feed readers put in the URL because they cannot sign in.

    Shown once, when created; only its SHA-256 is kept (as the API's tokens). ``prefix`` names it on the page.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False, help_text="SHA-256 of the key, hex")
    label = models.CharField(max_length=100, blank=True, help_text="Which reader holds it, in the user's words")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
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


class AlertSubscription(models.Model):
    """A user follows one crossing for one kind of traffic (or all), by e-mail, now or in a daily digest."""

    Delivery = Delivery
    Traffic = SubscriptionTraffic

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_subscriptions")
    crossing = models.ForeignKey(Crossing, on_delete=models.CASCADE, related_name="+")
    traffic = models.CharField(max_length=12, choices=SubscriptionTraffic.choices, default=SubscriptionTraffic.ALL)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The interface's language when the reader subscribed: their e-mails are written in it (issue 17).
    language = models.CharField(max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    class Meta:
        ordering = ["crossing__name", "traffic"]
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
        return f"{self.user}: {self.crossing} ({self.get_traffic_display().lower()}, {self.delivery})"

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

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # A worker that claims the digest holds it until then; after that another may take it over.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="alert_digest_once_a_day")]

    def __str__(self) -> str:
        return f"digest for {self.user} on {self.day}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped (account no longer reads alerts)"
    FAILED = "failed", "Failed (gave up)"


class AlertDelivery(models.Model):
    """One change mailed (or to be mailed) to one user: unique per pair, so a change is mailed to a user once,
    however many of their subscriptions it matches and however often the sweep runs."""

    Delivery = Delivery
    State = DeliveryState

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_deliveries")
    change = models.ForeignKey("tracker.Change", on_delete=models.PROTECT, related_name="+")
    delivery = models.CharField(max_length=10, choices=Delivery.choices)
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    digest = models.ForeignKey(AlertDigest, null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    created_at = models.DateTimeField(default=timezone.now)
    # Claimed before sending, by a conditional UPDATE that must change one row; a dead worker's claim expires.
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "alert deliveries"
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
        return f"change #{self.change_id} to {self.user} ({self.state})"
