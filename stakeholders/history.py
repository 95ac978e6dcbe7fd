"""Reading the audit trail (django-auditlog) for an object's *Geschiedenis* section.

Recording happens in auditlog's registry (see each app's audit.py) and its
middleware, which sets the actor; no view writes audit entries by hand.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Model
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    action: str
    changes: list[Change]
    subject: str = ""  # what the entry is about, as it was named then (for entries of several objects)


def history_for(obj: Model, limit: int = 50, *, chain=None) -> list[HistoryEntry]:
    """The newest changes to ``obj`` first, with field labels and before/after values.

    With ``chain`` (for objects that several chains share, such as organisations and their
    units), the changes are all shown but only the chain's own members are named: who works on
    the police's units for another chain is that chain's business.
    """
    return readable_history(LogEntry.objects.get_for_object(obj), limit, chain=chain)


def entries_of(obj: Model, related) -> models.QuerySet[LogEntry]:
    """The audit entries of ``obj`` and of the ``related`` objects (a commitment and its quarters, a
    benefit and its assessments), for ``readable_history``."""
    from django.contrib.contenttypes.models import ContentType

    related = list(related)
    types = ContentType.objects.get_for_models(type(obj), *{type(other) for other in related})
    condition = models.Q(content_type=types[type(obj)], object_id=obj.pk)
    for model in {type(other) for other in related}:
        ids = [other.pk for other in related if type(other) is model]
        condition |= models.Q(content_type=types[model], object_id__in=ids)
    return LogEntry.objects.filter(condition)


def readable_history(entries, limit: int = 50, *, chain=None) -> list[HistoryEntry]:
    """``history_for`` for any query of log entries (the entries of several objects, such as a
    body's seats): the newest ``limit`` first, read as ``history_for`` reads them."""
    # content_type too: every entry reads it to name its fields, which would cost a query per entry.
    entries = list(entries.select_related("actor", "content_type").order_by("-timestamp")[:limit])
    named = _members_among(chain, entries)
    names = _related_names(entries)
    result = []
    for entry in entries:
        changes = _readable_changes(entry, names)
        result.append(
            HistoryEntry(
                when=entry.timestamp,
                who=_who(entry.actor, chain, named) if entry.actor else "—",
                action=_action(entry),
                changes=changes,
                subject=entry.object_repr,
            )
        )
    return result


def _members_among(chain, entries: list[LogEntry]) -> set[int]:
    """The actors of these entries who are members of ``chain`` (one query)."""
    if chain is None:
        return set()
    from stakeholders.models import Membership

    actor_ids = {entry.actor_id for entry in entries if entry.actor_id}
    return set(Membership.objects.filter(chain=chain, person_id__in=actor_ids).values_list("person_id", flat=True))


def _who(actor, chain, members: set[int]) -> str:
    if chain is None or actor.pk in members:
        return str(actor)
    if actor.is_staff or actor.is_superuser:
        return gettext("A platform administrator")
    return gettext("Someone outside this chain")


# --- Values as a person reads them -------------------------------------------------------------
# auditlog stores every value as text: "None", "True", a choice's code, a related object's id,
# a date in ISO form, a UTC moment, JSON. The history table shows what the page's own form would:
# the field's label, "yes"/"no", a choice's label, the related object's name, one date format.
# An empty value is "" (the template shows it as empty).

_ACTIONS = {
    LogEntry.Action.CREATE: gettext_lazy("created"),
    LogEntry.Action.UPDATE: gettext_lazy("changed"),
    LogEntry.Action.DELETE: gettext_lazy("deleted"),
    LogEntry.Action.ACCESS: gettext_lazy("viewed"),
}
_EMPTY = {"", "None", "null", "[]", "{}"}


def _action(entry: LogEntry) -> str:
    return str(_ACTIONS.get(entry.action, entry.get_action_display()))


def _fields(entry: LogEntry) -> list[tuple[models.Field | None, str, object]]:
    """(field, name, recorded change) per recorded field; reverse relations, which auditlog
    records on creation as "app.Model.None", are no fields of the object and are left out."""
    model = entry.content_type.model_class()
    result = []
    for name, change in (entry.changes_dict or {}).items():
        try:
            field = model._meta.get_field(name) if model else None
        except FieldDoesNotExist:
            field = None
        if field is not None and ((field.auto_created and not field.concrete) or field.primary_key):
            continue
        result.append((field, name, change))
    return result


def _related_names(entries) -> dict[tuple[type[models.Model], str], str]:
    """The name of every related object the entries mention: one query per related model."""
    wanted: dict[type[models.Model], set[str]] = {}
    for entry in entries:
        for field, _name, change in _fields(entry):
            if field is not None and field.many_to_one and isinstance(change, list):
                wanted.setdefault(field.related_model, set()).update(v for v in change if v not in _EMPTY)
    names = {}
    for model, pks in wanted.items():
        valid = set()
        for pk in pks:
            try:
                valid.add(model._meta.pk.to_python(pk))
            except ValidationError:
                continue
        # The required relations in the same query: a name that mentions other objects (a partner
        # is "<organisation> in <chain>") then costs no query per name.
        related = [f.name for f in model._meta.concrete_fields if f.many_to_one and not f.null]
        objects = model._base_manager.filter(pk__in=valid)
        # select_related() without names means "every relation" and is deprecated: only ask for ours.
        for obj in objects.select_related(*related) if related else objects:
            names[(model, str(obj.pk))] = str(obj)
    return names


def _readable_changes(entry: LogEntry, names: dict) -> list[Change]:
    changes = []
    for field, name, change in _fields(entry):
        label = capfirst(field.verbose_name) if field is not None else name
        if isinstance(change, dict) and change.get("type") == "m2m":
            objects = ", ".join(str(o) for o in change.get("objects", []))
            operation = change.get("operation")
            if operation == "add":
                changes.append(Change(label, "", gettext("added: %(names)s") % {"names": objects}))
            elif operation == "delete":
                changes.append(Change(label, gettext("removed: %(names)s") % {"names": objects}, ""))
            else:
                changes.append(Change(label, gettext("all"), ""))
            continue
        before, after = (_readable(field, value, names) for value in change)
        # auditlog compares text, so 100 and 100.00 differ to it: show only what a person sees change.
        if before != after:
            changes.append(Change(label, before, after))
    return changes


def _readable(field: models.Field | None, value: str, names: dict) -> str:
    if value is None or value in _EMPTY or field is None:
        return "" if value is None or value in _EMPTY else str(value)
    if field.choices:
        return str(dict(_as_text(field.flatchoices)).get(value, value))
    if isinstance(field, models.BooleanField):
        return gettext("yes") if value == "True" else gettext("no")
    if field.many_to_one:
        return names.get((field.related_model, value)) or gettext("(deleted)")
    try:
        if isinstance(field, models.DateTimeField):
            moment = datetime.fromisoformat(value)
            if timezone.is_naive(moment):  # auditlog stores moments in UTC without a zone
                moment = moment.replace(tzinfo=UTC)
            return date_format(timezone.localtime(moment), "DATETIME_FORMAT")
        if isinstance(field, models.DateField):
            return date_format(date.fromisoformat(value[:10]), "DATE_FORMAT")
        if isinstance(field, models.DecimalField | models.FloatField):
            number = Decimal(value)
            number = number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
            return number_format(number, force_grouping=True)
        if isinstance(field, models.JSONField):
            return _readable_json(json.loads(value))
    except (ValueError, ArithmeticError):
        pass
    return str(value)


def _as_text(choices) -> list[tuple[str, object]]:
    """Choices keyed by their text form, as auditlog records them (an integer choice as "3")."""
    return [(str(key), label) for key, label in choices]


def _readable_json(value) -> str:
    if isinstance(value, list):
        return "; ".join(_readable_json(item) for item in value)
    if isinstance(value, dict):
        return ": ".join(str(item) for item in value.values())
    return "" if value is None else str(value)
