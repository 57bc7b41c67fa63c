"""The alerts page's forms: follow a crossing by e-mail, and name a new feed key."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.models import Crossing

from .models import AlertSubscription


class SubscriptionForm(forms.Form):
    crossing = forms.ModelChoiceField(
        queryset=Crossing.objects.order_by("name"),
        label=_("Crossing"),
        empty_label=_("Choose a crossing"),
        error_messages={"invalid_choice": _("There is no such crossing; pick one from the list.")},
    )
    traffic = forms.MultipleChoiceField(
        choices=AlertSubscription.Traffic.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Kinds of traffic"),
        initial=[AlertSubscription.Traffic.ALL],
        error_messages={"required": _("Choose at least one kind of traffic.")},
    )
    delivery = forms.ChoiceField(
        choices=AlertSubscription.Delivery.choices,
        widget=forms.RadioSelect,
        label=_("How"),
        initial=AlertSubscription.Delivery.IMMEDIATE,
    )

    def __init__(self, *args: Any, names: dict[int, str] | None = None, **kwargs: Any) -> None:
        """``names``: crossing id -> the name the reader reads (its alias in their language); else its own name."""
        super().__init__(*args, **kwargs)
        if names:
            field = self.fields["crossing"]
            field.label_from_instance = lambda crossing: names.get(crossing.pk, crossing.name)  # type: ignore[attr-defined]


class FeedTokenForm(forms.Form):
    label = forms.CharField(
        max_length=100, required=False, label=_("Name it (optional)"), help_text=_("Which feed reader will use it")
    )
