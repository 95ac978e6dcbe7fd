"""Roll-ups maintained on every save, so dashboards never scan raw figures.

Each row holds sums, never averages: a ratio's value is Σnumerator / Σdenominator × factor.
``reported`` counts cells with data and ``late`` those entered after the deadline; expected
counts come from the version's reporting units. ambitions/services/aggregates.py keeps these in
step with the figures inside the same transaction as the save.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from stakeholders.models import Organisation

from .definitions import Indicator

SUM = {"max_digits": 24, "decimal_places": 4, "default": Decimal(0)}


class AggregateFields(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    value_sum = models.DecimalField(**SUM)
    numerator_sum = models.DecimalField(**SUM)
    denominator_sum = models.DecimalField(**SUM)
    reported = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def value(self, version) -> Decimal | None:
        """The aggregate value under ``version``'s definition, or None without data."""
        if not self.reported:
            return None
        if version.is_ratio:
            if not self.denominator_sum:
                return None
            return self.numerator_sum / self.denominator_sum * version.factor
        return self.value_sum


class ChainAggregate(AggregateFields):
    """The whole chain's figure for one indicator and period."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="chain_aggregate_unique")]

    def __str__(self) -> str:
        return f"{self.indicator_id} · {self.period:%Y-%m} · chain"


class OrganisationAggregate(AggregateFields):
    """One partner organisation's figure (all its reporting units) for one indicator and period."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "organisation"], name="organisation_aggregate_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} · {self.period:%Y-%m} · {self.organisation_id}"
