"""Overdue deliveries: the beat task tells the partner's lead once per delivery however often it
runs, My work lists them for that lead only, and /api/contributions/ and /api/benefits/ show what
``visible_to`` allows with their filters (stakeholders/contribution_tasks.py,
stakeholders/my_work_contributions.py, stakeholders/api/contributions.py, ambitions/api/benefits.py)."""

from datetime import date

import pytest
from django.conf import settings
from django.utils import timezone

from ambitions.models.benefits import Benefit
from stakeholders import my_work_contributions
from stakeholders.contribution_tasks import notify_overdue_deliveries
from stakeholders.models import Notification
from stakeholders.models.contributions import Contribution, Delivery
from tests.conftest import World

LAST_YEAR = timezone.localdate().year - 1


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def commit(partnership, year=LAST_YEAR, kind="money", amount=400) -> Contribution:
    contribution = Contribution.objects.create(partnership=partnership, year=year, kind=kind, amount=amount)
    contribution.plan_deliveries()
    return contribution


def test_the_task_tells_the_partners_lead_once_per_overdue_delivery_however_often_it_runs(world: World):
    contribution = commit(world.partner_a)
    Delivery.objects.filter(contribution=contribution, quarter__in=(1, 2)).update(
        delivered_amount=100, reported_at=timezone.now()
    )
    assert notify_overdue_deliveries.apply().get() == 2  # Q3 and Q4 of last year
    assert notify_overdue_deliveries.apply().get() == 0
    notes = Notification.objects.filter(person=world.lead_a).order_by("key")
    assert [n.key for n in notes] == [f"delivery-overdue:{contribution.deliveries.get(quarter=q).pk}" for q in (3, 4)]
    assert "Politie" in notes[0].text and f"/ketens/zsm/bijdragen/{contribution.pk}/levering/?periode=" in notes[0].url
    # Nobody else hears of it: not partner B's lead, not a contributor of partner A, not the manager.
    assert not Notification.objects.exclude(person=world.lead_a).exists()


def test_a_delivery_not_yet_due_or_reported_is_not_flagged(world: World):
    commit(world.partner_a, year=timezone.localdate().year + 1)
    done = commit(world.partner_b)
    Delivery.objects.filter(contribution=done).update(delivered_amount=0, reported_at=timezone.now())
    assert notify_overdue_deliveries() == 0
    assert not Notification.objects.exists()


def test_the_beat_runs_the_task():
    assert settings.CELERY_BEAT_SCHEDULE["notify-overdue-deliveries"]["task"] == (
        "stakeholders.contribution_tasks.notify_overdue_deliveries"
    )


def test_my_work_lists_the_deliveries_overdue_for_the_partners_lead_only(world: World, client_for):
    contribution = commit(world.partner_a)
    response = client_for(world.lead_a).get("/")
    items = response.text.split('id="my-deliveries-overdue"')[1].split("</ul>")[0]
    assert items.count("<li>") == 4 and "Report the delivery of Money (€) from Politie for Q1" in items
    for person in (world.lead_b, world.contributor_a, world.manager):
        assert my_work_contributions.items(person) == {"deliveries_overdue": []}
    Delivery.objects.filter(contribution=contribution).update(reported_at=timezone.now(), delivered_amount=1)
    assert 'id="my-deliveries-overdue"' not in client_for(world.lead_a).get("/").text


def test_my_works_item_costs_one_query(world: World, django_assert_num_queries):
    commit(world.partner_a)
    commit(world.partner_a, kind="people", amount=2)
    with django_assert_num_queries(my_work_contributions.QUERIES):
        assert len(my_work_contributions.items(world.lead_a)["deliveries_overdue"]) == 8


# --- the API ------------------------------------------------------------------------------------


def test_the_contributions_api_lists_what_the_caller_may_see_with_filters(world: World, client_for):
    mine = commit(world.partner_a)
    commit(world.partner_b, kind="people", amount=3)
    commit(world.partner_c)
    client = client_for(world.viewer)
    found = client.get("/api/contributions/").json()
    rows = found["results"] if isinstance(found, dict) else found
    assert {row["chain"] for row in rows} == {"zsm"} and len(rows) == 2
    only = client.get("/api/contributions/", {"partner": world.partner_a.pk}).json()
    only = only["results"] if isinstance(only, dict) else only
    assert [row["id"] for row in only] == [mine.pk]
    assert only[0]["deliveries"][0]["period"] == f"{LAST_YEAR}-1" and only[0]["deliveries"][0]["overdue"] is True
    assert client.get("/api/contributions/", {"chain": "jeugd"}).json() in (
        [],
        {"count": 0, "next": None, "previous": None, "results": []},
    )
    assert client.get(f"/api/contributions/{commit(world.partner_c).pk}/").status_code == 404
    assert client.post("/api/contributions/", {}).status_code == 405


def test_the_benefits_api_lists_what_the_caller_may_see_with_filters(world: World, client_for):
    values = {"title": "Baat", "start_picture": "Nu", "end_picture": "Straks", "target_date": date(2027, 1, 1)}
    mine = Benefit.objects.create(chain=world.chain, partnership=world.partner_a, **values)
    Benefit.objects.create(chain=world.chain, partnership=world.partner_b, **values)
    theirs = Benefit.objects.create(chain=world.other_chain, partnership=world.partner_c, **values)
    client = client_for(world.lead_a)
    found = client.get("/api/benefits/", {"organisation": world.org_a.pk}).json()
    rows = found["results"] if isinstance(found, dict) else found
    assert [row["id"] for row in rows] == [mine.pk] and rows[0]["status"] == "expected"
    assert client.get(f"/api/benefits/{theirs.pk}/").status_code == 404
    assert client.get("/api/benefits/", {"chain": ""}).status_code == 400
    assert client_for(world.outsider).get(f"/api/benefits/{theirs.pk}/").status_code == 200
