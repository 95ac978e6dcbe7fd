"""Matrix rows of issue 15: early warning (governance/views/early_warnings.py, under
/ketens/<slug>/overleg/vroegsignalen/); see tests/matrix/closing_loop/__init__.py.

Objects, per target: ``early_warning``, a proposed warning on each of zsm's indicators (share: partner
A's unit lagging; count: partner B's) and one on the other chain's indicator. Every member reads the list and a
warning's page; accepting and dismissing are the programme manager's
(governance/policy.py ``may_decide_early_warning``: Action.MANAGE_BODIES, the MANAGE profile).
"""

from __future__ import annotations

from decimal import Decimal

from governance.models.early_warnings import EarlyWarning
from tests.matrix.objects import Objects, api_of, in_chain, of, plain
from tests.matrix.policy import API, MANAGE, OTHER, PARTNER_A, PARTNER_B, READ
from tests.matrix.rows import Row, posting


def a_note(o: Objects, target: str) -> dict:
    return {"note": "Matrix: graag bespreken."}


def a_reason(o: Objects, target: str) -> dict:
    return {"reason": "Matrix: bekend en aangepakt."}


def warning_status(o: Objects, target: str) -> str:
    return EarlyWarning.objects.values_list("status", flat=True).get(pk=o.get("early_warning", target).pk)


ROWS: list[Row] = [
    Row("governance:early_warning_list", in_chain(), READ),
    Row("governance:early_warning_detail", of("early_warning"), READ),
    Row("governance:early_warning_accept", of("early_warning"), MANAGE),
    posting("governance:early_warning_accept", of("early_warning"), MANAGE, a_note, warning_status),
    Row("governance:early_warning_dismiss", of("early_warning"), MANAGE),
    posting("governance:early_warning_dismiss", of("early_warning"), MANAGE, a_reason, warning_status),
    Row("governance-api:early-warning-list", plain(), API),
    Row("governance-api:early-warning-detail", api_of("early_warning"), API),
]


def _warning(indicator, unit, partner: str) -> EarlyWarning:
    version = indicator.versions.get()
    return EarlyWarning.objects.create(
        chain=indicator.ambition.chain,
        indicator=indicator,
        version=version,
        period=version.baseline_period.replace(year=version.baseline_period.year + 2),
        forecast_value=Decimal(60),
        forecast_period=version.target_period,
        target=version.target_value,
        gap=version.target_value - 60,
        previous_gap=version.target_value - 62,
        lagging=[
            {
                "unit_id": unit.pk,
                "unit": unit.name,
                "organisation_id": unit.organisation_id,
                "partner": partner,
                "value": "40",
                "target": "70",
                "distance": "6",
            }
        ],
    )


def add_objects(w, found) -> None:
    """Adds the objects this module's rows point at to ``found.by_kind``."""
    indicators = found.by_kind["indicator"]
    found.by_kind["early_warning"] = {
        PARTNER_A: _warning(indicators[PARTNER_A], w.unit_a, w.org_a.name),
        PARTNER_B: _warning(indicators[PARTNER_B], w.unit_b, w.org_b.name),
        OTHER: _warning(indicators[OTHER], w.unit_c, w.org_c.name),
    }
