"""The benchmark's bottlenecks data set (manage.py build_bottlenecks_dataset, docs/benchmarks.md):
built on the national and governance sets at a small size, it keeps the models' rules (open ones
at every level with the escalations that brought them there, closed ones with their cause), and
the sweep finds its overdue ones below the top — once — and the board stays in its queries."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse

from governance.models import BodyLevel, Bottleneck, BottleneckStatus, Escalation
from governance.services import bottlenecks as service
from stakeholders.models import Membership, Role
from tests.services import requires_services

# The data set is written with PostgreSQL's own functions, like the national one.
pytestmark = requires_services(postgres=True)


@pytest.fixture
def dataset(db):
    out = io.StringIO()
    call_command("build_national_dataset", chains=1, units=2, indicators=4, periods=3, people=30, stdout=out)
    call_command("build_governance_dataset", decisions=30, actions=30, stdout=out)
    call_command("build_bottlenecks_dataset", bottlenecks=400, open=200, stdout=out)
    call_command("build_bottlenecks_dataset", bottlenecks=400, open=200, stdout=out)  # idempotent


def test_it_spreads_open_bottlenecks_over_the_ladder_with_their_escalations(dataset):
    assert Bottleneck.objects.count() == 400
    open_ones = Bottleneck.objects.still_open().select_related("body")
    assert open_ones.count() == 200
    levels = Counter(b.body.level for b in open_ones)
    assert levels == {BodyLevel.OPERATIONAL: 100, BodyLevel.TACTICAL: 70, BodyLevel.STRATEGIC: 30}
    for bottleneck in open_ones[:60]:
        bottleneck.full_clean()
        steps = list(bottleneck.escalations.order_by("at"))
        expected = {BodyLevel.OPERATIONAL: 0, BodyLevel.TACTICAL: 1, BodyLevel.STRATEGIC: 2}[bottleneck.body.level]
        assert len(steps) == expected
        if steps:
            assert steps[-1].to_body_id == bottleneck.body_id
            assert steps[0].from_body.level == BodyLevel.OPERATIONAL
        assert bottleneck.partners.count() == 2 and bottleneck.indicators.count() == 1
    for closed in Bottleneck.objects.exclude(status__in=BottleneckStatus.open())[:40]:
        closed.full_clean()  # resolved ones have cause and resolution


def test_the_sweep_escalates_the_overdue_ones_below_the_top_once(dataset):
    overdue = Bottleneck.objects.overdue()
    assert overdue.count() == 30  # n % 20 in (5, 12, 18): operational, tactical, steering group
    assert service.send_notices() == 0  # the data set's escalations were told
    before = Escalation.objects.count()
    assert service.sweep() == 20
    assert service.sweep() == 0
    assert Escalation.objects.count() == before + 20
    assert Bottleneck.objects.overdue_at_top().count() == 10


def test_the_board_costs_the_same_queries_on_the_data_set(dataset, client_for, django_assert_max_num_queries):
    manager = Membership.objects.filter(chain__slug="bench-1", role=Role.PROGRAMME_MANAGER).first().person
    client = client_for(manager)
    url = reverse("governance:bottleneck_list", args=["bench-1"])
    client.get(url)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
