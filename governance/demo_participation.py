"""Participation health in the ZSM demo (settings.DEMO_LOADERS, after governance.demo): the probation
service (Reclassering Nederland) is slipping — its figures came in late in more months than the
other partners' (the demo's own figures leave every partner three periods short of perfect: below
the threshold), and a second action of its lead is past its due date. Safe to run again: it marks
the same figures late and keeps one action by its description."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ambitions.models import Figure, IndicatorVersion
from ambitions.services import aggregates
from governance.demo_names import STUURGROEP
from governance.models import ActionItem, Body
from governance.services.participation import recent_periods
from stakeholders.models import Chain, Person

LATE_MONTHS = (3, 5)  # which of the recent periods (newest first) Reclassering also reported late
ACTION = "Werkafspraken weekendpiket Reclassering uitwerken en delen met de stuurgroep"


def load_demo() -> None:
    zsm = Chain.objects.filter(slug="zsm").first()
    lead = Person.objects.filter(email="lead.reclassering@zsm.demo").first()
    if zsm is None or lead is None or lead.organisation is None:
        return
    with transaction.atomic():
        _late_figures(zsm, lead.organisation_id)
        _overdue_action(zsm, lead)


def _late_figures(zsm: Chain, organisation_id: int) -> None:
    by_indicator: dict[int, list[IndicatorVersion]] = {}
    for version in (
        IndicatorVersion.objects.in_force().filter(indicator__ambition__chain=zsm).order_by("-effective_from")
    ):
        by_indicator.setdefault(version.indicator_id, []).append(version)
    periods = list(recent_periods(by_indicator, timezone.localdate()))
    starts = [periods[n].start for n in LATE_MONTHS if n < len(periods)]
    late = Figure.objects.with_data().filter(
        indicator_id__in=list(by_indicator), organisation_id=organisation_id, period__in=starts
    )
    if late.filter(is_late=False).update(is_late=True):
        aggregates.rebuild_all(list(by_indicator))


def _overdue_action(zsm: Chain, lead: Person) -> None:
    body = Body.objects.filter(chain=zsm, name=STUURGROEP).first()
    if body is None:
        return
    ActionItem.objects.get_or_create(
        body=body,
        description=ACTION,
        defaults={"owner": lead, "due_on": timezone.localdate() - timedelta(days=12)},
    )
