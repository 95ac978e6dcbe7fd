"""The governance API (read-only): bodies with their members, meetings with agenda, minutes and
attendance, decisions with positions, actions; filters, the one error shape, constant queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import (
    ActionStatus,
    AgendaItemStatus,
    Attendance,
    AttendanceStatus,
    DecisionPosition,
    MeetingStatus,
    MemberPosition,
    PositionKind,
)
from tests.api.conftest import results
from tests.api.problems import messages
from tests.conftest import World
from tests.governance import action_fixtures as make


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def api(name: str, *args) -> str:
    return reverse(f"governance-api:{name}", args=args)


@pytest.fixture
def steering(world: World):
    body = make.body(world.chain, "Stuurgroep ZSM")
    make.seat(body, world.lead_a, world.partner_a, MemberPosition.CHAIR)
    make.seat(body, world.lead_b, world.partner_b, alternate=None)
    return body


def test_it_lists_the_bodies_of_my_chains_with_their_members(world: World, steering, client_for):
    make.body(world.other_chain, "Jeugdoverleg")
    found = results(client_for(world.viewer).get(api("body-list")))
    assert [body["name"] for body in found] == ["Stuurgroep ZSM"]
    members = {m["person"]["full_name"]: m for m in found[0]["members"]}
    assert members["Lead-A"]["position"] == "chair"
    assert members["Lead-A"]["organisation"] == world.org_a.pk
    assert "email" not in members["Lead-A"]["person"]
    assert found[0]["chain"] == "zsm"


def test_it_does_not_find_another_chains_body(world: World, client_for):
    other = make.body(world.other_chain, "Jeugdoverleg")
    response = client_for(world.viewer).get(api("body-detail", other.pk))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_gives_a_meeting_with_its_agenda_minutes_and_attendance(world: World, steering, client_for):
    meeting = make.meeting(steering, status=MeetingStatus.HELD)
    item = make.agenda_item(meeting, "Capaciteit")
    item.notes = "Besproken; de reclassering komt met een plan."
    item.status = AgendaItemStatus.FINISHED
    item.save()
    seat = steering.members.get(person=world.lead_a)
    Attendance.objects.create(meeting=meeting, member=seat, status=AttendanceStatus.PRESENT)
    data = client_for(world.viewer).get(api("meeting-detail", meeting.pk)).json()
    assert data["status"] == "held" and data["minutes_locked"] is False
    assert data["agenda_items"][0]["title"] == "Capaciteit"
    assert data["agenda_items"][0]["minutes"] == "Besproken; de reclassering komt met een plan."
    assert data["attendance"] == [
        {
            "member": seat.pk,
            "person": {"id": world.lead_a.pk, "full_name": "Lead-A"},
            "partnership": world.partner_a.pk,
            "status": "present",
        }
    ]


def test_it_gives_a_decision_with_the_positions_per_partner(world: World, steering, client_for):
    decision = make.decision(steering, world.manager, "Gezamenlijke intake")
    DecisionPosition.objects.create(
        decision=decision,
        partnership=world.partner_a,
        kind=PositionKind.DISSENT,
        reason="Capaciteit",
        recorded_by=world.lead_a,
    )
    data = client_for(world.viewer).get(api("decision-detail", decision.pk)).json()
    assert data["title"] == "Gezamenlijke intake"
    assert data["positions"] == [
        {
            "round": 1,
            "partnership": world.partner_a.pk,
            "organisation": world.org_a.pk,
            "kind": "dissent",
            "reason": "Capaciteit",
            "recorded_by": {"id": world.lead_a.pk, "full_name": "Lead-A"},
            "for_person": None,
            "as_alternate": False,
            "by_silence": False,
            "recorded_at": data["positions"][0]["recorded_at"],
        }
    ]


def test_it_lists_actions_with_their_filters(world: World, steering, client_for):
    today = timezone.localdate()
    late = make.action(steering, world.lead_a, today - timedelta(days=2), "Te laat")
    on_time = make.action(steering, world.lead_b, today + timedelta(days=5), "Op tijd")
    done = make.action(
        steering, world.lead_a, today - timedelta(days=9), "Klaar", status=ActionStatus.DONE, closing_note="Ja."
    )
    make.action(make.body(world.other_chain, "Jeugd"), world.outsider, description="Andere keten")
    client = client_for(world.viewer)

    def ids(**query) -> list[int]:
        return [a["id"] for a in results(client.get(api("action-list"), query))]

    assert ids() == [done.pk, late.pk, on_time.pk]
    assert ids(overdue="true") == [late.pk]
    assert ids(overdue="false") == [done.pk, on_time.pk]
    assert ids(owner=world.lead_b.pk) == [on_time.pk]
    assert ids(status="done") == [done.pk]
    assert ids(due_from=str(today), chain="zsm") == [on_time.pk]
    assert ids(chain="jeugd") == []  # another chain's slug: nothing, not an error
    first = results(client.get(api("action-list"), {"overdue": "true"}))[0]
    assert first["is_overdue"] is True and first["owner"] == {"id": world.lead_a.pk, "full_name": "Lead-A"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "finished"}, "status"),
        ({"overdue": "maybe"}, "overdue"),
        ({"overdue": ""}, "overdue"),
        ({"due_from": "2026-13-01"}, "due_from"),
        ({"due_from": "31-12-2026"}, "due_from"),
        ({"due_to": "1999-12-31"}, "due_to"),
        ({"owner": "1.5"}, "owner"),
        ({"body": str(10**30)}, "body"),
    ],
)
def test_it_refuses_bad_filter_values_in_the_one_error_shape(world: World, client_for, query, field):
    response = client_for(world.viewer).get(api("action-list"), query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in messages(body) and body["detail"]


@pytest.mark.parametrize("query", [{"starts_from": "2026-02-30"}, {"status": "held-ish"}, {"body": "x"}])
def test_it_refuses_bad_meeting_filters(world: World, client_for, query):
    response = client_for(world.viewer).get(api("meeting-list"), query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_it_filters_meetings_by_day(world: World, steering, client_for):
    soon = make.meeting(steering, timezone.now() + timedelta(days=3))
    make.meeting(steering, timezone.now() + timedelta(days=40))
    day = timezone.localdate() + timedelta(days=10)
    found = results(client_for(world.viewer).get(api("meeting-list"), {"starts_to": str(day), "body": steering.pk}))
    assert [m["id"] for m in found] == [soon.pk]


def test_it_writes_nothing(world: World, steering, client_for):
    action = make.action(steering, world.lead_a)
    client = client_for(world.manager)
    assert client.post(api("action-list"), {}, content_type="application/json").status_code == 405
    assert client.delete(api("action-detail", action.pk)).status_code == 405
    assert client.patch(api("body-detail", steering.pk), {}, content_type="application/json").status_code == 405


@pytest.mark.parametrize("name", ["body-list", "meeting-list", "decision-list", "action-list"])
def test_it_lists_in_a_constant_number_of_queries(world: World, client_for, django_assert_max_num_queries, name):
    def grow(first: int, last: int) -> None:
        for i in range(first, last):
            body = make.body(world.chain, f"Overleg {i}")
            make.seat(body, world.lead_a, world.partner_a, alternate=world.contributor_a)
            meeting = make.meeting(body, status=MeetingStatus.HELD)
            make.agenda_item(meeting)
            Attendance.objects.create(meeting=meeting, member=body.members.get(), status=AttendanceStatus.PRESENT)
            decision = make.decision(body, world.manager)
            DecisionPosition.objects.create(
                decision=decision, partnership=world.partner_a, kind=PositionKind.CONSENT, recorded_by=world.lead_a
            )
            make.action(body, world.lead_a, decision=decision, meeting=meeting)

    client = client_for(world.viewer)
    grow(0, 1)
    with django_assert_max_num_queries(12) as few:
        assert client.get(api(name)).status_code == 200
    grow(1, 6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(results(client.get(api(name)))) == 6
