"""An indicator's definition (a version) and the answers to a proposed version.

Numbers are typed the Dutch way (``12,5``); periods as they appear in URLs (``2026-03``,
``2026-K1``, ``2026``); the milestones of a stepped trajectory one per line as ``period;value``.
The definition form refuses a version that is no longer a draft: ``IndicatorVersion.save`` would
refuse it anyway (LockedVersionError), the form says so first.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from ambitions.models import ConsentPosition, IndicatorKind, IndicatorVersion, VersionStatus
from ambitions.models.definitions import DEFINITION_FIELDS
from ambitions.periods import Frequency, OutOfRange, Period, check_date, range_message
from ambitions.services.numbers import Column, NotANumber, for_input, parse_form
from ketenportaal.concurrency import VersionedFormMixin
from ketenportaal.forms import PortalForm, PortalModelForm
from ketenportaal.numbers import DecimalTextField
from stakeholders.models import Chain, Partnership, Unit

PERIOD_FIELDS = ("effective_from", "baseline_period", "target_period")
PERIOD_HELP = _("Write a period as 2026-03 (a month), 2026-K1 (a quarter) or 2026 (a year).")
LOCKED_MESSAGE = _(
    "This version is no longer a draft, so its definition cannot change. To change the definition, start a "
    "new version once this one has been decided."
)
OBJECTION_NEEDS_REASON = _("Give the reason for the objection.")


def later_version_message(version: IndicatorVersion) -> str:
    return _("Version %(number)s applies from %(period)s: a new version must take effect from a later period.") % {
        "number": version.number,
        "period": version.first_period.label(),
    }


def parse_period(text: str) -> date:
    """``2026-03``, ``2026-K1``, ``2026`` or a date ``2026-03-15`` → a day in that period; ValueError otherwise."""
    text = text.strip().upper()
    try:
        return Period.from_slug(text).start
    except OutOfRange:
        raise
    except ValueError:
        return check_date(date.fromisoformat(text))


class PeriodField(forms.Field):
    """A period, stored as a day in it (the model keeps the period's first day)."""

    widget = forms.TextInput
    default_error_messages = {"invalid": PERIOD_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frequency = Frequency.MONTH  # how a stored day is shown; the form sets the version's

    def to_python(self, value):
        if isinstance(value, date):
            return value
        if value in self.empty_values or not str(value).strip():
            return None
        try:
            return parse_period(str(value))
        except OutOfRange:
            raise ValidationError(range_message(), code="out_of_range") from None
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def prepare_value(self, value):
        return Period.containing(value, self.frequency).slug if isinstance(value, date) else value


# A milestone is a value on the trajectory: the column of the baseline and the target.
MILESTONE = Column.of(IndicatorVersion, "target_value")


class MilestonesField(forms.CharField):
    """Milestones of a stepped trajectory, one ``period;value`` per line, into the model's JSON list.

    Each line is checked on its own and every faulty line is named, so that one typo in twelve
    lines does not hide the others.
    """

    widget = forms.Textarea(attrs={"rows": 5})

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.frequency = Frequency.MONTH

    def to_python(self, value) -> list[dict]:
        if isinstance(value, list):
            return value
        text = super().to_python(value) or ""
        milestones, errors = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.replace("\t", ";").split(";")
            if len(parts) != 2:
                errors.append(
                    _("Line %(line)s: write the period and the value with a semicolon between, e.g. 2026-06;50.")
                    % {"line": number}
                )
                continue
            period_text, value_text = (part.strip() for part in parts)
            try:
                day = parse_period(period_text)
            except ValueError:
                errors.append(
                    _("Line %(line)s: “%(text)s” is not a period. %(help)s")
                    % {"line": number, "text": period_text, "help": PERIOD_HELP}
                )
                continue
            try:
                amount = parse_form(value_text, MILESTONE)
            except NotANumber as refused:
                errors.append(
                    _("Line %(line)s: “%(text)s”: %(reason)s")
                    % {"line": number, "text": value_text[:40], "reason": refused.message}
                )
                continue
            if amount is None:
                errors.append(_("Line %(line)s: “%(text)s” is not a number.") % {"line": number, "text": "—"})
                continue
            milestones.append({"period": day.isoformat(), "value": format(amount.normalize(), "f"), "line": number})
        if errors:
            raise ValidationError(errors)
        return milestones

    def prepare_value(self, value):
        if not isinstance(value, list):
            return value
        lines = []
        for milestone in value:
            day = date.fromisoformat(milestone["period"])
            lines.append(f"{Period.containing(day, self.frequency).slug};{for_input(Decimal(str(milestone['value'])))}")
        return "\n".join(lines)


@dataclass
class UnitGroup:
    organisation: str
    choices: list


class IndicatorVersionForm(PortalModelForm):
    """The whole definition of one version of an indicator, including which units report it."""

    milestones = MilestonesField(
        label=_("Milestones"),
        help_text=_(
            "For a stepped trajectory: one milestone per line, the period and the value expected from then on, "
            "separated by a semicolon. For example 2026-06;50 and, on the next line, 2026-12;65."
        ),
    )

    class Meta:
        model = IndicatorVersion
        fields = [*DEFINITION_FIELDS, "reporting_units", "rationale"]
        field_classes = {
            **dict.fromkeys(PERIOD_FIELDS, PeriodField),
            **dict.fromkeys(
                ("factor", "baseline_value", "target_value", "tolerance", "min_value", "max_value"), DecimalTextField
            ),
        }
        widgets = {
            "reporting_units": forms.CheckboxSelectMultiple,
            "rationale": forms.Textarea(attrs={"rows": 3}),
        }

    # How the page groups the fields (legend, field names).
    SECTIONS = (
        (_("What is measured"), ("kind", "unit_label", "numerator_label", "denominator_label", "factor", "is_share")),
        (_("How figures are shown and checked"), ("decimals", "direction", "allow_negative", "min_value", "max_value")),
        (_("When"), ("frequency", "effective_from", "deadline_days", "entry_window_days")),
        (
            _("Baseline, target and trajectory"),
            (
                "baseline_period",
                "baseline_value",
                "target_period",
                "target_value",
                "trajectory",
                "milestones",
                "tolerance",
            ),
        ),
        (_("Reporting units"), ("reporting_units",)),
        (_("Why"), ("rationale",)),
    )

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        frequency = self.instance.frequency or Frequency.MONTH
        for name in (*PERIOD_FIELDS, "milestones"):
            self.fields[name].frequency = frequency
            if name != "milestones":
                self.fields[name].help_text = f"{self.fields[name].help_text} {PERIOD_HELP}".strip()
        # The model's "unit" would read as an organisation's unit (onderdeel) here.
        self.fields["unit_label"].label = _("Unit of measurement")
        for name in ("numerator_label", "denominator_label"):
            self.fields[name].help_text = _("Only for a ratio.")
        self.fields["rationale"].help_text = _("What this version is for, or what it changes; the partners read it.")
        units = self.fields["reporting_units"]
        partners = Partnership.objects.current().filter(chain=chain).values("organisation_id")
        offered = Q(organisation_id__in=partners)
        if self.instance.pk is not None:
            # Keep units chosen earlier (of a partner that left meanwhile) visible, so saving never drops them silently.
            offered |= Q(pk__in=self.instance.reporting_units.values("pk"))
        units.queryset = (
            Unit.objects.filter(offered).select_related("organisation", "parent").order_by("organisation__name", "name")
        )
        units.label_from_instance = lambda unit: f"{unit.parent.name} › {unit.name}" if unit.parent else unit.name
        units.widget.attrs["class"] = "utrecht-checkbox utrecht-checkbox--html-input"
        units.help_text = _("The units that report a figure for this indicator every period, grouped by organisation.")

    def sections(self) -> list[tuple[str, list[BoundField]]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.SECTIONS]

    def unit_groups(self) -> list[UnitGroup]:
        """The reporting-unit checkboxes per organisation (for a fieldset each)."""
        groups: OrderedDict[int, UnitGroup] = OrderedDict()
        for choice in self["reporting_units"]:
            unit = choice.data["value"].instance
            group = groups.setdefault(unit.organisation_id, UnitGroup(unit.organisation.display_name, []))
            group.choices.append(choice)
        return list(groups.values())

    def clean(self):
        data = super().clean()
        frequency = data.get("frequency") or self.instance.frequency
        for name in PERIOD_FIELDS:
            if data.get(name):
                # Compare periods as the model will store them: by their first day.
                data[name] = Period.containing(data[name], frequency).start
        if data.get("kind") == IndicatorKind.RATIO:
            if not data.get("numerator_label"):
                self.add_error("numerator_label", _("A ratio needs a name for its numerator."))
            if not data.get("denominator_label"):
                self.add_error("denominator_label", _("A ratio needs a name for its denominator."))
        deadline, window = data.get("deadline_days"), data.get("entry_window_days")
        if deadline is not None and window is not None and window < deadline:
            self.add_error("entry_window_days", _("The entry window cannot close before the deadline."))
        if "milestones" in data and frequency:
            self._clean_milestones(data, frequency)
        if data.get("effective_from") and self.instance.indicator_id:
            later = (
                self.instance.indicator.versions.in_force()
                .exclude(pk=self.instance.pk)
                .filter(effective_from__gte=data["effective_from"])
                .order_by("-effective_from")
                .first()
            )
            if later is not None:
                self.add_error("effective_from", later_version_message(later))
        return data

    def _update_errors(self, errors: ValidationError) -> None:
        # Model.clean() repeats "a stepped trajectory needs at least one milestone" when the milestone
        # lines were refused already (the instance still holds the old list); the lines say it better.
        if self.has_error("milestones") and hasattr(errors, "error_dict"):
            errors.error_dict.pop("milestones", None)
        super()._update_errors(errors)

    def _clean_milestones(self, data: dict, frequency: str) -> None:
        baseline, target = data.get("baseline_period"), data.get("target_period")
        seen: dict[date, int] = {}
        errors, result = [], []
        for milestone in data["milestones"]:
            line = milestone.get("line")
            period = Period.containing(date.fromisoformat(milestone["period"]), frequency)
            where = {"line": line, "period": period.label()}
            if period.start in seen:
                errors.append(_("Line %(line)s: %(period)s already has a milestone.") % where)
            elif baseline and period.start <= baseline:
                errors.append(_("Line %(line)s: %(period)s is not after the baseline period.") % where)
            elif target and period.start > target:
                errors.append(_("Line %(line)s: %(period)s is after the target period.") % where)
            elif Decimal(milestone["value"]) < 0 and not data.get("allow_negative"):
                errors.append(_("Line %(line)s: the value cannot be negative.") % where)
            seen[period.start] = line
            result.append({"period": period.start.isoformat(), "value": milestone["value"]})
        if errors:
            self.add_error("milestones", errors)
        else:
            data["milestones"] = sorted(result, key=lambda m: m["period"])


class IndicatorVersionEditForm(VersionedFormMixin, IndicatorVersionForm):
    """Editing a draft: refuses a version that has been proposed meanwhile, and a stale form."""

    def clean(self):
        if (
            self.instance.status != VersionStatus.DRAFT
            or IndicatorVersion.objects.filter(pk=self.instance.pk).exclude(status=VersionStatus.DRAFT).exists()
        ):
            raise ValidationError(LOCKED_MESSAGE, code="locked")
        return super().clean()

    @property
    def is_locked(self) -> bool:
        return any(error.code == "locked" for error in self.non_field_errors().as_data())


class ResponseForm(PortalForm):
    """A core partner's answer to a proposed version: consent, or an objection with its reason."""

    position = forms.ChoiceField(label=_("Your answer"), choices=ConsentPosition.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required for an objection; everyone in the chain can read it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].widget.attrs["class"] = "utrecht-radio-button utrecht-radio-button--html-input"

    def clean(self):
        data = super().clean()
        if data.get("position") == ConsentPosition.OBJECTION and not (data.get("reason") or "").strip():
            self.add_error("reason", OBJECTION_NEEDS_REASON)
        return data


class CommentForm(PortalForm):
    text = forms.CharField(label=_("Comment"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
