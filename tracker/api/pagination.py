"""Paging: opaque cursors on every list (keyset on each list's own order; on indexed keys for reports and the change
feed). Page numbers (``page``) still work for one release, marked with a ``Deprecation`` header.

A cursor is base64url of a small JSON object. Partners must treat it as opaque; we may change what is inside.
"""

from __future__ import annotations

import base64
import binascii
from collections import OrderedDict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage
from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext, ngettext
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


def encode_cursor(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


def decode_cursor(raw: str, *, param: str) -> dict[str, Any]:
    """The object inside a cursor; a 400 naming ``param`` for anything we did not make."""
    try:
        padded = raw + "=" * (-len(raw) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError, orjson.JSONDecodeError):
        data = None
    if not isinstance(data, dict) or not data:
        raise ValidationError({param: [gettext("Invalid cursor: pass back a cursor this API returned, unchanged.")]})
    return data


def encode_change_cursor(change_id: int) -> str:
    return encode_cursor({"c": change_id})


def decode_change_cursor(raw: str | None, *, param: str = "after") -> int:
    if raw is None or raw == "":
        return 0
    value = decode_cursor(raw, param=param).get("c")
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError({param: [gettext("Invalid cursor: pass back a cursor this API returned, unchanged.")]})
    return value


def positive_int(request: Request, param: str, *, default: int, maximum: int) -> int:
    """A size parameter: a positive integer (400 otherwise), capped at ``maximum``."""
    raw = request.query_params.get(param)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValidationError({param: [gettext("Give a whole number from 1 to %(maximum)s.") % {"maximum": maximum}]})
    return min(int(raw), maximum)


def cursor_page_schema(results: dict[str, Any], *, counted: bool = False) -> dict[str, Any]:
    """One page of a cursor-paged list, as the schema declares it (with ``count`` where the list counts its rows)."""
    properties: dict[str, Any] = {
        "next": {"type": "string", "nullable": True, "format": "uri", "description": "The next page"},
        "next_cursor": {
            "type": "string",
            "nullable": True,
            "description": "Pass as `cursor` for the next page; null on the last page",
        },
        "results": results,
    }
    if counted:
        properties = {
            "count": {"type": "integer", "example": 123, "description": "Rows matching the filters, all pages"},
            **properties,
        }
    return {"type": "object", "required": list(properties), "properties": properties}


class PageNumbers(PageNumberPagination):
    """``page`` and ``page_size`` (capped); a page past the end is a 404."""

    page_size_query_param = "page_size"
    page_size_query_description = "Results per page (default 50; at most 500, larger values are capped)."
    page_query_description = "Page number, from 1."

    def get_page_size(self, request: Request) -> int:
        return positive_int(
            request, self.page_size_query_param, default=settings.API_PAGE_SIZE, maximum=settings.API_MAX_PAGE_SIZE
        )

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({self.page_query_param: [gettext("Give a page number from 1.")]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except (NotFound, InvalidPage):
            # Said plainly: a bare 404 reads as "this list is gone". One more count, on this error only.
            size = self.get_page_size(request)
            pages = self.django_paginator_class(queryset, size).num_pages
            raise NotFound(
                ngettext(
                    "There is no page %(page)s: this list has %(pages)s page of %(size)s. Page numbers are "
                    "deprecated; follow `next` (a cursor) from the first page instead.",
                    "There is no page %(page)s: this list has %(pages)s pages of %(size)s. Page numbers are "
                    "deprecated; follow `next` (a cursor) from the first page instead.",
                    pages,
                )
                % {"page": int(raw), "pages": pages, "size": size}
            ) from None

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        return Response(
            OrderedDict(
                [
                    ("count", self.page.paginator.count),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }


class ReportCursors(BasePagination):
    """Keyset paging on (published_at, id), served by the index ``report_review_published``: page 10,000 costs
    what page 1 costs. Search results (``q``) are ranked, so their cursor holds a position instead."""

    cursor_query_param = "cursor"

    def __init__(self) -> None:
        self.next_cursor: str | None = None
        self.base_url = ""

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        size = positive_int(request, "page_size", default=settings.API_PAGE_SIZE, maximum=settings.API_MAX_PAGE_SIZE)
        raw = request.query_params.get(self.cursor_query_param)
        cursor = decode_cursor(raw, param=self.cursor_query_param) if raw else {}
        self.base_url = request.build_absolute_uri()
        ranked = bool(getattr(view, "is_search", False))
        ascending = not ranked and request.query_params.get("ordering") == "published_at"
        if ranked:
            offset = cursor.get("o", 0)
            if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0 or set(cursor) - {"o"}:
                raise ValidationError({self.cursor_query_param: [gettext("Invalid cursor for this search.")]})
            rows = list(queryset[offset : offset + size + 1])
            if len(rows) > size:
                self.next_cursor = encode_cursor({"o": offset + size})
        else:
            order = ("published_at", "id") if ascending else ("-published_at", "-id")
            queryset = queryset.order_by(*order)
            if cursor:
                published, row_id = self._position(cursor)
                # Written as a range on published_at plus a tie-break, not as "p < x OR (p = x AND id < i)": the
                # planner turns the range into bounds on the index scan, while the OR form reads and discards
                # every row before the cursor (500,000 rows deep: 6.5 s instead of 0.2 ms).
                if ascending:
                    queryset = queryset.filter(
                        Q(published_at__gte=published), Q(published_at__gt=published) | Q(id__gt=row_id)
                    )
                else:
                    queryset = queryset.filter(
                        Q(published_at__lte=published), Q(published_at__lt=published) | Q(id__lt=row_id)
                    )
            rows = list(queryset[: size + 1])
            if len(rows) > size:
                last = rows[size - 1]
                self.next_cursor = encode_cursor({"p": last.published_at.isoformat(), "i": last.pk})
        return rows[:size]

    def _position(self, cursor: dict[str, Any]) -> tuple[datetime, int]:
        try:
            published = datetime.fromisoformat(cursor["p"])
            row_id = cursor["i"]
            if published.tzinfo is None or not isinstance(row_id, int) or isinstance(row_id, bool):
                raise ValueError
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                {self.cursor_query_param: [gettext("Invalid cursor: pass back a cursor this API returned, unchanged.")]}
            ) from None
        return published, row_id

    def get_paginated_response(self, data: Any) -> Response:
        next_url = (
            replace_query_param(self.base_url, self.cursor_query_param, self.next_cursor) if self.next_cursor else None
        )
        return Response(OrderedDict([("next", next_url), ("next_cursor", self.next_cursor), ("results", data)]))

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return cursor_page_schema(schema)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a previous page's `next_cursor`; omit for the first page.",
                "schema": {"type": "string"},
                "example": encode_cursor({"p": "2023-10-15T12:00:00+00:00", "i": 42}),
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": "Results per page (default 50; at most 500, larger values are capped).",
                "schema": {"type": "integer", "minimum": 1},
                "example": 100,
            },
        ]


# When page numbers were deprecated (RFC 9745 ``Deprecation: @<unix time>``): they go in the release after.
PAGE_NUMBERS_DEPRECATED = datetime(2026, 12, 1, tzinfo=UTC)
DEPRECATION_DOC = "/api/docs/"


def _field(model: type[Model], path: str) -> Any:
    """The model field at the end of ``a__b__c``."""
    parts = path.split("__")
    field: Any = None
    for position, part in enumerate(parts):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if position < len(parts) - 1:
            model = field.related_model
    return field


def _value(row: Any, path: str) -> Any:
    value = row
    for part in path.split("__"):
        value = None if value is None else getattr(value, "pk" if part == "pk" else part)
    return value.pk if isinstance(value, Model) else value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class Cursors(BasePagination):
    """Keyset paging on any list, in the list's own order (its ``ordering`` or default order, then the primary key,
    so that the order is total): the cursor holds the last row's values of those fields, and the next page is the
    rows after them. Unlike page numbers, a row written between two pages never shifts one in or out of view twice,
    and there is no "page past the end": the last page has ``next: null``. NULLs sort last in either direction.

    ``count`` (rows matching the filters) stays in the answer: clients read it, and the count query was there
    before. ``page`` (the old page numbers) still works for one release, with a ``Deprecation`` header."""

    cursor_query_param = "cursor"
    page_query_param = "page"

    def __init__(self) -> None:
        self.legacy: PageNumbers | None = None
        self.next_cursor: str | None = None
        self.base_url = ""
        self.count = 0

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        if self.page_query_param in request.query_params:
            if self.cursor_query_param in request.query_params:
                raise ValidationError({self.page_query_param: [gettext("Give `cursor` or `page`, not both.")]})
            self.legacy = PageNumbers()
            return list(self.legacy.paginate_queryset(queryset, request, view) or [])
        size = positive_int(request, "page_size", default=settings.API_PAGE_SIZE, maximum=settings.API_MAX_PAGE_SIZE)
        self.base_url = remove_query_param(request.build_absolute_uri(), self.cursor_query_param)
        order = self._order(queryset)
        signature = ",".join(f"-{name}" if desc else name for name, desc in order)
        self.count = queryset.count()
        queryset = queryset.order_by(
            *(F(name).desc(nulls_last=True) if desc else F(name).asc(nulls_last=True) for name, desc in order)
        )
        raw = request.query_params.get(self.cursor_query_param)
        if raw:
            queryset = queryset.filter(self._after(queryset.model, order, signature, raw))
        rows = list(queryset[: size + 1])
        if len(rows) > size:
            last = rows[size - 1]
            self.next_cursor = encode_cursor({"o": signature, "k": [_plain(_value(last, n)) for n, _ in order]})
        return rows[:size]

    @staticmethod
    def _order(queryset: QuerySet[Any]) -> list[tuple[str, bool]]:
        """The list's order as (field path, descending), ending with the primary key."""
        terms = list(queryset.query.order_by) or list(queryset.model._meta.ordering or ())
        order: list[tuple[str, bool]] = []
        for term in terms:
            if isinstance(term, OrderBy) and isinstance(term.expression, F):
                order.append((str(term.expression.name), term.descending))  # type: ignore[attr-defined]
            elif isinstance(term, str) and term != "?":
                order.append((term.lstrip("-"), term.startswith("-")))
            else:  # pragma: no cover - no list orders by an expression today
                raise TypeError(f"cursor paging needs plain field names, not {term!r}")
        pk_names = {"pk", queryset.model._meta.pk.name, queryset.model._meta.pk.attname}
        if not any(name in pk_names for name, _ in order):
            order.append(("pk", bool(order and order[-1][1])))
        return order

    def _after(self, model: type[Model], order: list[tuple[str, bool]], signature: str, raw: str) -> Q:
        """Rows after the cursor's position: for some field, the earlier ones equal and this one later."""
        cursor = decode_cursor(raw, param=self.cursor_query_param)
        if cursor.get("o") != signature:
            raise ValidationError(
                {
                    self.cursor_query_param: [
                        gettext(
                            "This cursor was made for another order of this list: keep `ordering` as it was when "
                            "you got it, or start again without `cursor`."
                        )
                    ]
                }
            )
        keys = cursor.get("k")
        if not isinstance(keys, list) or len(keys) != len(order):
            raise ValidationError(
                {self.cursor_query_param: [gettext("Invalid cursor: pass back a cursor this API returned.")]}
            )
        values: list[Any] = []
        for (name, _), key in zip(order, keys, strict=True):
            try:
                if key is None:
                    values.append(None)
                    continue
                if isinstance(key, str) and "\x00" in key:  # PostgreSQL refuses NUL in text: ours never hold one
                    raise ValueError
                field = _field(model, name)
                value = field.to_python(key)
                field.run_validators(value)  # integers within the column's range, among others
                values.append(value)
            except (DjangoValidationError, FieldDoesNotExist, TypeError, ValueError):
                raise ValidationError(
                    {self.cursor_query_param: [gettext("Invalid cursor: pass back a cursor this API returned.")]}
                ) from None
        after = Q(pk__in=[])
        equal = Q()
        for (name, desc), value in zip(order, values, strict=True):
            if value is not None:  # nothing sorts after a NULL in its own field: NULLs are last
                later = Q(**{f"{name}__lt" if desc else f"{name}__gt": value}) | Q(**{f"{name}__isnull": True})
                after |= equal & later
            equal &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
        return after

    def get_paginated_response(self, data: Any) -> Response:
        if self.legacy is not None:
            response = self.legacy.get_paginated_response(data)
            response["Deprecation"] = f"@{int(PAGE_NUMBERS_DEPRECATED.timestamp())}"
            response["Link"] = f'<{DEPRECATION_DOC}>; rel="deprecation"'
            return response
        next_url = (
            replace_query_param(self.base_url, self.cursor_query_param, self.next_cursor) if self.next_cursor else None
        )
        response = Response(
            OrderedDict(
                [("count", self.count), ("next", next_url), ("next_cursor", self.next_cursor), ("results", data)]
            )
        )
        if next_url:
            response["Link"] = f'<{next_url}>; rel="next"'
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return cursor_page_schema(schema, counted=True)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque position from a previous page's `next_cursor`; omit for the first page. "
                "Keep `ordering` and the filters as they were.",
                "schema": {"type": "string"},
                "example": encode_cursor({"o": "name,pk", "k": ["Rafah", 7]}),
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": "Results per page (default 50; at most 500, larger values are capped).",
                "schema": {"type": "integer", "minimum": 1},
                "example": 100,
            },
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "deprecated": True,
                "description": "Deprecated (answers carry a `Deprecation` header); removed in the next release. "
                "A page number from 1; the answer then has `count`, `next` and `previous` page links.",
                "schema": {"type": "integer", "minimum": 1},
                "example": 2,
            },
        ]


def without_param(url: str, param: str) -> str:
    return remove_query_param(url, param)
