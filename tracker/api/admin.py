"""Admin for partner tokens, webhooks and the webhook delivery log; creation and revocation go through services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApiToken, Webhook, WebhookDelivery

# A token's state in words (``ApiToken.state`` returns the code).
TOKEN_STATES = {"active": _("active"), "revoked": _("revoked"), "expired": _("expired")}

# The new key or secret rides on the request from save_model to response_add, never in a message (django's
# message storage is a signed, not encrypted, cookie) nor in the session.
_SECRET_ATTRIBUTE = "_tracker_secret_once"


def secret_once_page(
    request: HttpRequest, obj: Any, *, title: str, intro: str, label: str, secret: str, why: str
) -> TemplateResponse:
    """The page that shows a new token's key or a webhook's secret once, with nothing allowed to keep it."""
    opts = obj._meta
    response = TemplateResponse(
        request,
        "admin/api/secret_once.html",
        {
            "title": title,
            "intro": intro,
            "label": label,
            "secret": secret,
            "why": why,
            "plural": opts.verbose_name_plural.capitalize(),
            "object_label": str(obj),
            "object_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
            "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            "site_header": admin.site.site_header,
            "site_title": admin.site.site_title,
            "has_permission": True,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["partner", "user", "expires_at", "note"]

    def clean_expires_at(self) -> Any:
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and self.instance.pk is None and expires_at <= timezone.now():
            raise forms.ValidationError(gettext("The expiry must be in the future."))
        return expires_at

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            # A token may act for a member of staff (to record statuses), never for anyone else.
            field = self.fields["user"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = get_user_model().objects.filter(is_active=True, is_staff=True)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = ["partner", "prefix", "token_state", "user", "created_at", "expires_at", "last_used_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["partner", "prefix", "note"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at", "revoked_by"]
    actions = ["revoke"]

    @admin.display(description=_("state"))
    def token_state(self, token: ApiToken) -> str:
        return str(TOKEN_STATES[token.state()])

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["partner", "user"]
        return fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the row says who held access, and when

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["expires_at", "note"])
            return
        created = services.token_create(
            partner=obj.partner,
            created_by=request.user,
            expires_at=obj.expires_at,
            user=obj.user,
            note=obj.note,
        )
        obj.pk = created.token.pk
        for name in ("uid", "prefix", "key_hash", "created_at", "created_by_id"):
            setattr(obj, name, getattr(created.token, name))
        obj._state.adding = False
        setattr(request, _SECRET_ATTRIBUTE, created.key)

    def response_add(self, request: HttpRequest, obj: ApiToken, post_url_continue: str | None = None) -> HttpResponse:
        key = getattr(request, _SECRET_ATTRIBUTE, None)
        if key is None:
            return super().response_add(request, obj, post_url_continue)
        return secret_once_page(
            request,
            obj,
            title=gettext("New API token"),
            intro=gettext("The token for %(partner)s has been created. Give it to the partner by a safe channel.")
            % {"partner": obj.partner},
            label=gettext("Token"),
            secret=key,
            why=gettext("only its SHA-256 is stored."),
        )

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.token_revoke(token=token, revoked_by=request.user)
        count = queryset.count()
        message = ngettext(
            "Revoked %(count)s token; its webhooks are stopped.",
            "Revoked %(count)s tokens; their webhooks are stopped.",
            count,
        )
        self.message_user(request, message % {"count": count})


class WebhookForm(forms.ModelForm):
    class Meta:
        model = Webhook
        fields = ["token", "url", "description", "active"]

    def clean_token(self) -> ApiToken:
        token = self.cleaned_data["token"]
        if self.instance.pk is None and token.state() != "active":
            raise forms.ValidationError(gettext("This token is revoked or expired."))
        return token

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if self.instance.pk is None or url != self.instance.url:
            try:
                services.webhook_check_url(url)
            except ValidationError as exc:
                raise forms.ValidationError(exc.message_dict.get("url", exc.messages)) from None
        return url


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["url", "token", "active", "is_paused", "failures_in_a_row", "paused_at", "cursor", "created_at"]
    list_filter = ["active", ("paused_at", admin.EmptyFieldListFilter)]
    search_fields = ["url", "token__partner", "description"]
    readonly_fields = ["uid", "cursor", "created_at", "failures_in_a_row", "paused_at", "paused_reason"]
    actions = ["resume"]
    autocomplete_fields = ["token"]

    def save_model(self, request: HttpRequest, obj: Webhook, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["url", "description", "active"])
            return
        created = services.webhook_register(token=obj.token, url=obj.url, description=obj.description)
        obj.pk = created.webhook.pk
        for name in ("uid", "secret", "cursor", "created_at", "active"):
            setattr(obj, name, getattr(created.webhook, name))
        obj._state.adding = False
        setattr(request, _SECRET_ATTRIBUTE, created.secret)

    def response_add(self, request: HttpRequest, obj: Webhook, post_url_continue: str | None = None) -> HttpResponse:
        secret = getattr(request, _SECRET_ATTRIBUTE, None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        return secret_once_page(
            request,
            obj,
            title=gettext("New webhook"),
            intro=gettext(
                "The webhook to %(url)s has been registered. Give its signing secret to the partner by a safe "
                "channel: they verify the X-Tracker-Signature header of each delivery with it."
            )
            % {"url": obj.url},
            label=gettext("Signing secret"),
            secret=secret,
            why=gettext("the partner needs it, and the page is not kept by any cache."),
        )

    @admin.display(description=_("paused"), boolean=True)
    def is_paused(self, webhook: Webhook) -> bool:
        return webhook.paused

    @admin.action(description=_("Resume the selected paused webhooks"), permissions=["change"])
    def resume(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        paused = [webhook for webhook in queryset if webhook.paused]
        for webhook in paused:
            services.webhook_resume(webhook=webhook)
        message = ngettext(
            "Resumed %(count)s webhook; its waiting deliveries are due now.",
            "Resumed %(count)s webhooks; their waiting deliveries are due now.",
            len(paused),
        )
        self.message_user(request, message % {"count": len(paused)})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: what was sent where, how often it was tried, and what came back."""

    list_display = [
        "created_at",
        "webhook",
        "change",
        "state",
        "attempts",
        "last_status",
        "last_error",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["state", "webhook"]
    search_fields = ["webhook__url", "last_error"]
    list_select_related = ["webhook__token", "change"]
    # Every field but the row id, which Django labels in English only; the public id names the row.
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields if field.name != "id"]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Try the selected deliveries again now"), permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        for delivery in queryset:
            services.delivery_retry_now(delivery=delivery)
        self.message_user(request, gettext("Queued again; the next sweep (within a minute) sends them."))
