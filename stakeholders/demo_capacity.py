"""Demo capacity self-assessments for the ZSM chain: two years — four periods of six months — for
every core partner, with probation (Reclassering Nederland) running short of people (4 → 4 → 3 → 2),
so that its latest assessment is flagged on the chain's capacity page and on the steering group's
next agenda (governance/services/capacity_flags.py). Slachtofferhulp has not assessed the current
period yet, so its lead finds the assessment waiting in *My work*.

Loaded by ``manage.py load_demo`` (settings.DEMO_LOADERS). Safe to run again: an assessment is
matched by its partner and period. The periods follow today. Only organisational data.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from stakeholders.models import Chain, Partnership, PartnershipStatus, Person
from stakeholders.models.capacity import SCORE_FIELDS, CapacityAssessment, shift_window, window_start

# Per partner (short name): its lead (stakeholders/demo.py), then per period, oldest first, the
# scores people, money, data and IT, mandate, knowledge.
SCORES = {
    "OM": ("lead.om@zsm.demo", [(4, 4, 3, 5, 4), (4, 4, 3, 5, 4), (4, 3, 4, 5, 4), (4, 3, 4, 5, 4)]),
    "Politie": ("lead.politie@zsm.demo", [(3, 4, 4, 4, 4), (3, 4, 4, 4, 4), (4, 4, 4, 4, 4), (4, 4, 5, 4, 4)]),
    "RN": ("lead.reclassering@zsm.demo", [(4, 3, 3, 4, 4), (4, 3, 3, 4, 4), (3, 3, 3, 4, 4), (2, 3, 3, 4, 4)]),
    "SHN": ("lead.slachtofferhulp@zsm.demo", [(4, 3, 4, 4, 5), (4, 3, 4, 4, 5), (4, 3, 4, 4, 5), (4, 3, 4, 4, 5)]),
    "RvdK": ("lead.rvdk@zsm.demo", [(3, 3, 4, 4, 4), (3, 3, 4, 4, 4), (3, 3, 4, 4, 4), (3, 4, 4, 4, 4)]),
}
# Partners whose four periods end with the previous one: the current one waits for them.
BEHIND = {"SHN"}
NOTES = {
    ("RN", "people", 3): "Vacatures voor reclasseringswerkers op ZSM-locaties blijven lang open.",
    ("RN", "people", 2): (
        "Twee van de vijf ZSM-locaties zijn een deel van de week niet bezet: vacatures en ziekteverzuim. "
        "Vroeghulp en adviezen binnen 24 uur komen daardoor in gevaar. Nodig: tijdelijke inzet uit andere "
        "regio's en voorrang in de werving."
    ),
    ("RN", "money", 3): "Het budget voor ZSM is voor dit jaar toereikend, niet voor uitbreiding.",
    ("Politie", "people", 3): "Hulpofficieren zijn schaars in de avonduren.",
    ("OM", "data_it", 3): "De koppeling met het politiesysteem valt soms uit.",
}


@transaction.atomic
def load_demo() -> None:
    zsm = Chain.objects.get(slug="zsm")
    months = zsm.capacity_cadence_months
    today = timezone.localdate()
    current = window_start(today, months)
    partners = {
        p.organisation.short_name: p
        for p in Partnership.objects.filter(chain=zsm, status=PartnershipStatus.CORE).select_related("organisation")
    }
    leads = {p.email: p for p in Person.objects.filter(email__in=[lead for lead, _scores in SCORES.values()])}
    for short_name, (lead, periods) in SCORES.items():
        partner = partners.get(short_name)
        if partner is None:
            continue
        last = shift_window(current, months, -1 if short_name in BEHIND else 0)
        for steps_back, scores in zip(range(len(periods) - 1, -1, -1), periods, strict=True):
            start = shift_window(last, months, -steps_back)
            values = dict(zip(SCORE_FIELDS, scores, strict=True))
            notes = {f"{name}_note": NOTES.get((short_name, name, score), "") for name, score in values.items()}
            # Assessed three weeks into the period (or today, for a period begun less long ago).
            day = min(start + timedelta(days=21), today)
            CapacityAssessment.objects.update_or_create(
                partnership=partner,
                period_start=start,
                defaults={
                    "chain": zsm,
                    "assessed_by": leads.get(lead),
                    "assessed_at": timezone.make_aware(datetime.combine(day, time(10, 0))),
                    **values,
                    **notes,
                },
            )
