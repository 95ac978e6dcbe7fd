"""What bottlenecks add to other pages through stakeholders/registry.py: My work (mine, and those
waiting for my body's response), the chain home (counts, overdue at the top flagged), the dashboard's
counts, and "report a bottleneck" on an off-track indicator's page — each in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.services import bottlenecks as service
from tests.governance.bottleneck_fixtures import bottleneck, ladder
from tests.measures import enter_off_track

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def test_my_work_lists_my_bottlenecks_and_those_waiting_for_my_body(world, client_for):
    lad = ladder(world)
    mine = bottleneck(world, lad.local, title="Mijn knelpunt")
    waiting = bottleneck(world, lad.tactical, title="Wacht op tactisch", owner=world.lead_b)
    page = client_for(world.lead_a).get("/").content.decode()
    assert "Mijn knelpunt" in page and "Wacht op tactisch" not in page
    chair_page = client_for(lad.tactical_chair).get("/").content.decode()
    assert "Wacht op tactisch" in chair_page and "Mijn knelpunt" not in chair_page
    service.record_response(waiting, lad.tactical_chair, "Opgepakt.")
    assert "Wacht op tactisch" not in client_for(lad.tactical_chair).get("/").content.decode()
    assert mine.pk


def test_the_chain_home_counts_and_flags_overdue_at_the_top(world, client_for, django_assert_max_num_queries):
    lad = ladder(world, response_days=1)
    long_ago = timezone.now() - timedelta(days=20)
    item = bottleneck(world, lad.local, at=long_ago)
    service.escalate(item, world.lead_a, "Geen capaciteit.")
    bottleneck(world, lad.steering, at=long_ago, title="Blijft liggen bij de stuurgroep")
    service.sweep()  # the steering group's one is overdue, but at the top: never escalated
    page = client_for(world.viewer).get(reverse("stakeholders:chain_detail", args=["zsm"])).content.decode()
    assert "Blijft liggen bij de stuurgroep" in page and 'id="overdue-at-top"' in page
    assert "1 open escalation" in page and "1 overdue at Stuurgroep" in page
    dashboard = client_for(world.viewer).get(reverse("ambitions:chain_dashboard", args=["zsm"])).content.decode()
    assert 'id="dashboard-bottlenecks"' in dashboard and "1 overdue at Stuurgroep" in dashboard
    from governance import bottleneck_parts

    with django_assert_max_num_queries(4):
        bottleneck_parts.chain_home(world.viewer, world.chain)


def test_an_off_track_indicator_offers_to_report_a_bottleneck(world, measures, client_for):
    enter_off_track(measures)
    url = reverse("ambitions:indicator_detail", args=["zsm", measures.share.pk])
    page = client_for(world.contributor_a).get(url).content.decode()
    offer = reverse("governance:bottleneck_create", args=["zsm"]) + f"?indicator={measures.share.pk}"
    assert offer in page
    assert offer not in client_for(world.viewer).get(url).content.decode()  # a viewer only reads
    form = client_for(world.contributor_a).get(offer)
    assert form.context["form"]["indicators"].value() == [measures.share.pk]
