"""Characters no text may hold, and admin date lookups no calendar can close, are refused at the door: a 400,
before any view, query or export starts.

PostgreSQL refuses NUL in text, Python cannot encode a lone surrogate, and no C0 control other than tab, line feed
and carriage return is text in a query, a form field or a JSON string. Without this check such input reached the
database and came back as a 500 with a traceback (or, for ``format=csv``, as a 200 whose stream broke off). The
request path, the query string (names and values, percent-decoded, as strict UTF-8), and form and JSON bodies are
read; a path may hold no control character at all. The API answers in its error shape, everything else with the
plain 400 page (``tracker.errors.bad_request``).

Under ``/admin/``, a date-hierarchy year (``<field>__year``) outside 1-9998 is a 400 too (``check_admin_dates``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse

from .api.errors import error_body
from .errors import API_PREFIX, bad_request

log = logging.getLogger(__name__)

# In queries, forms and JSON: every C0 control except tab, LF and CR; DEL; and any surrogate (never valid alone in
# decoded text; a pair in JSON escapes is checked separately).
_FORBIDDEN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# In a path: every C0 control, DEL and any surrogate.
_FORBIDDEN_PATH = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# A JSON escape: an escaped backslash (skipped, so "\\u0000" is the six characters it shows) or a \uXXXX.
_JSON_ESCAPE = re.compile(r"\\\\|\\u([0-9a-fA-F]{4})")
_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"


class InvalidCharacters(BadRequest):
    """The request holds a character that is not text (``where`` says where)."""


class DateOutOfRange(BadRequest):
    """An admin date-hierarchy lookup at a year the calendar cannot close."""


ADMIN_PREFIX = "/admin/"
_HIERARCHY_YEAR = re.compile(r"^\w+__year$")
# Django's date hierarchy computes the end of the chosen year (or of its December, or its last day) as a datetime:
# for year 9999 that is year 10000, a ValueError or OverflowError and a 500, in every admin with a date hierarchy,
# ours and third-party ones (axes, celery beat) alike. The years it can close are refused here, for all of them.
LAST_HIERARCHY_YEAR = 9998


def check_admin_dates(request: HttpRequest) -> None:
    if not request.path.startswith(ADMIN_PREFIX):
        return
    for name, values in request.GET.lists():
        if not _HIERARCHY_YEAR.match(name):
            continue
        for value in values:
            if value.strip().lstrip("+-").isdigit() and not 1 <= int(value) <= LAST_HIERARCHY_YEAR:
                raise DateOutOfRange(f"the year {value[:12]} is outside 1-{LAST_HIERARCHY_YEAR}")


def _strict_text(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidCharacters(f"{where} is not valid UTF-8") from exc


def check_text(value: str, where: str) -> None:
    if _FORBIDDEN_TEXT.search(value):
        raise InvalidCharacters(f"{where} holds a control character or a lone surrogate")


def check_json_text(text: str, where: str = "the JSON body") -> None:
    """Raw characters, then the ``\\uXXXX`` escapes: a control character or an unpaired surrogate is refused."""
    check_text(text, where)
    pending_high = False
    last_end = -1
    for match in _JSON_ESCAPE.finditer(text):
        hex_digits = match.group(1)
        code = int(hex_digits, 16) if hex_digits else None
        if pending_high and (code is None or not 0xDC00 <= code <= 0xDFFF or match.start() != last_end):
            raise InvalidCharacters(f"{where} holds a lone surrogate")
        if code is None or pending_high:  # an escaped backslash, or the low half of a pair just closed
            pending_high = False
        elif 0xD800 <= code <= 0xDBFF:
            pending_high = True
        elif 0xDC00 <= code <= 0xDFFF:
            raise InvalidCharacters(f"{where} holds a lone surrogate")
        elif (code < 0x20 and code not in (0x09, 0x0A, 0x0D)) or code == 0x7F:
            raise InvalidCharacters(f"{where} holds a control character")
        last_end = match.end()
    if pending_high:
        raise InvalidCharacters(f"{where} holds a lone surrogate")


def check_request(request: HttpRequest) -> None:
    """Raise ``InvalidCharacters`` when the path, query or a form or JSON body holds what is not text."""
    raw_path = request.META.get("PATH_INFO", "")
    if isinstance(raw_path, str):  # WSGI: the bytes as served, as Latin-1 characters
        try:
            path = raw_path.encode("latin-1").decode("utf-8")
        except UnicodeEncodeError:
            path = raw_path
        except UnicodeDecodeError as exc:
            raise InvalidCharacters("the path is not valid UTF-8") from exc
        if _FORBIDDEN_PATH.search(path):
            raise InvalidCharacters("the path holds a control character")
    query = request.META.get("QUERY_STRING", "")
    if query:
        raw_query = query.encode("latin-1", errors="replace") if isinstance(query, str) else query
        # Names and values, percent-decoded ("+" is a space and harmless); "%00" and "%ED%A0%80" are caught here.
        check_text(_strict_text(unquote_to_bytes(raw_query), "the query"), "the query")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = (request.content_type or "").lower()
    if content_type == _FORM:
        check_text(_strict_text(unquote_to_bytes(request.body), "the form"), "the form")
    elif content_type == _MULTIPART:
        for name, values in request.POST.lists():
            check_text(name, "the form")
            for value in values:
                check_text(value, "the form")
    elif content_type == "application/json" or content_type.endswith("+json"):
        check_json_text(_strict_text(request.body, "the JSON body"))


class InvalidCharactersMiddleware:
    """Early in the chain (before sessions and views): nothing downstream ever sees such a request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            check_request(request)
            check_admin_dates(request)
        except (InvalidCharacters, DateOutOfRange) as exc:
            log.info("refused %s %r: %s", request.method, request.path[:200], exc)
            if request.path.startswith(API_PREFIX):
                return JsonResponse(error_body("bad_request", f"The request could not be read: {exc}."), status=400)
            return bad_request(request, exc)
        return self.get_response(request)
