"""The open-data pages (the list of datasets, one page per dataset) and the ``datapackage.json`` descriptors.

All of it is public and all of it is a 404 while ``OPEN_DATA`` is off. The files themselves are in ``downloads``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from rest_framework.request import Request
from rest_framework.viewsets import ViewSetMixin

from tracker.api.throttling import rate_limit_headers

from . import package
from .datasets import BY_SLUG, DATASETS, Dataset
from .downloads import OpenDataThrottle

HXL_PROXY = "https://proxy.hxlstandard.org/data?url="


def _open(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Public, and so throttled per address like the files: the pages and descriptors draw from the same bucket
    (a ``datapackage.json`` costs a score of queries, and nobody signs in to ask for it)."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.OPEN_DATA:
            raise Http404("Open data is off on this server.")
        throttle = OpenDataThrottle()
        if not throttle.allow_request(Request(request), None):
            wait = max(1, math.ceil(throttle.wait() or 1))
            refused = HttpResponse(
                f"Too many requests from this address: try again in {wait} seconds.\n",
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            refused["Retry-After"] = str(wait)
            rate_limit_headers(request, refused)
            return refused
        response = view(request, *args, **kwargs)
        rate_limit_headers(request, response)
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return require_safe(wrapped)


def _dataset(slug: str) -> Dataset:
    try:
        return BY_SLUG[slug]
    except KeyError:
        raise Http404("No such dataset.") from None


def _as_view(view: type[Any]) -> Callable[..., HttpResponse]:
    """A view set answers GET with ``list``; a plain API view has its own ``get``."""
    return view.as_view({"get": "list"}) if issubclass(view, ViewSetMixin) else view.as_view()


# Each file's view, made once.
_CSV = {dataset.slug: _as_view(dataset.csv_view) for dataset in DATASETS}
_GEOJSON = {dataset.slug: _as_view(dataset.geojson_view) for dataset in DATASETS if dataset.geojson_view}


def csv_file(request: HttpRequest, slug: str) -> HttpResponse:
    """A dataset's CSV with its HXL row (the view itself answers 404 while open data is off)."""
    if slug not in _CSV:
        raise Http404("No such dataset.")
    return _CSV[slug](request)


def geojson_file(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in _GEOJSON:
        raise Http404("No such dataset, or none with a GeoJSON file.")
    return _GEOJSON[slug](request)


def _descriptor(data: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    # Data Package readers (HDX, frictionless, data.world) fetch this from other origins' pages too.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@_open
def index(request: HttpRequest) -> HttpResponse:
    """Every dataset, with its files and the package that describes them all."""
    rows = [{"dataset": dataset, "updated": package.last_updated(dataset)} for dataset in DATASETS]
    return render(
        request,
        "opendata/index.html",
        {
            "rows": rows,
            "license": package.LICENSE,
            "update_frequency": package.UPDATE_FREQUENCY_NOTE,
            "update_frequency_short": package.UPDATE_FREQUENCY,
        },
    )


@_open
def dataset_page(request: HttpRequest, slug: str) -> HttpResponse:
    """What HDX asks of a dataset: title, description, licence, source, update frequency, last update, files."""
    dataset = _dataset(slug)
    csv_url = request.build_absolute_uri(reverse("opendata:csv", args=[slug]))
    geojson_url = request.build_absolute_uri(reverse("opendata:geojson", args=[slug])) if dataset.geojson_view else None
    columns = [
        {"name": column.header, "type": package.field_type(column), "hxl": column.hxl}
        for column in package.columns(dataset)
    ]
    context = {
        "dataset": dataset,
        "updated": package.last_updated(dataset),
        "csv_url": csv_url,
        "geojson_url": geojson_url,
        "package_url": request.build_absolute_uri(reverse("opendata:dataset-package", args=[slug])),
        "hxl_proxy_url": HXL_PROXY + quote(csv_url, safe=""),
        "columns": columns,
        "license": package.LICENSE,
        "license_note": package.LICENSE_NOTE,
        "update_frequency": package.UPDATE_FREQUENCY_NOTE,
        "update_frequency_short": package.UPDATE_FREQUENCY,
        "sources": package.cited_sources(),
        "publisher": settings.OPEN_DATA_PUBLISHER,
        "throttle_rate": settings.OPEN_DATA_THROTTLE_RATE,
    }
    return render(request, "opendata/dataset.html", context)


@_open
def full_package(request: HttpRequest) -> JsonResponse:
    return _descriptor(package.full_package(request.build_absolute_uri))


@_open
def dataset_package(request: HttpRequest, slug: str) -> JsonResponse:
    return _descriptor(package.dataset_package(_dataset(slug), request.build_absolute_uri))
