"""The alert e-mails: plain text and HTML from templates, with a signed one-click unsubscribe link and header."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from .selectors import AlertEntry

UNSUBSCRIBE_SALT = "alerts.unsubscribe"


def absolute(path: str) -> str:
    return settings.ALERTS_SITE_URL.rstrip("/") + path


def unsubscribe_token(user: Any) -> str:
    """Signed with SECRET_KEY: whoever holds the message may stop its alerts, without signing in, and no one else.
    The address is part of what is signed, so a link forwarded before the address changed stops working."""
    return signing.dumps({"u": user.pk, "e": user.email}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_user_id(token: str, *, email_of: Any) -> int | None:
    """The user a token was made for, or None when it is forged, damaged or for an address since changed."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    if email_of(data["u"]) != data.get("e"):
        return None
    return int(data["u"])


def unsubscribe_url(user: Any) -> str:
    return absolute(reverse("alerts:unsubscribe", args=[unsubscribe_token(user)]))


def crossing_url(entry: AlertEntry) -> str:
    return absolute(reverse("pages:crossing", args=[entry.crossing.slug]))


def _message(
    *, user: Any, subject: str, template: str, context: dict[str, Any], message_id: str
) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(user)
    context = {
        **context,
        "user": user,
        "unsubscribe_url": unsubscribe,
        "manage_url": absolute(reverse("alerts:manage")),
    }
    domain = urlsplit(settings.ALERTS_SITE_URL).hostname or "localhost"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"alerts/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            # RFC 8058: mail clients offer "Unsubscribe" and POST to it in one click, without opening the page.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            # The same id if a message is ever sent again after a crash, so the mailbox shows it once.
            "Message-ID": f"<{message_id}@{domain}>",
        },
    )
    message.attach_alternative(render_to_string(f"alerts/{template}.html", context), "text/html")
    return message


def _with_links(entries: Sequence[AlertEntry]) -> list[dict[str, Any]]:
    return [{"entry": entry, "crossing_url": crossing_url(entry)} for entry in entries]


def change_message(*, user: Any, entry: AlertEntry, delivery_id: int) -> EmailMultiAlternatives:
    return _message(
        user=user,
        subject=gettext("[Situation tracker] %(title)s") % {"title": entry.title},
        template="email_change",
        context={"item": _with_links([entry])[0]},
        message_id=f"alert-{delivery_id}",
    )


def digest_message(*, user: Any, entries: Sequence[AlertEntry], day: Any, digest_id: int) -> EmailMultiAlternatives:
    count = len(entries)
    return _message(
        user=user,
        subject=ngettext(
            "[Situation tracker] %(count)d status change: digest of %(day)s",
            "[Situation tracker] %(count)d status changes: digest of %(day)s",
            count,
        )
        % {"count": count, "day": f"{day:%Y-%m-%d}"},
        template="email_digest",
        context={"items": _with_links(entries), "day": day},
        message_id=f"alert-digest-{digest_id}",
    )
