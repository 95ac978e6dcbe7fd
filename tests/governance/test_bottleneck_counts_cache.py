"""The dashboard's bottleneck counts are kept in the cache under the chain's bottleneck revision
(governance/services/bottleneck_revision.py): every change to what they count is on the next
dashboard at once — through the models' signals and through the escalation sweep's statements,
which send none — while a dashboard with nothing changed does not count again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Bottleneck, BottleneckStatus
from governance.services import bottlenecks as service
from tests.governance.bottleneck_fixtures import bottleneck, ladder

pytestmark = pytest.mark.django_db


def _dashboard(client) -> str:
    return client.get(reverse("ambitions:chain_dashboard", args=["zsm"])).content.decode()


def test_every_change_is_on_the_next_dashboard(world, english_client_for):
    lad = ladder(world, response_days=1)
    client = english_client_for(world.viewer)
    assert 'id="dashboard-bottlenecks"' not in _dashboard(client)  # nothing open: nothing counted
    item = bottleneck(world, lad.local)
    assert "1 open bottleneck, 0 open escalations" in _dashboard(client)
    service.escalate(item, world.lead_a, "Geen capaciteit.")
    assert "1 open bottleneck, 1 open escalation" in _dashboard(client)
    stuck = bottleneck(world, lad.steering, at=timezone.now() - timedelta(days=20), title="Ligt stil")
    assert "1 overdue at Stuurgroep" in _dashboard(client)
    lad.steering.name = "Regiegroep"
    lad.steering.save()
    assert "1 overdue at Regiegroep" in _dashboard(client)
    stuck.delete()
    item.status = BottleneckStatus.RESOLVED
    item.save()
    assert 'id="dashboard-bottlenecks"' not in _dashboard(client)


def test_the_escalation_sweep_is_on_the_next_dashboard(world, english_client_for):
    """The sweep escalates with bulk_create and UPDATE (no signals) and bumps the revision itself."""
    lad = ladder(world, response_days=1)
    bottleneck(world, lad.local, at=timezone.now() - timedelta(days=20))
    client = english_client_for(world.viewer)
    assert "1 open bottleneck, 0 open escalations" in _dashboard(client)  # counted and kept
    assert service.sweep() == 1
    assert "1 open bottleneck, 1 open escalation" in _dashboard(client)


def test_a_dashboard_with_nothing_changed_does_not_count_again(world, english_client_for):
    lad = ladder(world)
    bottleneck(world, lad.local)
    client = english_client_for(world.viewer)
    _dashboard(client)
    with CaptureQueriesContext(connection) as queries:
        assert "1 open bottleneck" in _dashboard(client)
    assert not [q for q in queries.captured_queries if "governance_bottleneck" in q["sql"]]


def test_a_saved_bottleneck_without_its_signal_would_be_missed(world, english_client_for):
    """The test above holds because of the signal: disconnected, the kept counts stay (so a
    regression that drops the receiver fails here, not silently in production)."""
    from governance.services import bottleneck_revision

    lad = ladder(world)
    client = english_client_for(world.viewer)
    bottleneck(world, lad.local)
    assert "1 open bottleneck" in _dashboard(client)
    assert post_save.disconnect(sender=Bottleneck, dispatch_uid="bottleneck-revision:governance.Bottleneck")
    try:
        bottleneck(world, lad.local, title="Tweede")
        assert "1 open bottleneck," in _dashboard(client)
    finally:
        post_save.connect(
            bottleneck_revision._own_chain, sender=Bottleneck, dispatch_uid="bottleneck-revision:governance.Bottleneck"
        )
    bottleneck(world, lad.local, title="Derde")
    assert "3 open bottlenecks" in _dashboard(client)
