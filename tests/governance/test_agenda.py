"""The agenda pages (governance/views/agenda.py) and the agenda section of the meeting page: items
with one linked object of the chain, moving them without JavaScript, the total against the
meeting's length, suggestions answered with one click, the agenda PDF, and who may do what."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ambitions.models import ProgressReport, VersionStatus
from governance.models import AgendaItem, Body, BodyLevel, MeetingStatus, SuggestionChoice
from ketenportaal.concurrency import VERSION_FIELD
from tests.conftest import recount_unread, without_session_reads
from tests.governance.agenda_fixtures import action, build_board, decision, item
from tests.measures import adopted_version


@pytest.fixture
def board(world):
    return build_board(world)


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def url(name: str, board, pk: int | None = None) -> str:
    return reverse(f"governance:{name}", args=[board.world.chain.slug, pk or board.meeting.pk])


def meeting_page(board) -> str:
    return url("meeting_detail", board)


def create(client, board, **fields):
    data = {"title": "Rondvraag", "duration_minutes": "15", "presenter": "", "description": "", "link": ""}
    return client.post(url("agenda_item_create", board), {**data, **fields})


def test_the_meeting_page_shows_the_agenda_against_the_meeting_length(board, client_for):
    item(board.meeting, "Opening", order=1, duration_minutes=30, presenter=board.chair)
    item(board.meeting, "Voortgang", order=2, duration_minutes=100)
    response = client_for(board.world.viewer).get(meeting_page(board))
    assert response.status_code == 200
    page = response.text
    start = timezone.localtime(board.meeting.starts_at)
    assert "Opening" in page and "Voortgang" in page and board.chair.full_name in page
    assert (start + timedelta(minutes=30)).strftime("%H:%M") in page  # when the second item starts
    assert "The items take 130 minutes of the meeting's 120 minutes." in page
    assert "The agenda is 10 minutes longer than the meeting." in page
    # A reader sees no buttons to change it.
    assert url("agenda_item_create", board) not in page
    assert "/verplaatsen/" not in page


def _page_queries(client, address: str) -> tuple[int, str]:
    recount_unread()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(without_session_reads(captured.captured_queries)), response.text


@pytest.mark.parametrize("status", [MeetingStatus.ANNOUNCED, MeetingStatus.HELD])
def test_the_agenda_sections_cost_the_same_with_many_items(board, client_for, measures, status):
    board.meeting.status = status
    board.meeting.save()
    client = client_for(board.secretary)
    for n in range(2):
        item(board.meeting, f"Punt {n}", order=n, indicator=measures.share, presenter=board.chair)
    few, _page = _page_queries(client, meeting_page(board))
    for n in range(2, 12):
        agreed = item(
            board.meeting, f"Punt {n}", order=n, decision=decision(board.body, board.chair), notes="Besproken"
        )
        action(board.body, board.world.lead_a, timezone.localdate(), meeting=board.meeting, agenda_item=agreed)
    many, page = _page_queries(client, meeting_page(board))
    assert "Punt 11" in page
    assert many == few


def test_the_secretary_adds_an_item_last_with_a_linked_object(board, client_for, measures):
    item(board.meeting, "Opening", order=3)
    response = create(client_for(board.secretary), board, link=f"indicator:{measures.share.pk}")
    assert response.status_code == 302
    assert response["Location"] == meeting_page(board) + "#agenda"
    added = AgendaItem.objects.get(title="Rondvraag")
    assert (added.order, added.indicator, added.decision) == (4, measures.share, None)


def _objects_of_the_other_chain(board, measures) -> dict[str, int]:
    """One object of each linkable kind in the other chain."""
    w = board.world
    other = Body.objects.create(chain=w.other_chain, name="Stuurgroep Jeugd", level=BodyLevel.STRATEGIC)
    proposal = adopted_version(measures.other_indicator, [w.unit_c], number=2, status=VersionStatus.PROPOSED)
    report = ProgressReport.objects.create(
        chain=w.other_chain, frequency="month", period=measures.period.start, snapshot={}
    )
    return {
        "indicator": measures.other_indicator.pk,
        "indicator_version": proposal.pk,
        "decision": decision(other, w.admin).pk,
        "action": action(other, w.admin, timezone.localdate()).pk,
        "report": report.pk,
    }


@pytest.mark.parametrize("kind", ["indicator", "indicator_version", "decision", "action", "report"])
def test_it_never_links_an_object_of_another_chain(board, client_for, measures, kind):
    forged = _objects_of_the_other_chain(board, measures)[kind]
    response = create(client_for(board.secretary), board, link=f"{kind}:{forged}")
    assert response.status_code == 422
    assert "Select a valid choice" in response.context["form"].errors["link"][0]
    assert not AgendaItem.objects.exists()


def test_it_offers_the_chains_own_objects_of_every_kind(board, client_for, measures):
    w = board.world
    proposal = adopted_version(measures.share, [w.unit_a], number=2, status=VersionStatus.PROPOSED)
    report = ProgressReport.objects.create(chain=w.chain, frequency="month", period=measures.period.start, snapshot={})
    wanted = {
        "indicator": measures.count.pk,
        "indicator_version": proposal.pk,
        "decision": decision(board.body, w.lead_a, "Capaciteit reclassering").pk,
        "action": action(board.body, w.lead_a, timezone.localdate()).pk,
        "report": report.pk,
    }
    client = client_for(board.secretary)
    page = client.get(url("agenda_item_create", board)).text
    for kind, pk in wanted.items():
        assert f'value="{kind}:{pk}"' in page
        assert create(client, board, title=kind, link=f"{kind}:{pk}").status_code == 302
        assert getattr(AgendaItem.objects.get(title=kind), f"{kind}_id") == pk


def test_items_move_up_and_down_without_javascript(board, client_for):
    first, second, third = (item(board.meeting, title, order=0) for title in ("Een", "Twee", "Drie"))
    client = client_for(board.secretary)
    response = client.post(url("agenda_item_move", board, third.pk), {"direction": "up"})
    assert response.status_code == 302
    assert list(board.meeting.agenda_items.order_by("order").values_list("title", flat=True)) == ["Een", "Drie", "Twee"]
    client.post(url("agenda_item_move", board, first.pk), {"direction": "down"})
    client.post(url("agenda_item_move", board, second.pk), {"direction": "down"})  # already last
    assert list(board.meeting.agenda_items.order_by("order").values_list("title", flat=True)) == ["Drie", "Een", "Twee"]
    # With htmx the agenda section comes back, in its new order.
    response = client.post(url("agenda_item_move", board, second.pk), {"direction": "up"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.text.index("Twee") < response.text.index("Een")
    assert 'id="agenda"' in response.text


def test_editing_an_item_changed_meanwhile_is_a_conflict(board, client_for, measures):
    shown = item(board.meeting, "Voortgang")
    client = client_for(board.secretary)
    form = client.get(url("agenda_item_edit", board, shown.pk)).context["form"]
    token = form[VERSION_FIELD].value()
    AgendaItem.objects.filter(pk=shown.pk).update(indicator=measures.share)  # someone links it meanwhile
    response = client.post(
        url("agenda_item_edit", board, shown.pk),
        {"title": "Voortgang ZSM", "duration_minutes": "15", "link": "", "link_shown": "", VERSION_FIELD: token},
    )
    assert response.status_code == 422
    assert "Someone else changed this" in response.text
    assert measures.share.name in response.text
    shown.refresh_from_db()
    assert (shown.title, shown.indicator) == ("Voortgang", measures.share)


def test_removing_an_item(board, client_for):
    gone = item(board.meeting, "Weg")
    assert client_for(board.secretary).post(url("agenda_item_delete", board, gone.pk)).status_code == 302
    assert not AgendaItem.objects.filter(pk=gone.pk).exists()


@pytest.mark.parametrize(("who", "status"), [("secretary", 200), ("chair", 200), ("manager", 200), ("lead_a", 403)])
def test_who_may_change_the_agenda(board, client_for, who, status):
    person = getattr(board, who, None) or getattr(board.world, who)
    assert client_for(person).get(url("agenda_item_create", board)).status_code == status
    response = client_for(person).post(url("agenda_item_create", board), {"title": "X", "duration_minutes": "5"})
    assert response.status_code == (302 if status == 200 else 403)


@pytest.mark.parametrize("status", [MeetingStatus.MINUTES_APPROVED, MeetingStatus.CANCELLED])
def test_a_closed_meeting_says_why_its_agenda_cannot_change(board, client_for, status):
    kept = item(board.meeting, "Voortgang")
    board.meeting.status = status
    board.meeting.save()
    client = client_for(board.secretary)
    response = client.get(url("agenda_item_create", board))
    assert response.status_code == 409
    assert "Nothing has been changed." in response.text
    for name, pk, data in (
        ("agenda_item_create", None, {"title": "X", "duration_minutes": "5"}),
        ("agenda_item_edit", kept.pk, {"title": "X", "duration_minutes": "5"}),
        ("agenda_item_move", kept.pk, {"direction": "up"}),
        ("agenda_item_delete", kept.pk, {}),
    ):
        assert client.post(url(name, board, pk), data).status_code == 409
    assert list(AgendaItem.objects.values_list("title", flat=True)) == ["Voortgang"]


def test_suggestions_are_answered_with_one_click(board, client_for):
    w = board.world
    overdue = action(board.body, w.lead_a, timezone.localdate() - timedelta(days=2), "Werkinstructie schrijven")
    waiting = decision(board.body, w.lead_a, "Capaciteit reclassering")
    client = client_for(board.secretary)
    page = client.get(url("agenda_suggestions", board)).text
    assert "Action: Werkinstructie schrijven" in page and "Capaciteit reclassering" in page
    response = client.post(url("suggestion_accept", board), {"key": f"action:{overdue.pk}"})
    assert response.status_code == 302
    client.post(url("suggestion_dismiss", board), {"key": f"decision:{waiting.pk}"})
    assert list(board.meeting.agenda_items.values_list("action", flat=True)) == [overdue.pk]
    assert set(SuggestionChoice.objects.values_list("key", "accepted")) == {
        (f"action:{overdue.pk}", True),
        (f"decision:{waiting.pk}", False),
    }
    page = client.get(url("agenda_suggestions", board)).text
    assert "There are no open suggestions for this meeting." in page
    # Answering again, or a key that was never suggested: a message, nothing changes.
    response = client.post(url("suggestion_accept", board), {"key": f"action:{overdue.pk}"}, follow=True)
    assert "That suggestion is no longer open" in response.text
    assert board.meeting.agenda_items.count() == 1


def test_the_agenda_as_pdf(board, client_for):
    item(board.meeting, "Opening", order=1, duration_minutes=10)
    item(board.meeting, "Capaciteit reclassering", order=2, duration_minutes=45, presenter=board.chair)
    response = client_for(board.world.viewer).get(url("agenda_pdf", board))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="agenda-stuurgroep-zsm-')
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("ZSM", "Agenda: Stuurgroep ZSM", "Opening", "Capaciteit reclassering", board.chair.full_name):
        assert expected in text
    assert "55 minutes of the meeting" in text


def test_a_decision_on_the_agenda_is_listed_under_its_item_in_the_minutes(board, client_for):
    taken = decision(board.body, board.world.lead_a, "Capaciteit reclassering")
    assert create(client_for(board.secretary), board, title="Besluit", link=f"decision:{taken.pk}").status_code == 302
    on_agenda = AgendaItem.objects.get(title="Besluit")
    taken.refresh_from_db()
    assert (taken.agenda_item, taken.meeting) == (on_agenda, board.meeting)
    board.meeting.status = MeetingStatus.HELD
    board.meeting.save(update_fields=["status"])
    page = client_for(board.world.viewer).get(meeting_page(board)).text
    minutes = page[page.index('id="minutes"') :]
    assert "Capaciteit reclassering" in minutes
