"""The API's JSON parser, with limits: a body larger than API_JSON_MAX_BYTES or nested deeper than
API_JSON_MAX_DEPTH is a 400 (``parse_error``) before the JSON library reads it, never a RecursionError and a 500.

DRF reads the request stream itself, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) would not apply here; it does
apply first in practice, because ``tracker.middleware`` reads a JSON body (``request.body``) to check its characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json


def json_depth_exceeds(data: bytes, limit: int) -> bool:
    """Whether arrays and objects nest deeper than ``limit``; strings are skipped (a "[" in a string is text).
    One pass over the bytes, no recursion."""
    depth = 0
    in_string = False
    escaped = False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


class LimitedJSONParser(JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        max_bytes: int = settings.API_JSON_MAX_BYTES
        max_depth: int = settings.API_JSON_MAX_DEPTH
        data = stream.read(max_bytes + 1) if stream is not None else b""
        if len(data) > max_bytes:
            raise ParseError(gettext("JSON body larger than %(bytes)s bytes.") % {"bytes": f"{max_bytes:,}"})
        if json_depth_exceeds(data, max_depth):
            raise ParseError(gettext("JSON nested deeper than %(levels)s levels.") % {"levels": max_depth})
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(data.decode(encoding), parse_constant=json.strict_constant if self.strict else None)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise ParseError(gettext("JSON parse error - %(error)s") % {"error": exc}) from exc
