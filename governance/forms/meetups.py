"""Forms for relationship events (views/meetups.py): planning or changing one, answering it, and the
report afterwards.

The time is a date with a start and an end time on the Amsterdam clock (three fields, each with
its own label), as for meetings. Every refusal is a message at its field and nothing is saved: an
end at or before the start, a date outside the portal's years, a host that is not a partner of
this chain, a photo that is no image or too large, a photo without its description.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from governance.forms.meetings import HostField, TimeInput
from governance.models.meetups import Meetup, RsvpAnswer
from governance.services import series
from governance.services.photos import PhotoField, normalised
from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalForm, PortalModelForm
from stakeholders.dates import validate_in_range
from stakeholders.models import Chain, Partnership

ENDS_BEFORE_START = _("A meetup cannot end before it starts: choose an end time after the start time.")
ALT_REQUIRED = _("Describe the photo (alt text): what it shows, for people who cannot see it.")


class MeetupForm(VersionedFormMixin, PortalModelForm):
    """Plan or change a meetup. The host is proposed by the rotation (the view sets ``initial``)."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(), validators=[validate_in_range])
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput())
    host = HostField()

    class Meta:
        model = Meetup
        fields = ["kind", "title", "host", "place", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "place": _("The address, or the building and room."),
            "description": _("Optional: what the meetup is about, what to bring."),
        }

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = (
            Partnership.objects.current()
            .filter(chain=chain)
            .select_related("organisation")
            .order_by("organisation__name")
        )
        self.fields["host"].help_text = _(
            "The core partners take turns in alphabetical order; the next in turn is chosen. "
            "Choose another partner if you like."
        )
        # Field order: what, then when, then where.
        self.order_fields(["kind", "title", "day", "start_time", "end_time", "host", "place", "description"])
        if self.instance.pk:
            starts = series.wall_clock(self.instance.starts_at)
            ends = series.wall_clock(self.instance.ends_at)
            self.initial.update({"day": starts.date(), "start_time": starts.time(), "end_time": ends.time()})

    def versioned_fields(self) -> list[str]:
        return [*super().versioned_fields(), "starts_at", "ends_at"]

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start_time"), cleaned.get("end_time")
        if day is not None and start is not None and end is not None:
            starts_at = series.aware(datetime.combine(day, start))
            ends_at = series.aware(datetime.combine(day, end))
            if ends_at <= starts_at:
                self.add_error("end_time", ENDS_BEFORE_START)
            else:
                self.instance.starts_at, self.instance.ends_at = starts_at, ends_at
        return cleaned


class RsvpForm(PortalForm):
    answer = forms.ChoiceField(label=_("Are you coming?"), choices=RsvpAnswer.choices, widget=forms.RadioSelect)


class ReportForm(VersionedFormMixin, PortalModelForm):
    """The short report afterwards, optionally with a photo that always has its description."""

    report_photo = PhotoField(label=_("Photo"), required=False)

    class Meta:
        model = Meetup
        fields = ["report", "report_photo", "report_photo_alt"]
        widgets = {"report": forms.Textarea(attrs={"rows": 6})}
        labels = {"report": pgettext_lazy("meetup", "Report"), "report_photo_alt": _("Photo description (alt text)")}
        help_texts = {"report": _("A few lines: who came, what was talked about, what it brought.")}

    def clean(self):
        cleaned = super().clean()
        photo = cleaned.get("report_photo")
        alt = (cleaned.get("report_photo_alt") or "").strip()
        cleaned["report_photo_alt"] = alt
        has_photo = bool(photo) and photo is not False
        if has_photo and not alt and "report_photo_alt" not in self.errors:
            self.add_error("report_photo_alt", ALT_REQUIRED)
        if photo is False:  # the photo is cleared: its description goes with it
            cleaned["report_photo_alt"] = ""
        if not (cleaned.get("report") or "").strip() and "report" not in self.errors:
            self.add_error("report", _("Write a few lines about the meetup."))
        return cleaned

    def save(self, commit: bool = True) -> Meetup:
        """Saves the report; a new photo is stored resized and without metadata, never as uploaded."""
        photo = self.cleaned_data.get("report_photo")
        if photo and hasattr(photo, "content_type"):  # a fresh upload, not the photo already stored
            self.instance.report_photo = normalised(photo)
        return super().save(commit)
