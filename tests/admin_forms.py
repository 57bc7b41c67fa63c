"""Build the POST an editor's browser would send from an admin change page, so tests edit as people do."""

from __future__ import annotations

from typing import Any

from django.forms import MultiWidget


def _put(data: dict[str, Any], form: Any, name: str) -> None:
    bound = form[name]
    value = bound.value()
    key = bound.html_name
    widget = form.fields[name].widget
    if hasattr(widget, "widget") and isinstance(getattr(widget, "widget", None), MultiWidget):
        widget = widget.widget  # admin's related-field wrapper
    if isinstance(widget, MultiWidget):
        parts = widget.decompress(value) if not isinstance(value, list) else value
        for i, part in enumerate(parts):
            if part not in (None, ""):
                data[f"{key}_{i}"] = str(part)
        return
    if value is None:
        return
    if isinstance(value, bool):
        if value:
            data[key] = "on"
    elif isinstance(value, (list, tuple)):
        data[key] = [str(v) for v in value]
    else:
        data[key] = str(value)


def change_form_data(response: Any) -> dict[str, Any]:
    """Every field of the page's main form and inline forms, as currently shown."""
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for name in form.fields:
        _put(data, form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for sub in formset.forms:
            for name in sub.fields:
                _put(data, sub, name)
    return data


def inline_prefix(response: Any, verbose_name_plural_start: str) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if str(inline.opts.verbose_name_plural).startswith(verbose_name_plural_start):
            return inline.formset.prefix
    raise AssertionError(f"no inline titled {verbose_name_plural_start!r}")
