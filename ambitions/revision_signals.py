"""Bumping a chain's data revision (services/data_revision.py) when something its dashboard shows,
other than the figures, changes: on the model signals, because these rows are written rarely and
from many places (pages, services, Celery tasks, the admin, management commands), so that none of
them can forget it. The figures' writers bump explicitly (they write in bulk, without signals).
``bump`` renews the chain's structure token too, which the indicator and report pages are kept
under; consents, reports and their commentary are here for those pages (docs/kept-parts.md).

Connected in AmbitionsConfig.ready(). Each handler costs at most one small query, to find the
chain of a row that does not carry it; a relation already loaded is used instead.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from ambitions.models import (
    Ambition,
    Consent,
    DeliveryTerms,
    Indicator,
    IndicatorVersion,
    PeriodSubmission,
    ProgressReport,
    ReportCommentary,
)
from ambitions.models.chain_map import ChainMap, MapStep
from ambitions.services.data_revision import bump
from stakeholders.models import Chain, Organisation, Partnership, Unit


def _loaded(instance, name: str):
    """The related object ``name`` when it is already loaded (no query), else None."""
    field = instance._meta.get_field(name)
    return getattr(instance, name) if field.is_cached(instance) else None


def _chains_of_organisation(organisation_id: int | None) -> list[int]:
    if organisation_id is None:
        return []
    return list(Partnership.objects.filter(organisation_id=organisation_id).values_list("chain_id", flat=True))


def _chain_of_indicator(indicator_id: int | None) -> list[int | None]:
    return list(Indicator.objects.filter(pk=indicator_id).values_list("ambition__chain_id", flat=True))


def _own_chain(sender, instance, **kwargs) -> None:
    """Rows with a chain_id of their own (and the chain itself: a new one gets a fresh token)."""
    bump([instance.pk if isinstance(instance, Chain) else instance.chain_id])


def _indicator(sender, instance: Indicator, **kwargs) -> None:
    ambition = _loaded(instance, "ambition")
    if ambition is not None:
        bump([ambition.chain_id])
    else:
        bump(Ambition.objects.filter(pk=instance.ambition_id).values_list("chain_id", flat=True))


def _version(sender, instance: IndicatorVersion, **kwargs) -> None:
    indicator = _loaded(instance, "indicator")
    ambition = _loaded(indicator, "ambition") if indicator is not None else None
    bump([ambition.chain_id] if ambition is not None else _chain_of_indicator(instance.indicator_id))


def _consent(sender, instance: Consent, **kwargs) -> None:
    """A partner's answer to a proposal: the indicator page counts them per version."""
    versions = IndicatorVersion.objects.filter(pk=instance.version_id)
    bump(versions.values_list("indicator__ambition__chain_id", flat=True))


def _commentary(sender, instance: ReportCommentary, **kwargs) -> None:
    """What the programme manager writes in a report: on its page."""
    bump(ProgressReport.objects.filter(pk=instance.report_id).values_list("chain_id", flat=True))


def _organisation(sender, instance: Organisation, **kwargs) -> None:
    bump(_chains_of_organisation(instance.pk))  # its name is on the tiles of every chain it is in


def _unit(sender, instance: Unit, **kwargs) -> None:
    bump(_chains_of_organisation(instance.organisation_id))


def _map_step(sender, instance: MapStep, **kwargs) -> None:
    bump(ChainMap.objects.filter(pk=instance.chain_map_id).values_list("chain_id", flat=True))


def _reporting_units(sender, instance, action: str, **kwargs) -> None:
    """A version's reporting units, changed from either side (the version's or the unit's)."""
    if not action.startswith("post_"):
        return
    if isinstance(instance, IndicatorVersion):
        _version(sender, instance)
    else:
        _unit(sender, instance)


def _map_partners(sender, instance, action: str, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, MapStep):
        _map_step(sender, instance)
    else:
        bump([instance.chain_id])  # a partnership's steps


def connect() -> None:
    handlers = [
        (_own_chain, [Chain, Partnership, Ambition, PeriodSubmission, ChainMap, DeliveryTerms, ProgressReport]),
        (_commentary, [ReportCommentary]),
        (_indicator, [Indicator]),
        (_version, [IndicatorVersion]),
        (_consent, [Consent]),
        (_organisation, [Organisation]),
        (_unit, [Unit]),
        (_map_step, [MapStep]),
    ]
    for handler, models in handlers:
        for model in models:
            uid = f"data-revision:{model._meta.label}"
            post_save.connect(handler, sender=model, dispatch_uid=uid)
            post_delete.connect(handler, sender=model, dispatch_uid=uid)
    m2m_changed.connect(
        _reporting_units, sender=IndicatorVersion.reporting_units.through, dispatch_uid="data-revision:units"
    )
    m2m_changed.connect(_map_partners, sender=MapStep.partners.through, dispatch_uid="data-revision:map-partners")
