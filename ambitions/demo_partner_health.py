"""Demo contributions and benefits for the ZSM chain: what each partner puts in this year (money,
people, data, facilities; last year's quarters all reported, this year's reported up to the last
quarter that ended, except the police's data delivery of that quarter: overdue, so its lead finds it
in *My work*), and every core partner's start and end picture — the police spending fewer hours per
case, the OM settling more cases within 24 hours, victim support informing victims the same day,
probation advising within 24 hours — with assessments. The council for child protection has none
yet, so the page "What each partner gains" warns about it.

Loaded by ``manage.py load_demo`` (settings.DEMO_LOADERS, after ambitions.demo: benefits point at its
indicators). Safe to run again: a contribution is matched by partner, year and kind, a benefit by
partner and title, an assessment by benefit and date. Dates follow today. Only organisational data.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ambitions.models import Indicator
from ambitions.models.benefits import Benefit, BenefitAssessment, BenefitStatus
from stakeholders.models import Chain, Partnership, Person
from stakeholders.models.contributions import Contribution, ContributionKind, Delivery

# Per partner (short name): (kind, amount, what, note).
CONTRIBUTIONS = {
    "Politie": [
        (ContributionKind.PEOPLE, "42", "", "Hulpofficieren en arrestantenzorg op de ZSM-locaties."),
        (ContributionKind.DATA, None, "Dagelijkse levering van zaakgegevens (geaggregeerd)", ""),
    ],
    "OM": [
        (ContributionKind.PEOPLE, "28.5", "", "Officieren en parketsecretarissen op ZSM."),
        (ContributionKind.MONEY, "1250000", "", "Ketenregie en het ketenportaal."),
    ],
    "RN": [(ContributionKind.PEOPLE, "16", "", "Reclasseringswerkers voor vroeghulp en adviezen.")],
    "SHN": [
        (ContributionKind.PEOPLE, "9", "", "Medewerkers op de ZSM-locaties."),
        (ContributionKind.FACILITIES, None, "Spreekkamers op twee ZSM-locaties", ""),
    ],
    "RvdK": [(ContributionKind.PEOPLE, "6", "", "Raadsonderzoekers voor jeugdzaken.")],
}

# Per partner: (title, start picture, indicator name or "", start value, end picture, target value,
# years ahead, owner's e-mail, assessments as (months ago, status, note)).
BENEFITS = {
    "Politie": (
        "Minder uren per zaak",
        "Een agent is nu gemiddeld 6 uur kwijt aan een ZSM-zaak, van aanhouding tot overdracht.",
        "ZSM-zaken ingestroomd",
        None,
        "Een ZSM-zaak kost de politie hooguit 4 uur, doordat OM en reclassering direct meebeslissen.",
        None,
        2,
        "lead.politie@zsm.demo",
        [(6, BenefitStatus.ON_TRACK, "Gemiddeld 5,2 uur per zaak."), (1, BenefitStatus.ON_TRACK, "4,8 uur.")],
    ),
    "OM": (
        "Meer zaken binnen 24 uur afgedaan",
        "Nu wordt ruim de helft van de ZSM-zaken binnen 24 uur afgedaan.",
        "Zaken binnen 24 uur afgedaan",
        "55",
        "Driekwart van de ZSM-zaken wordt binnen 24 uur afgedaan.",
        "75",
        2,
        "lead.om@zsm.demo",
        [(6, BenefitStatus.ON_TRACK, ""), (1, BenefitStatus.PARTLY_REALISED, "62% binnen 24 uur.")],
    ),
    "SHN": (
        "Slachtoffers dezelfde dag geïnformeerd",
        "Slachtoffers horen nu vaak pas na enkele dagen wat er met hun zaak gebeurt.",
        "Slachtoffers binnen 48 uur geïnformeerd",
        None,
        "Elk slachtoffer hoort dezelfde dag wat er met de zaak gebeurt en waar het terechtkan.",
        None,
        1,
        "lead.slachtofferhulp@zsm.demo",
        [(2, BenefitStatus.EXPECTED, "De werkwijze start in het najaar.")],
    ),
    "RN": (
        "Adviezen binnen 24 uur",
        "Een reclasseringsadvies komt nu vaak pas na de zitting.",
        "Reclasseringsadviezen binnen 24 uur",
        None,
        "Bij elke ZSM-zaak waar het nodig is, ligt binnen 24 uur een advies.",
        None,
        2,
        "lead.reclassering@zsm.demo",
        [(1, BenefitStatus.NOT_REALISED, "Te weinig mensen op de locaties.")],
    ),
}


def _months_ago(today: date, months: int) -> date:
    return today - timedelta(days=30 * months)


def _contributions(zsm: Chain, partners: dict[str, Partnership], today: date) -> None:
    last_quarter_ended = (today.month - 1) // 3  # 0 in January–March
    now = timezone.now()
    for short_name, items in CONTRIBUTIONS.items():
        partner = partners.get(short_name)
        if partner is None:
            continue
        for year in (today.year - 1, today.year):
            for kind, amount, what, note in items:
                contribution, _ = Contribution.objects.update_or_create(
                    partnership=partner,
                    year=year,
                    kind=kind,
                    defaults={"amount": None if amount is None else Decimal(amount), "description": what, "note": note},
                )
                contribution.plan_deliveries()
                reported = 4 if year < today.year else last_quarter_ended
                for delivery in contribution.deliveries.filter(quarter__lte=reported, reported_at__isnull=True):
                    overdue = (
                        short_name == "Politie"
                        and kind == ContributionKind.DATA
                        and (year, delivery.quarter) == _last_ended(today)
                    )
                    if overdue:
                        continue  # the one delivery overdue
                    Delivery.objects.filter(pk=delivery.pk).update(
                        delivered_amount=delivery.expected_amount,
                        delivered_note="" if delivery.expected_amount is not None else "Geleverd",
                        reported_at=now,
                    )


def _last_ended(today: date) -> tuple[int, int]:
    quarter = (today.month - 1) // 3
    return (today.year, quarter) if quarter else (today.year - 1, 4)


def _benefits(zsm: Chain, partners: dict[str, Partnership], today: date) -> None:
    indicators = {i.name: i for i in Indicator.objects.filter(ambition__chain=zsm)}
    owners = {p.email: p for p in Person.objects.filter(email__in=[spec[7] for spec in BENEFITS.values()])}
    start = _months_ago(today, 9)
    for short_name, spec in BENEFITS.items():
        title, start_picture, indicator, start_value, end_picture, target, years, owner, assessments = spec
        partner = partners.get(short_name)
        if partner is None:
            continue
        benefit, _ = Benefit.objects.update_or_create(
            chain=zsm,
            partnership=partner,
            title=title,
            defaults={
                "start_picture": start_picture,
                "start_indicator": indicators.get(indicator),
                "start_value": None if start_value is None else Decimal(start_value),
                "start_date": start,
                "end_picture": end_picture,
                "target_value": None if target is None else Decimal(target),
                "target_date": date(today.year + years, 12, 31),
                "owner": owners.get(owner),
            },
        )
        for months, status, note in assessments:
            BenefitAssessment.objects.update_or_create(
                benefit=benefit,
                assessed_on=_months_ago(today, months),
                defaults={"status": status, "note": note, "assessed_by": owners.get(owner)},
            )
        newest = benefit.assessments.order_by("-assessed_on", "-pk").values_list("status", flat=True).first()
        Benefit.objects.filter(pk=benefit.pk).update(status=newest or BenefitStatus.EXPECTED)


@transaction.atomic
def load_demo() -> None:
    zsm = Chain.objects.filter(slug="zsm").first()
    if zsm is None:
        return
    today = timezone.localdate()
    partners = {
        p.organisation.short_name: p for p in Partnership.objects.filter(chain=zsm).select_related("organisation")
    }
    _contributions(zsm, partners, today)
    _benefits(zsm, partners, today)
