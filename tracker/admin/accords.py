"""Aid disputes and evacuation agreements: a change of state is a history row written by the service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import (
    AgreementEligibility,
    AgreementParty,
    AidDispute,
    AidDisputeStateChange,
    EvacuationAgreement,
    EvacuationAgreementStateChange,
)
from .common import (
    VersionedAdmin,
)
from .forms import (
    AidDisputeForm,
    EvacuationAgreementForm,
)


class StateChangeInline(admin.TabularInline):
    fields = ("effective_at", "from_state", "to_state", "note", "report", "recorded_at", "recorded_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-effective_at", "-recorded_at", "-id")
    verbose_name_plural = _("State history (change the state above to add a row)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DisputeHistoryInline(StateChangeInline):
    model = AidDisputeStateChange


class AgreementHistoryInline(StateChangeInline):
    model = EvacuationAgreementStateChange


class AccordAdmin(VersionedAdmin):
    """Shared by disputes and agreements: a change of ``state`` becomes a history row via the service."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        moment = form.cleaned_data.get("state_effective_at")
        note = form.cleaned_data.get("state_note", "")
        if not change:
            services.accord_create(entity=obj, created_by=request.user, effective_at=moment, note=note)
            return
        new_state = obj.state
        state_changed = "state" in form.changed_data
        if state_changed:
            obj.state = form.initial["state"]  # the service moves it, with its history row
        super().save_model(request, obj, form, change)
        if state_changed:
            services.accord_change_state(
                entity=obj, to_state=new_state, changed_by=request.user, effective_at=moment, note=note
            )


@admin.register(AidDispute)
class AidDisputeAdmin(AccordAdmin):
    form = AidDisputeForm
    list_display = ("name", "crisis", "subject", "state", "opened_on", "resolved_on")
    list_filter = ("state", "subject", "crisis")
    search_fields = ("name", "summary", "slug")
    autocomplete_fields = ("crisis", "parties", "crossings")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("resolved_on",)
    fieldsets = [
        (None, {"fields": ["name", "slug", "crisis", "subject", "summary", "parties", "crossings", "opened_on"]}),
        (_("State"), {"fields": ["state", "state_effective_at", "state_note", "resolved_on"]}),
    ]
    inlines = [DisputeHistoryInline]


class PartyInline(admin.TabularInline):
    model = AgreementParty
    extra = 1
    autocomplete_fields = ("actor",)


class EligibilityInline(admin.TabularInline):
    model = AgreementEligibility
    extra = 1


@admin.register(EvacuationAgreement)
class EvacuationAgreementAdmin(AccordAdmin):
    form = EvacuationAgreementForm
    list_display = ("name", "crisis", "state", "announced_on", "starts_on", "ends_on")
    list_filter = ("state", "crisis")
    search_fields = ("name", "summary", "terms", "slug")
    autocomplete_fields = ("crisis", "crossings")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = [
        (None, {"fields": ["name", "slug", "crisis", "summary", "terms", "crossings"]}),
        (_("Dates"), {"fields": ["announced_on", "starts_on", "ends_on"]}),
        (_("State"), {"fields": ["state", "state_effective_at", "state_note"]}),
    ]
    inlines = [PartyInline, EligibilityInline, AgreementHistoryInline]
