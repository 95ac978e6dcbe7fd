"""The demo's chain map (ambitions/demo_chain_map.py): ZSM's relay police → OM → court →
probation (with the council for child protection in parallel) → victim support, each step with a
lead-time indicator with figures; probation's step is off its norm, the others within."""

import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone

from ambitions.services import chain_map, dashboard
from stakeholders.models import Chain, PartnershipStatus


@pytest.fixture
def demo(db, monkeypatch):
    call_command("load_demo", stdout=io.StringIO())
    # The 20th: last month is past its deadline, the headline on whatever day the suite runs.
    today = timezone.localdate().replace(day=20)
    monkeypatch.setattr(dashboard, "timezone", SimpleNamespace(localdate=lambda: today))


def test_zsm_has_the_relay_map_with_one_step_off_its_norm(demo):
    zsm = Chain.objects.get(slug="zsm")

    view = chain_map.for_page(zsm)

    assert view.is_relay
    assert [(s.position, s.partners) for s in view.steps] == [
        (1, ["Politie"]),
        (2, ["Openbaar Ministerie"]),
        (3, ["Rechtspraak"]),
        (4, ["Reclassering Nederland", "Raad voor de Kinderbescherming"]),
        (5, ["Slachtofferhulp Nederland"]),
    ]
    assert all(s.indicator and s.lead_time != "—" and s.norm_source == "indicator" for s in view.steps)
    assert [s.position for s in view.pinches] == [4]
    assert view.steps[3].status == "off_track"
    assert {s.status for s in view.steps if s.position != 4} == {"on_track"}
    # The court is a partner of the chain, not bound by it.
    court = zsm.partnerships.get(organisation__short_name="Rechtspraak")
    assert court.status == PartnershipStatus.PARTNER_OF_CHAIN


def test_loading_it_again_keeps_one_map(demo):
    call_command("load_demo", stdout=io.StringIO())
    zsm = Chain.objects.get(slug="zsm")
    assert len(chain_map.steps_of(zsm)) == 5
