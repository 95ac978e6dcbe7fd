"""Which definition applies to which period: the adopted version with the latest start on or before it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import Count, Exists, OuterRef, Subquery

from ambitions.models import DeliveryTerms, Indicator, IndicatorVersion, VersionStatus
from stakeholders.models import Unit


def versions_in_force(
    indicator_ids: Iterable[int], reported_by: Unit | None = None, agreed_for: tuple[int, date] | None = None
) -> dict[int, list[IndicatorVersion]]:
    """Per indicator its adopted and superseded versions, latest start first (one query).

    With ``reported_by``, each version also says whether that unit reports it (``unit_reports``);
    with ``agreed_for`` (an organisation id and a day), the delivery day that organisation agreed for
    the indicator under delivery terms in force that day (``agreed_day``, None without terms), in
    the same query."""
    result: dict[int, list[IndicatorVersion]] = {i: [] for i in indicator_ids}
    versions = IndicatorVersion.objects.in_force().filter(indicator_id__in=list(result)).order_by("-effective_from")
    if reported_by is not None:
        reports = IndicatorVersion.reporting_units.through.objects.filter(
            indicatorversion=OuterRef("pk"), unit=reported_by
        )
        versions = versions.annotate(unit_reports=Exists(reports))
    if agreed_for is not None:
        organisation_id, day = agreed_for
        terms = DeliveryTerms.objects.in_force_on(day).filter(
            partnership__organisation_id=organisation_id, indicators=OuterRef("indicator_id")
        )
        versions = versions.annotate(agreed_day=Subquery(terms.values("delivery_working_day")[:1]))
    for version in versions:
        result[version.indicator_id].append(version)
    return result


def reporting_units_per_organisation(version_ids: Iterable[int]) -> dict[int, dict[int, tuple[str, int]]]:
    """Version id → organisation id → (organisation name, number of its units reporting the version),
    in one query: completeness on the dashboard and in reports."""
    through = IndicatorVersion.reporting_units.through
    rows = (
        through.objects.filter(indicatorversion_id__in=set(version_ids))
        .values_list("indicatorversion_id", "unit__organisation_id", "unit__organisation__name")
        .annotate(n=Count("unit_id"))
        .order_by()
    )
    result: dict[int, dict[int, tuple[str, int]]] = defaultdict(dict)
    for version_id, organisation_id, name, n in rows:
        result[version_id][organisation_id] = (name, n)
    return result


def pick(versions: list[IndicatorVersion], period: date) -> IndicatorVersion | None:
    """The version for ``period`` out of one indicator's list from versions_in_force()."""
    for version in versions:  # a loop, not next(generator): asked for every period of every tile
        if version.effective_from <= period:
            return version
    return None


def version_for(indicator: Indicator | int, period: date) -> IndicatorVersion | None:
    indicator_id = indicator if isinstance(indicator, int) else indicator.pk
    return (
        IndicatorVersion.objects.in_force()
        .filter(indicator_id=indicator_id, effective_from__lte=period)
        .order_by("-effective_from")
        .first()
    )


def current_version(indicator: Indicator) -> IndicatorVersion | None:
    """The version in force today's latest periods: the adopted one, else None."""
    return indicator.versions.filter(status=VersionStatus.ADOPTED).order_by("-effective_from").first()
