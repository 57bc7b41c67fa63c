"""The alerts page's forms: follow a crossing by e-mail, and name a new feed key."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.models import Crossing
from tracker.pages.forms import NamedInLanguage
from tracker.selectors.names import crossing_names_in

from .models import AlertSubscription


class SubscriptionForm(forms.Form):
    crossing = NamedInLanguage(  # the crossings as the pages name them, by their alias in the reader's language
        queryset=Crossing.objects.order_by("name"),
        names_in=crossing_names_in,
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


class FeedTokenForm(forms.Form):
    label = forms.CharField(
        max_length=100, required=False, label=_("Name it (optional)"), help_text=_("Which feed reader will use it")
    )
