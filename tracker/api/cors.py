"""CORS (django-cors-headers) for reading only: a browser tool on an allowed origin may GET and HEAD the API and
its schema, never write. Preflights offer GET and HEAD alone; an answer to any other method carries no
Access-Control-* header, so even a "simple" cross-origin POST cannot read what came back."""

from __future__ import annotations

from corsheaders.middleware import CorsMiddleware
from django.http import HttpRequest

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadOnlyCorsMiddleware(CorsMiddleware):
    def is_enabled(self, request: HttpRequest) -> bool:
        return request.method in READ_METHODS and super().is_enabled(request)
