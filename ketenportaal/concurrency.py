"""Optimistic concurrency for edit forms: concurrent edits never silently overwrite each other.

The problem: Anna and Bart both open the edit form of the same partner. Anna saves. Bart, still
looking at the old values, saves a minute later and silently undoes Anna's change.

The remedy, without locks held across page loads:

1. When the form is shown, it carries a hidden *version token*: a hash of the object's current
   values of the fields the form edits (``version_token``).
2. When the form is posted, ``VersionedFormMixin.clean()`` re-reads the row (``SELECT … FOR
   UPDATE`` inside the request's transaction, so a second save waits for the first one to commit)
   and hashes it again. A different hash means someone else changed it since the form was loaded.
3. Then the form is invalid: it gets a non-field error, ``form.conflict`` lists the values that
   are saved *now* (marking those that differ from what the user submitted), and nothing is saved.
   The view re-renders the form with HTTP 422, exactly as for any other validation error.
4. The re-rendered form carries the *new* token, so the user can review and save again on purpose.

Only the fields the form edits count, so a background job touching another column does not cause
false conflicts. The token is not a secret: forging one only lets you overwrite what you could
already overwrite by reloading the page.

Usage::

    class PartnershipEditForm(VersionedFormMixin, PortalModelForm):
        class Meta:
            model = Partnership
            fields = ["status", "role"]

    # view: the usual pattern, nothing extra
    form = PartnershipEditForm(request.POST or None, instance=partnership)
    if request.method == "POST" and form.is_valid():
        form.save()
        ...
    status = 422 if form.errors else 200

    # template, above the fields
    {% include "_conflict.html" %}
    {% include "_form_fields.html" %}

``_form_fields.html`` renders the hidden token field. ``_conflict.html`` shows ``form.conflict``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

VERSION_FIELD = "version_token"


def _raw(instance: models.Model, field: models.Field) -> object:
    """A stable, comparable form of one field's value (FKs by id, files by name)."""
    if field.many_to_many:
        if instance.pk is None:
            return []
        return sorted(obj.pk for obj in getattr(instance, field.name).all())
    value = field.value_from_object(instance)
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def version_token(instance: models.Model, field_names: Iterable[str]) -> str:
    """A hash of the instance's current values of ``field_names``; changes whenever one of them does."""
    opts = instance._meta
    values = {name: _raw(instance, opts.get_field(name)) for name in sorted(field_names)}
    payload = json.dumps([opts.label, instance.pk, values], default=str, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class ConflictingValue:
    """One field as it is saved now, and whether that differs from what the user submitted."""

    label: str
    current: str
    differs: bool


def _display(instance: models.Model, field: models.Field) -> str:
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")()) or "—"
    value = getattr(instance, field.name)
    if field.many_to_many:
        return ", ".join(str(obj) for obj in value.all()) or "—"
    if isinstance(value, FieldFile):
        return value.name or "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return str(value)


def _comparable(value: object) -> object:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or ""
    if value is None or value is False:
        return ""
    if isinstance(value, models.QuerySet):
        return sorted(obj.pk for obj in value)
    return value


class VersionedFormMixin:
    """Mix into a ModelForm (before the form class) to refuse edits of a stale object.

    See the module docstring. After a failed ``is_valid()``, ``form.conflict`` is a list of
    ``ConflictingValue`` when the cause was a concurrent change, else ``None``.
    """

    conflict_message = _(
        "Someone else changed this while you were editing. Nothing was saved. The values saved now are "
        "listed below; check the form and save again to replace them with yours."
    )
    deleted_message = _("Someone else deleted this while you were editing. Nothing was saved.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict: list[ConflictingValue] | None = None
        # Not required: a missing token is treated as a conflict in clean(), with a visible message,
        # rather than as an error on an invisible hidden field.
        self.fields[VERSION_FIELD] = forms.CharField(widget=forms.HiddenInput, required=False)
        if self.instance.pk is not None:
            self.fields[VERSION_FIELD].initial = version_token(self.instance, self.versioned_fields())

    def versioned_fields(self) -> list[str]:
        """The model fields this form edits: a change to any of them is a conflict."""
        model_fields = {f.name for f in self.instance._meta.get_fields() if getattr(f, "concrete", False)}
        return [name for name in self.fields if name in model_fields]

    def _current_row(self) -> models.Model | None:
        model = type(self.instance)
        # No ordering: a model's default ordering may join a nullable relation, and PostgreSQL
        # refuses FOR UPDATE on the nullable side of an outer join.
        queryset = model._base_manager.filter(pk=self.instance.pk).order_by("pk")
        # Lock the row for the rest of the request's transaction: a second concurrent save waits
        # here, then sees the first one's change instead of racing past the check.
        if transaction.get_connection(router.db_for_write(model)).in_atomic_block:
            queryset = queryset.select_for_update()
        return queryset.first()

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None:
            return cleaned_data
        current = self._current_row()
        if current is None:
            self.conflict = []
            raise ValidationError(self.deleted_message, code="deleted")
        names = self.versioned_fields()
        token = version_token(current, names)
        if self.data.get(self.add_prefix(VERSION_FIELD)) == token:
            return cleaned_data
        opts = current._meta
        self.conflict = [
            ConflictingValue(
                # A model field the form fills itself (from fields of its own) has no form field.
                label=str(
                    (self.fields[name].label if name in self.fields else None) or opts.get_field(name).verbose_name
                ),
                current=_display(current, opts.get_field(name)),
                differs=name not in cleaned_data
                or _comparable(cleaned_data[name]) != _comparable(_raw(current, opts.get_field(name))),
            )
            for name in names
        ]
        # Re-render with the new token, so a deliberate second save goes through.
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = token
        raise ValidationError(self.conflict_message, code="conflict")
