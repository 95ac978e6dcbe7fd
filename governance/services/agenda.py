"""A meeting's agenda: which meetings may still change it, the items with their times and linked
objects for the meeting page and the PDFs, adding, moving and removing items.

The agenda changes while the meeting is a draft, announced or held, until the chair approves the
minutes; a cancelled meeting's agenda stays as it was. Attendance and minutes are kept from the
announcement on (governance/services/minutes.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from governance.models import ActionItem, AgendaItem, Decision, Meeting, MeetingStatus

# The five kinds of object an agenda item may link to (one at most), as AgendaItem's fields.
LINK_FIELDS = ("indicator", "indicator_version", "decision", "action", "report")


class MeetingClosed(Exception):
    """A change the meeting's state does not allow; ``message`` says why, for the page."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def locked_message() -> str:
    # The models' own words (PartOfMinutes.clean), so the page and the admin say the same.
    return _("The minutes of this meeting are approved and locked; reopen them first.")


def check_agenda_open(meeting: Meeting) -> None:
    """Raise MeetingClosed unless the agenda may change."""
    if meeting.status == MeetingStatus.MINUTES_APPROVED:
        raise MeetingClosed(locked_message())
    if meeting.status == MeetingStatus.CANCELLED:
        raise MeetingClosed(_("This meeting has been cancelled; its agenda no longer changes."))


def lock_meeting(meeting: Meeting) -> Meeting:
    """Re-read the meeting under a row lock (inside a transaction), so that a change of its state
    (approving the minutes) and a change of its agenda or minutes never pass each other."""
    return Meeting.objects.select_for_update().select_related("body__chain").get(pk=meeting.pk)


# --- Reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Linked:
    """The object an item links to, as a page shows it."""

    kind: str
    label: str
    url: str


@dataclass
class Row:
    item: AgendaItem
    starts: datetime  # local time the item starts if the meeting keeps to the agenda
    linked: Linked | None


@dataclass
class Agenda:
    meeting: Meeting
    rows: list[Row]
    total_minutes: int
    meeting_minutes: int

    @property
    def over_by(self) -> int:
        """Minutes the items take beyond the meeting's length (0: they fit)."""
        return max(0, self.total_minutes - self.meeting_minutes)


def items_of(meeting: Meeting, with_minutes: bool = False):
    """The meeting's items in order with what the agenda shows of them (one query); with the
    minutes, also the decisions taken and actions agreed on each (two more)."""
    # Only the columns the agenda, minutes and PDFs show: the linked rows' text columns and the
    # owners' person rows would otherwise be most of the page's cost (docs/benchmarks.md).
    items = (
        meeting.agenda_items.select_related(
            "presenter", "indicator", "indicator_version__indicator", "decision", "action", "report"
        )
        .only(
            *ITEM_COLUMNS,
            "presenter__full_name",
            "indicator__name",
            "indicator_version__number",
            "indicator_version__indicator__name",
            "decision__title",
            "action__description",
            "report__period",
            "report__frequency",
        )
        .order_by("order", "pk")
    )
    if with_minutes:
        actions = ActionItem.objects.select_related("owner").only(
            "pk", "agenda_item_id", "description", "due_on", "owner__full_name"
        )
        items = items.prefetch_related(
            Prefetch("decisions_taken", queryset=Decision.objects.only("pk", "title", "status", "agenda_item_id")),
            Prefetch("actions_agreed", queryset=actions),
        )
    return items


ITEM_COLUMNS = (
    "pk",
    "meeting_id",
    "order",
    "title",
    "presenter_id",
    "duration_minutes",
    "description",
    *(f"{field}_id" for field in LINK_FIELDS),
    "carried_from_id",
    "status",
    "notes",
)


def build(meeting: Meeting, items: list[AgendaItem] | None = None) -> Agenda:
    """The agenda with each item's start time and linked object; ``meeting.body.chain`` loaded."""
    items = list(items_of(meeting)) if items is None else items
    slug = meeting.body.chain.slug
    start = timezone.localtime(meeting.starts_at)
    rows = []
    for item in items:
        rows.append(Row(item, start, linked(item, slug)))
        start += timedelta(minutes=item.duration_minutes)
    total = sum(item.duration_minutes for item in items)
    return Agenda(meeting, rows, total, meeting.duration_minutes)


def linked(item: AgendaItem, slug: str) -> Linked | None:
    """The item's linked object (the related rows already loaded: items_of)."""
    if item.indicator_id:
        url = reverse("ambitions:indicator_detail", args=[slug, item.indicator_id])
        return Linked(_("Indicator"), item.indicator.name, url)
    if item.indicator_version_id:
        version = item.indicator_version
        url = reverse("ambitions:version_detail", args=[slug, version.indicator_id, version.number])
        label = _("%(name)s, version %(number)s") % {"name": version.indicator.name, "number": version.number}
        return Linked(_("Indicator proposal"), label, url)
    if item.decision_id:
        return Linked(
            _("Decision"), item.decision.title, reverse("governance:decision_detail", args=[slug, item.decision_id])
        )
    if item.action_id:
        label = Truncator(item.action.description).chars(120)
        return Linked(_("Action"), label, reverse("governance:action_detail", args=[slug, item.action_id]))
    if item.report_id:
        url = reverse("ambitions:report_detail", args=[slug, item.report_id])
        label = _("Progress report %(period)s") % {"period": item.report.period_obj.label()}
        return Linked(_("Report"), label, url)
    return None


# --- Changing ----------------------------------------------------------------------------------


def next_order(meeting: Meeting) -> int:
    highest = meeting.agenda_items.aggregate(highest=Max("order"))["highest"]
    return 1 if highest is None else highest + 1


def add(meeting: Meeting, item: AgendaItem) -> AgendaItem:
    """Put ``item`` (unsaved, its fields set) last on the meeting's agenda."""
    with transaction.atomic():
        meeting = lock_meeting(meeting)
        check_agenda_open(meeting)
        item.meeting = meeting
        item.order = next_order(meeting)
        item.full_clean()
        item.save()
        after_linking(item)
    return item


def after_linking(item: AgendaItem) -> None:
    """What linking an item to an action or a decision means beyond the link itself."""
    mark_carried_over(item)
    file_decision_under(item)


def file_decision_under(item: AgendaItem) -> None:
    """A decision on a meeting's agenda is taken under that item: the minutes list it there
    (``Decision.agenda_item``, the latest item that discussed it, with its meeting)."""
    decision = item.decision
    if decision is None or decision.agenda_item_id == item.pk or decision.body_id != item.meeting.body_id:
        return
    decision.agenda_item = item
    decision.meeting_id = item.meeting_id
    decision.save(update_fields=["agenda_item", "meeting"])


def mark_carried_over(item: AgendaItem) -> None:
    """An action on the agenda of a later meeting than the one that agreed it has carried over:
    from then on it can only be closed, never deleted (ActionItem.carried_over)."""
    action = item.action
    if action is None or action.carried_over or action.meeting_id == item.meeting_id:
        return
    action.carried_over = True
    action.save(update_fields=["carried_over"])


def move(item: AgendaItem, up: bool) -> None:
    """Swap the item with the one before (``up``) or after it; the order is renumbered 1…n."""
    with transaction.atomic():
        meeting = lock_meeting(item.meeting)
        check_agenda_open(meeting)
        items = list(meeting.agenda_items.order_by("order", "pk"))
        index = next(i for i, other in enumerate(items) if other.pk == item.pk)
        other = index - 1 if up else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
        for number, each in enumerate(items, start=1):
            if each.order != number:
                each.order = number
                each.save(update_fields=["order"])


def remove(item: AgendaItem) -> None:
    with transaction.atomic():
        meeting = lock_meeting(item.meeting)
        check_agenda_open(meeting)
        item.delete()
