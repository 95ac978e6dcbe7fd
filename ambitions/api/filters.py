"""Filters for the ambitions API (django-filter).

As in stakeholders/api/filters.py, ids and slugs are plain number/char filters: the querysets are
already limited to the user's chains, so another chain's id gives an empty list rather than a
"not a valid choice" that would tell an outsider it exists.

Periods are written as in URLs (``2026-03``, ``2026-K1``, ``2026``) or as a date. ``period_from``
includes the periods starting on or after the start of the one named; ``period_to`` those starting
on or before its last day, so ``period_to=2026`` includes December 2026.
"""

from __future__ import annotations

from datetime import date

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from ambitions.models import ChainAggregate, Figure, FigureSource, Indicator, IndicatorVersion, OrganisationAggregate
from ambitions.services.bulk import parse_period
from ketenportaal.api import ApiFilterSet, DocumentedFilter, IdFilter, MomentFilter


class PeriodField(forms.CharField):
    """A period slug or a date → a date to compare period starts with (a slug's last day for ``end``)."""

    def __init__(self, *args, end: bool = False, **kwargs):
        self.end = end
        super().__init__(*args, **kwargs)

    def clean(self, value) -> date | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            ref = parse_period(value)  # Period.from_slug's range rule: ValueError outside it
            if ref.period is None:
                return ref.start
            return ref.period.end if self.end else ref.period.start
        except ValueError as exc:
            raise forms.ValidationError(
                _("Give the period as 2026-03 (month), 2026-K1 (quarter), 2026 (year) or a date (2026-03-01).")
            ) from exc


class PeriodFilter(DocumentedFilter):
    field_class = PeriodField
    schema = {"type": "string", "minLength": 1, "example": "2026-03"}


class PeriodFilterSet(ApiFilterSet):
    """``period``, ``period_from`` and ``period_to`` on the model's ``period`` (its start date)."""

    period = PeriodFilter(lookup_expr="exact", help_text="Exactly this period.")
    period_from = PeriodFilter(
        field_name="period", lookup_expr="gte", help_text="Periods from this one on, e.g. 2025-01."
    )
    period_to = PeriodFilter(
        field_name="period", lookup_expr="lte", end=True, help_text="Periods up to this one, e.g. 2026-K4."
    )


class IndicatorFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(field_name="ambition__chain__slug", help_text="Indicators of this chain (slug).")
    ambition = IdFilter(field_name="ambition_id")

    class Meta:
        model = Indicator
        fields = ["chain", "ambition"]


class IndicatorVersionFilterSet(ApiFilterSet):
    chain = django_filters.CharFilter(field_name="indicator__ambition__chain__slug", help_text="Chain (slug).")
    indicator = IdFilter(field_name="indicator_id")

    class Meta:
        model = IndicatorVersion
        fields = ["chain", "indicator", "status"]


class FigureFilterSet(PeriodFilterSet):
    chain = django_filters.CharFilter(field_name="indicator__ambition__chain__slug", help_text="Chain (slug).")
    indicator = IdFilter(field_name="indicator_id")
    unit = IdFilter(field_name="unit_id")
    organisation = IdFilter(field_name="organisation_id")
    source = django_filters.ChoiceFilter(choices=FigureSource.choices)
    updated_since = MomentFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Figures saved at or after this moment (ISO 8601, offset within ±14:00).",
    )

    class Meta:
        model = Figure
        fields = ["chain", "indicator", "unit", "organisation", "follow_up", "is_late", "source"]


class ChainAggregateFilterSet(PeriodFilterSet):
    chain = django_filters.CharFilter(field_name="indicator__ambition__chain__slug", help_text="Chain (slug).")
    indicator = IdFilter(field_name="indicator_id")

    class Meta:
        model = ChainAggregate
        fields = ["chain", "indicator"]


class OrganisationAggregateFilterSet(ChainAggregateFilterSet):
    organisation = IdFilter(field_name="organisation_id")

    class Meta:
        model = OrganisationAggregate
        fields = ["chain", "indicator", "organisation"]
