"""Forms of the progress report pages: drafting on demand, and the commentary."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambitions.models import ProgressReport
from ambitions.periods import OutOfRange, Period, range_message
from ambitions.services import reports
from ketenportaal.forms import PortalForm
from stakeholders.models import Chain

COMMENTARY_MAX = 5000


class DraftForm(PortalForm):
    """Drafting a report on demand: a period of the chain's frequency that has ended."""

    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=20,
        help_text=gettext_lazy("Write the period as 2026-03 (month), 2026-K1 (quarter) or 2026 (year)."),
    )

    def __init__(self, *args, chain: Chain, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.chain = chain
        self.today = today
        self.fields["period"].initial = Period.containing(today, chain.reporting_frequency).previous.slug

    def clean_period(self) -> Period:
        try:
            period = Period.from_slug(self.cleaned_data["period"].strip())
        except OutOfRange as exc:
            raise forms.ValidationError(range_message()) from exc
        except ValueError as exc:
            raise forms.ValidationError(_("Write the period as 2026-03, 2026-K1 or 2026.")) from exc
        if period.frequency != self.chain.reporting_frequency:
            raise forms.ValidationError(
                _("This chain reports %(frequency)s: write a period of that kind.")
                % {"frequency": self.chain.get_reporting_frequency_display().lower()}
            )
        if period.end >= self.today:
            raise forms.ValidationError(_("A report can only be drafted for a period that has ended."))
        return period


class CommentaryForm(PortalForm):
    """One text per ambition and indicator of the report's snapshot."""

    def __init__(self, *args, report: ProgressReport, **kwargs):
        super().__init__(*args, **kwargs)
        ambitions, indicators = reports.commentary_of(report)
        self.subjects = []
        for ambition in reports.snapshot_of(report).ambitions:
            label = _("Commentary on the ambition “%(name)s”") % {"name": ambition.statement}
            self._add("ambition", ambition.id, label, ambitions.get(ambition.id, ""), rows=4)
            for indicator in ambition.indicators:
                label = _("Commentary on the indicator “%(name)s”") % {"name": indicator.name}
                self._add("indicator", indicator.id, label, indicators.get(indicator.id, ""), rows=3)

    def _add(self, kind: str, pk: int, label: str, initial: str, rows: int) -> None:
        name = f"{kind}-{pk}"
        self.fields[name] = forms.CharField(
            label=label,
            required=False,
            max_length=COMMENTARY_MAX,
            initial=initial,
            widget=forms.Textarea(attrs={"rows": rows}),
        )
        self.subjects.append((kind, pk, name))

    def texts(self) -> tuple[dict[int, str], dict[int, str]]:
        ambitions, indicators = {}, {}
        for kind, pk, name in self.subjects:
            (ambitions if kind == "ambition" else indicators)[pk] = self.cleaned_data[name]
        return ambitions, indicators
