"""Content negotiation: ``?format=`` wins over ``Accept``; a format the endpoint does not offer is a 400 naming
the parameter, not a 404."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class ApiContentNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> Any:
        requested = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if requested:
            renderers = list(renderers)
            offered = [str(renderer.format) for renderer in renderers]
            if requested not in offered:
                raise ValidationError(
                    {self.settings.URL_FORMAT_OVERRIDE: [f"This endpoint offers: {', '.join(offered)}."]}
                )
        return super().select_renderer(request, renderers, format_suffix)
