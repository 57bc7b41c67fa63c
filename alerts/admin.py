"""Alerts in the admin: subscriptions, feed keys and deliveries read-only (they belong to their users), and the
file outbox of `make run` at /admin/outbox/."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext

from tracker.pages.access import is_editor

from .models import AlertDelivery, AlertDigest, AlertSubscription, FeedToken
from .outbox import outbox_dir, outbox_messages


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AlertSubscription)
class AlertSubscriptionAdmin(ReadOnly):
    list_display = ["user", "crossing", "traffic", "delivery", "created_at"]
    list_filter = ["delivery", "traffic"]
    list_select_related = ["user", "crossing"]
    search_fields = ["user__username", "crossing__name"]


@admin.register(FeedToken)
class FeedTokenAdmin(ReadOnly):
    list_display = ["prefix", "user", "label", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "prefix"]


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ReadOnly):
    list_display = ["change", "user", "delivery", "state", "attempts", "created_at", "sent_at", "last_error"]
    list_filter = ["state", "delivery"]
    list_select_related = ["user", "change"]
    search_fields = ["user__username"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record that a change was mailed is what keeps it from being mailed again


@admin.register(AlertDigest)
class AlertDigestAdmin(ReadOnly):
    list_display = ["user", "day", "sent_at"]
    list_select_related = ["user"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def outbox_view(request: HttpRequest) -> HttpResponse:
    """Messages the file backend wrote (newest first): what subscribers would have received under `make run`.
    Editors and superusers only: the messages hold each recipient's unsubscribe link."""
    if not is_editor(request.user):
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": gettext("E-mail outbox"),
        "folder": outbox_dir(),
        "outbox": outbox_messages(),
    }
    return TemplateResponse(request, "alerts/outbox.html", context)
