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
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from ambitions.models import ChainAggregate, Figure, FigureSource, Indicator, IndicatorVersion, OrganisationAggregate
from ambitions.services.bulk import parse_period


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
            ref = parse_period(value)
        except ValueError as exc:
            raise forms.ValidationError(
                _("Give the period as 2026-03 (month), 2026-K1 (quarter), 2026 (year) or a date (2026-03-01).")
            ) from exc
        if ref.period is None:
            return ref.start
        return ref.period.end if self.end else ref.period.start


@extend_schema_field(OpenApiTypes.STR)
class PeriodFilter(django_filters.Filter):
    field_class = PeriodField


class PeriodFilterSet(django_filters.FilterSet):
    """``period``, ``period_from`` and ``period_to`` on the model's ``period`` (its start date)."""

    period = PeriodFilter(lookup_expr="exact", help_text="Exactly this period.")
    period_from = PeriodFilter(
        field_name="period", lookup_expr="gte", help_text="Periods from this one on, e.g. 2025-01."
    )
    period_to = PeriodFilter(
        field_name="period", lookup_expr="lte", end=True, help_text="Periods up to this one, e.g. 2026-K4."
    )


class IndicatorFilterSet(django_filters.FilterSet):
    chain = django_filters.CharFilter(field_name="ambition__chain__slug", help_text="Indicators of this chain (slug).")
    ambition = django_filters.NumberFilter(field_name="ambition_id")

    class Meta:
        model = Indicator
        fields = ["chain", "ambition"]


class IndicatorVersionFilterSet(django_filters.FilterSet):
    chain = django_filters.CharFilter(field_name="indicator__ambition__chain__slug", help_text="Chain (slug).")
    indicator = django_filters.NumberFilter(field_name="indicator_id")

    class Meta:
        model = IndicatorVersion
        fields = ["chain", "indicator", "status"]


class FigureFilterSet(PeriodFilterSet):
    chain = django_filters.CharFilter(field_name="indicator__ambition__chain__slug", help_text="Chain (slug).")
    indicator = django_filters.NumberFilter(field_name="indicator_id")
    unit = django_filters.NumberFilter(field_name="unit_id")
    organisation = django_filters.NumberFilter(field_name="organisation_id")
    source = django_filters.ChoiceFilter(choices=FigureSource.choices)
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Figures saved at or after this moment (ISO 8601)."
    )

    class Meta:
        model = Figure
        fields = ["chain", "indicator", "unit", "organisation", "follow_up", "is_late", "source"]


class ChainAggregateFilterSet(PeriodFilterSet):
    chain = django_filters.CharFilter(field_name="indicator__ambition__chain__slug", help_text="Chain (slug).")
    indicator = django_filters.NumberFilter(field_name="indicator_id")

    class Meta:
        model = ChainAggregate
        fields = ["chain", "indicator"]


class OrganisationAggregateFilterSet(ChainAggregateFilterSet):
    organisation = django_filters.NumberFilter(field_name="organisation_id")

    class Meta:
        model = OrganisationAggregate
        fields = ["chain", "indicator", "organisation"]
