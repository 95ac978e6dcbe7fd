"""Add contributions and benefits to the benchmark data set (docs/benchmarks.md, "Benefits (issue 13)").

Runs on a database that ``build_national_dataset`` filled (the chains ``bench-*`` with their
partners). Every partner of every benchmark chain but its observers gets, for this year and the two
before, a commitment of each kind (money, people, data, facilities) with its four quarters (past
quarters reported, one in ten of them left overdue), and 3–5 benefits with a start and end picture,
one of them on one of the chain's indicators, each with 4 assessments.

Idempotent: a chain that has benefits is left alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from ambitions.models import Indicator
from ambitions.models.benefits import Benefit, BenefitAssessment, BenefitStatus
from stakeholders.models import Chain, Partnership, PartnershipStatus
from stakeholders.models.contributions import (
    QUARTERS,
    Contribution,
    ContributionKind,
    Delivery,
    quarter_end,
    quarter_shares,
)

YEARS = 3
AMOUNTS = {
    ContributionKind.MONEY: Decimal("250000"),
    ContributionKind.PEOPLE: Decimal("12.5"),
    ContributionKind.DATA: None,
    ContributionKind.FACILITIES: None,
}
STATUSES = list(BenefitStatus)
START = "De situatie nu: zaken blijven te lang liggen en de partner ziet niet wat het oplevert."
END = "De situatie straks: zaken worden binnen de termijn afgedaan en de partner merkt dat."


class Command(BaseCommand):
    help = "Add contributions and benefits to the benchmark data set."

    def handle(self, *args, **options) -> None:
        chains = list(Chain.objects.filter(slug__startswith="bench-").order_by("slug"))
        if not chains:
            raise CommandError("No benchmark chains: run build_national_dataset first.")
        for chain in chains:
            if Benefit.objects.filter(chain=chain).exists():
                self.stdout.write(f"{chain.slug}: has benefits already")
                continue
            with transaction.atomic():
                partners, benefits = self._chain(chain)
            self.stdout.write(f"{chain.slug}: {partners} partners, {benefits} benefits")
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE stakeholders_contribution, stakeholders_delivery, ambitions_benefit, "
                "ambitions_benefitassessment"
            )

    def _chain(self, chain: Chain) -> tuple[int, int]:
        today = timezone.localdate()
        now = timezone.now()
        partners = list(
            Partnership.objects.filter(chain=chain).exclude(status=PartnershipStatus.OBSERVER).order_by("pk")
        )
        indicator = Indicator.objects.filter(ambition__chain=chain).order_by("pk").first()
        contributions = [
            Contribution(
                partnership=partner,
                year=today.year - back,
                kind=kind,
                amount=amount,
                description="" if amount is not None else f"Bijdrage {kind.label}",
                note="Benchmark",
            )
            for partner in partners
            for back in range(YEARS)
            for kind, amount in AMOUNTS.items()
        ]
        Contribution.objects.bulk_create(contributions)
        deliveries = []
        for n, contribution in enumerate(contributions):
            for quarter, share in zip(QUARTERS, quarter_shares(contribution.amount), strict=True):
                due = quarter_end(contribution.year, quarter)
                reported = due < today and (n + quarter) % 10 != 0
                deliveries.append(
                    Delivery(
                        contribution=contribution,
                        quarter=quarter,
                        expected_amount=share,
                        due_on=due,
                        delivered_amount=share if reported else None,
                        delivered_note="" if share is not None or not reported else "Geleverd",
                        reported_at=now if reported else None,
                    )
                )
        Delivery.objects.bulk_create(deliveries, batch_size=5000)
        benefits = []
        for n, partner in enumerate(partners):
            for m in range(3 + n % 3):
                benefits.append(
                    Benefit(
                        chain=chain,
                        partnership=partner,
                        title=f"Baat {m + 1} van partner {n + 1}",
                        start_picture=START,
                        start_indicator=indicator if m == 0 else None,
                        start_value=Decimal(40 + m) if m == 0 and indicator else None,
                        start_date=today - timedelta(days=365),
                        end_picture=END,
                        target_value=Decimal(75) if m == 0 and indicator else None,
                        target_date=date(today.year + 2, 12, 31),
                        status=STATUSES[(n + m) % len(STATUSES)],
                    )
                )
        Benefit.objects.bulk_create(benefits)
        BenefitAssessment.objects.bulk_create(
            [
                BenefitAssessment(
                    benefit=benefit,
                    status=STATUSES[(k + i) % len(STATUSES)],
                    note="Voortgang besproken",
                    assessed_on=today - timedelta(days=90 * i),
                )
                for k, benefit in enumerate(benefits)
                for i in range(4)
            ],
            batch_size=5000,
        )
        return len(partners), len(benefits)
