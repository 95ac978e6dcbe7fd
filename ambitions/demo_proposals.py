"""The demo's indicator proposals (issue 15, consent that cannot stall), made through the consent
services so they carry a deadline, a round with its text and a timeline like real ones:

- "Schadevergoeding binnen 3 maanden betaald": waiting for consent, one core partner has answered,
  so My work has a request to answer and the page shows who is still waiting;
- "Slachtoffer binnen 5 werkdagen geïnformeerd": stopped by an objection with its reason, so the
  programme manager can amend it into a new round, withdraw it or put it before the steering group.

Loading again changes nothing: an indicator that has versions is left alone.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from ambitions.models import Ambition, Indicator, IndicatorKind, IndicatorVersion, VersionStatus
from ambitions.periods import Frequency, Period
from ambitions.services import consensus
from stakeholders.models import Chain, Person, Unit

OBJECTION = (
    "Wij registreren het informeren van slachtoffers pas bij het afsluiten van de zaak; binnen 5 werkdagen "
    "is zo niet te meten. Graag eerst een meetbare definitie, bijvoorbeeld het eerste contact."
)


def load(zsm: Chain, first: Period, manager: Person) -> None:
    ambition = Ambition.objects.get(chain=zsm, position=2)
    waiting = _proposed(
        ambition,
        "Schadevergoeding binnen 3 maanden betaald",
        9,
        manager,
        first,
        numerator_label="Binnen 3 maanden betaald",
        denominator_label="Toegekende vorderingen",
        baseline_value=40,
        target_value=75,
        rationale="Voorstel van Slachtofferhulp Nederland na de koerscheck.",
    )
    if waiting is not None:
        _answer(waiting, 0, "consent")
    stopped = _proposed(
        ambition,
        "Slachtoffer binnen 5 werkdagen geïnformeerd",
        10,
        manager,
        first,
        numerator_label="Binnen 5 werkdagen geïnformeerd",
        denominator_label="Slachtoffers met een zaak",
        baseline_value=55,
        target_value=90,
        rationale="Afspraak uit de stuurgroep: slachtoffers horen snel wat er met hun zaak gebeurt.",
    )
    if stopped is not None:
        _answer(stopped, -1, "objection", OBJECTION)


def _proposed(ambition, name: str, position: int, manager: Person, first: Period, **fields) -> IndicatorVersion | None:
    indicator, _ = Indicator.objects.update_or_create(ambition=ambition, name=name, defaults={"position": position})
    if indicator.versions.exists():
        return None
    version = IndicatorVersion.objects.create(
        indicator=indicator,
        number=1,
        status=VersionStatus.DRAFT,
        effective_from=Period.containing(timezone.localdate(), Frequency.MONTH).next.start,
        kind=IndicatorKind.RATIO,
        unit_label="%",
        decimals=1,
        frequency=Frequency.QUARTER,
        factor=100,
        baseline_period=first.start,
        target_period=Period.containing(timezone.localdate() + timedelta(days=730), Frequency.QUARTER).start,
        min_value=0,
        max_value=100,
        **fields,
    )
    version.reporting_units.set(Unit.objects.filter(organisation__short_name="SHN", parent=None))
    return consensus.propose(manager, version)


def _answer(version: IndicatorVersion, which: int, position: str, reason: str = "") -> None:
    """The answer of one core partner (the first or the last by name), by its mandated lead."""
    core = consensus.core_partnerships(version)
    partnership = core[which]
    people = consensus.mandated_people([partnership])[partnership.pk]
    if not people:
        raise ImproperlyConfigured(f"No one may consent for {partnership.organisation} in the demo.")
    consensus.respond(people[0], version, partnership, position, reason)
