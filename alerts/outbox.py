"""The file outbox of `make run` (Django's file-based e-mail backend), read back for the admin's outbox page."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# The file-based backend ends every message with this line (django/core/mail/backends/filebased.py).
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
SHOWN = 100


@dataclass(frozen=True)
class OutboxMessage:
    file: str
    subject: str
    to: str
    date: str
    text: str
    list_unsubscribe: str


def outbox_dir() -> Path | None:
    """Where the file backend writes, or None when mail goes elsewhere (SMTP in the full stack)."""
    if settings.EMAIL_BACKEND != "django.core.mail.backends.filebased.EmailBackend":
        return None
    return Path(settings.EMAIL_FILE_PATH)


def _text(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def outbox_messages(limit: int = SHOWN) -> list[OutboxMessage]:
    """The newest messages first, at most ``limit``."""
    folder = outbox_dir()
    if folder is None or not folder.is_dir():
        return []
    found: list[OutboxMessage] = []
    for path in sorted(folder.glob("*.log"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True):
        chunks = [chunk for chunk in path.read_bytes().split(SEPARATOR) if chunk.strip()]
        for chunk in reversed(chunks):
            parsed = email.message_from_bytes(chunk, policy=email.policy.default)
            assert isinstance(parsed, email.message.EmailMessage)
            found.append(
                OutboxMessage(
                    file=path.name,
                    subject=str(parsed.get("Subject", "")).strip(),
                    to=str(parsed.get("To", "")),
                    date=str(parsed.get("Date", "")),
                    text=_text(parsed),
                    list_unsubscribe=str(parsed.get("List-Unsubscribe", "")).strip(),
                )
            )
            if len(found) >= limit:
                return found
    return found
