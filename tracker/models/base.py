"""Building blocks shared by the tracker's models: public ids, edit versions, slugs and append-only history."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete a history row; corrections are new rows."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are history: record a correction instead of updating")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{self.model.__name__} rows are history and cannot be deleted")

    def bulk_update(self, objs: Any, fields: Any, batch_size: Any = None) -> int:
        raise AppendOnlyError(f"{self.model.__name__} rows are history: record a correction instead of updating")


class AppendOnlyModel(models.Model):
    """A row that is written once and never changed.

    The ORM guard here stops honest mistakes; a database trigger (migration ``0003_append_only_triggers``)
    stops everything else, including raw SQL.
    """

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are history: record a correction instead")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError(f"{type(self).__name__} rows are history and cannot be deleted")


class PublicIdModel(models.Model):
    """A row that partners can address: its UUID goes into URLs, never its sequential primary key."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("public id"))

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """A row editors change; ``version`` lets a stale edit form be refused instead of overwriting."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class SluggedModel(models.Model):
    """A row with a unique slug made from its name (Rafah's is ``rafah``), for page and API URLs."""

    slug = models.SlugField(_("slug"), max_length=120, unique=True, blank=True, allow_unicode=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = unique_slug(type(self), self.slug_source(), exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def slug_source(self) -> str:
        return str(getattr(self, "name", "") or getattr(self, "title", ""))


def unique_slug(model: type[models.Model], text: str, *, exclude_pk: Any = None, max_length: int = 120) -> str:
    """A slug for ``text`` not yet used by ``model``: ``rafah``, then ``rafah-2`` and so on."""
    base = slugify(text)[: max_length - 8].strip("-") or model.__name__.lower()
    candidate, n = base, 1
    others = model._default_manager.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    while others.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def choices_check(
    field: str, choices: type[models.TextChoices], *, name: str, allow_blank: bool = False
) -> models.CheckConstraint:
    """A database check that ``field`` holds one of ``choices`` (Django only validates choices in forms)."""
    values = list(choices.values)
    if allow_blank:
        values.append("")
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": values}), name=name)
