"""Forms of a meeting's agenda, attendance and minutes.

An agenda item may link to one object of the meeting's chain: an indicator, an indicator proposal,
a decision, an action or a progress report. The form offers them in one list (``link``, grouped by
kind), built from the chain only, so an id of another chain's object is "not one of the choices"
at the field and is never linked.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from ambitions.models import Indicator, IndicatorVersion, ProgressReport, VersionStatus
from governance.models import (
    ActionItem,
    AgendaItem,
    AgendaItemStatus,
    AttendanceStatus,
    Decision,
    DecisionStatus,
    Meeting,
)
from governance.services import attendance
from governance.services.agenda import LINK_FIELDS, lock_meeting
from governance.services.attendance import Line
from ketenportaal.concurrency import ConflictingValue, VersionedFormMixin
from ketenportaal.forms import PortalForm, PortalModelForm
from stakeholders.models import Person

NO_LINK = ""
# Decisions of the body decided longer ago than this are not offered (an open one always is).
RECENT_DECISIONS = timedelta(days=730)


class PresenterField(forms.ModelChoiceField):
    def label_from_instance(self, person: Person) -> str:
        return f"{person.full_name} ({person.organisation})" if person.organisation_id else person.full_name


def presenters(chain) -> QuerySet[Person]:
    """Who can present an item: an active person with a role in the chain."""
    return (
        Person.objects.filter(is_active=True, is_system=False, memberships__chain=chain)
        .select_related("organisation")
        .order_by("full_name", "pk")
        .distinct()
    )


def link_choices(meeting: Meeting, current: AgendaItem | None = None) -> list:
    """The objects of the meeting's chain an item may link to, grouped by kind, as ``kind:id``
    values (five queries). Offered: the chain's indicators, its indicator proposals, the body's
    open decisions and those of the last two years, the open actions of the chain's bodies and
    the chain's progress reports; the item's own link always."""
    body, chain = meeting.body, meeting.body.chain
    keep = {name: getattr(current, f"{name}_id") for name in LINK_FIELDS} if current else {}

    def plus_current(condition: Q, name: str) -> Q:
        return condition | Q(pk=keep[name]) if keep.get(name) else condition

    indicators = Indicator.objects.filter(ambition__chain=chain).order_by("name", "pk")
    proposals = (
        IndicatorVersion.objects.filter(indicator__ambition__chain=chain)
        .filter(plus_current(Q(status=VersionStatus.PROPOSED), "indicator_version"))
        .select_related("indicator")
        .order_by("indicator__name", "number")
    )
    since = timezone.localdate() - RECENT_DECISIONS
    decisions = (
        Decision.objects.filter(body__chain=chain)
        .filter(
            plus_current(Q(body=body) & (Q(status=DecisionStatus.OPEN) | Q(created_at__date__gte=since)), "decision")
        )
        .order_by("-created_at")
        .only("pk", "title")
    )
    actions = (
        ActionItem.objects.filter(body__chain=chain)
        .filter(plus_current(Q(pk__in=ActionItem.objects.still_open().values("pk")), "action"))
        .order_by("due_on", "pk")
        .only("pk", "description", "due_on")
    )
    reports = ProgressReport.objects.filter(chain=chain).defer("snapshot").order_by("-period", "-revision")
    groups = [
        (_("Indicator"), [(f"indicator:{i.pk}", i.name) for i in indicators]),
        (
            _("Indicator proposal"),
            [(f"indicator_version:{v.pk}", f"{v.indicator.name}, v{v.number}") for v in proposals],
        ),
        (_("Decision"), [(f"decision:{d.pk}", Truncator(d.title).chars(100)) for d in decisions]),
        (_("Action"), [(f"action:{a.pk}", Truncator(a.description).chars(100)) for a in actions]),
        (
            _("Report"),
            [(f"report:{r.pk}", f"{r.period_obj.label()} (r{r.revision})") for r in reports],
        ),
    ]
    return [(NO_LINK, _("No linked object")), *[(label, options) for label, options in groups if options]]


def link_of(item: AgendaItem) -> str:
    """The item's link as the form's ``kind:id`` value."""
    return next((f"{n}:{getattr(item, f'{n}_id')}" for n in LINK_FIELDS if getattr(item, f"{n}_id")), NO_LINK)


def _flat(choices) -> list[tuple[str, str]]:
    return [pair for value, label in choices for pair in (label if isinstance(label, list) else [(value, label)])]


class AgendaItemForm(VersionedFormMixin, PortalModelForm):
    """Title, presenter, duration, description and at most one linked object of the chain."""

    link = forms.ChoiceField(
        label=_("Linked object"),
        required=False,
        help_text=_("One indicator, indicator proposal, decision, action or report of this chain, if any."),
    )

    # The link when the form was shown (see clean).
    link_shown = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AgendaItem
        fields = ["title", "presenter", "duration_minutes", "description"]
        field_classes = {"presenter": PresenterField}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.instance.meeting = meeting
        self.fields["presenter"].queryset = presenters(meeting.body.chain)
        self.fields["link"].choices = link_choices(meeting, self.instance if self.instance.pk else None)
        self.fields["link"].initial = self.fields["link_shown"].initial = link_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        # The version token covers the model's own fields of the form; the link is five fields
        # behind one choice, so it is compared here: a link someone changed meanwhile is a
        # conflict too, shown like the others.
        if self.instance.pk is None or self.conflict is not None:
            return cleaned
        saved = AgendaItem.objects.filter(pk=self.instance.pk).first()
        now = link_of(saved) if saved else NO_LINK
        if self.data.get(self.add_prefix("link_shown"), NO_LINK) != now:
            shown = dict(_flat(self.fields["link"].choices)).get(now, now) if now else "—"
            self.conflict = [ConflictingValue(str(self.fields["link"].label), str(shown), now != cleaned.get("link"))]
            self.data = self.data.copy()
            self.data[self.add_prefix("link_shown")] = now
            raise forms.ValidationError(self.conflict_message, code="conflict")
        return cleaned

    def save(self, commit: bool = True) -> AgendaItem:
        chosen = self.cleaned_data.get("link") or NO_LINK
        kind, _sep, pk = chosen.partition(":")
        for name in LINK_FIELDS:
            setattr(self.instance, f"{name}_id", int(pk) if name == kind else None)
        return super().save(commit=commit)


class MinutesForm(VersionedFormMixin, PortalModelForm):
    """One item's minutes: what was discussed and concluded, and whether it is finished. A second
    secretary saving over the first one's text gets a conflict with that text (VersionedFormMixin)."""

    class Meta:
        model = AgendaItem
        fields = ["notes", "status"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 10}), "status": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].help_text = _("An item not finished is suggested for the body's next meeting.")
        self.fields["status"].choices = AgendaItemStatus.choices


class AttendanceForm(PortalForm):
    """A choice per member who represents a partner; "not recorded" leaves them out. The hidden
    ``recorded`` is the attendance as it was when the form was shown: when someone else recorded
    in between, the form is invalid, nothing is saved, and ``conflict`` shows what they recorded
    (as VersionedFormMixin does for one object, here for the meeting's whole attendance)."""

    recorded = forms.CharField(widget=forms.HiddenInput, required=False)
    conflict_message = VersionedFormMixin.conflict_message

    def __init__(self, *args, meeting: Meeting, lines: list[Line], token: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.lines = lines
        self.conflict: list[ConflictingValue] | None = None
        self.fields["recorded"].initial = token
        choices = [("", _("Not recorded")), *AttendanceStatus.choices]
        for line in lines:
            member = line.member
            alternate = member.alternate.full_name if member.alternate_id else None
            self.fields[self.name_of(line)] = forms.ChoiceField(
                label=f"{member.person.full_name} ({member.partnership.organisation})",
                choices=choices,
                required=False,
                initial=line.status,
                widget=forms.RadioSelect,
                help_text=_("Alternate: %(name)s") % {"name": alternate} if alternate else "",
            )

    @staticmethod
    def name_of(line: Line) -> str:
        return f"member-{line.member.pk}"

    def clean(self):
        cleaned = super().clean()
        for line in self.lines:
            name = self.name_of(line)
            if cleaned.get(name) == AttendanceStatus.REPRESENTED and not line.member.alternate_id:
                self.add_error(name, _("This member has no alternate to be represented by."))
        # Under the meeting's row lock (the request's transaction holds it until the save).
        lock_meeting(self.meeting)
        current = attendance.recorded(self.meeting)
        token = attendance.token_of(current)
        if cleaned.get("recorded") != token:
            self.conflict = [
                ConflictingValue(
                    label=str(self.fields[self.name_of(line)].label),
                    current=str(AttendanceStatus(current[line.member.pk]).label) if line.member.pk in current else "—",
                    differs=current.get(line.member.pk, "") != (cleaned.get(self.name_of(line)) or ""),
                )
                for line in self.lines
            ]
            self.data = self.data.copy()
            self.data["recorded"] = token
            raise forms.ValidationError(self.conflict_message, code="conflict")
        return cleaned

    def statuses(self) -> dict[int, str]:
        return {line.member.pk: self.cleaned_data.get(self.name_of(line)) or "" for line in self.lines}


class ReopenForm(PortalForm):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kept with the minutes and shown on the meeting page. The chair approves the minutes again."),
    )
