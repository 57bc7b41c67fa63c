"""Partners' webhooks: register, list, remove."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status as http_status
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from .. import exports
from .. import serializers as out
from .. import services as api_services
from ..models import ApiToken, Webhook
from ..pagination import Cursors
from ..permissions import TokenHolder
from ..renderers import CsvColumn
from .common import ApiMixin

# --- webhooks ---------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Your webhooks",
        description="The URLs registered with your token.",
        responses=out.WebhookSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="One of your webhooks", description="A webhook of your token.", responses=out.WebhookSerializer
    ),
    create=extend_schema(
        summary="Register a webhook",
        description='Each new change of the feed is POSTed to the URL as JSON (`{"delivery": uid, "change": '
        '<feed entry>}`), signed: header `X-Tracker-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + '
        "body, keyed with the secret>`. Failed deliveries are retried with growing pauses. The URL must be https "
        "on a public host. The secret is shown only in this response.",
        request=out.WebhookSerializer,
        responses={201: out.WebhookCreatedSerializer},
        examples=[
            OpenApiExample("a receiver", request_only=True, value={"url": "https://partner.example.org/tracker-hook"})
        ],
    ),
    destroy=extend_schema(
        summary="Remove a webhook", description="Stops deliveries to it for good.", responses={204: None}
    ),
    resume=extend_schema(
        summary="Resume a paused webhook",
        description="A webhook whose deliveries failed too many times in a row is paused (`paused: true`); its "
        "deliveries wait. Resuming makes them due at once, each with a fresh count of attempts. Resuming a "
        "webhook that is not paused changes nothing.",
        request=None,
        responses=out.WebhookSerializer,
    ),
)
class WebhookViewSet(ApiMixin, GenericViewSet):
    permission_classes: Sequence[type[BasePermission]] = [TokenHolder]
    cache_answers = False  # each token sees its own
    serializer_class = out.WebhookSerializer
    pagination_class = Cursors
    lookup_field = "uid"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    csv_filename = "webhooks"

    def get_queryset(self) -> QuerySet[Webhook]:
        return Webhook.objects.filter(token=self.token()).order_by("created_at", "id")

    def token(self) -> ApiToken:
        assert isinstance(self.request.auth, ApiToken)  # TokenHolder let only token holders in
        return self.request.auth

    def csv_columns(self) -> Sequence[CsvColumn]:
        return exports.WEBHOOK_COLUMNS

    def create(self, request: Request) -> Response:
        payload = out.WebhookSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        created = api_services.webhook_register(
            token=self.token(), url=payload.validated_data["url"], description=payload.validated_data["description"]
        )
        data = {**out.WebhookSerializer(created.webhook).data, "secret": created.secret}
        location = request.build_absolute_uri(reverse("v1:webhook-detail", kwargs={"uid": created.webhook.uid}))
        # The secret is in this answer only: no cache, no proxy, no browser history may keep it.
        return Response(
            data, status=http_status.HTTP_201_CREATED, headers={"Cache-Control": "no-store", "Location": location}
        )

    @action(detail=True, methods=["post"])
    def resume(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        webhook = api_services.webhook_resume(webhook=self.get_object())
        return Response(out.WebhookSerializer(webhook).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        api_services.webhook_remove(webhook=self.get_object())
        return Response(status=http_status.HTTP_204_NO_CONTENT)
