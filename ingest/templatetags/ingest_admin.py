"""Template tags for the admin index: the sources an editor should look at."""

from __future__ import annotations

from django import template
from django.db.models import QuerySet

from tracker.models import Source

from ..selectors import failing_sources as select_failing_sources

register = template.Library()


@register.simple_tag
def failing_sources() -> QuerySet[Source]:
    return select_failing_sources()
