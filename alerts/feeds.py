"""Atom feeds of status changes (all, one crossing, one crisis), opened by a per-user key in the URL.

Feed readers cannot sign in, so the key stands for the account: a wrong or revoked key, or an account that may no
longer read the pages, is a 404 like any unknown address (nothing says the key once existed).

A feed is written in the language its address asks for (``?lang=ar``; English without it), which the alerts page
puts in the addresses it gives in the reader's language. Feed readers send an Accept-Language of their own, not
the reader's, so it is not followed: an address always gives the same feed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext

from tracker.models import Crisis, Crossing
from tracker.selectors.names import crossing_names_in

from . import services
from .selectors import AlertEntry, entries_from_changes, feed_changes


def _seconds(moment: datetime) -> datetime:
    """The moment as the syndication framework must be given it to write ``2023-10-15T09:30:00Z``, the one form of
    every surface (``tracker.timestamps``): naive UTC, to the second (an aware time is written ``+00:00`` with its
    microseconds)."""
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None)


class SecondsAtom1Feed(Atom1Feed):
    def add_item(self, *args: Any, **kwargs: Any) -> None:
        # The framework makes the entries' times aware again before handing them over: made naive here.
        for name in ("pubdate", "updateddate"):
            if kwargs.get(name) is not None:
                kwargs[name] = _seconds(kwargs[name])
        super().add_item(*args, **kwargs)

    def latest_post_date(self) -> datetime:
        # The feed's own <updated>: the newest entry's, or now for a feed with none.
        return _seconds(super().latest_post_date().replace(tzinfo=UTC))


class StatusChangesFeed(Feed):  # type: ignore[type-arg]
    feed_type = SecondsAtom1Feed
    description_template = "alerts/feed_entry.html"

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        offered = [code for code, _ in settings.LANGUAGES]
        language = request.GET.get("lang", settings.LANGUAGE_CODE)
        if language not in offered:
            return HttpResponseBadRequest(
                f"lang must be one of {', '.join(offered)}, not {language!r}\n", content_type="text/plain"
            )
        with translation.override(language):  # the feed's own xml:lang follows (Feed.language is unset)
            response = super().__call__(request, *args, **kwargs)
        # The URL carries a personal key: no shared cache may keep the answer.
        response["Cache-Control"] = "private, max-age=60"
        return response

    def get_object(self, request: HttpRequest, key: str, slug: str | None = None) -> Any:
        if services.feed_token_user(key=key) is None:
            raise Http404("No such feed.")
        return self.scope(slug)

    def scope(self, slug: str | None) -> Any:
        return None

    def items(self, obj: Any) -> list[AlertEntry]:
        return entries_from_changes(self.changes(obj), as_of=timezone.now())

    def changes(self, obj: Any) -> Any:
        return feed_changes()

    def title(self, obj: Any) -> str:
        return gettext("Situation tracker: every crossing's status changes")

    def link(self, obj: Any) -> str:
        return reverse("pages:dashboard")

    def subtitle(self, obj: Any) -> str:
        return gettext("Statuses recorded by the tracker's editors (never an undecided suggestion), newest first.")

    def item_title(self, item: AlertEntry) -> str:
        return item.title

    def item_link(self, item: AlertEntry) -> str:
        return reverse("pages:crossing", args=[item.crossing.slug])

    def item_guid(self, item: AlertEntry) -> str:
        return f"urn:situation-tracker:change:{item.change_id}"

    def item_guid_is_permalink(self, item: AlertEntry) -> bool:
        return False

    def item_pubdate(self, item: AlertEntry) -> Any:
        # When the tracker published it: a back-dated status recorded today is news today.
        return item.recorded_at

    def item_updateddate(self, item: AlertEntry) -> Any:
        return item.recorded_at

    def item_author_name(self, item: AlertEntry) -> str:
        return item.stated_by or gettext("Situation tracker")

    def item_categories(self, item: AlertEntry) -> list[str]:
        return [item.crossing_name, item.traffic_label, item.status_label]


class CrossingFeed(StatusChangesFeed):
    def scope(self, slug: str | None) -> Crossing:
        return get_object_or_404(Crossing, slug=slug)

    def changes(self, obj: Crossing) -> Any:
        return feed_changes(crossing=obj)

    def title(self, obj: Crossing) -> str:
        name = crossing_names_in(translation.get_language() or settings.LANGUAGE_CODE).get(obj.pk, obj.name)
        return gettext("Situation tracker: %(crossing)s status changes") % {"crossing": name}

    def link(self, obj: Crossing) -> str:
        return reverse("pages:crossing", args=[obj.slug])


class CrisisFeed(StatusChangesFeed):
    def scope(self, slug: str | None) -> Crisis:
        return get_object_or_404(Crisis, slug=slug)

    def changes(self, obj: Crisis) -> Any:
        return feed_changes(crisis=obj)

    def title(self, obj: Crisis) -> str:
        return gettext("Situation tracker: %(crisis)s, status changes of its crossings") % {"crisis": obj.name}

    def link(self, obj: Crisis) -> str:
        return reverse("pages:crisis", args=[obj.slug])
