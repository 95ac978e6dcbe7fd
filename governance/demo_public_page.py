"""The demo's public page (settings.DEMO_LOADERS, after the governance demo): ZSM's page switched on,
backed by the national steering group's decision to publish it (adopted at a meeting two months
ago, with every core partner's consent), showing three indicators and the chain's figures only.

Loading it again changes nothing: a chain whose page exists keeps it as it is.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ambitions.models import Indicator
from stakeholders.models import Chain, Partnership, Person

from .demo_decisions import CONSENT, _decision, _positions, held_meeting
from .demo_names import CORE, STUURGROEP
from .models import Body, DecisionStatus, DecisionWay
from .models.public_page import PublicPage

TITLE = "Openbaar dashboard ZSM"
INDICATORS = [
    "Zaken binnen 24 uur afgedaan",
    "Slachtoffers binnen 48 uur geïnformeerd",
    "Reclasseringsadviezen binnen 24 uur",
]


@transaction.atomic
def load_demo() -> None:
    zsm = Chain.objects.filter(slug="zsm").first()
    body = Body.objects.filter(chain__slug="zsm", name=STUURGROEP).first()
    if zsm is None or body is None or PublicPage.objects.filter(chain=zsm).exists():
        return
    meeting = held_meeting(body, 2)
    day = timezone.localtime(meeting.starts_at).date()
    decision, created = _decision(
        body,
        TITLE,
        meeting=meeting,
        created_at=meeting.starts_at - timedelta(days=14),
        text=(
            "De stuurgroep maakt de voortgang van ZSM openbaar: een openbare pagina met drie indicatoren, "
            "de gepubliceerde succesverhalen en de nieuwsbrieven. Alleen cijfers van de keten als geheel."
        ),
        way=DecisionWay.MEETING,
        closes_on=day,
        status=DecisionStatus.ADOPTED,
        outcome_statement="Aangenomen met consent van alle kernpartners.",
        decided_on=day,
        review_on=day + timedelta(days=365),
        proposed_by=Person.objects.filter(email="ketenregisseur@zsm.demo").first(),
    )
    if created:
        partners = {
            p.organisation.short_name: p for p in Partnership.objects.filter(chain=zsm).select_related("organisation")
        }
        _positions(decision, partners, dict.fromkeys(CORE, CONSENT), meeting.starts_at + timedelta(minutes=40))
    page = PublicPage.objects.create(chain=zsm, enabled=True, decision=decision, show_units=False)
    page.indicators.set(Indicator.objects.filter(ambition__chain=zsm, name__in=INDICATORS))
