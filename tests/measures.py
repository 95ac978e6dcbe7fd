"""Ambitions and indicators on top of the test world (tests/conftest.py), for every ambitions test.

In ``zsm``: one ambition with
- ``share``: a ratio, "cases handled within 24 hours" (numerator/denominator × 100, a share,
  plausible 0–100), reported monthly by unit A (Politie) and unit B (OM);
- ``count``: a sum, "cases", reported by the same units, lower is better, plausible up to 10,000.
In ``jeugd``: ``other_indicator``, a sum reported by unit C.

All adopted, effective from January 2024 with an entry window of ten years, so that ``period``
(last month) and the months before it are open for entry in any test. Lead A and lead B hold
mandates to consent to indicators and approve figures for their partner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from ambitions.models import Ambition, Direction, Indicator, IndicatorKind, IndicatorVersion, VersionStatus
from ambitions.periods import Frequency, Period
from stakeholders.models import MandateScope
from tests.conftest import World
from tests.factories import MandateFactory


@dataclass
class Measures:
    world: World
    ambition: Ambition
    share: Indicator
    share_v1: IndicatorVersion
    count: Indicator
    count_v1: IndicatorVersion
    other_ambition: Ambition
    other_indicator: Indicator
    period: Period


def adopted_version(indicator: Indicator, units, **fields) -> IndicatorVersion:
    defaults = dict(
        number=1,
        status=VersionStatus.ADOPTED,
        effective_from=date(2024, 1, 1),
        kind=IndicatorKind.SUM,
        unit_label="zaken",
        decimals=0,
        frequency=Frequency.MONTH,
        factor=Decimal(1),
        baseline_period=date(2024, 1, 1),
        baseline_value=Decimal(0),
        target_period=date(2027, 6, 1),
        target_value=Decimal(100),
        tolerance=Decimal(5),
        deadline_days=10,
        entry_window_days=3650,
    )
    version = IndicatorVersion.objects.create(indicator=indicator, **{**defaults, **fields})
    version.reporting_units.set(units)
    return version


def build_measures(w: World) -> Measures:
    ambition = Ambition.objects.create(
        chain=w.chain,
        statement="80% van alle zaken binnen 24 uur afgedaan",
        societal_interest="Snel recht doet recht aan slachtoffers.",
        horizon=date(2027, 6, 30),
    )
    share = Indicator.objects.create(ambition=ambition, name="Binnen 24 uur afgedaan", position=1)
    share_v1 = adopted_version(
        share,
        [w.unit_a, w.unit_b],
        kind=IndicatorKind.RATIO,
        unit_label="%",
        decimals=1,
        factor=Decimal(100),
        numerator_label="Zaken binnen 24 uur afgedaan",
        denominator_label="Alle zaken",
        baseline_value=Decimal(24),
        target_value=Decimal(80),
        min_value=Decimal(0),
        max_value=Decimal(100),
    )
    count = Indicator.objects.create(ambition=ambition, name="Zaken in voorraad", position=2)
    count_v1 = adopted_version(
        count,
        [w.unit_a, w.unit_b],
        direction=Direction.LOWER,
        baseline_value=Decimal(500),
        target_value=Decimal(200),
        tolerance=Decimal(25),
        min_value=Decimal(0),
        max_value=Decimal(10000),
    )
    other_ambition = Ambition.objects.create(
        chain=w.other_chain, statement="Jeugd sneller geholpen", horizon=date(2027, 12, 31)
    )
    other_indicator = Indicator.objects.create(ambition=other_ambition, name="Aanmeldingen")
    adopted_version(other_indicator, [w.unit_c])
    for lead, partnership in ((w.lead_a, w.partner_a), (w.lead_b, w.partner_b)):
        for scope in (MandateScope.CONSENT_INDICATORS, MandateScope.APPROVE_FIGURES):
            MandateFactory(person=lead, partnership=partnership, scope=scope, valid_from=date(2024, 1, 1))
    return Measures(
        world=w,
        ambition=ambition,
        share=share,
        share_v1=share_v1,
        count=count,
        count_v1=count_v1,
        other_ambition=other_ambition,
        other_indicator=other_indicator,
        period=Period.containing(timezone.localdate(), Frequency.MONTH).previous,
    )


def _reporter(m: Measures, unit):
    """Who enters figures for the unit in the tests: unit A's contributor, unit B's partner lead."""
    return m.world.contributor_a if unit == m.world.unit_a else m.world.lead_b


def enter_share(m: Measures, unit, period: Period, numerator: str, denominator: str, comment: str = "") -> None:
    """Save the share indicator's cell through save_cell, as the unit's own reporter."""
    from ambitions.services.entry import CellInput, save_cell

    cell = CellInput(numerator=numerator, denominator=denominator, comment=comment)
    save_cell(_reporter(m, unit), m.share, unit, period, cell)


def enter_count(m: Measures, unit, period: Period, value: str) -> None:
    """Save the count indicator's cell through save_cell, as the unit's own reporter."""
    from ambitions.services.entry import CellInput, save_cell

    save_cell(_reporter(m, unit), m.count, unit, period, CellInput(value=value))


def enter_off_track(m: Measures) -> None:
    """The share indicator far behind its trajectory (10%), the count indicator ahead, in last month
    and the month before: until last month's deadline (the first days of a month) the dashboard and
    everything judged by it (agenda suggestions, the bottleneck offer) judge the month before."""
    for period in (m.period, m.period.previous):
        for unit in (m.world.unit_a, m.world.unit_b):
            enter_share(m, unit, period, "10", "100")
            enter_count(m, unit, period, "100")


# The reason tests give when they submit or approve a period with figures missing (the submission
# rule, services/submissions.py); ignored when nothing is missing.
MISSING = "Nog niet alle eenheden hebben geleverd"
