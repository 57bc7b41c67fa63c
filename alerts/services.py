"""Every write of the alerts app: feed tokens, subscriptions, and mailing each change to each subscriber once.

Mailing is safe to run twice, or again after a crash, because the database says what is done:
- the sweep turns new changes into ``AlertDelivery`` rows, unique per (user, change), after a cursor it moves in
  the same transaction (so a change is matched once, and a subscriber with several matching subscriptions gets
  one message);
- a sender claims a delivery (or a day's digest) by a conditional UPDATE that must change one row, sends, then
  marks it sent. A second sender finds nothing to claim. A worker that dies after claiming leaves a claim that
  expires (``ALERTS_CLAIM_SECONDS``), and the next sweep sends it; only a death between the SMTP server's "250 OK"
  and the mark can send it again, and then with the same Message-ID, which mailboxes show once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from tracker.models import Crossing
from tracker.pages.access import may_read
from tracker.selectors import changes_feed

from . import mail
from .models import AlertCursor, AlertDelivery, AlertDigest, AlertSubscription, FeedToken
from .selectors import STATUS_KINDS, changes_by_id, entries_from_changes, status_row_of, subscriber_language

log = logging.getLogger(__name__)

FEED_TOKEN_PREFIX = "feed_"
_PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
SWEEP_BATCH = 500


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# --- feed tokens ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedFeedToken:
    token: FeedToken
    key: str  # the only time the key exists outside the user's feed reader


def feed_token_create(*, user: Any, label: str = "") -> CreatedFeedToken:
    """Make a feed token for ``user``; its key is returned once and never stored."""
    if user is None or not user.is_authenticated:
        raise ValidationError(gettext("Sign in to make a feed token."))
    label = " ".join((label or "").split())
    if len(label) > 100:
        raise ValidationError({"label": gettext("At most 100 characters.")})
    prefix = FEED_TOKEN_PREFIX + "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(8))
    key = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = FeedToken.objects.create(user=user, prefix=prefix, key_hash=_hash_key(key), label=label)
    return CreatedFeedToken(token=token, key=key)


def feed_token_revoke(*, user: Any, token_id: int, now: datetime | None = None) -> FeedToken:
    """Revoke one of ``user``'s own tokens; someone else's is not found (the page answers 404)."""
    token = FeedToken.objects.get(pk=token_id, user=user, revoked_at__isnull=True)
    token.revoked_at = now or timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def feed_token_rotate(*, user: Any, token_id: int) -> CreatedFeedToken:
    """A new key in place of an old one (same label): the old stops working at once."""
    with transaction.atomic():
        old = feed_token_revoke(user=user, token_id=token_id)
        return feed_token_create(user=user, label=old.label)


def feed_token_user(*, key: str, now: datetime | None = None) -> Any | None:
    """The account a feed key belongs to, or None when the key is wrong or revoked, or the account may no longer
    read the pages (deactivated, or taken out of the analysts and editors)."""
    if not key.startswith(FEED_TOKEN_PREFIX) or len(key) > 100:
        return None
    token = FeedToken.objects.select_related("user").filter(key_hash=_hash_key(key)).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash_key(key)) or token.revoked_at is not None:
        return None
    if not (token.user.is_active and may_read(token.user)):
        return None
    moment = now or timezone.now()
    # At most one write a minute per token: feed readers poll often.
    if token.last_used_at is None or moment - token.last_used_at > timedelta(minutes=1):
        FeedToken.objects.filter(pk=token.pk).update(last_used_at=moment)
    return token.user


# --- subscriptions ----------------------------------------------------------------------------------------------


def subscription_set(
    *, user: Any, crossing: Crossing, traffic: Sequence[str], delivery: str, language: str = settings.LANGUAGE_CODE
) -> list[AlertSubscription]:
    """Follow ``crossing`` for each kind in ``traffic`` (``all`` alone stands for every kind), by ``delivery``.

    Replaces the user's subscriptions to that crossing, in one transaction."""
    kinds = list(dict.fromkeys(traffic))
    if not kinds:
        raise ValidationError({"traffic": gettext("Choose at least one kind of traffic.")})
    unknown = [k for k in kinds if k not in AlertSubscription.Traffic.values]
    if unknown:
        raise ValidationError(
            {"traffic": gettext("Unknown kind of traffic: %(kinds)s.") % {"kinds": ", ".join(unknown)}}
        )
    if delivery not in AlertSubscription.Delivery.values:
        raise ValidationError({"delivery": gettext("Unknown delivery %(delivery)s.") % {"delivery": repr(delivery)}})
    language = language.split("-")[0].lower()
    if language not in {code for code, _ in settings.LANGUAGES}:
        raise ValidationError({"language": gettext("Unknown language %(language)s.") % {"language": repr(language)}})
    if AlertSubscription.Traffic.ALL in kinds:
        kinds = [AlertSubscription.Traffic.ALL]
    if not user.email:
        raise ValidationError(
            {"delivery": gettext("Your account has no e-mail address; ask an administrator to add one.")}
        )
    with transaction.atomic():
        AlertSubscription.objects.filter(user=user, crossing=crossing).delete()
        return AlertSubscription.objects.bulk_create(
            AlertSubscription(user=user, crossing=crossing, traffic=kind, delivery=delivery, language=language)
            for kind in kinds
        )


def subscription_delete(*, user: Any, crossing_id: int) -> int:
    """Stop following one crossing; returns how many subscriptions went."""
    deleted, _ = AlertSubscription.objects.filter(user=user, crossing_id=crossing_id).delete()
    return deleted


def unsubscribe_all(*, user_id: int) -> int:
    """Stop every e-mail alert of a user (the link in each message), and drop what was still to be mailed."""
    with transaction.atomic():
        deleted, _ = AlertSubscription.objects.filter(user_id=user_id).delete()
        AlertDelivery.objects.filter(user_id=user_id, state=AlertDelivery.State.PENDING).update(
            state=AlertDelivery.State.SKIPPED, last_error="unsubscribed"
        )
    return deleted


# --- matching changes to subscribers ----------------------------------------------------------------------------


def alerts_queue_new_changes(*, now: datetime | None = None) -> list[int]:
    """Turn status changes after the cursor into deliveries; returns the ids of new immediate ones.

    Only changes from the change feed (recorded statuses and retractions) are matched: a pending suggestion is not
    one, so it can never be mailed. A subscription made after a change was recorded does not get it.
    """
    moment = now or timezone.now()
    with transaction.atomic():
        cursor, _ = AlertCursor.objects.get_or_create(name="email")
        cursor = AlertCursor.objects.select_for_update().get(pk=cursor.pk)
        queryset = (
            changes_feed(after=cursor.change_id, kinds=STATUS_KINDS)
            .prefetch_related(None)
            .select_related("retraction__status_row")
        )
        changes = list(queryset[:SWEEP_BATCH])
        if not changes:
            return []
        rows = {change.pk: status_row_of(change) for change in changes}
        subscriptions = list(
            AlertSubscription.objects.filter(
                crossing_id__in={row.crossing_id for row in rows.values()}, user__is_active=True
            ).exclude(user__email="")
        )
        wanted: dict[tuple[int, int], str] = {}
        for change in changes:
            row = rows[change.pk]
            for sub in subscriptions:
                if sub.crossing_id != row.crossing_id or not sub.matches(row.traffic):
                    continue
                if sub.created_at > change.recorded_at:
                    continue
                key = (sub.user_id, change.pk)
                # One message per user and change: immediate wins over the digest if their subscriptions differ.
                if wanted.get(key) != AlertSubscription.Delivery.IMMEDIATE:
                    wanted[key] = sub.delivery
        AlertDelivery.objects.bulk_create(
            [
                AlertDelivery(user_id=user_id, change_id=change_id, delivery=mode, created_at=moment)
                for (user_id, change_id), mode in wanted.items()
            ],
            ignore_conflicts=True,
        )
        cursor.change_id = changes[-1].pk
        cursor.save(update_fields=["change_id"])
    return list(
        AlertDelivery.objects.filter(
            change_id__in=[change_id for (_, change_id) in wanted],
            delivery=AlertDelivery.Delivery.IMMEDIATE,
            state=AlertDelivery.State.PENDING,
        ).values_list("pk", flat=True)
    )


def deliveries_due(*, now: datetime | None = None) -> list[int]:
    """Immediate deliveries still to send whose claim (if any) has expired: lost messages and crashed workers."""
    moment = now or timezone.now()
    return list(
        AlertDelivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=moment),
            delivery=AlertDelivery.Delivery.IMMEDIATE,
            state=AlertDelivery.State.PENDING,
        )
        .order_by("id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


# --- sending ----------------------------------------------------------------------------------------------------


def _may_receive(user: Any) -> bool:
    return bool(user.is_active and user.email and may_read(user))


def _claim(model: Any, pk: int, now: datetime, **still: Any) -> bool:
    """Take the row for this sender: exactly one row changes, or someone else holds it (or it is done)."""
    until = now + timedelta(seconds=settings.ALERTS_CLAIM_SECONDS)
    return (
        model.objects.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk=pk, **still).update(
            claimed_until=until
        )
        == 1
    )


def _failed(queryset: Any, error: Exception, now: datetime) -> None:
    """Count the attempt; come back after a doubling pause, or give up after ``ALERTS_MAX_ATTEMPTS``."""
    for delivery in queryset:
        attempts = delivery.attempts + 1
        pause = min(settings.ALERTS_RETRY_BASE_SECONDS * 2 ** (attempts - 1), 3600)
        state = AlertDelivery.State.FAILED if attempts >= settings.ALERTS_MAX_ATTEMPTS else delivery.state
        AlertDelivery.objects.filter(pk=delivery.pk).update(
            attempts=attempts,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            claimed_until=now + timedelta(seconds=pause),
            state=state,
        )


def delivery_send(*, delivery_id: int, now: datetime | None = None) -> str:
    """Mail one change to one subscriber. Returns ``sent``, ``busy`` (claimed by someone else, or done),
    ``skipped`` (the account may no longer receive alerts) or ``failed`` (will be retried)."""
    moment = now or timezone.now()
    if not _claim(AlertDelivery, delivery_id, moment, state=AlertDelivery.State.PENDING):
        return "busy"
    delivery = AlertDelivery.objects.select_related("user").get(pk=delivery_id)
    if not _may_receive(delivery.user):
        AlertDelivery.objects.filter(pk=delivery_id).update(state=AlertDelivery.State.SKIPPED)
        return "skipped"
    change = changes_by_id([delivery.change_id])[delivery.change_id]
    # Written in the subscriber's language: the entry's labels as well as the message around them.
    with translation.override(subscriber_language(delivery.user_id)):
        [entry] = entries_from_changes([change], as_of=moment)
        message = mail.change_message(user=delivery.user, entry=entry, delivery_id=delivery.pk)
    try:
        message.send()
    except Exception as error:  # SMTP refused or unreachable: retried by the sweep after the pause
        log.warning("alert %s to %s not sent: %s", delivery_id, delivery.user, error)
        _failed(AlertDelivery.objects.filter(pk=delivery_id), error, moment)
        return "failed"
    AlertDelivery.objects.filter(pk=delivery_id).update(
        state=AlertDelivery.State.SENT, sent_at=timezone.now(), attempts=delivery.attempts + 1, last_error=""
    )
    return "sent"


def digest_day(now: datetime) -> date:
    """The day whose digest is due at ``now``: digests go out at ``ALERTS_DIGEST_HOUR`` UTC."""
    return (now - timedelta(hours=settings.ALERTS_DIGEST_HOUR)).date()


def digest_moment(now: datetime) -> datetime:
    """The latest digest hour at or before ``now``: a digest holds what was matched up to then, so a change at
    10:00 waits for the next morning's digest instead of going out at once in today's."""
    return datetime.combine(digest_day(now), time(settings.ALERTS_DIGEST_HOUR), tzinfo=UTC)


def digests_due(*, now: datetime | None = None) -> list[int]:
    """Users with digest deliveries waiting whose digest for the current day is not sent yet."""
    moment = now or timezone.now()
    day = digest_day(moment)
    sent_today = AlertDigest.objects.filter(day=day, sent_at__isnull=False).values("user_id")
    return list(
        AlertDelivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=moment),
            delivery=AlertDelivery.Delivery.DIGEST,
            state=AlertDelivery.State.PENDING,
            created_at__lte=digest_moment(moment),
        )
        .exclude(user_id__in=sent_today)
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )


def digest_send(*, user_id: int, now: datetime | None = None) -> str:
    """Mail a user's digest of the day: every digest delivery waiting, in one message, once a day."""
    moment = now or timezone.now()
    day = digest_day(moment)
    try:
        digest, _ = AlertDigest.objects.get_or_create(user_id=user_id, day=day)
    except IntegrityError:  # another sender made it a moment ago
        digest = AlertDigest.objects.get(user_id=user_id, day=day)
    if not _claim(AlertDigest, digest.pk, moment, sent_at__isnull=True):
        return "busy"
    # Items join the digest once; a delivery made after today's digest went out waits for tomorrow's.
    AlertDelivery.objects.filter(
        user_id=user_id,
        delivery=AlertDelivery.Delivery.DIGEST,
        state=AlertDelivery.State.PENDING,
        digest__isnull=True,
        created_at__lte=digest_moment(moment),
    ).update(digest=digest)
    items = list(digest.items.filter(state=AlertDelivery.State.PENDING).select_related("user").order_by("change_id"))
    if not items:
        AlertDigest.objects.filter(pk=digest.pk).update(sent_at=moment)
        return "empty"
    user = items[0].user
    if not _may_receive(user):
        digest.items.filter(state=AlertDelivery.State.PENDING).update(state=AlertDelivery.State.SKIPPED)
        AlertDigest.objects.filter(pk=digest.pk).update(sent_at=moment)
        return "skipped"
    changes = changes_by_id([item.change_id for item in items])
    with translation.override(subscriber_language(user.pk)):
        entries = entries_from_changes([changes[item.change_id] for item in items], as_of=moment)
        message = mail.digest_message(user=user, entries=entries, day=day, digest_id=digest.pk)
    try:
        message.send()
    except Exception as error:
        log.warning("digest %s to %s not sent: %s", digest.pk, user, error)
        _failed(digest.items.filter(state=AlertDelivery.State.PENDING), error, moment)
        AlertDigest.objects.filter(pk=digest.pk).update(claimed_until=None)
        return "failed"
    sent = timezone.now()
    with transaction.atomic():
        digest.items.filter(state=AlertDelivery.State.PENDING).update(state=AlertDelivery.State.SENT, sent_at=sent)
        AlertDigest.objects.filter(pk=digest.pk).update(sent_at=sent)
    return "sent"


def user_email_of(user_id: int) -> str | None:
    return get_user_model().objects.filter(pk=user_id).values_list("email", flat=True).first()
