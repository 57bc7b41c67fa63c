"""Partner access to the API: tokens (stored only as hashes), webhooks, and the log of every webhook delivery."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tracker.models.base import choices_check


class ApiToken(models.Model):
    """A partner's key to the API. The key itself is shown once, when created; only its SHA-256 is kept.

    ``prefix`` is the first, public part of the key (``trk_AbCd1234``): it finds the row and names the token in
    the admin and in logs, so that the secret part never has to.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public id"))
    partner = models.CharField(_("partner"), max_length=200, help_text=_("Who holds it: an agency, NGO or newsroom"))
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(
        _("key hash"), max_length=64, unique=True, editable=False, help_text=_("SHA-256 of the key, hex")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name=_("user"),
        help_text=_(
            "Optional: an editor's account, whose rights the token carries (needed to write). "
            "Without one the token reads only."
        ),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True, help_text=_("Empty: never expires"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        verbose_name=_("revoked by"),
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["partner", "-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(condition=models.Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="api_token_hash_hex"),
            models.CheckConstraint(condition=~models.Q(partner=""), name="api_token_has_partner"),
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} ({self.prefix}…)"

    def state(self, now: datetime | None = None) -> str:
        """``active``, ``revoked`` or ``expired``."""
        moment = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= moment:
            return "expired"
        return "active"


class Webhook(models.Model):
    """A partner's URL that receives a signed POST for each new entry of the change feed.

    ``cursor`` is the id of the last change already turned into a delivery: the scan that queues deliveries
    starts after it, so a lost queue message delays a delivery but never loses one.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public id"))
    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("API token"))
    url = models.URLField(_("URL"), max_length=2000)
    secret = models.CharField(
        _("secret"), max_length=100, editable=False, help_text=_("Signs every delivery; shown once")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    cursor = models.BigIntegerField(
        _("cursor"), default=0, editable=False, help_text=_("Last change id queued for delivery")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # Failed attempts since the last success; at API_WEBHOOK_PAUSE_AFTER the webhook is paused: its deliveries
    # wait (nothing is dropped) until an editor or the partner resumes it.
    failures_in_a_row = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    paused_at = models.DateTimeField(
        _("paused at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when deliveries failed too often in a row"),
    )
    paused_reason = models.CharField(_("paused reason"), max_length=500, blank=True, editable=False)

    class Meta:
        ordering = ["token", "url"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        constraints = [
            models.UniqueConstraint(fields=["token", "url"], name="webhook_unique_url_per_token"),
            models.CheckConstraint(condition=models.Q(cursor__gte=0), name="webhook_cursor_not_negative"),
            models.CheckConstraint(
                condition=models.Q(url__startswith="http://") | models.Q(url__startswith="https://"),
                name="webhook_url_http",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.token.partner}: {self.url}"

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    @property
    def host(self) -> str:
        """The receiving host, as deliveries are counted per host (``WebhookHostSlot``)."""
        return (urlsplit(self.url).hostname or "").lower()


class DeliveryState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("delivery state", "Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (gave up)")


class WebhookDelivery(models.Model):
    """One change sent (or to be sent) to one webhook; unique per pair, so a change is never queued twice."""

    State = DeliveryState

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public id"))
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("webhook"))
    change = models.ForeignKey("tracker.Change", on_delete=models.PROTECT, related_name="+", verbose_name=_("change"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # A worker that claims the delivery holds it until then; another worker may take it over afterwards.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_status = models.PositiveIntegerField(
        _("last status"), null=True, blank=True, help_text=_("HTTP status of the last attempt")
    )
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["webhook", "change"], name="webhook_delivery_once"),
            choices_check("state", DeliveryState, name="webhook_delivery_state_valid"),
            models.CheckConstraint(
                condition=models.Q(state="delivered", delivered_at__isnull=False)
                | (~models.Q(state="delivered") & models.Q(delivered_at__isnull=True)),
                name="webhook_delivery_delivered_has_time",
            ),
        ]
        indexes = [
            # The retry sweep: pending deliveries whose next attempt is due.
            models.Index(fields=["next_attempt_at"], condition=models.Q(state="pending"), name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return gettext("change #%(change)s to %(url)s (%(state)s)") % {
            "change": self.change_id,
            "url": self.webhook.url,
            "state": self.get_state_display().lower(),
        }


class WebhookHostSlot(models.Model):
    """One of the ``API_WEBHOOK_HOST_CONCURRENCY`` delivery slots of a receiving host.

    A delivery takes a free slot of its host by a conditional UPDATE that must change exactly one row, and gives it
    back when its attempt ends; a slot whose holder died is free again after ``held_until``. So however many
    webhooks a partner points at one host, at most that many POSTs to it are in flight at once.
    """

    host = models.CharField(max_length=253)
    slot = models.PositiveSmallIntegerField()
    delivery_id_held = models.BigIntegerField(null=True, blank=True)
    held_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook host slot")
        verbose_name_plural = _("webhook host slots")
        constraints = [models.UniqueConstraint(fields=["host", "slot"], name="webhook_host_slot_once")]

    def __str__(self) -> str:
        return f"{self.host} #{self.slot}"
