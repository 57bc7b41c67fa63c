"""A real SMTP server (aiosmtpd) on a free local port, keeping what it receives, for the e-mail tests."""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO: the tests' output would be mostly that.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


@dataclass
class Mailbox:
    """What the server accepted. ``hold`` makes it wait before answering DATA (a slow server); ``hold_rcpt``
    before accepting a recipient, the first time it is named (``holding`` is set then): a sender caught mid-way."""

    received: list[Received] = field(default_factory=list)
    hold: float = 0.0
    hold_rcpt: dict[str, float] = field(default_factory=dict)
    holding: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        pause = self.hold_rcpt.pop(address, 0.0)
        if pause:
            self.holding.set()
            await asyncio.sleep(pause)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold:
            await asyncio.sleep(self.hold)
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [item for item in self.received if address in item.recipients]


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
