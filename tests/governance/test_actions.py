"""Actions (actiepunten): lists per chain and body with filters, creating one from a body's list,
an agenda item or a decision, the owner's status step, editing, deleting and the carry-over rule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import ActionItem, ActionStatus, MeetingStatus, MemberPosition
from stakeholders.models import Role
from tests.conftest import World
from tests.factories import MembershipFactory, PersonFactory
from tests.governance import action_fixtures as make


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture
def body(world: World):
    body = make.body(world.chain)
    # The contributor of A keeps the minutes: runs the body's meetings without managing the chain.
    make.seat(body, world.contributor_a, position=MemberPosition.SECRETARY)
    make.seat(body, world.lead_a, world.partner_a)
    return body


def url(name: str, *args) -> str:
    return reverse(f"governance:{name}", args=["zsm", *args])


def today() -> date:
    return timezone.localdate()


# --- Lists ---------------------------------------------------------------------------------------


def test_it_lists_the_chains_actions_for_every_member(world: World, body, client_for):
    make.action(body, world.lead_a, description="Capaciteitsplan schrijven")
    make.action(make.body(world.other_chain, "Jeugdoverleg"), world.outsider, description="Andere keten")
    response = client_for(world.viewer).get(url("action_list"))
    assert response.status_code == 200
    assert "Capaciteitsplan schrijven" in response.text
    assert "Andere keten" not in response.text
    assert client_for(world.outsider).get(url("action_list")).status_code == 404


def test_it_filters_on_status_owner_body_and_overdue(world: World, body, client_for):
    other_body = make.body(world.chain, "Tactisch overleg", level="tactical")
    make.action(body, world.lead_a, description="Te laat", due_on=today() - timedelta(days=3))
    make.action(body, world.lead_b, description="Op tijd")
    make.action(other_body, world.lead_a, description="Ander gremium")
    make.action(body, world.lead_a, description="Al klaar", status=ActionStatus.DONE, closing_note="Gedaan.")
    client = client_for(world.viewer)

    def shown(query: dict) -> set[str]:
        text = client.get(url("action_list"), query).text
        return {d for d in ("Te laat", "Op tijd", "Ander gremium", "Al klaar") if d in text}

    assert shown({}) == {"Te laat", "Op tijd", "Ander gremium"}  # not closed, by default
    assert shown({"status": "all"}) == {"Te laat", "Op tijd", "Ander gremium", "Al klaar"}
    assert shown({"status": "done"}) == {"Al klaar"}
    assert shown({"owner": world.lead_b.pk}) == {"Op tijd"}
    assert shown({"overdue": "on"}) == {"Te laat"}
    assert shown({"body": other_body.pk}) == {"Ander gremium"}
    body_page = client.get(url("action_body_list", body.pk)).text
    assert "Te laat" in body_page and "Ander gremium" not in body_page


def test_it_marks_overdue_actions_in_the_list(world: World, body, client_for):
    make.action(body, world.lead_a, description="Te laat", due_on=today() - timedelta(days=1))
    assert "overdue" in client_for(world.viewer).get(url("action_list")).text


def test_it_says_which_filter_value_is_wrong(world: World, body, client_for):
    response = client_for(world.viewer).get(url("action_list"), {"status": "whatever", "owner": "x"})
    assert response.status_code == 422
    assert "Select a valid choice" in response.text


def test_it_pages_long_lists_keeping_the_filters(world: World, body, client_for):
    for n in range(55):
        make.action(body, world.lead_a, description=f"Actie {n:02d}", due_on=today() + timedelta(days=n))
    page = client_for(world.viewer).get(url("action_list"), {"owner": world.lead_a.pk}).text
    assert "Actie 49" in page and "Actie 50" not in page
    assert f"owner={world.lead_a.pk}&amp;pagina=2" in page
    second = client_for(world.viewer).get(url("action_list"), {"owner": world.lead_a.pk, "pagina": 2}).text
    assert "Actie 50" in second


@pytest.mark.parametrize("count", [2, 20])
def test_it_lists_in_constant_queries(world: World, body, client_for, max_page_queries, count):
    for n in range(count):
        make.action(body, world.lead_a if n % 2 else world.lead_b, due_on=today() + timedelta(days=n - 5))
    client = client_for(world.viewer)
    client.get(url("action_list"))  # the session and the user's roles are read once
    with max_page_queries(12):
        assert client.get(url("action_list"), {"status": "all"}).status_code == 200
    with max_page_queries(12):
        assert client.get(url("action_body_list", body.pk)).status_code == 200


# --- Creating ------------------------------------------------------------------------------------


def new_action(owner, due_on: str = "") -> dict:
    return {
        "description": "Evaluatie plannen",
        "owner": owner.pk,
        "due_on": due_on or str(today() + timedelta(days=30)),
    }


def test_it_lets_the_secretary_add_an_action_on_the_bodys_list(world: World, body, client_for):
    client = client_for(world.contributor_a)
    assert "New action" in client.get(url("action_body_list", body.pk)).text
    response = client.post(url("action_create", body.pk), new_action(world.lead_b))
    action = ActionItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("action_detail", action.pk)
    assert (action.body, action.owner, action.status, action.created_by) == (
        body,
        world.lead_b,
        ActionStatus.OPEN,
        world.contributor_a,
    )


def test_it_refuses_a_member_who_does_not_run_the_bodys_meetings(world: World, body, client_for):
    client = client_for(world.lead_a)  # a plain member of the body
    assert "New action" not in client.get(url("action_body_list", body.pk)).text
    assert client.get(url("action_create", body.pk)).status_code == 403
    assert client.post(url("action_create", body.pk), new_action(world.lead_a)).status_code == 403
    assert not ActionItem.objects.exists()


def test_it_offers_owners_of_this_chains_partners_only(world: World, body, client_for):
    colleague_c = PersonFactory(email="c2@example.nl", full_name="Carla Jeugd", organisation=world.org_c)
    MembershipFactory(person=colleague_c, chain=world.other_chain, role=Role.CONTRIBUTOR)
    page = client_for(world.manager).get(url("action_create", body.pk)).text
    assert f'value="{world.lead_a.pk}"' in page and "(Politie)" in page
    assert f'value="{world.lead_b.pk}"' in page
    assert f'value="{colleague_c.pk}"' not in page  # a person of the other chain
    assert f'value="{world.viewer.pk}"' not in page  # a member of no partner organisation


def test_it_refuses_a_forged_owner_at_the_field(world: World, body, client_for):
    response = client_for(world.manager).post(url("action_create", body.pk), new_action(world.outsider))
    assert response.status_code == 422
    assert "Select a valid choice" in response.context["form"].errors["owner"][0]
    assert not ActionItem.objects.exists()


def test_it_refuses_a_due_date_outside_the_range(world: World, body, client_for):
    response = client_for(world.manager).post(url("action_create", body.pk), new_action(world.lead_a, "1999-12-31"))
    assert response.status_code == 422
    assert "between 2000 and 2100" in response.context["form"].errors["due_on"][0]
    assert not ActionItem.objects.exists()


def test_it_refuses_an_owner_the_model_does_not_allow(world: World, body):
    """The rule lives in the model: the admin and the API get it too."""
    action = ActionItem(body=body, owner=world.outsider, due_on=today(), description="x")
    with pytest.raises(Exception) as refused:
        action.full_clean()
    assert "owner" in refused.value.message_dict


def test_it_adds_an_action_agreed_on_an_agenda_item(world: World, body, client_for):
    meeting = make.meeting(body, status=MeetingStatus.HELD)
    item = make.agenda_item(meeting)
    client = client_for(world.contributor_a)
    assert client.get(url("action_create_from_agenda_item", item.pk)).status_code == 200
    client.post(url("action_create_from_agenda_item", item.pk), new_action(world.lead_a))
    action = ActionItem.objects.get()
    assert (action.body, action.meeting, action.agenda_item) == (body, meeting, item)


def test_it_refuses_a_new_action_on_approved_minutes(world: World, body, client_for):
    meeting = make.meeting(body, status=MeetingStatus.HELD)
    item = make.agenda_item(meeting)
    meeting.status = MeetingStatus.MINUTES_APPROVED
    meeting.save()
    response = client_for(world.contributor_a).post(
        url("action_create_from_agenda_item", item.pk), new_action(world.lead_a)
    )
    assert response.status_code == 422
    assert "approved and locked" in response.text
    assert not ActionItem.objects.exists()


def test_it_adds_an_action_following_from_a_decision(world: World, body, client_for):
    decision = make.decision(body, world.manager)
    client_for(world.manager).post(url("action_create_from_decision", decision.pk), new_action(world.lead_a))
    action = ActionItem.objects.get()
    assert (action.body, action.decision) == (body, decision)


def test_it_does_not_find_another_chains_agenda_item_or_decision(world: World, body, client_for):
    other = make.body(world.other_chain, "Jeugdoverleg")
    item = make.agenda_item(make.meeting(other))
    decision = make.decision(other, world.outsider)
    client = client_for(world.manager)
    assert client.get(url("action_create_from_agenda_item", item.pk)).status_code == 404
    assert client.post(url("action_create_from_decision", decision.pk), new_action(world.lead_a)).status_code == 404
    assert client.get(url("action_create", other.pk)).status_code == 404
    assert not ActionItem.objects.exists()


# --- One action ----------------------------------------------------------------------------------


def test_it_shows_the_action_with_where_it_comes_from_and_its_history(world: World, body, client_for):
    decision = make.decision(body, world.manager, title="Capaciteit reclassering")
    action = make.action(body, world.lead_a, decision=decision, description="Capaciteit uitzoeken")
    page = client_for(world.viewer).get(url("action_detail", action.pk)).text
    assert "Capaciteit uitzoeken" in page
    assert "Capaciteit reclassering" in page
    assert "History" in page
    assert "Update the status" not in page  # the viewer neither owns it nor runs the meetings
    assert "Edit action" not in page


def test_it_lets_the_owner_close_their_action_with_a_note(world: World, body, client_for):
    action = make.action(body, world.lead_b)  # lead B has no seat: only the ownership counts
    client = client_for(world.lead_b)
    page = client.get(url("action_detail", action.pk)).text
    assert "Update the status" in page and "Edit action" not in page
    token = client.get(url("action_status", action.pk)).context["form"]["version_token"].value()
    refused = client.post(
        url("action_status", action.pk), {"status": "done", "closing_note": "", "version_token": token}
    )
    assert refused.status_code == 422
    assert "Say how the action was closed." in refused.context["form"].errors["closing_note"]
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    done = {"status": "done", "closing_note": "Notitie gedeeld.", "version_token": token}
    assert client.post(url("action_status", action.pk), done).status_code == 302
    action.refresh_from_db()
    assert (action.status, action.closing_note) == (ActionStatus.DONE, "Notitie gedeeld.")
    assert action.closed_at is not None
    history = client.get(url("action_detail", action.pk)).text
    assert "Notitie gedeeld." in history and "Done" in history


def test_it_refuses_the_status_step_to_someone_else(world: World, body, client_for):
    action = make.action(body, world.lead_b)
    for person in (world.lead_a, world.viewer):  # a member of the body, a reader
        response = client_for(person).post(url("action_status", action.pk), {"status": "done", "closing_note": "x"})
        assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


def test_it_clears_the_closing_moment_when_opened_again(world: World, body):
    action = make.action(body, world.lead_a, status=ActionStatus.CANCELLED, closing_note="Vervallen.")
    assert action.closed_at is not None
    action.status = ActionStatus.IN_PROGRESS
    action.save()
    assert action.closed_at is None


def test_it_lets_who_runs_the_meetings_edit_an_action(world: World, body, client_for):
    action = make.action(body, world.lead_a)
    client = client_for(world.contributor_a)
    form = client.get(url("action_edit", action.pk)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(description="Herzien", owner=world.lead_b.pk, due_on=str(today() + timedelta(days=3)))
    assert client.post(url("action_edit", action.pk), data).status_code == 302
    action.refresh_from_db()
    assert (action.description, action.owner) == ("Herzien", world.lead_b)
    assert client_for(world.lead_a).get(url("action_edit", action.pk)).status_code == 403


def test_it_never_silently_overwrites_a_concurrent_edit(world: World, body, client_for):
    action = make.action(body, world.lead_a, description="Eerst")
    client = client_for(world.manager)
    form = client.get(url("action_status", action.pk)).context["form"]
    stale = {"status": "in_progress", "closing_note": "", "version_token": form["version_token"].value()}
    ActionItem.objects.filter(pk=action.pk).update(status=ActionStatus.CANCELLED, closing_note="Vervallen.")
    response = client.post(url("action_status", action.pk), stale)
    assert response.status_code == 422
    assert "Someone else changed this" in response.text
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED


def test_it_keeps_an_owner_who_left_on_their_actions(world: World, body, client_for):
    """An owner who is no longer offered can still be kept when the action is edited or closed."""
    action = make.action(body, world.lead_a)
    world.lead_a.memberships.all().delete()
    client = client_for(world.manager)
    form = client.get(url("action_status", action.pk)).context["form"]
    data = {"status": "done", "closing_note": "Afgerond.", "version_token": form["version_token"].value()}
    assert client.post(url("action_status", action.pk), data).status_code == 302


# --- Deleting ------------------------------------------------------------------------------------


def test_it_lets_who_runs_the_meetings_delete_an_action_made_by_mistake(world: World, body, client_for):
    action = make.action(body, world.lead_a)
    client = client_for(world.contributor_a)
    assert "Delete action" in client.get(url("action_detail", action.pk)).text
    assert client.get(url("action_delete", action.pk)).status_code == 200
    response = client.post(url("action_delete", action.pk))
    assert response.status_code == 302
    assert response["Location"] == url("action_body_list", body.pk)
    assert not ActionItem.objects.exists()


def test_it_never_deletes_an_action_that_carried_over(world: World, body, client_for):
    action = make.action(body, world.lead_a)
    ActionItem.objects.filter(pk=action.pk).update(carried_over=True)
    client = client_for(world.manager)
    page = client.get(url("action_detail", action.pk)).text
    assert url("action_delete", action.pk) not in page  # no delete button
    assert "can be closed, not deleted" in page
    forged = client.post(url("action_delete", action.pk))
    assert forged.status_code == 409
    assert "cannot be deleted, only closed" in forged.text
    assert ActionItem.objects.filter(pk=action.pk).exists()


def test_it_refuses_deleting_to_the_owner(world: World, body, client_for):
    action = make.action(body, world.lead_b)
    assert client_for(world.lead_b).post(url("action_delete", action.pk)).status_code == 403
    assert ActionItem.objects.filter(pk=action.pk).exists()


def test_it_does_not_find_another_chains_action(world: World, body, client_for):
    other = make.action(make.body(world.other_chain, "Jeugdoverleg"), world.outsider)
    client = client_for(world.admin)
    assert client.get(url("action_detail", other.pk)).status_code == 404  # forged into zsm's URL
    assert client.get(reverse("governance:action_detail", args=["jeugd", other.pk])).status_code == 200


def test_it_offers_the_actions_in_the_chain_menu(world: World, body, client_for):
    page = client_for(world.viewer).get(reverse("stakeholders:chain_detail", args=["zsm"])).text
    assert url("action_list") in page


def test_it_offers_an_action_on_each_agenda_item_of_the_minutes(world: World, body, client_for):
    meeting = make.meeting(body, status=MeetingStatus.HELD)
    item = make.agenda_item(meeting, "Capaciteit")
    agreed = make.action(body, world.lead_a, meeting=meeting, agenda_item=item, description="Plan maken")
    meeting_page = reverse("governance:meeting_detail", args=["zsm", meeting.pk])
    page = client_for(world.contributor_a).get(meeting_page).text
    assert url("action_create_from_agenda_item", item.pk) in page
    assert url("action_detail", agreed.pk) in page  # the actions agreed link to their page
    assert url("action_create_from_agenda_item", item.pk) not in client_for(world.viewer).get(meeting_page).text


def test_it_lists_a_decisions_actions_on_its_page(world: World, body, client_for):
    decision = make.decision(body, world.manager, "Gezamenlijke intake")
    action = make.action(body, world.lead_a, decision=decision, description="Intake inrichten")
    decision_page = reverse("governance:decision_detail", args=["zsm", decision.pk])
    page = client_for(world.manager).get(decision_page).text
    assert "Actions following from this decision" in page and url("action_detail", action.pk) in page
    assert url("action_create_from_decision", decision.pk) in page
    assert url("action_create_from_decision", decision.pk) not in client_for(world.viewer).get(decision_page).text


def test_it_shows_the_bodys_open_actions_on_its_page(world: World, body, client_for):
    late = make.action(body, world.lead_a, today() - timedelta(days=2), "Plan opleveren")
    make.action(body, world.lead_a, description="Klaar", status=ActionStatus.DONE, closing_note="Ja.")
    body_page = reverse("governance:body_detail", args=["zsm", body.pk])
    page = client_for(world.contributor_a).get(body_page).text
    assert "Open actions" in page and url("action_detail", late.pk) in page and "Klaar" not in page
    assert "(1 open)" in page and url("action_create", body.pk) in page
    assert url("action_create", body.pk) not in client_for(world.viewer).get(body_page).text
