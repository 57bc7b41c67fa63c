"""The open-data files: the partner API's own list views, answered without a token.

Each download is a subclass of the API view that serves the same list, so the columns, the HXL row, the GeoJSON
features, the visibility rule (only reports an editor marked relevant are ever named) and the validators
(ETag, Last-Modified, 304) are those of the API, never a copy. What changes: nobody is authenticated (a token or
a session sent along is ignored, so every caller counts by address), anyone may read, the format is the file's
(``.csv`` or ``.geojson``, whatever ``Accept`` says: HXL Proxy and QGIS send what they like), and the rate is
``OPEN_DATA_THROTTLE_RATE`` per client address (``tracker.security.client_ip``: proxies as TRUSTED_PROXY_COUNT says).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.cache import patch_cache_control
from rest_framework.authentication import BaseAuthentication
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from tracker.api import views as api
from tracker.api.renderers import CSVRenderer, GeoJSONRenderer
from tracker.api.throttling import PartnerRateThrottle
from tracker.models import CrossingStatus
from tracker.selectors.status import status_history_all

EXPOSED_HEADERS = ("ETag", "Last-Modified", "Retry-After", "RateLimit", "RateLimit-Policy", "Content-Disposition")


class OpenDataThrottle(PartnerRateThrottle):
    """The API's atomic counter, one bucket per client address, at the open-data rate."""

    scope = "opendata"

    def get_rate(self) -> str | None:
        return settings.OPEN_DATA_THROTTLE_RATE or None

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": f"addr:{self.get_ident(request)}"}


class FileFormat(BaseContentNegotiation):
    """The URL names the file; the one renderer the view offers is the answer."""

    def select_parser(self, request: Request, parsers: Iterable[Any]) -> Any:
        return None

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, str(renderer.media_type)


class OpenDataFile(api.ApiMixin):
    """Put before an API list view: public, per-address throttled, one format, 404 while OPEN_DATA is off."""

    authentication_classes: Sequence[type[BaseAuthentication]] = ()
    permission_classes: Sequence[type[BasePermission]] = (AllowAny,)
    throttle_classes: Sequence[type[BaseThrottle]] = (OpenDataThrottle,)
    content_negotiation_class: type[BaseContentNegotiation] = FileFormat
    http_method_names: list[str] = ["get", "head", "options"]
    file_renderer: type[BaseRenderer] = CSVRenderer

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not settings.OPEN_DATA:
            raise Http404("Open data is off on this server.")
        return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        # The same file for everyone (nobody is authenticated here), so shared caches may keep it and check back
        # with the ETag, and any web page may read it: no cookie or token is ever read, so nothing is exposed.
        if "Vary" in response:
            del response["Vary"]
        patch_cache_control(response, public=True, no_cache=True)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
        return response

    def is_list(self) -> bool:
        return True

    def get_renderers(self) -> list[BaseRenderer]:
        return [self.file_renderer()]


class CrossingsCsv(OpenDataFile, api.CrossingViewSet):
    csv_filename = "crossings"


class CrossingsGeoJson(OpenDataFile, api.CrossingViewSet):
    file_renderer = GeoJSONRenderer


class StatusHistoryCsv(OpenDataFile, api.CrossingHistoryView):
    """Every crossing's history in one file (the API pages it per crossing)."""

    csv_filename = "status-history"

    def get_queryset(self) -> QuerySet[CrossingStatus]:
        return status_history_all()

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return self.list(request)


class FlowsCsv(OpenDataFile, api.FlowViewSet):
    csv_filename = "flows"


class DisputesCsv(OpenDataFile, api.AidDisputeViewSet):
    csv_filename = "aid-disputes"


class AgreementsCsv(OpenDataFile, api.EvacuationAgreementViewSet):
    csv_filename = "evacuation-agreements"
