"""What every endpoint of the partner API does the same way: ``ApiMixin`` (authentication, permissions,
throttling, formats, the one error shape, refusal of unknown query parameters, ETag / Last-Modified with 304 and
the answer cache) and the list view set built on it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from tracker import caching, moments

from .. import filters
from ..conditional import VARY, conditional, data_watermark, settled, version_etag
from ..pagination import Cursors, PageNumbers, ReportCursors
from ..renderers import CsvColumn, CSVRenderer, ORJSONRenderer, csv_lines
from ..throttling import rate_limit_headers

FORMAT_PARAM = "format"


# What a cached answer holds: (content type, body, watermark). Part of the key, so that a deployment that changes
# it never reads another's entries.
ANSWER_SHAPE = 3


class CachedAnswer(HttpResponse):
    """A body from the answer cache; finished like a fresh one (headers, ETag, 304)."""


def parse_as_of(request: Request) -> datetime | None:
    """``?as_of=`` read as the pages read it (``tracker.moments``): None when absent or empty (now); unreadable or
    in the future, a 400 ``{"as_of": [...]}`` with the pages' message."""
    try:
        return moments.parse_as_of(request.query_params.get(moments.PARAM))
    except moments.BadMoment as error:
        raise ValidationError({moments.PARAM: [error.message]}) from None


class ApiMixin(GenericAPIView):
    """Everything every endpoint does the same way. Authentication (bearer token, staff session), read
    permission, per-token throttling and content negotiation are the REST_FRAMEWORK defaults in settings."""

    list_renderers: Sequence[type] = (ORJSONRenderer, CSVRenderer)
    detail_renderers: Sequence[type] = (ORJSONRenderer,)
    # Tables (with django-simple-history) whose writes change what this endpoint shows.
    watermark_models: Sequence[type[Model]] = ()
    # Query parameters of this endpoint besides its filters, paging and ordering.
    extra_params: frozenset[str] = frozenset()
    csv_filename = "export"
    # JSON and GeoJSON answers to GET are cached under the record's version (tracker/caching.py): the same URL
    # and format give the same body to every reader until the record changes. False where they would not.
    cache_answers = True
    answer_key: str | None = None

    def is_list(self) -> bool:
        return getattr(self, "action", None) == "list"

    def get_renderers(self) -> list[Any]:
        request = getattr(self, "request", None)
        if request is not None and request.method not in {"GET", "HEAD", "OPTIONS"}:
            # A write answers with the row it wrote, in JSON: asking for it as CSV (`?format=csv` on a POST) is a
            # 400 from negotiation, before anything is written, never a CSV of one row's JSON.
            return [ORJSONRenderer()]
        return [renderer() for renderer in (self.list_renderers if self.is_list() else self.detail_renderers)]

    def allowed_params(self) -> set[str]:
        names = {FORMAT_PARAM, *self.extra_params}
        if self.is_list():
            filterset = getattr(self, "filterset_class", None)
            if filterset is not None:
                names |= set(filterset.base_filters)
            paginator = getattr(self, "pagination_class", None)
            if paginator is PageNumbers:
                names |= {"page", "page_size"}
            elif paginator is ReportCursors:
                names |= {"cursor", "page_size"}
            elif paginator is Cursors:
                names |= {"cursor", "page", "page_size"}
            if getattr(self, "ordering_fields", None):
                names.add("ordering")
        return names

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method in {"GET", "HEAD"}:
            unknown = sorted(set(request.query_params) - self.allowed_params())
            if unknown:
                allowed = ", ".join(sorted(self.allowed_params()))
                message = gettext("Unknown parameter. This endpoint takes: %(allowed)s.") % {"allowed": allowed}
                raise ValidationError({name: [message] for name in unknown})
            self.answer_from_cache(request)

    def answer_from_cache(self, request: Request) -> None:
        """After authentication, permissions, throttling and parameter checks: when this exact answer is cached,
        the handler is replaced by one that returns it (CSV exports are streamed, never cached)."""
        if not self.cache_answers or self.wants("csv"):
            return
        self.answer_key = caching.answer_key(
            "api", ANSWER_SHAPE, type(self).__name__, request.build_absolute_uri(), request.accepted_media_type
        )
        cached = caching.answer_get(self.answer_key) if self.answer_key else None
        if cached is not None:
            content_type, body, self.watermark = cached
            handler = str(request.method).lower()
            setattr(self, handler, lambda *args, **kwargs: CachedAnswer(body, content_type=content_type))

    def answer_valid_until(self) -> datetime | None:
        """Hook: a moment after which the answer just computed may be wrong although nothing was written."""
        return None

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(response, Response) and response.status_code >= 400:
            # Errors are JSON whatever format was asked for: a CSV "file" holding an error would be read as data.
            request.accepted_renderer = ORJSONRenderer()
            request.accepted_media_type = ORJSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        # Every answer may differ by format and by caller, errors included (406, 401): caches must key on both.
        patch_vary_headers(response, VARY)
        if request.method in {"GET", "HEAD"} and response.status_code == 200:
            response = self.with_validators(request, response)
        rate_limit_headers(request._request, response)  # on the 304 too
        return response

    def with_validators(self, request: Request, response: Any) -> Any:
        """ETag and Last-Modified on a 200 of any format; the 304 instead when the request's validators match."""
        if isinstance(response, StreamingHttpResponse):
            version = self.export_version()
            if version is None:
                return response
            parts, moment = version
            etag = version_etag((type(self).__name__, request.build_absolute_uri(), response["Content-Type"], *parts))
            return conditional(request, response, settled(moment), etag=etag)
        if isinstance(response, Response):
            response.render()
            last_modified = self.last_modified()
            if self.answer_key is not None:
                # The watermark is part of the answer: it only moves when the record does.
                answer = (response["Content-Type"], response.content, self.watermark)
                caching.answer_put(self.answer_key, answer, valid_until=self.answer_valid_until())
            return conditional(request, response, last_modified)
        if isinstance(response, CachedAnswer):
            return conditional(request, response, settled(self.watermark))
        return response

    watermark: datetime | None = None

    def export_version(self) -> tuple[tuple[Any, ...], datetime | None] | None:
        """What a streamed export is made from, read before its first row: (parts for its ETag, its last change).

        The record's version (``caching.record_version``: moves with every committed write, where it can be read)
        and the watermark of the tables read (all there is on SQLite and inside a transaction). None: no
        validators (an endpoint whose tables keep no history)."""
        if not self.watermark_models:
            return None
        watermark = data_watermark(self.watermark_models)
        return (caching.record_version(), watermark), watermark

    def last_modified(self) -> datetime | None:
        if not self.watermark_models:
            return None
        self.watermark = data_watermark(self.watermark_models)
        return settled(self.watermark)

    # --- lists ---

    def wants(self, fmt: str) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return getattr(renderer, "format", None) == fmt

    def csv_columns(self) -> Sequence[CsvColumn]:
        raise NotImplementedError

    def csv_rows(self, queryset: QuerySet[Any]) -> Iterable[Any]:
        return queryset.iterator(chunk_size=settings.API_CSV_CHUNK)

    def csv_response(self, rows: Iterable[Any]) -> StreamingHttpResponse:
        """The whole list, not a page, streamed row by row so that a full export never times out."""
        response = StreamingHttpResponse(csv_lines(self.csv_columns(), rows), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}-{stamp}.csv"'
        return response

    def prepare(self, rows: list[Any]) -> list[Any]:
        """Hook: finish a page of rows before serializing (e.g. attach statuses)."""
        return rows

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        queryset = self.filter_queryset(self.get_queryset())
        if self.wants("csv"):
            return self.csv_response(self.csv_rows(queryset))
        page = self.prepare(list(self.paginate_queryset(queryset) or []))
        return self.get_paginated_response(self.rows_data(page))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        [instance] = self.prepare([self.get_object()])
        return Response(self.rows_data([instance])[0])

    def rows_data(self, rows: Sequence[Any]) -> Sequence[Any]:
        """Hook: rows as JSON-ready data; by the serializer unless a view builds them by hand, faster."""
        return list(self.get_serializer(rows, many=True).data)


class ListViewSet(ApiMixin, GenericViewSet):
    pagination_class: type[BasePagination] | None = Cursors
    filter_backends = [DjangoFilterBackend, filters.StrictOrderingFilter]


FORMAT_DESCRIPTION = (
    "Response format. `json` (default), or `csv`: the whole filtered list (not a page), streamed, with an HXL "
    "hashtag row under the header. Same as sending `Accept: text/csv`."
)


def _list_schema(summary: str, description: str, serializer: Any, **extra: Any) -> Any:
    return extend_schema(summary=summary, description=description, responses=serializer, **extra)
