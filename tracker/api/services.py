"""Every write of the partner API app: tokens (create, check, revoke), webhooks (register, queue, deliver).

Webhook delivery is at-least-once with a database guard against doing it twice: a change becomes one
``WebhookDelivery`` row per webhook (unique pair), and a delivery is claimed by a conditional update before it is
sent, so two workers never send the same one at once; once it is marked delivered it is never sent again. The claim
outlives the attempt (``delivery_claim_seconds`` exceeds the delivery task's hard time limit, which exceeds the
request's own deadline), each attempt is counted as it starts, a receiving host gets at most
``API_WEBHOOK_HOST_CONCURRENCY`` attempts at once (``WebhookHostSlot``), and a webhook failing
``API_WEBHOOK_PAUSE_AFTER`` times in a row is paused until resumed.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import string
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from tracker import outbound
from tracker.models import Change

from .models import ApiToken, Webhook, WebhookDelivery, WebhookHostSlot

log = logging.getLogger(__name__)

TOKEN_PREFIX = "trk_"
_PREFIX_ALPHABET = string.ascii_letters + string.digits
_PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
SIGNATURE_HEADER = "X-Tracker-Signature"


# --- tokens ---------------------------------------------------------------------------------------------------


def _hash_key(key: str) -> str:
    # The key has 256 bits of randomness, so a fast hash is enough: nothing to slow down a guesser of.
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    key: str  # the only time the key exists outside the partner's hands


def token_create(
    *,
    partner: str,
    created_by: Any,
    expires_at: datetime | None = None,
    user: Any = None,
    note: str = "",
) -> CreatedToken:
    """Make a token for a partner and return its key, which is shown once and never stored."""
    partner = " ".join((partner or "").split())
    if not partner:
        raise ValidationError({"partner": gettext("Name the partner who will hold the token.")})
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            raise ValidationError({"expires_at": gettext("A time zone is required.")})
        if expires_at <= timezone.now():
            raise ValidationError({"expires_at": gettext("The expiry must be in the future.")})
    for _ in range(5):
        prefix = TOKEN_PREFIX + "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(8))
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    else:  # pragma: no cover - 62**8 prefixes
        raise RuntimeError("could not find a free token prefix")
    key = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        partner=partner[:200],
        prefix=prefix,
        key_hash=_hash_key(key),
        user=user,
        note=note,
        expires_at=expires_at,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    token.full_clean()
    token.save()
    return CreatedToken(token, key)


class TokenRefused(Exception):
    """The key is unknown, revoked or expired; the message is safe to show to the caller."""


def token_authenticate(key: str, *, now: datetime | None = None) -> ApiToken:
    """The active token for ``key``; its ``last_used_at`` is refreshed at most once a minute (not one write per
    request)."""
    key = (key or "").strip()
    prefix = key[:_PREFIX_LENGTH]
    token = (
        ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if key.startswith(TOKEN_PREFIX) and len(key) > _PREFIX_LENGTH
        else None
    )
    # Compare even when no row was found, so the time taken does not tell a valid prefix from an invalid one.
    expected = token.key_hash if token is not None else "0" * 64
    if not hmac.compare_digest(expected, _hash_key(key)) or token is None:
        raise TokenRefused(gettext("Invalid token."))
    moment = now or timezone.now()
    state = token.state(moment)
    if state == "revoked":
        raise TokenRefused(gettext("This token has been revoked."))
    if state == "expired":
        raise TokenRefused(gettext("This token has expired."))
    if token.user is not None and not token.user.is_active:
        raise TokenRefused(gettext("The account behind this token is disabled."))
    interval = timedelta(seconds=settings.API_TOKEN_LAST_USED_INTERVAL)
    if token.last_used_at is None or token.last_used_at < moment - interval:
        # Conditional: of many requests racing past the check, one writes.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=moment - interval)
        ).update(last_used_at=moment)
        token.last_used_at = moment
    return token


def token_revoke(*, token: ApiToken, revoked_by: Any) -> ApiToken:
    """Revoke a token for good; its webhooks stop receiving. Revoking twice keeps the first time."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.revoked_by = revoked_by if getattr(revoked_by, "is_authenticated", False) else None
            locked.save(update_fields=["revoked_at", "revoked_by"])
            Webhook.objects.filter(token=locked).update(active=False)
    return locked


# --- webhooks: registration -----------------------------------------------------------------------------------


def webhook_check_url(url: str) -> str:
    """The URL a webhook may be registered with: http(s), a host that resolves only to public addresses (unless
    allowlisted), https unless allowlisted. Checked again at every delivery, by ``outbound.fetch``."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ValidationError({"url": gettext("This is not a valid URL.")}) from None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not host:
        raise ValidationError({"url": gettext("Give an absolute http or https URL.")})
    if parts.username or parts.password:
        raise ValidationError(
            {"url": gettext("Credentials in the URL are not allowed; use the signature to authenticate us.")}
        )
    port = port or (443 if scheme == "https" else 80)
    allowlisted = outbound.host_is_allowlisted(host, port)
    if scheme != "https" and not allowlisted:
        raise ValidationError({"url": gettext("Use https: deliveries carry signed data.")})
    try:
        outbound.resolve_checked(host, port, url=url)
    except outbound.AddressRefused:
        raise ValidationError(
            {"url": gettext("This host is private or internal; deliveries go to public hosts only.")}
        ) from None
    except outbound.ConnectionFailed:
        raise ValidationError({"url": gettext("This host name does not resolve.")}) from None
    return url


@dataclass(frozen=True)
class CreatedWebhook:
    webhook: Webhook
    secret: str


def webhook_register(*, token: ApiToken, url: str, description: str = "") -> CreatedWebhook:
    """Register a URL for a partner's token; it receives changes recorded from now on, signed with a new secret."""
    url = webhook_check_url(url)
    if token.state() != "active":
        raise ValidationError(gettext("This token is not active."))
    if len(url) > 2000:
        raise ValidationError({"url": gettext("At most 2000 characters.")})
    with transaction.atomic():
        # The token's row locked: two registrations racing past the count cannot both take the last place.
        ApiToken.objects.select_for_update().filter(pk=token.pk).first()
        limit = settings.API_WEBHOOKS_PER_TOKEN
        if Webhook.objects.filter(token=token).count() >= limit:
            raise ValidationError(
                {
                    "url": gettext(
                        "This token already has %(limit)s webhooks, the most allowed; remove one before adding another."
                    )
                    % {"limit": limit}
                }
            )
        if Webhook.objects.filter(token=token, url=url).exists():
            raise ValidationError({"url": gettext("This URL is already registered.")})
        latest = Change.objects.order_by("-id").values_list("id", flat=True).first() or 0
        secret = "whsec_" + secrets.token_urlsafe(32)
        webhook = Webhook.objects.create(
            token=token, url=url, secret=secret, description=(description or "")[:200], cursor=latest
        )
    return CreatedWebhook(webhook, secret)


def webhook_remove(*, webhook: Webhook) -> None:
    """Stop and forget a webhook; the delivery log goes with it."""
    webhook.delete()


def webhook_resume(*, webhook: Webhook) -> Webhook:
    """Resume a paused webhook (an editor in the admin, or its partner through the API): its waiting deliveries are
    due at once, each with a fresh count of attempts, and its count of failures starts again from zero."""
    moment = timezone.now()
    with transaction.atomic():
        # Conditional: resuming a webhook that is not paused (or twice at once) changes nothing.
        resumed = Webhook.objects.filter(pk=webhook.pk, paused_at__isnull=False).update(
            paused_at=None, paused_reason="", failures_in_a_row=0
        )
        if resumed:
            WebhookDelivery.objects.filter(webhook_id=webhook.pk, state=WebhookDelivery.State.PENDING).update(
                next_attempt_at=moment, attempts=0
            )
    webhook.refresh_from_db(fields=["paused_at", "paused_reason", "failures_in_a_row"])
    return webhook


# --- webhooks: queueing and delivery ----------------------------------------------------------------------------


def webhooks_queue_new_changes(*, batch: int = 500) -> list[int]:
    """Turn changes past each active webhook's cursor into pending deliveries; returns the new deliveries' ids.

    The change feed's ids commit in order (``tracker.services._common.append_change``), so reading past the
    cursor misses nothing; the unique (webhook, change) pair makes a second run harmless.
    """
    created: list[int] = []
    webhook_ids = list(Webhook.objects.filter(active=True, token__revoked_at__isnull=True).values_list("id", flat=True))
    for webhook_id in webhook_ids:
        with transaction.atomic():
            webhook = Webhook.objects.select_for_update(skip_locked=True).filter(pk=webhook_id).first()
            if webhook is None:
                continue  # another worker is scanning it right now
            change_ids = list(
                Change.objects.filter(id__gt=webhook.cursor).order_by("id").values_list("id", flat=True)[:batch]
            )
            if not change_ids:
                continue
            WebhookDelivery.objects.bulk_create(
                [WebhookDelivery(webhook=webhook, change_id=change_id) for change_id in change_ids],
                ignore_conflicts=True,
            )
            webhook.cursor = change_ids[-1]
            webhook.save(update_fields=["cursor"])
            created.extend(
                WebhookDelivery.objects.filter(webhook=webhook, change_id__in=change_ids, attempts=0).values_list(
                    "id", flat=True
                )
            )
    return created


def deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose next attempt has come and that no worker holds: a lost queue message ends here."""
    moment = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=moment)
        .filter(webhook__paused_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=moment))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: ``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does (and the tests): recompute, compare in constant time, refuse stale timestamps."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), f"t={timestamp},v1={fields.get('v1', '')}")


def backoff_seconds(attempts: int) -> int:
    """Wait before attempt ``attempts + 1``: doubling from the base, capped."""
    base, cap = settings.API_WEBHOOK_BACKOFF_BASE, settings.API_WEBHOOK_BACKOFF_MAX
    return int(min(cap, base * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class DeliveryOutcome:
    # "delivered", "retry", "failed", "busy" (the host's slots are all taken: try again soon, nothing counted) or
    # "skipped" (not ours to send now: delivered, held by another worker, not due, or its webhook paused)
    state: str
    retry_in: int | None = None


def delivery_task_time_limit() -> int:
    """The delivery task's hard time limit: the request's own deadline plus room to record the outcome."""
    return settings.API_WEBHOOK_TIMEOUT + 30


def delivery_claim_seconds() -> int:
    """How long a claim holds: past the task's hard time limit, so no attempt is still running when it lapses."""
    return delivery_task_time_limit() + 60


def _host_slot_take(host: str, delivery_id: int, moment: datetime) -> int | None:
    """A free delivery slot of ``host`` (its number), taken by a conditional UPDATE that must change one row."""
    limit = settings.API_WEBHOOK_HOST_CONCURRENCY
    WebhookHostSlot.objects.bulk_create(
        [WebhookHostSlot(host=host, slot=n) for n in range(limit)], ignore_conflicts=True
    )
    until = moment + timedelta(seconds=delivery_claim_seconds())
    for slot in range(limit):
        taken = (
            WebhookHostSlot.objects.filter(host=host, slot=slot)
            .filter(Q(held_until__isnull=True) | Q(held_until__lt=moment))
            .update(delivery_id_held=delivery_id, held_until=until)
        )
        if taken == 1:
            return slot
    return None


def _host_slot_release(host: str, slot: int, delivery_id: int) -> None:
    WebhookHostSlot.objects.filter(host=host, slot=slot, delivery_id_held=delivery_id).update(
        delivery_id_held=None, held_until=None
    )


def _claim(delivery_id: int, moment: datetime) -> datetime | None:
    """Claim a due delivery by a conditional UPDATE that must change exactly one row; the claim's expiry, or None."""
    until = moment + timedelta(seconds=delivery_claim_seconds())
    claimed = (
        # No condition on a joined table here: Django would write it as "id IN (subquery)", which PostgreSQL does
        # not re-check against a row another worker just claimed, and two claims would both succeed. (Whether the
        # webhook is paused was read just before; a pause landing in between costs one more attempt, no more.)
        WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=moment)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=moment))
        .update(claimed_until=until)
    )
    return until if claimed == 1 else None


def _record_webhook_result(webhook: Webhook, *, ok: bool, attempts: int, error: str, moment: datetime) -> None:
    """Keep the webhook's failing streak and pause it at ``API_WEBHOOK_PAUSE_AFTER``; a success resets it.

    The streak is the most attempts in a row of one of its deliveries since the webhook's last success, not the
    number of failed POSTs: ten changes during a short outage are not ten failures in a row of the receiver, and a
    receiver down for an hour (seven attempts with the default backoff) is waited for, not paused.
    """
    if ok:
        Webhook.objects.filter(pk=webhook.pk, failures_in_a_row__gt=0).update(failures_in_a_row=0)
        return
    Webhook.objects.filter(pk=webhook.pk, failures_in_a_row__lt=attempts).update(failures_in_a_row=attempts)
    limit = settings.API_WEBHOOK_PAUSE_AFTER
    paused = Webhook.objects.filter(pk=webhook.pk, paused_at__isnull=True, failures_in_a_row__gte=limit).update(
        paused_at=moment, paused_reason=f"a delivery failed {limit} attempts in a row; the last: {error}"[:500]
    )
    if paused:
        log.warning("webhook %s to %s paused after %s failed attempts in a row", webhook.uid, webhook.url, limit)


def webhook_deliver(*, delivery_id: int, now: datetime | None = None) -> DeliveryOutcome:
    """Make one attempt at a delivery, if it is due and not held by another worker; record the result."""
    from .serializers import change_payloads  # the payload is the feed entry exactly as the API shows it

    moment = now or timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("webhook__token")
        .filter(pk=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=moment)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=moment))
        .first()
    )
    if delivery is None or delivery.webhook.paused:
        return DeliveryOutcome("skipped")
    webhook = delivery.webhook
    if not webhook.active or webhook.token.state(moment) != "active":
        WebhookDelivery.objects.filter(pk=delivery.pk, state=WebhookDelivery.State.PENDING).update(
            state=WebhookDelivery.State.FAILED, claimed_until=None, last_error="The webhook or its token is inactive."
        )
        return DeliveryOutcome("failed")
    claimed_until = _claim(delivery_id, moment)
    if claimed_until is None:
        return DeliveryOutcome("skipped")
    host = webhook.host
    slot = _host_slot_take(host, delivery.pk, moment)
    if slot is None:
        # Every slot of the receiving host is taken: give the claim back untouched, nothing counted.
        WebhookDelivery.objects.filter(pk=delivery.pk, claimed_until=claimed_until).update(claimed_until=None)
        return DeliveryOutcome("busy", retry_in=5)
    try:
        # The attempt is counted as it starts, in its own committed UPDATE: a worker killed mid-request still
        # leaves it counted, so a receiver that hangs every attempt reaches the last one and the pause.
        WebhookDelivery.objects.filter(pk=delivery.pk, claimed_until=claimed_until).update(
            attempts=F("attempts") + 1, last_attempt_at=moment
        )
        attempts = delivery.attempts + 1
        [payload] = change_payloads([delivery.change_id])
        body = orjson.dumps({"delivery": str(delivery.uid), "change": payload})
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(webhook.secret, timestamp, body),
            "X-Tracker-Delivery": str(delivery.uid),
            "X-Tracker-Event": payload["kind"],
        }
        status: int | None = None
        error = ""
        try:
            response = outbound.fetch(
                webhook.url,
                method="POST",
                headers=headers,
                body=body,
                max_bytes=64 * 1024,
                # One deadline for connect, TLS, headers and body (outbound keeps it by the clock).
                total_timeout=settings.API_WEBHOOK_TIMEOUT,
                connect_timeout=min(settings.OUTBOUND_CONNECT_TIMEOUT, settings.API_WEBHOOK_TIMEOUT),
                read_timeout=settings.API_WEBHOOK_TIMEOUT,
                max_redirects=0,
            )
            status = response.status
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except outbound.OutboundError as exc:
            error = exc.reason
            if not exc.transient:
                error = f"{error} (not retried)"
        finished = timezone.now()
        fields: dict[str, Any] = {
            "last_attempt_at": finished,
            "last_status": status,
            "last_error": error[:2000],
            "claimed_until": None,
        }
        if not error:
            fields.update(state=WebhookDelivery.State.DELIVERED, delivered_at=finished)
            outcome = DeliveryOutcome("delivered")
        elif error.endswith("(not retried)") or attempts >= settings.API_WEBHOOK_MAX_ATTEMPTS:
            fields.update(state=WebhookDelivery.State.FAILED)
            outcome = DeliveryOutcome("failed")
        else:
            delay = backoff_seconds(attempts)
            fields.update(next_attempt_at=finished + timedelta(seconds=delay))
            outcome = DeliveryOutcome("retry", delay)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
        _record_webhook_result(webhook, ok=not error, attempts=attempts, error=error, moment=finished)
    finally:
        _host_slot_release(host, slot, delivery.pk)
    if outcome.state != "delivered":
        log.warning("webhook delivery %s to %s: %s (%s)", delivery.uid, webhook.url, error, outcome.state)
    return outcome


def delivery_retry_now(*, delivery: WebhookDelivery) -> None:
    """An editor's "try again": a failed or waiting delivery becomes due now, with a fresh count of attempts."""
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(state=WebhookDelivery.State.DELIVERED).update(
        state=WebhookDelivery.State.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_until=None
    )
