"""The editors' admin, one module per resource. Configured, not rewritten: every write that carries a rule goes
through ``services``. Importing this package registers every model admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import accords, crossings, events, machinery, reference, reports, sources, suggestions, third_party
from .common import HistoryOfVisibleRowsOnly, ReadOnlyAdmin, VersionedAdmin, may_review, status_badge
from .crossings import LatestFirstFormSet
from .reference import CrisisAdmin
from .sources import SourceAdmin

admin.site.site_header = _("Situation tracker: editors")
admin.site.site_title = _("Situation tracker")
admin.site.index_title = _("Keep the record true")

__all__ = [
    "CrisisAdmin",
    "HistoryOfVisibleRowsOnly",
    "LatestFirstFormSet",
    "ReadOnlyAdmin",
    "SourceAdmin",
    "VersionedAdmin",
    "accords",
    "crossings",
    "events",
    "machinery",
    "may_review",
    "reference",
    "reports",
    "sources",
    "status_badge",
    "suggestions",
    "third_party",
]
