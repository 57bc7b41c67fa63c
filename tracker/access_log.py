"""gunicorn's access log with the secrets that travel in URLs masked: feed keys (``/alerts/feeds/<key>/``: a key
stands for an account, because feed readers cannot sign in) and unsubscribe tokens (``/alerts/unsubscribe/<token>/``).

gunicorn writes its access lines itself, outside Django's logging, so the filter on Django's handlers
(``alerts.logs.MaskFeedKeys``) never sees them. ``gunicorn.conf.py`` (read by gunicorn from the directory it starts
in: the image's /app, the benchmark's checkout) names this class as the logger. The request line, path, query and
referer are masked before any format uses them."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

from alerts.logs import mask_feed_keys

_UNSUBSCRIBE = re.compile(r"(/alerts/unsubscribe/)[^/\s\"'?]+")
_MASKED_ATOMS = ("r", "U", "q", "f")


def mask_secrets_in_urls(text: str) -> str:
    return _UNSUBSCRIBE.sub(r"\1[token]", mask_feed_keys(text))


class MaskedAccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for name in _MASKED_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = mask_secrets_in_urls(atoms[name])
        if isinstance(atoms.get("{referer}i"), str):
            atoms["{referer}i"] = mask_secrets_in_urls(atoms["{referer}i"])
        return atoms
