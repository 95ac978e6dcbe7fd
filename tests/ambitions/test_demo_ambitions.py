"""The demo's ZSM ambition: two years of figures per OM unit, rising towards the target."""

import io

import pytest
from django.core.management import call_command

from ambitions.models import (
    ChainAggregate,
    ConsentPosition,
    Direction,
    Figure,
    Indicator,
    IndicatorKind,
    IndicatorVersion,
    VersionStatus,
)
from ambitions.services import consensus
from ambitions.services.versions import current_version
from stakeholders.models import MandateScope, Membership, Role, Unit
from stakeholders.permissions import has_mandate


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_the_24_hour_indicator_rises_from_about_24_to_about_70_percent(demo):
    indicator = Indicator.objects.get(name="Zaken binnen 24 uur afgedaan", ambition__chain__slug="zsm")
    version = current_version(indicator)
    rows = list(ChainAggregate.objects.filter(indicator=indicator, reported__gt=0).order_by("period"))
    assert len(rows) == 24
    first, last = rows[0].value(version), rows[-1].value(version)
    assert 18 <= first <= 32
    assert 62 <= last <= 78
    om_units = Unit.objects.filter(organisation__short_name="OM", parent=None)
    assert set(version.reporting_units.all()) == set(om_units) and om_units.count() == 10


def test_it_has_missing_and_late_reports(demo):
    indicator = Indicator.objects.get(name="Zaken binnen 24 uur afgedaan")
    latest = ChainAggregate.objects.filter(indicator=indicator, reported__gt=0).order_by("-period").first()
    assert latest.reported < 10  # some parketten have not reported last month
    assert Figure.objects.filter(indicator=indicator, is_late=True).exists()


def test_it_has_more_indicators_of_both_kinds_one_where_lower_is_better(demo):
    adopted = [current_version(i) for i in Indicator.objects.filter(ambition__chain__slug="zsm")]
    adopted = [v for v in adopted if v is not None and v.status == VersionStatus.ADOPTED]
    # Five of them measure the chain map's lead times (ambitions/demo_chain_map.py).
    assert 9 <= len(adopted) <= 11
    assert {v.kind for v in adopted} == {IndicatorKind.SUM, IndicatorKind.RATIO}
    assert any(v.direction == Direction.LOWER for v in adopted)


def test_loading_it_again_changes_nothing(demo):
    before = (Figure.objects.count(), list(ChainAggregate.objects.order_by("pk").values_list("reported", "value_sum")))
    call_command("load_demo", stdout=io.StringIO())
    after = (Figure.objects.count(), list(ChainAggregate.objects.order_by("pk").values_list("reported", "value_sum")))
    assert before == after


def test_every_adopted_version_has_the_consents_that_adopted_it(demo):
    """The version page said "all core partners consented" next to zero consents: every adopted
    version carries a consent from each core partner, given by its lead, who holds the mandate."""
    adopted = list(
        IndicatorVersion.objects.filter(status__in=[VersionStatus.ADOPTED, VersionStatus.SUPERSEDED]).select_related(
            "indicator__ambition__chain"
        )
    )
    assert adopted
    for version in adopted:
        chain = version.indicator.ambition.chain
        core = consensus.core_partnerships(version)
        assert core  # a chain that adopts indicators has core partners
        consents = {c.partnership_id: c for c in version.consents.select_related("person")}
        assert set(consents) == {p.pk for p in core}, version
        for partnership in core:
            consent = consents[partnership.pk]
            assert consent.position == ConsentPosition.CONSENT
            assert has_mandate(
                consent.person, partnership, MandateScope.CONSENT_INDICATORS, on=consent.answered_at.date()
            ), (version, partnership)
            assert Membership.objects.filter(person=consent.person, chain=chain, role=Role.PARTNER_LEAD).exists()
        assert version.decided_at >= max(c.answered_at for c in consents.values())
