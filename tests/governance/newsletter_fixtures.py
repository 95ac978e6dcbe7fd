"""A quarter's worth of happenings in ``zsm`` (tests/conftest.py world + tests/measures.py), for the
newsletter tests: Q1 2026 has a published story, an adopted decision, an agreement that came into
force, a new partner, and the roll-ups where ``count`` (lower is better) fell from 450 to 300 and
``share`` reached its March 2026 milestone; things outside the quarter that must not show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from ambitions.models import ChainAggregate
from governance.models import Agreement, AgreementKind, AgreementStatus, Body, BodyLevel, Decision, DecisionStatus
from governance.models.meetups import Meetup
from governance.models.newsletters import Newsletter, NewsletterStatus
from governance.models.stories import Story, StoryStatus
from governance.services import newsletters as services
from tests.factories import OrganisationFactory, PartnershipFactory

Q1 = date(2026, 1, 1)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def story(chain, title: str, published: date | None, body: str = "Het **werkte**.") -> Story:
    made = Story.objects.create(
        chain=chain,
        title=title,
        body=body,
        published_at=at(published) if published else None,
        status=StoryStatus.PUBLISHED if published else StoryStatus.AWAITING,
    )
    return made


def aggregate(indicator, period: date, value: str | None = None, numerator: str = "0", denominator: str = "0"):
    return ChainAggregate.objects.create(
        indicator=indicator,
        period=period,
        value_sum=Decimal(value or "0"),
        numerator_sum=Decimal(numerator),
        denominator_sum=Decimal(denominator),
        reported=2,
    )


@dataclass
class Quarter:
    story: Story
    decision: Decision
    agreement: Agreement


def build_quarter(measures) -> Quarter:
    w = measures.world
    shown = story(w.chain, "Snelrecht in Amsterdam", date(2026, 2, 10))
    story(w.chain, "Van vorig jaar", date(2025, 12, 31))
    story(w.chain, "Nog niet goedgekeurd", None)
    story(w.other_chain, "Andere keten", date(2026, 2, 10))
    body = Body.objects.create(chain=w.chain, name="Stuurgroep ZSM", level=BodyLevel.STRATEGIC)
    decision = Decision.objects.create(
        body=body,
        title="Extra reclasseringswerkers",
        text="Twee extra.",
        closes_on=date(2026, 3, 1),
        status=DecisionStatus.ADOPTED,
        decided_on=date(2026, 3, 2),
        proposed_by=w.manager,
    )
    Decision.objects.create(
        body=body,
        title="Verworpen voorstel",
        text="Nee.",
        closes_on=date(2026, 3, 1),
        status=DecisionStatus.REJECTED,
        decided_on=date(2026, 3, 2),
        proposed_by=w.manager,
    )
    agreement = Agreement.objects.create(
        chain=w.chain,
        kind=AgreementKind.COVENANT,
        title="Convenant ZSM",
        summary="Samen sneller.",
        valid_from=date(2026, 1, 1),
        status=AgreementStatus.IN_FORCE,
        in_force_since=at(date(2026, 1, 20)),
        created_by=w.manager,
    )
    PartnershipFactory(
        chain=w.chain, organisation=OrganisationFactory(name="Slachtofferhulp"), joined_on=date(2026, 3, 5)
    )
    PartnershipFactory(chain=w.chain, organisation=OrganisationFactory(name="Reclassering"), joined_on=date(2025, 6, 5))
    # count (lower is better, baseline 500, target 200): 450 in December, 300 in March.
    aggregate(measures.count, date(2025, 12, 1), "450")
    aggregate(measures.count, date(2026, 3, 1), "300")
    # share (higher is better): 50% in December, 55% in March; a milestone of 55 for March.
    measures.share_v1.__class__.objects.filter(pk=measures.share_v1.pk).update(
        milestones=[{"period": "2026-03-01", "value": "55"}]
    )
    aggregate(measures.share, date(2025, 12, 1), numerator="50", denominator="100")
    aggregate(measures.share, date(2026, 3, 1), numerator="55", denominator="100")
    # A borrel after the quarter (in the edition), one during it (past by then: not) and one far
    # beyond the next quarter (not yet).
    for day, title in (
        (date(2026, 5, 12), "Borrel bij de politie"),
        (date(2026, 2, 12), "Werkbezoek OM"),
        (date(2030, 12, 1), "Borrel in 2030"),
    ):
        Meetup.objects.create(
            chain=w.chain, title=title, host=w.partner_a, place="Amsterdam", starts_at=at(day, 16), ends_at=at(day, 18)
        )
    return Quarter(shown, decision, agreement)


def sent_edition(chain, quarter: date = Q1) -> Newsletter:
    newsletter, _made = services.draft(chain, quarter)
    Newsletter.objects.filter(pk=newsletter.pk).update(status=NewsletterStatus.SENT, sent_at=at(date(2026, 4, 8)))
    newsletter.refresh_from_db()
    return newsletter
