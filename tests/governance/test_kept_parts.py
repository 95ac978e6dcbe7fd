"""The meeting page's agenda, attendance, minutes and history, and the decision register, are kept
rendered (ketenportaal/kept.py) under the chain's governance revision and the roster revision:
every change is on the next page at once, each reader sees what their own rights show, a
reader's forms carry their own CSRF token (never another's, never the mark), and a page with
nothing changed does not read what it kept."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import AgendaItem, DecisionStatus
from governance.services import governance_revision
from ketenportaal import kept
from tests.conftest import in_english, sign_in
from tests.governance.agenda_fixtures import build_board, decision, item

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(world):
    return build_board(world)


def _client(person, **options) -> Client:
    return in_english(sign_in(Client(**options), person))


def _meeting_page(board) -> str:
    return reverse("governance:meeting_detail", args=["zsm", board.meeting.pk])


def _register() -> str:
    return reverse("governance:decision_list", args=["zsm"])


def _queries(client, address: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured.captured_queries), response.text


def test_a_change_to_the_meeting_is_on_the_next_page(board):
    reader = _client(board.world.viewer)
    assert "Opening" not in reader.get(_meeting_page(board)).text
    opening = item(board.meeting, "Opening", order=1)
    assert "Opening" in reader.get(_meeting_page(board)).text
    opening.title = "Welkom"
    opening.save()
    page = reader.get(_meeting_page(board)).text
    assert "Welkom" in page and "Opening" not in page
    item(board.meeting, "Voortgang", order=2, presenter=board.world.lead_a)
    assert board.world.lead_a.full_name in reader.get(_meeting_page(board)).text
    board.world.lead_a.full_name = "Lotte Nieuwenhuis"  # the roster revision: a renamed person
    board.world.lead_a.save()
    assert "Lotte Nieuwenhuis" in reader.get(_meeting_page(board)).text
    opening.delete()
    assert "Welkom" not in reader.get(_meeting_page(board)).text


def test_each_reader_sees_what_their_rights_show(board):
    item(board.meeting, "Opening", order=1)
    add = reverse("governance:agenda_item_create", args=["zsm", board.meeting.pk])
    secretary = _client(board.secretary).get(_meeting_page(board)).text  # kept for those who run it
    assert add in secretary
    reader = _client(board.world.viewer).get(_meeting_page(board)).text
    assert "Opening" in reader and add not in reader
    assert add in _client(board.secretary).get(_meeting_page(board)).text


def test_forms_carry_the_readers_own_csrf_token(board):
    item(board.meeting, "Opening", order=1)
    first = _client(board.secretary, enforce_csrf_checks=True)
    first.get(_meeting_page(board))  # kept with a mark, not this person's token
    second = _client(board.secretary, enforce_csrf_checks=True)
    page = second.get(_meeting_page(board)).text
    assert kept.CSRF_MARK not in page and kept.NONCE_MARK not in page
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
    assert tokens, "the secretary's forms are on the page"
    answer = second.post(
        reverse("governance:agenda_item_create", args=["zsm", board.meeting.pk]),
        {"title": "Rondvraag", "duration_minutes": "15", "csrfmiddlewaretoken": tokens.pop()},
    )
    assert answer.status_code == 302
    assert AgendaItem.objects.filter(meeting=board.meeting, title="Rondvraag").exists()
    assert "Rondvraag" in second.get(_meeting_page(board)).text


def test_a_meeting_page_with_nothing_changed_reads_less(board):
    for n in range(5):
        item(board.meeting, f"Punt {n}", order=n)
    reader = _client(board.world.viewer)
    cold, _ = _queries(reader, _meeting_page(board))
    warm, page = _queries(reader, _meeting_page(board))
    assert "Punt 4" in page
    assert warm <= cold - 4, (cold, warm)


def test_without_the_signal_a_change_would_be_missed(board):
    """The pages above are fresh because of the models' signals: disconnected, a kept part stays
    (so dropping the receiver fails here rather than silently in production)."""
    reader = _client(board.world.viewer)
    reader.get(_meeting_page(board))
    uid = "governance-revision:governance.AgendaItem"
    assert post_save.disconnect(sender=AgendaItem, dispatch_uid=uid)
    try:
        item(board.meeting, "Stil toegevoegd", order=1)
        assert "Stil toegevoegd" not in reader.get(_meeting_page(board)).text
    finally:
        post_save.connect(governance_revision._changed, sender=AgendaItem, dispatch_uid=uid)
    item(board.meeting, "Daarna", order=2)
    assert "Stil toegevoegd" in reader.get(_meeting_page(board)).text


def test_the_register_shows_a_new_or_changed_decision_at_once(board):
    reader = _client(board.world.viewer)
    assert "Capaciteit" not in reader.get(_register()).text
    found = decision(board.body, board.chair, title="Capaciteit")
    assert "Capaciteit" in reader.get(_register()).text
    found.status = DecisionStatus.ADOPTED
    found.save()
    assert "Adopted" in reader.get(_register() + "?uitkomst=adopted").text
    found.delete()
    assert "Capaciteit" not in reader.get(_register()).text


def test_the_register_keys_on_its_own_filters_only(board):
    decision(board.body, board.chair, title="Capaciteit")
    reader = _client(board.world.viewer)
    junk = reader.get(_register() + "?jaar=&onzin=<b>x</b>").text
    links = re.findall(r'href="([^"]*export[^"]*)"', junk)
    assert links and not [link for link in links if "onzin" in link]  # no other reader's junk in its links
    refused = reader.get(_register() + "?uitkomst=onbekend")
    assert refused.status_code == 422
    again = reader.get(_register() + "?uitkomst=onbekend")  # kept with its status
    assert again.status_code == 422 and "Capaciteit" not in again.text
    long = reader.get(_register() + "?gremium=" + "9" * 40)  # never kept, still answered at the field
    assert long.status_code == 422
    warm, page = _queries(reader, _register())
    governance_revision.bump([board.world.chain.pk])
    cold_count, _ = _queries(reader, _register())
    assert "Capaciteit" in page and warm <= cold_count - 3, (cold_count, warm)
