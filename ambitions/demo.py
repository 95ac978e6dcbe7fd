"""Demo ambitions for the ZSM chain: the 24-hour ambition with two years of figures per unit.

Loaded by ``manage.py load_demo`` after the stakeholders' demo (settings.DEMO_LOADERS). Safe to
run again: definitions are matched by name and figures upserted per cell. Figures are written in
bulk and the roll-ups rebuilt once, which is fine for trusted demo data and far quicker than
saving 1,500 cells one by one.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ambitions.models import (
    Ambition,
    Consent,
    ConsentPosition,
    Direction,
    Figure,
    FigureSource,
    Indicator,
    IndicatorKind,
    IndicatorVersion,
    PeriodSubmission,
    SubmissionStatus,
    VersionStatus,
)
from ambitions.periods import Frequency, Period
from ambitions.services import aggregates, consensus
from stakeholders.models import Chain, Organisation, Person, Unit

MONTHS = 24


@dataclass(frozen=True)
class DemoIndicator:
    name: str
    organisation: str  # short name of the reporting organisation
    kind: str
    unit_label: str
    direction: str
    baseline: int
    target: int
    start: float  # typical value 24 months ago
    end: float  # typical value last month
    volume: int = 0  # ratio: typical denominator per unit per month
    tolerance: int = 5
    max_value: int | None = None


ZSM_AMBITIONS = [
    (
        "80% van alle zaken binnen 24 uur afgedaan",
        "Een snelle, zorgvuldige reactie op veelvoorkomende criminaliteit doet recht aan slachtoffers en "
        "voorkomt dat verdachten lang in onzekerheid blijven.",
        date(2027, 6, 30),
        [
            DemoIndicator(
                "Zaken binnen 24 uur afgedaan",
                "OM",
                IndicatorKind.RATIO,
                "%",
                Direction.HIGHER,
                24,
                80,
                24,
                70,
                volume=400,
                max_value=100,
            ),
            DemoIndicator(
                "ZSM-zaken ingestroomd",
                "Politie",
                IndicatorKind.SUM,
                "zaken",
                Direction.HIGHER,
                3000,
                3600,
                3000,
                3400,
                max_value=20000,
                tolerance=150,
            ),
            DemoIndicator(
                "Zaken ouder dan 7 dagen in behandeling",
                "OM",
                IndicatorKind.SUM,
                "zaken",
                Direction.LOWER,
                900,
                300,
                900,
                450,
                max_value=5000,
                tolerance=60,
            ),
        ],
    ),
    (
        "Slachtoffers binnen 48 uur geïnformeerd en ondersteund",
        "Slachtoffers horen snel wat er met hun zaak gebeurt en waar ze terechtkunnen.",
        date(2027, 12, 31),
        [
            DemoIndicator(
                "Slachtoffers binnen 48 uur geïnformeerd",
                "SHN",
                IndicatorKind.RATIO,
                "%",
                Direction.HIGHER,
                55,
                90,
                55,
                78,
                volume=150,
                max_value=100,
            ),
            DemoIndicator(
                "Reclasseringsadviezen binnen 24 uur",
                "RN",
                IndicatorKind.RATIO,
                "%",
                Direction.HIGHER,
                60,
                85,
                60,
                # Stalls well below its trajectory: off track, as probation's capacity is short (the
                # governance demo's steering group discusses it and gets it suggested for its agenda).
                64,
                volume=80,
                max_value=100,
            ),
        ],
    ),
]


def _round(value: float, places: int = 0) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@transaction.atomic
def load_demo() -> None:
    zsm = Chain.objects.get(slug="zsm")
    last = Period.containing(timezone.localdate(), Frequency.MONTH).previous
    first = last.shifted(-(MONTHS - 1))
    manager = Person.objects.filter(email="ketenregisseur@zsm.demo").first()
    rng = random.Random(2011)  # noqa: S311 - the same demo every time; nothing secret about it
    indicators = []
    for position, (statement, interest, horizon, specs) in enumerate(ZSM_AMBITIONS, start=1):
        ambition, _ = Ambition.objects.update_or_create(
            chain=zsm,
            statement=statement,
            defaults={"societal_interest": interest, "horizon": horizon, "position": position},
        )
        for index, spec in enumerate(specs, start=1):
            indicator, _ = Indicator.objects.update_or_create(
                ambition=ambition, name=spec.name, defaults={"position": index}
            )
            organisation = Organisation.objects.get(short_name=spec.organisation)
            units = list(Unit.objects.filter(organisation=organisation, parent=None).order_by("name"))
            version = _adopted_version(indicator, spec, first, horizon, units, manager)
            _figures(indicator, version, spec, units, first, rng)
            indicators.append(indicator.pk)
    _proposal(zsm, first, manager)
    _submissions(zsm, last, manager)
    aggregates.rebuild_all(indicators)


def _adopted_version(indicator, spec, first: Period, horizon: date, units, manager) -> IndicatorVersion:
    version = indicator.versions.filter(number=1).first()
    if version is None:
        version = IndicatorVersion.objects.create(
            indicator=indicator,
            number=1,
            status=VersionStatus.ADOPTED,
            effective_from=first.start,
            kind=spec.kind,
            unit_label=spec.unit_label,
            direction=spec.direction,
            decimals=1 if spec.kind == IndicatorKind.RATIO else 0,
            frequency=Frequency.MONTH,
            factor=Decimal(100) if spec.kind == IndicatorKind.RATIO else Decimal(1),
            numerator_label="Zaken binnen de norm" if spec.kind == IndicatorKind.RATIO else "",
            denominator_label="Alle zaken" if spec.kind == IndicatorKind.RATIO else "",
            baseline_period=first.start,
            baseline_value=spec.baseline,
            target_period=Period.containing(horizon, Frequency.MONTH).start,
            target_value=spec.target,
            tolerance=spec.tolerance,
            min_value=0,
            max_value=spec.max_value,
            deadline_days=10,
            entry_window_days=120,
            rationale="Vastgesteld in de stuurgroep.",
            proposed_by=manager,
            proposed_at=timezone.now(),
            decided_at=timezone.now(),
        )
    version.reporting_units.set(units)
    _consents(version)
    return version


def _consents(version: IndicatorVersion) -> None:
    """The consents that adopted the version: one from each core partner's mandated lead, as
    consensus.respond would have recorded them (the version page lists them)."""
    partnerships = consensus.core_partnerships(version)
    people = consensus.mandated_people(partnerships)
    for partnership in partnerships:
        if not people[partnership.pk]:
            raise ImproperlyConfigured(f"No one may consent for {partnership.organisation} in the demo.")
        Consent.objects.get_or_create(
            version=version,
            partnership=partnership,
            defaults={"person": people[partnership.pk][0], "position": ConsentPosition.CONSENT},
        )
    # Adopted once the last consent came in.
    last = version.consents.aggregate(last=Max("answered_at"))["last"]
    IndicatorVersion.objects.filter(pk=version.pk, decided_at__lt=last).update(decided_at=last)


def _figures(indicator, version, spec: DemoIndicator, units, first: Period, rng: random.Random) -> None:
    rows = []
    for u, unit in enumerate(units):
        skill = rng.uniform(-6, 6)  # some parketten are ahead of others
        for month in range(MONTHS):
            period = first.shifted(month)
            if month == MONTHS - 1 and u in (2, 7):
                continue  # two units have not reported last month yet
            if month == 9 and u == 4:
                continue  # a gap in the history
            progress = month / (MONTHS - 1)
            typical = spec.start + (spec.end - spec.start) * progress + 2 * math.sin(month / 2)
            figure = Figure(
                indicator=indicator,
                version=version,
                unit=unit,
                organisation_id=unit.organisation_id,
                period=period.start,
                source=FigureSource.FORM,
                is_late=(u == 5 and month % 6 == 3),
                revision=1,
            )
            if spec.kind == IndicatorKind.RATIO:
                share = min(max(typical + skill + rng.uniform(-3, 3), 1), 99) / 100
                denominator = max(int(spec.volume * rng.uniform(0.7, 1.3)), 1)
                figure.denominator = Decimal(denominator)
                figure.numerator = Decimal(round(denominator * share))
                figure.value = _round(figure.numerator / figure.denominator * 100, 4)
            else:
                figure.value = _round(max(typical / len(units) * rng.uniform(0.8, 1.2), 0))
            if u == 3 and month == MONTHS - 2:
                figure.comment, figure.follow_up = "Storing in het registratiesysteem; cijfer geschat.", True
            rows.append(figure)
    Figure.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["indicator", "unit", "period"],
        update_fields=["version", "value", "numerator", "denominator", "comment", "follow_up", "is_late"],
        batch_size=2000,
    )


def _proposal(zsm: Chain, first: Period, manager) -> None:
    """Indicator proposals waiting for consent and stopped by an objection (ambitions/demo_proposals.py)."""
    from ambitions import demo_proposals

    demo_proposals.load(zsm, first, manager)


def _submissions(zsm: Chain, last: Period, manager) -> None:
    """Everything older than last month approved; last month submitted by the OM, open for others."""
    approver = Person.objects.filter(email="lead.om@zsm.demo").first()
    organisation_ids = set(
        Figure.objects.filter(indicator__ambition__chain=zsm).values_list("organisation_id", flat=True)
    )
    now = timezone.now()
    for organisation_id in organisation_ids:
        for months_back in range(1, MONTHS):
            period = last.shifted(-months_back)
            PeriodSubmission.objects.update_or_create(
                chain=zsm,
                organisation_id=organisation_id,
                frequency=Frequency.MONTH,
                period=period.start,
                defaults={
                    "status": SubmissionStatus.APPROVED,
                    "submitted_at": now - timedelta(days=30 * months_back),
                    "approved_at": now - timedelta(days=30 * months_back - 2),
                    "approved_by": approver,
                },
            )
    om = Organisation.objects.get(short_name="OM")
    PeriodSubmission.objects.update_or_create(
        chain=zsm,
        organisation=om,
        frequency=Frequency.MONTH,
        period=last.start,
        defaults={
            "status": SubmissionStatus.SUBMITTED,
            "submitted_at": now,
            "submitted_by": Person.objects.filter(email="rapporteur.om@zsm.demo").first(),
        },
    )
