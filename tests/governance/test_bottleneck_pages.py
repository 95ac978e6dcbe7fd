"""The bottleneck pages: reporting (also from an indicator), the page with its clock, escalating and
responding by hand (refusals with a message, nothing saved), comments, status, the board with its
filters in a fixed number of queries, and the body page's list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Bottleneck, BottleneckComment, BottleneckStatus, Escalation
from tests.governance.bottleneck_fixtures import bottleneck, ladder

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def url(name: str, *args) -> str:
    return reverse(f"governance:{name}", args=["zsm", *args])


def test_it_reports_a_bottleneck_at_a_body_and_starts_its_clock(world, client_for):
    lad = ladder(world)
    response = client_for(world.contributor_a).post(
        url("bottleneck_create"),
        {
            "title": "Advies reclassering niet binnen 24 uur",
            "description": "Het advies komt te laat voor de ZSM-beslissing.",
            "body": lad.local.pk,
            "partners": [world.partner_a.pk, world.partner_b.pk],
            "impact": "high",
            "urgency": "high",
            "owner": world.lead_a.pk,
        },
    )
    assert response.status_code == 302
    item = Bottleneck.objects.get()
    assert item.body == lad.local and item.reported_by == world.contributor_a and item.due_on > timezone.localdate()
    assert set(item.partners.all()) == {world.partner_a, world.partner_b}


def test_it_refuses_another_chains_partner_and_a_viewer(world, client_for):
    lad = ladder(world)
    data = {"title": "X", "description": "Y", "body": lad.local.pk, "partners": [world.partner_c.pk]}
    data |= {"impact": "low", "urgency": "low", "owner": world.lead_a.pk}
    response = client_for(world.contributor_a).post(url("bottleneck_create"), data)
    assert response.status_code == 422 and "partners" in response.context["form"].errors
    assert client_for(world.viewer).post(url("bottleneck_create"), data).status_code == 403
    assert not Bottleneck.objects.exists()


def test_the_page_shows_the_clock_and_the_owner_escalates_with_a_reason(world, client_for, mailoutbox):
    lad = ladder(world)
    item = bottleneck(world, lad.local, at=timezone.now() - timedelta(days=10))
    client = client_for(world.lead_a)
    page = client.get(url("bottleneck_detail", item.pk))
    assert page.status_code == 200 and "Overdue by" in page.content.decode()
    refused = client.post(url("bottleneck_escalate", item.pk), {"reason": ""})
    assert refused.status_code == 422 and not Escalation.objects.exists()
    done = client.post(url("bottleneck_escalate", item.pk), {"reason": "Geen capaciteit."})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.body == lad.tactical


def test_escalating_a_resolved_bottleneck_is_refused_with_a_message(world, client_for):
    lad = ladder(world)
    item = bottleneck(world, lad.local)
    Bottleneck.objects.filter(pk=item.pk).update(status=BottleneckStatus.RESOLVED, resolution="a", cause="b")
    # A form left open: the page offered the button before it was resolved.
    response = client_for(world.lead_a).post(url("bottleneck_escalate", item.pk), {"reason": "Toch."})
    assert response.status_code == 409
    assert "can no longer be escalated" in response.content.decode()
    assert not Escalation.objects.exists()


def test_only_the_owner_or_the_chair_escalates(world, client_for):
    lad = ladder(world)
    item = bottleneck(world, lad.local)
    assert client_for(world.lead_b).post(url("bottleneck_escalate", item.pk), {"reason": "x"}).status_code == 403
    assert client_for(lad.local_chair).post(url("bottleneck_escalate", item.pk), {"reason": "x"}).status_code == 302


def test_the_body_responds_and_the_status_needs_resolution_and_cause(world, client_for):
    lad = ladder(world)
    item = bottleneck(world, lad.local)
    assert client_for(world.lead_b).post(url("bottleneck_respond", item.pk), {"response": "x"}).status_code == 403
    chair = client_for(lad.local_chair)
    assert chair.post(url("bottleneck_respond", item.pk), {"response": "We pakken het op."}).status_code == 302
    item.refresh_from_db()
    assert item.status == BottleneckStatus.IN_PROGRESS and item.response == "We pakken het op."
    status_page = client_for(world.lead_a).get(url("bottleneck_status", item.pk))
    token = status_page.context["form"]["version_token"].value()
    refused = client_for(world.lead_a).post(
        url("bottleneck_status", item.pk), {"status": "resolved", "version_token": token}
    )
    assert refused.status_code == 422 and {"resolution", "cause"} <= set(refused.context["form"].errors)
    item.refresh_from_db()
    assert item.status == BottleneckStatus.IN_PROGRESS


def test_members_comment_and_viewers_do_not(world, client_for):
    lad = ladder(world)
    item = bottleneck(world, lad.local)
    assert (
        client_for(world.contributor_a).post(url("bottleneck_comment", item.pk), {"text": "Ook bij ons."}).status_code
        == 302
    )
    assert client_for(world.viewer).post(url("bottleneck_comment", item.pk), {"text": "Mag niet."}).status_code == 403
    assert list(BottleneckComment.objects.values_list("text", flat=True)) == ["Ook bij ons."]
    assert "Ook bij ons." in client_for(world.viewer).get(url("bottleneck_detail", item.pk)).content.decode()


def test_the_board_filters_and_costs_the_same_queries_for_many(world, client_for, max_page_queries):
    lad = ladder(world)
    for n in range(30):
        item = bottleneck(world, [lad.local, lad.tactical, lad.steering][n % 3], title=f"Knelpunt {n}")
        item.partners.add(world.partner_a if n % 2 else world.partner_b)
    closed = bottleneck(world, lad.local, title="Gesloten", status=BottleneckStatus.WITHDRAWN)
    client = client_for(world.viewer)
    with max_page_queries(16):
        page = client.get(url("bottleneck_list"))
    assert page.status_code == 200
    rows = list(page.context["page"].object_list)
    assert len(rows) == 30 and closed not in rows
    assert rows[0].body == lad.steering  # highest level first
    html = page.content.decode()
    assert "Politie" in html and "Openbaar Ministerie" in html and "response due by" in html
    table = html[html.index("<tbody") :]
    assert table.index("Stuurgroep") < table.index("Tactisch overleg") < table.index("Locatieoverleg")
    filtered = client.get(url("bottleneck_list"), {"partner": world.partner_a.pk})
    assert filtered.context["page"].paginator.count == 15
    # The filter keeps its choice on the page (the select writes its own options).
    assert f'<option value="{world.partner_a.pk}" selected>Politie</option>' in filtered.content.decode()
    assert client.get(url("bottleneck_list"), {"status": "withdrawn"}).context["page"].paginator.count == 1
    assert client.get(url("bottleneck_list"), {"partner": world.partner_c.pk}).status_code == 422


def test_the_body_page_lists_its_open_bottlenecks(world, client_for):
    lad = ladder(world)
    bottleneck(world, lad.tactical, title="Tactisch knelpunt")
    bottleneck(world, lad.local, title="Lokaal knelpunt")
    page = client_for(world.viewer).get(url("body_detail", lad.tactical.pk)).content.decode()
    assert "Tactisch knelpunt" in page and "Lokaal knelpunt" not in page
