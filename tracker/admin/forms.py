"""Forms behind the editors' admin: stale-edit protection and the forms that feed the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import services
from ..models import AidDispute, CrossingStatus, EvacuationAgreement


class VersionedForm(forms.ModelForm):
    """Refuses the save of a form opened before someone else saved the same row.

    The version the editor loaded travels in a hidden field. On save, the row is locked (the admin wraps the
    whole save in one transaction, so the lock holds until the save commits) and its version compared: a
    mismatch means the form is stale, and nothing is written.
    """

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False, label=_("Edit version"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["edit_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None:
            return cleaned
        model = type(self.instance)
        current = (
            model._default_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current is None:
            raise ValidationError(gettext("This record was deleted by someone else while you were editing it."))
        if cleaned.get("edit_version") != current:
            raise ValidationError(self._stale_message(), code="stale")
        self._locked_version = current
        return cleaned

    def _stale_message(self) -> str:
        who = gettext("someone else")
        history = getattr(self.instance, "history", None)
        latest = history.first() if history is not None else None
        if latest is not None and latest.history_user is not None:
            when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M")
            who = gettext("%(user)s (at %(moment)s)") % {"user": latest.history_user.get_username(), "moment": when}
        return gettext(
            "This %(record)s was changed by %(who)s after you opened it. Your changes were not saved. Open it again "
            "to see the current version, then make your changes."
        ) % {"record": self.instance._meta.verbose_name, "who": who}

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        locked = getattr(self, "_locked_version", None)
        if locked is not None:
            self.instance.version = locked + 1


class RecordStatusForm(forms.ModelForm):
    """A new status row for a crossing; checked by the same rule as ``services.crossing_record_status``."""

    class Meta:
        model = CrossingStatus
        fields = ["status", "traffic", "effective_at", "certainty", "report", "stated_by", "note"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.has_changed():
            return cleaned
        try:
            services.crossing_status_check(
                effective_at=cleaned.get("effective_at"), report=cleaned.get("report"), note=cleaned.get("note", "")
            )
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]
        return cleaned

    def _post_clean(self) -> None:
        # The row is written by the service, not by the form; model validation here would demand recorded_at.
        pass


class StandaloneStatusForm(RecordStatusForm):
    class Meta(RecordStatusForm.Meta):
        fields = ["crossing", *RecordStatusForm.Meta.fields]


class AccordForm(VersionedForm):
    """A dispute or agreement; a change of state is written as a history row by ``services.accord_change_state``."""

    state_effective_at = forms.DateTimeField(
        required=False,
        label=_("State changed at"),
        help_text=_("When the new state took effect in the world. Empty: now (or the start date, for a new record)."),
    )
    state_note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=_("Why the state changed")
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        moment = cleaned.get("state_effective_at")
        if moment is not None and self.instance.pk is not None and "state" in self.changed_data:
            try:
                services.accord_check_effective_at(self.instance, moment)
            except ValidationError as error:
                self.add_error("state_effective_at", error.messages)
        return cleaned


class AidDisputeForm(AccordForm):
    class Meta:
        model = AidDispute
        fields = ["name", "slug", "crisis", "subject", "summary", "parties", "crossings", "opened_on", "state"]


class EvacuationAgreementForm(AccordForm):
    class Meta:
        model = EvacuationAgreement
        fields = [
            "name",
            "slug",
            "crisis",
            "summary",
            "terms",
            "crossings",
            "announced_on",
            "starts_on",
            "ends_on",
            "state",
        ]
