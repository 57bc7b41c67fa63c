"""A logging filter that masks feed keys: a key stands for an account, and request logs name the URL it is in."""

from __future__ import annotations

import logging
import re

# /alerts/feeds/<prefix>_<secret>/...: the public prefix (shown on /alerts/) is kept, the secret is not.
_FEED_KEY = re.compile(r"(/alerts/feeds/(?:feed_[A-Za-z0-9]{8})?)[^/\s\"']*")


def mask_feed_keys(text: str) -> str:
    return _FEED_KEY.sub(r"\1_[key]", text)


class MaskFeedKeys(logging.Filter):
    """On a handler: every line it writes has feed keys masked (Django's "Not Found: <path>", runserver's access
    lines, the bad-request middleware's notes). The record is rewritten in place, so later handlers see it masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: left to the handler, which reports it without raising
            return True
        if "/alerts/feeds/" in message:
            record.msg, record.args = mask_feed_keys(message), ()
        return True
