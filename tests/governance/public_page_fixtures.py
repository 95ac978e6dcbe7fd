"""A chain's public page switched on, on top of the test world and its measures (tests/measures.py):
the steering group (a strategic body) adopted the decision to publish; ``share`` and ``count`` are
chosen. Used by the public page's tests, its matrix rows and its browser test."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from governance.models import Body, BodyLevel, Decision, DecisionStatus, DecisionWay
from governance.models.public_page import PublicPage
from tests.measures import Measures


def adopted_decision(body: Body, by, title: str = "Openbaar dashboard publiceren", **fields) -> Decision:
    today = timezone.localdate()
    values = {"status": DecisionStatus.ADOPTED, **fields}
    return Decision.objects.create(
        body=body,
        title=title,
        text="De stuurgroep besluit het dashboard openbaar te maken.",
        way=DecisionWay.WRITTEN,
        closes_on=today - timedelta(days=3),
        decided_on=today - timedelta(days=3),
        proposed_by=by,
        **values,
    )


def steering_group(chain) -> Body:
    return Body.objects.create(chain=chain, name=f"Stuurgroep {chain.name}", level=BodyLevel.STRATEGIC)


def switched_on(m: Measures, show_units: bool = False) -> PublicPage:
    decision = adopted_decision(steering_group(m.world.chain), m.world.manager)
    page = PublicPage.objects.create(chain=m.world.chain, enabled=True, decision=decision, show_units=show_units)
    page.indicators.set([m.share, m.count])
    return page
