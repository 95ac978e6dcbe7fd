"""Overdue actions in their owner's digest, once.

``notify_overdue`` (Celery beat ``notify-overdue-actions``, governance/tasks.py) gives the owner of
every overdue action one notification, keyed on the action and its due date
(``action-overdue:<id>:<due date>``). ``stakeholders.notify`` creates a key once per person, and the
daily digest (stakeholders/digest.py) mails each notification once — so an action that stays
overdue for weeks is mailed once, not every day; moving its due date and missing that one too is a
new occasion, mailed once more.

Set-based: one query finds the overdue actions whose owner has no such notification yet (the key is
restated in SQL there; ``overdue_key`` is the rule, and the tests hold the two to agree by running
the sweep twice), then one notify() per new one — few on any day.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from governance.models import ActionItem
from stakeholders.models import Membership, Notification
from stakeholders.notify import notify

KEY_PREFIX = "action-overdue:"


def overdue_key(action: ActionItem) -> str:
    return f"{KEY_PREFIX}{action.pk}:{action.due_on.isoformat()}"


def _key_in_sql():
    # The same text as overdue_key: a date cast to text is ISO 8601 in PostgreSQL and SQLite.
    return Concat(
        Value(KEY_PREFIX),
        Cast("pk", CharField()),
        Value(":"),
        Cast("due_on", CharField()),
        output_field=CharField(),
    )


def overdue_without_notice(today: date):
    """Overdue actions whose owner has not been told about this due date yet."""
    told = Notification.objects.filter(person=OuterRef("owner_id"), key=OuterRef("overdue_key"))
    # An owner who left the chain could not open the action: nobody to tell.
    member = Membership.objects.filter(person=OuterRef("owner_id"), chain=OuterRef("body__chain_id"))
    return (
        ActionItem.objects.overdue(today)
        .filter(Exists(member), owner__is_active=True, owner__is_system=False)
        .annotate(overdue_key=_key_in_sql())
        .filter(~Exists(told))
        .select_related("body__chain", "owner")
        .order_by("pk")
    )


def notify_overdue(today: date | None = None) -> int:
    """Tell the owner of each overdue action once per due date; returns how many were told."""
    today = today or timezone.localdate()
    told = 0
    with translation.override(settings.LANGUAGE_CODE):
        for action in overdue_without_notice(today):
            text = _("Your action in %(body)s was due on %(date)s: %(description)s") % {
                "body": action.body.name,
                "date": date_format(action.due_on, "DATE_FORMAT"),
                "description": Truncator(action.description).chars(160),
            }
            created = notify([action.owner], action.body.chain, text, action.get_absolute_url(), overdue_key(action))
            told += len(created)
    return told
