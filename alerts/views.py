"""The alerts page (follow crossings by e-mail, manage feed keys) and the one-click unsubscribe from a message."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tracker.models import Crisis, Crossing
from tracker.pages.access import is_editor, may_read
from tracker.pages.templatetags import namer

from . import mail, selectors, services
from .forms import FeedTokenForm, SubscriptionForm
from .models import FeedToken
from .outbox import outbox_dir

NEW_KEY_SESSION = "alerts_new_feed_key"
View = Callable[..., HttpResponseBase]


def member(view: View) -> View:
    """Signed-in analysts and editors only: alerts belong to an account."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_read(request.user):
            return render(request, "tracker/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _feed_urls(request: HttpRequest, key: str, crossings: list[Crossing]) -> list[tuple[str, str]]:
    """The addresses of a new key's feeds, written in the reader's language (``?lang=``; none for English)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    query = "" if language == settings.LANGUAGE_CODE else f"?lang={language}"

    def address(path: str) -> str:
        return request.build_absolute_uri(path) + query

    urls = [(gettext("Every crossing"), address(reverse("alerts:feed_all", args=[key])))]
    for crossing in crossings:
        path = reverse("alerts:feed_crossing", args=[key, crossing.slug])
        urls.append((namer(request, "crossing")(crossing), address(path)))
    for crisis in Crisis.objects.order_by("name"):
        path = reverse("alerts:feed_crisis", args=[key, crisis.slug])
        label = gettext("%(crisis)s (every crossing of the crisis)") % {"crisis": crisis.name}
        urls.append((label, address(path)))
    return urls


def _page(request: HttpRequest, form: SubscriptionForm | None = None, status: int = 200) -> HttpResponse:
    subscriptions = list(selectors.subscriptions_of(request.user))
    name = namer(request, "crossing")  # as the pages name them: by their alias in the reader's language
    followed: dict[int, dict[str, Any]] = {}
    for sub in subscriptions:
        entry = followed.setdefault(
            sub.crossing_id,
            {
                "crossing": sub.crossing,
                "name": name(sub.crossing),
                "kinds": [],
                "delivery": sub.get_delivery_display(),
            },
        )
        entry["kinds"].append(sub.get_traffic_display())
    new_key = request.session.pop(NEW_KEY_SESSION, None)
    crossings = [item["crossing"] for item in followed.values()]
    context = {
        "form": form or SubscriptionForm(),
        "token_form": FeedTokenForm(),
        "followed": list(followed.values()),
        "tokens": list(selectors.feed_tokens_of(request.user)),
        "new_key": new_key,
        "feed_urls": _feed_urls(request, new_key, crossings) if new_key else [],
        "key_placeholder": "YOUR-FEED-KEY",
        "example_feed": reverse("alerts:feed_all", args=["YOUR-FEED-KEY"]),
        "has_email": bool(getattr(request.user, "email", "")),
        # Under `make run` mail goes to files: editors can read what was sent.
        "outbox_url": reverse("alerts-outbox") if outbox_dir() is not None and is_editor(request.user) else "",
    }
    return render(request, "alerts/manage.html", context, status=status)


@require_safe
@member
def manage(request: HttpRequest) -> HttpResponseBase:
    return _page(request)


@require_POST
@member
def subscribe(request: HttpRequest) -> HttpResponseBase:
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        services.subscription_set(
            user=request.user,
            crossing=form.cleaned_data["crossing"],
            traffic=form.cleaned_data["traffic"],
            delivery=form.cleaned_data["delivery"],
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _page(request, form, status=400)
    crossing = form.cleaned_data["crossing"]
    followed = namer(request, "crossing")(crossing)
    messages.success(request, gettext("You follow %(crossing)s by e-mail.") % {"crossing": followed})
    return redirect("alerts:manage")


@require_POST
@member
def unfollow(request: HttpRequest, crossing_id: int) -> HttpResponseBase:
    if not services.subscription_delete(user=request.user, crossing_id=crossing_id):
        raise Http404("You do not follow that crossing.")
    messages.success(request, gettext("You no longer follow that crossing."))
    return redirect("alerts:manage")


@require_POST
@member
def token_create(request: HttpRequest) -> HttpResponseBase:
    form = FeedTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400)
    created = services.feed_token_create(user=request.user, label=form.cleaned_data["label"])
    request.session[NEW_KEY_SESSION] = created.key
    return redirect("alerts:manage")


@require_POST
@member
def token_revoke(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        services.feed_token_revoke(user=request.user, token_id=pk)
    except FeedToken.DoesNotExist:
        raise Http404("No such feed key.") from None
    messages.success(request, gettext("The feed key is revoked: feeds opened with it now answer “not found”."))
    return redirect("alerts:manage")


@require_POST
@member
def token_rotate(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        created = services.feed_token_rotate(user=request.user, token_id=pk)
    except FeedToken.DoesNotExist:
        raise Http404("No such feed key.") from None
    request.session[NEW_KEY_SESSION] = created.key
    messages.success(request, gettext("A new key replaces the old one, which no longer works."))
    return redirect("alerts:manage")


# The link in every message works signed out: the signed token is the proof. GET shows one button; POST (that
# button, or a mail client's RFC 8058 one-click POST, which carries no CSRF token) unsubscribes. A GET never
# unsubscribes, so link scanners that open every URL in a message cannot stop someone's alerts.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponseBase:
    user_id = mail.unsubscribe_user_id(token, email_of=services.user_email_of)
    if user_id is None:
        return render(request, "alerts/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.unsubscribe_all(user_id=user_id)
        return render(request, "alerts/unsubscribe.html", {"done": True})
    return render(request, "alerts/unsubscribe.html", {"token": token})
