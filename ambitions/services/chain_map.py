"""The chain map's read model: each step with its partners, its lead time against its norm and status.

The figures come from wherever the page already has them, as ``IndicatorProgress`` per indicator
id (the one value object of a dashboard tile and a report row): the map page asks
``dashboard.progresses`` (the roll-ups), the dashboard hands over its tiles' progress and a
progress report its frozen snapshot's rows. So a step is judged exactly as its indicator's tile
(or the report's row) is, and the map itself costs two queries: its steps and their partners.

Where the norm comes from is explained in ambitions/models/chain_map.py: the consented
definition's value for the period (``IndicatorProgress.target``); the step's own norm only as an
unjudged fallback while there is no judged figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ambitions.models.chain_map import MapStep
from ambitions.services import dashboard
from ambitions.services.display import NO_VALUE, STATUS_MARKS, NumberFormat, PeriodLabels, status_badge, status_labels
from ambitions.services.progress import IndicatorProgress, Status
from stakeholders.models import Chain, ChainKind, Partnership

# A step whose lead time is off track is where the chain pinches; at risk, where it may.
PINCHES = (Status.OFF_TRACK, Status.AT_RISK)


@dataclass
class StepView:
    """One step as the map, its table and its summary show it (all texts ready)."""

    position: int
    name: str
    partners: list[str]
    indicator: str = ""  # the lead-time indicator's name; "" when none is linked
    indicator_url: str = ""
    period: str = ""  # the period the lead time is of (the headline)
    lead_time: str = NO_VALUE
    norm: str = NO_VALUE
    norm_source: str = ""  # "indicator": the consented definition; "step": the step's own (not judged)
    status: str = Status.NO_DATA.value
    status_label: str = ""
    mark: str = STATUS_MARKS[Status.NO_DATA]
    badge: SafeString = SafeString("")

    @property
    def pinches(self) -> bool:
        return self.status in PINCHES

    @property
    def partners_text(self) -> str:
        return ", ".join(self.partners)


@dataclass
class MapView:
    chain: Chain
    is_relay: bool
    dossier: str
    steps: list[StepView] = field(default_factory=list)

    @property
    def pinches(self) -> list[StepView]:
        """Off track first, then at risk, each in step order."""
        return sorted((s for s in self.steps if s.pinches), key=lambda s: (s.status != Status.OFF_TRACK, s.position))

    @property
    def svg(self) -> SafeString:
        from ambitions.services.chain_map_svg import draw  # the drawing, kept apart from the read model

        return draw(self)

    @property
    def title(self) -> str:
        if self.is_relay:
            return _("Chain map of %(chain)s: the steps in which the partners hand the case on") % {
                "chain": self.chain.name
            }
        return _("Chain map of %(chain)s: the partners around the shared dossier") % {"chain": self.chain.name}

    @property
    def description(self) -> str:
        """What the picture shows in one or two sentences: how many steps, and where it pinches."""
        if self.is_relay:
            parts = [
                _("%(count)s steps: %(steps)s.")
                % {
                    "count": len(self.steps),
                    "steps": " → ".join(f"{s.position}. {s.name} ({s.partners_text})" for s in self.steps),
                }
            ]
        else:
            parts = [
                _("%(count)s partners around %(dossier)s: %(partners)s.")
                % {
                    "count": len(self.steps),
                    "dossier": self.dossier or _("the shared dossier"),
                    "partners": "; ".join(f"{s.name} ({s.partners_text})" for s in self.steps),
                }
            ]
        pinches = self.pinches
        if pinches:
            parts.append(
                _("Where the chain pinches: %(steps)s.")
                % {
                    "steps": "; ".join(
                        _("step %(position)s, %(name)s: %(lead_time)s against a norm of %(norm)s (%(status)s)")
                        % {
                            "position": s.position,
                            "name": s.name,
                            "lead_time": s.lead_time,
                            "norm": s.norm,
                            "status": s.status_label,
                        }
                        for s in pinches
                    )
                }
            )
        else:
            parts.append(_("No step is off its norm."))
        return " ".join(parts)


def steps_of(chain: Chain) -> list[MapStep]:
    """The chain's steps in order, with their map, indicator (and its ambition) and partners: two queries."""
    partners = Prefetch("partners", queryset=Partnership.objects.select_related("organisation").order_by("pk"))
    return list(
        MapStep.objects.filter(chain_map__chain=chain)
        .select_related("chain_map", "indicator__ambition")
        .prefetch_related(partners)
        .order_by("position")
    )


def build(chain: Chain, steps: list[MapStep], progress: dict[int, IndicatorProgress]) -> MapView:
    """The map of ``steps`` with the figures of ``progress`` (indicator id → where it stands)."""
    view = MapView(
        chain=chain,
        is_relay=chain.kind != ChainKind.NETWORK,
        dossier=steps[0].chain_map.dossier if steps else "",
    )
    labels = status_labels()
    badges = {status: status_badge(status, label) for status, label in labels.items()}
    fmt, period = NumberFormat(), PeriodLabels()
    if steps:
        head, _pk, tail = reverse("ambitions:indicator_detail", args=[chain.slug, 0]).rpartition("/0/")
    for step in steps:
        shown = StepView(
            position=step.position,
            name=step.name,
            partners=[p.organisation.name for p in step.partners.all()],
        )
        if step.indicator is not None:
            shown.indicator = step.indicator.name
            shown.indicator_url = f"{head}/{step.indicator_id}/{tail}"
        found = progress.get(step.indicator_id) if step.indicator_id else None
        if found is not None and found.period is not None and found.measure is not None:
            shown.period = period(found.period)
            shown.lead_time = fmt.with_unit(found.value, found.measure)
            shown.status = found.status.value
            if found.target is not None:
                shown.norm, shown.norm_source = fmt.with_unit(found.target, found.measure), "indicator"
        if shown.norm_source == "" and step.norm is not None:
            measure = found.measure if found is not None else None
            decimals = max(0, -step.norm.normalize().as_tuple().exponent)
            shown.norm = fmt.with_unit(step.norm, measure) if measure is not None else fmt(step.norm, decimals)
            shown.norm_source = "step"
        shown.status_label = labels[shown.status]
        shown.mark = STATUS_MARKS[shown.status]
        shown.badge = badges[shown.status]
        view.steps.append(shown)
    return view


def for_page(chain: Chain) -> MapView:
    """The map page: the steps, and their indicators' standing from the roll-ups."""
    steps = steps_of(chain)
    indicators = {s.indicator_id: s.indicator for s in steps if s.indicator is not None}
    return build(chain, steps, dashboard.progresses(list(indicators.values())))
