"""Demo chain map for ZSM: the relay police → OM → (court, a partner of the chain) → probation
(with the council for child protection in parallel, for juveniles) → victim support, each step with
a lead-time indicator and two years of figures. Probation's advice takes longer than its norm
(off track: the chain pinches there, as the rest of the demo tells: probation's capacity is short);
every other step is within its norm.

The lead times are averages: the hours (or days) of all cases over the number of cases, a ratio
with factor 1 that is no share, lower is better; baseline and target are the norm, so the norm is
the same every period. They sit under their own ambition, "every link within its lead-time norm".

Loaded by ``manage.py load_demo`` (settings.DEMO_LOADERS, after ambitions.demo). Safe to run again:
definitions are matched by name, figures upserted per cell, the map's steps replaced.
Only aggregate figures; nothing about cases or people.
"""

from __future__ import annotations

import math
import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from ambitions.demo import _consents
from ambitions.models import (
    Ambition,
    Direction,
    Figure,
    FigureSource,
    Indicator,
    IndicatorKind,
    IndicatorVersion,
    VersionStatus,
)
from ambitions.models.chain_map import ChainMap, StepDraft
from ambitions.periods import Frequency, Period
from ambitions.services import aggregates
from stakeholders.models import Chain, Partnership, Person, Unit

MONTHS = 24
AMBITION = "Elke schakel binnen haar doorlooptijdnorm"

# step: (what happens, partners (short names), indicator, unit, norm, tolerance, typical value two
# years ago, typical value last month, reporting organisation)
STEPS = [
    (
        "Aanhouding en verhoor",
        ["Politie"],
        "Uren van aanhouding tot overdracht aan het OM",
        "uur",
        6,
        1,
        7.5,
        5.2,
        "Politie",
    ),
    ("Beslissing van het OM", ["OM"], "Uren van overdracht tot beslissing OM", "uur", 24, 3, 30, 21, "OM"),
    (
        "Zitting (snelrecht)",
        ["Rechtspraak"],
        "Dagen van dagvaarding tot zitting",
        "dagen",
        17,
        2,
        19,
        15,
        "Rechtspraak",
    ),
    # The pinch: probation's advice drifts further past its 48-hour norm.
    ("Advies over de verdachte", ["RN", "RvdK"], "Uren tot reclasseringsadvies", "uur", 48, 4, 50, 61, "RN"),
    ("Steun aan het slachtoffer", ["SHN"], "Uren tot eerste contact met het slachtoffer", "uur", 48, 4, 52, 36, "SHN"),
]


def _round(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@transaction.atomic
def load_demo() -> None:
    zsm = Chain.objects.get(slug="zsm")
    last = Period.containing(timezone.localdate(), Frequency.MONTH).previous
    first = last.shifted(-(MONTHS - 1))
    manager = Person.objects.filter(email="ketenregisseur@zsm.demo").first()
    rng = random.Random(1414)  # noqa: S311 - the same demo every time; nothing secret about it
    position = Ambition.objects.filter(chain=zsm).exclude(statement=AMBITION).count() + 1
    ambition, _ = Ambition.objects.update_or_create(
        chain=zsm,
        statement=AMBITION,
        defaults={
            "societal_interest": "Een zaak staat nergens in de keten stil: elke overdracht binnen de afgesproken tijd.",
            "horizon": date(2027, 12, 31),
            "position": position,
        },
    )
    partners = {
        p.organisation.short_name: p for p in Partnership.objects.filter(chain=zsm).select_related("organisation")
    }
    drafts, indicators = [], []
    for number, (name, who, title, unit_label, norm, tolerance, start, end, reporter) in enumerate(STEPS, start=1):
        indicator, _ = Indicator.objects.update_or_create(ambition=ambition, name=title, defaults={"position": number})
        units = list(Unit.objects.filter(organisation=partners[reporter].organisation, parent=None).order_by("name"))
        version = _version(indicator, first, unit_label, norm, tolerance, units, manager)
        _figures(indicator, version, units, first, start, end, rng)
        indicators.append(indicator.pk)
        drafts.append(StepDraft(number, name, [partners[short] for short in who], indicator))
    chain_map, _ = ChainMap.objects.get_or_create(chain=zsm)
    chain_map.replace_steps("", drafts, chain_map.revision, manager)
    aggregates.rebuild_all(indicators)


def _version(indicator, first: Period, unit_label: str, norm: int, tolerance: int, units, manager) -> IndicatorVersion:
    version = indicator.versions.filter(number=1).first()
    if version is None:
        version = IndicatorVersion.objects.create(
            indicator=indicator,
            number=1,
            status=VersionStatus.ADOPTED,
            effective_from=first.start,
            kind=IndicatorKind.RATIO,
            unit_label=unit_label,
            direction=Direction.LOWER,
            decimals=1,
            frequency=Frequency.MONTH,
            factor=Decimal(1),
            is_share=False,
            numerator_label=f"Doorlooptijd van alle zaken opgeteld ({unit_label})",
            denominator_label="Zaken",
            baseline_period=first.start,
            baseline_value=norm,
            target_period=date(2027, 12, 1),
            target_value=norm,
            tolerance=tolerance,
            min_value=0,
            max_value=1000,
            deadline_days=10,
            entry_window_days=120,
            rationale="De doorlooptijdnorm van de schakel, vastgesteld in de stuurgroep.",
            proposed_by=manager,
            proposed_at=timezone.now(),
            decided_at=timezone.now(),
        )
    version.reporting_units.set(units)
    _consents(version)
    return version


def _figures(indicator, version, units, first: Period, start: float, end: float, rng: random.Random) -> None:
    """Every unit every month, on time: the hours of its cases and how many cases."""
    rows = []
    for unit in units:
        for month in range(MONTHS):
            typical = start + (end - start) * month / (MONTHS - 1) + 0.5 * math.sin(month / 2)
            cases = max(int(60 * rng.uniform(0.7, 1.3)), 1)
            hours = max(typical * rng.uniform(0.95, 1.05), 0.5) * cases
            numerator = _round(round(hours, 1))
            rows.append(
                Figure(
                    indicator=indicator,
                    version=version,
                    unit=unit,
                    organisation_id=unit.organisation_id,
                    period=first.shifted(month).start,
                    source=FigureSource.FORM,
                    numerator=numerator,
                    denominator=Decimal(cases),
                    value=_round(float(numerator) / cases),
                    revision=1,
                )
            )
    Figure.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["indicator", "unit", "period"],
        update_fields=["version", "value", "numerator", "denominator"],
        batch_size=2000,
    )
