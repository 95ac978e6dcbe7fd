"""Forms for planning a meeting or a series and for changing one meeting (views/meetings.py).

Time is asked as a date and a start and end time on the Amsterdam clock (three fields, each with
its own label), never as one combined widget. Every refusal is a message at its field and nothing
is saved: an end before the start, a date outside the portal's years, a series without an end (or
with two), a host that is not a partner of this body's chain.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Body, Meeting, SeriesFrequency
from governance.services import series
from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalForm, PortalModelForm
from stakeholders.dates import range_message, validate_in_range
from stakeholders.models import Partnership

ONCE = ""
OTHER_CHAIN = _("Choose a partner of this body's chain.")
ENDS_BEFORE_START = _("A meeting cannot end before it starts.")


class HostField(forms.ModelChoiceField):
    """A partner of the body's chain (the form sets ``queryset``), named by its organisation; any
    other id (another chain's partner, or none at all) gets the same message, so it tells nothing
    about other chains."""

    def __init__(self, **kwargs):
        super().__init__(
            Partnership.objects.none(),
            label=_("Host partner"),
            required=False,
            empty_label=_("No host"),
            error_messages={"invalid_choice": OTHER_CHAIN},
            help_text=_("The core partners take turns in alphabetical order; choose another partner if you like."),
            **kwargs,
        )

    def label_from_instance(self, partnership: Partnership) -> str:
        if partnership.is_bound:
            return partnership.organisation.name
        return f"{partnership.organisation.name} ({partnership.get_status_display().lower()})"


class WebLinkField(forms.URLField):
    """A web address (https or http only: no ftp, no javascript:)."""

    default_validators = [URLValidator(schemes=["https", "http"])]


class TimeInput(forms.TimeInput):
    """The browser's time field (hours and minutes)."""

    input_type = "time"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs, format="%H:%M")


class _MeetingFields(forms.Form):
    """The fields the plan and the edit form share, and their checks: the date and times as two
    aware moments (``starts_at``, ``ends_at``), a place or a link, a host of the body's chain."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(), validators=[validate_in_range])
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ends at"), required=False, widget=TimeInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    online_link = WebLinkField(
        label=_("Online link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("The address of the video meeting, if any."),
    )
    host = HostField()

    body: Body

    def for_body(self, body: Body) -> None:
        """What depends on the body: its usual length, its chain's partners."""
        self.body = body
        self.fields["end_time"].help_text = _("Empty: the body's usual length (%(minutes)s minutes).") % {
            "minutes": body.meeting_minutes
        }
        self.fields["host"].queryset = (
            Partnership.objects.current()
            .filter(chain_id=body.chain_id)
            .select_related("organisation")
            .order_by("organisation__name")
        )

    def clean_times(self, cleaned: dict) -> tuple[datetime, datetime] | None:
        if not cleaned.get("place") and not cleaned.get("online_link") and "online_link" not in self.errors:
            self.add_error("place", _("Give a place or an online link (or both)."))
        day, start, end = cleaned.get("day"), cleaned.get("start_time"), cleaned.get("end_time")
        if day is None or start is None:
            return None
        starts_at = series.aware(datetime.combine(day, start))
        if end is None:
            ends_at = series.aware(datetime.combine(day, start) + timedelta(minutes=self.body.meeting_minutes))
        else:
            ends_at = series.aware(datetime.combine(day, end))
            if ends_at <= starts_at:
                self.add_error("end_time", ENDS_BEFORE_START)
                return None
        return starts_at, ends_at


class MeetingPlanForm(_MeetingFields, PortalForm):
    """One meeting, or the first of a series that repeats until a date or for a number of meetings."""

    repeat = forms.ChoiceField(
        label=_("Repeats"),
        required=False,
        initial=ONCE,
        widget=forms.RadioSelect,
        choices=[
            (ONCE, _("Once")),
            (SeriesFrequency.WEEKLY, _("Every n weeks, on the same weekday")),
            (SeriesFrequency.MONTHLY_DATE, _("Every n months, on the same date (months without it are skipped)")),
            (
                SeriesFrequency.MONTHLY_WEEKDAY,
                _("Every n months, on the same weekday of the month (e.g. the second Tuesday)"),
            ),
        ],
    )
    interval = forms.IntegerField(
        label=_("Every how many weeks or months"),
        initial=1,
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("1 is every week or every month, 2 every other, up to 12."),
    )
    until = forms.DateField(
        label=_("Series ends on"),
        required=False,
        widget=forms.DateInput(),
        validators=[validate_in_range],
        help_text=_("A series ends on a date or after a number of meetings (at most %(max)s meetings).")
        % {"max": series.MAX_MEETINGS},
    )
    count = forms.IntegerField(
        label=_("Or after this many meetings"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(series.MAX_MEETINGS)],
    )

    field_order = [
        "day",
        "start_time",
        "end_time",
        "place",
        "online_link",
        "host",
        "repeat",
        "interval",
        "until",
        "count",
    ]

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_body(body)
        self.starts_at: datetime | None = None
        self.ends_at: datetime | None = None
        self.found: series.Occurrences | None = None

    def clean(self) -> dict:
        cleaned = super().clean()
        times = self.clean_times(cleaned)
        frequency = cleaned.get("repeat") or ONCE
        if frequency != ONCE:
            self._clean_series(cleaned, frequency, times)
        if times is not None:
            self.starts_at, self.ends_at = times
        return cleaned

    def _clean_series(self, cleaned: dict, frequency: str, times: tuple[datetime, datetime] | None) -> None:
        until, count, day = cleaned.get("until"), cleaned.get("count"), cleaned.get("day")
        if "until" in self.errors or "count" in self.errors or "interval" in self.errors:
            return
        if until is None and count is None:
            self.add_error("until", _("A series needs an end: a date or a number of meetings."))
            return
        if until is not None and count is not None:
            self.add_error("count", _("Give an end date or a number of meetings, not both."))
            return
        if until is not None and day is not None and until < day:
            self.add_error("until", _("The series cannot end before its first meeting."))
            return
        if times is None:
            return
        try:
            self.found = series.occurrences(frequency, cleaned.get("interval") or 1, times[0], until=until, count=count)
        except ValueError:
            self.add_error("until" if until is not None else "count", range_message())

    @property
    def is_series(self) -> bool:
        return bool(self.cleaned_data.get("repeat"))


class MeetingEditForm(_MeetingFields, VersionedFormMixin, PortalModelForm):
    """Another date, time, place, link or host for one meeting (of a series: it is then *moved*).
    A change saved by someone else meanwhile is a conflict, never overwritten (concurrency.py)."""

    class Meta:
        model = Meeting
        fields = ["place", "online_link", "host"]

    field_order = ["day", "start_time", "end_time", "place", "online_link", "host"]

    def __init__(self, *args, instance: Meeting, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        self.for_body(instance.body)
        self.stored_times = (instance.starts_at, instance.ends_at)
        start, end = timezone.localtime(instance.starts_at), timezone.localtime(instance.ends_at)
        self.initial.update(
            {
                "day": start.date(),
                "start_time": start.time().replace(second=0, microsecond=0),
                "end_time": end.time().replace(second=0, microsecond=0),
                "host": instance.host_id,
            }
        )

    def versioned_fields(self) -> list[str]:
        return ["starts_at", "ends_at", "place", "online_link", "host"]

    def clean(self) -> dict:
        # The times first: the concurrency check (VersionedFormMixin.clean) compares them too.
        times = self.clean_times(self.cleaned_data)
        if times is not None:
            # The fields show minutes: a time left as it was keeps its stored seconds, so that
            # it does not count as a change (a change after announcing mails everyone).
            times = tuple(
                stored if stored.replace(second=0, microsecond=0) == given else given
                for stored, given in zip(self.stored_times, times, strict=True)
            )
            self.cleaned_data["starts_at"], self.cleaned_data["ends_at"] = times
            self.instance.starts_at, self.instance.ends_at = times
        return super().clean()

    def add_error(self, field, error) -> None:
        # Meeting.clean() names the model's fields; here the times are the date and time fields.
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            moved = {"ends_at": "end_time", "starts_at": "start_time"}
            error = ValidationError({moved.get(name, name): errors for name, errors in error.error_dict.items()})
        super().add_error(field, error)
