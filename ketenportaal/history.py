"""Reading the audit trail (django-auditlog) for an object's *Geschiedenis* section.

Recording happens in auditlog's registry (see each app's audit.py) and its
middleware, which sets the actor; no view writes audit entries by hand.
"""

from dataclasses import dataclass
from datetime import datetime

from auditlog.models import LogEntry
from django.db.models import Model


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


def history_for(obj: Model, limit: int = 50) -> list[HistoryEntry]:
    """The newest changes to ``obj`` first, with field labels and before/after values."""
    # content_type too: every entry reads it to name its fields, which would cost a query per entry.
    entries = LogEntry.objects.get_for_object(obj).select_related("actor", "content_type")
    entries = entries.order_by("-timestamp")[:limit]
    result = []
    for entry in entries:
        changes = [
            Change(field=str(field), before=str(values[0]), after=str(values[1]))
            for field, values in entry.changes_display_dict.items()
        ]
        result.append(
            HistoryEntry(
                when=entry.timestamp,
                who=str(entry.actor) if entry.actor else "—",
                action=entry.get_action_display(),
                changes=changes,
            )
        )
    return result
