"""Attendance and minutes (governance/views/minutes.py): the quorum in words, two secretaries at
once, the chair's approval of a held meeting, the lock in pages, model and admin, reopening with a
reason, and the minutes PDF."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from governance.models import (
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    AttendanceStatus,
    MeetingStatus,
    MinutesLockedError,
    MinutesReopening,
)
from ketenportaal.concurrency import VERSION_FIELD
from tests.governance.agenda_fixtures import action, build_board, decision, item


@pytest.fixture
def board(world):
    board = build_board(world)
    board.meeting.status = MeetingStatus.HELD
    board.meeting.save()
    return board


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def url(name: str, board, pk: int | None = None) -> str:
    return reverse(f"governance:{name}", args=[board.world.chain.slug, pk or board.meeting.pk])


def attendance_form(client, board) -> dict:
    form = client.get(url("attendance_edit", board)).context["form"]
    return {"recorded": form["recorded"].value()}


def record(client, board, **statuses) -> object:
    """Post the attendance form with ``member_seat`` / ``chair_seat`` statuses."""
    data = attendance_form(client, board)
    for seat, status in statuses.items():
        data[f"member-{getattr(board, seat).pk}"] = status
    return client.post(url("attendance_edit", board), data)


def test_it_says_in_words_whether_the_quorum_is_met(board, client_for):
    client = client_for(board.secretary)
    page = client.get(url("meeting_detail", board)).text
    assert "Attendance has not been recorded yet. The quorum is 50% of the 2 represented partners" in page
    response = record(client, board, member_seat=AttendanceStatus.PRESENT, chair_seat=AttendanceStatus.EXCUSED)
    assert response.status_code == 302
    assert response["Location"].endswith("#attendance")
    page = client.get(url("meeting_detail", board)).text
    assert "The quorum is met: 1 of the 2 represented partners are present or represented (needed: 1, 50%)." in page
    assert "Absent with notice" in page
    board.body.quorum_percent = 75
    board.body.save()
    page = client.get(url("meeting_detail", board)).text
    assert "The quorum is not met: 1 of the 2 represented partners are present or represented (needed: 2, 75%)." in page
    # The alternate stands in: partner A at the table through contributor A, partner B present.
    record(client, board, member_seat=AttendanceStatus.REPRESENTED, chair_seat=AttendanceStatus.PRESENT)
    page = client.get(url("meeting_detail", board)).text
    assert "The quorum is met: 2 of the 2 represented partners" in page
    assert dict(Attendance.objects.values_list("member", "status")) == {
        board.member_seat.pk: AttendanceStatus.REPRESENTED,
        board.chair_seat.pk: AttendanceStatus.PRESENT,
    }


def test_only_a_member_with_an_alternate_can_be_represented(board, client_for):
    response = record(client_for(board.secretary), board, chair_seat=AttendanceStatus.REPRESENTED)
    assert response.status_code == 422
    assert response.context["form"].errors[f"member-{board.chair_seat.pk}"] == [
        "This member has no alternate to be represented by."
    ]
    assert not Attendance.objects.exists()


def test_attendance_recorded_meanwhile_is_a_conflict(board, client_for):
    client = client_for(board.secretary)
    data = attendance_form(client, board)
    other = client_for(board.world.manager)
    record(other, board, chair_seat=AttendanceStatus.ABSENT)
    data[f"member-{board.chair_seat.pk}"] = AttendanceStatus.PRESENT
    response = client.post(url("attendance_edit", board), data)
    assert response.status_code == 422
    assert "Someone else changed this while you were editing. Nothing was saved." in response.text
    assert "Saved meanwhile by someone else" in response.text
    assert Attendance.objects.get().status == AttendanceStatus.ABSENT
    # Saving again on purpose (the form now carries what is saved) goes through.
    data["recorded"] = response.context["form"].data["recorded"]
    assert client.post(url("attendance_edit", board), data).status_code == 302
    assert Attendance.objects.get().status == AttendanceStatus.PRESENT


def minutes_of(client, board, shown: AgendaItem) -> dict:
    form = client.get(url("minutes_edit", board, shown.pk)).context["form"]
    return {VERSION_FIELD: form[VERSION_FIELD].value(), "status": AgendaItemStatus.FINISHED}


def test_two_secretaries_never_overwrite_each_other(board, client_for):
    shown = item(board.meeting, "Capaciteit reclassering")
    first, second = client_for(board.secretary), client_for(board.world.manager)
    first_form, second_form = minutes_of(first, board, shown), minutes_of(second, board, shown)
    first_text = "De reclassering levert vanaf maart twee extra medewerkers."
    response = first.post(url("minutes_edit", board, shown.pk), {**first_form, "notes": first_text})
    assert response.status_code == 302
    response = second.post(url("minutes_edit", board, shown.pk), {**second_form, "notes": "Uitgesteld."})
    assert response.status_code == 422
    assert "Someone else changed this while you were editing" in response.text
    assert first_text in response.text  # the other secretary's text, shown
    shown.refresh_from_db()
    assert (shown.notes, shown.status) == (first_text, AgendaItemStatus.FINISHED)


def approve(client, board):
    return client.post(url("minutes_approve", board))


def test_only_the_chair_approves_the_minutes_of_a_held_meeting(board, client_for):
    item(board.meeting, "Opening", status=AgendaItemStatus.FINISHED)
    open_item = item(board.meeting, "Rondvraag")
    for who in (board.secretary, board.world.manager, board.world.lead_a):
        assert approve(client_for(who), board).status_code == 403
    chair = client_for(board.chair)
    response = approve(chair, board)
    assert response.status_code == 409
    assert "Mark every agenda item finished or not finished first: Rondvraag." in response.text
    open_item.status = AgendaItemStatus.UNFINISHED
    open_item.save()
    for status in (MeetingStatus.DRAFT, MeetingStatus.ANNOUNCED, MeetingStatus.CANCELLED):
        board.meeting.status = status
        board.meeting.save()
        response = approve(chair, board)
        assert response.status_code == 409
        assert "Only the minutes of a meeting that has been held can be approved." in response.text
    board.meeting.status = MeetingStatus.HELD
    board.meeting.save()
    assert approve(chair, board).status_code == 302
    board.meeting.refresh_from_db()
    assert board.meeting.status == MeetingStatus.MINUTES_APPROVED
    assert board.meeting.minutes_approved_by == board.chair
    assert timezone.now() - board.meeting.minutes_approved_at < timedelta(minutes=1)
    page = client_for(board.world.viewer).get(url("meeting_detail", board)).text
    assert f"Approved by {board.chair.full_name} on" in page
    assert approve(chair, board).status_code == 409  # once


def _approved(board, client_for) -> AgendaItem:
    kept = item(board.meeting, "Voortgang", status=AgendaItemStatus.FINISHED, notes="Op koers.")
    Attendance.objects.create(meeting=board.meeting, member=board.member_seat, status=AttendanceStatus.PRESENT)
    assert approve(client_for(board.chair), board).status_code == 302
    return kept


def test_approved_minutes_are_locked_in_every_page(board, client_for):
    kept = _approved(board, client_for)
    client = client_for(board.secretary)
    page = client.get(url("meeting_detail", board)).text
    assert url("minutes_edit", board, kept.pk) not in page
    assert url("attendance_edit", board) not in page
    for name, pk, data in (
        ("minutes_edit", kept.pk, {"notes": "Anders.", "status": AgendaItemStatus.FINISHED}),
        ("attendance_edit", None, {f"member-{board.member_seat.pk}": AttendanceStatus.ABSENT}),
        ("agenda_item_edit", kept.pk, {"title": "Anders", "duration_minutes": "5"}),
        ("agenda_item_create", None, {"title": "Nieuw", "duration_minutes": "5"}),
    ):
        response = client.get(url(name, board, pk))
        assert response.status_code == 409
        assert "The minutes of this meeting are approved and locked; reopen them first." in response.text
        assert client.post(url(name, board, pk), data).status_code == 409
    kept.refresh_from_db()
    assert (kept.notes, kept.title, AgendaItem.objects.count()) == ("Op koers.", "Voortgang", 1)
    assert Attendance.objects.get().status == AttendanceStatus.PRESENT


def test_approved_minutes_are_locked_in_the_model(board, client_for):
    kept = _approved(board, client_for)
    kept.notes = "Anders."
    with pytest.raises(ValidationError, match="approved and locked"):
        kept.full_clean()
    with pytest.raises(MinutesLockedError):
        kept.save()
    with pytest.raises(MinutesLockedError):
        Attendance.objects.get().delete()
    assert AgendaItem.objects.get().notes == "Op koers."


def test_approved_minutes_are_locked_in_the_admin(board, client_for):
    kept = _approved(board, client_for)
    admin = client_for(board.world.admin)
    address = reverse("admin:governance_meeting_change", args=[board.meeting.pk])
    page = admin.get(address).text
    assert 'name="agenda_items-0-notes"' not in page  # shown, not offered to change
    local = timezone.localtime(board.meeting.starts_at)
    ends = timezone.localtime(board.meeting.ends_at)
    response = admin.post(
        address,
        {
            "body": board.body.pk,
            "starts_at_0": local.date().isoformat(),
            "starts_at_1": local.strftime("%H:%M:%S"),
            "ends_at_0": ends.date().isoformat(),
            "ends_at_1": ends.strftime("%H:%M:%S"),
            "status": MeetingStatus.HELD,
            "agenda_items-TOTAL_FORMS": "1",
            "agenda_items-INITIAL_FORMS": "1",
            "agenda_items-0-id": kept.pk,
            "agenda_items-0-meeting": board.meeting.pk,
            "agenda_items-0-title": "Vervalst",
            "agenda_items-0-notes": "Vervalst.",
            "agenda_items-0-order": "1",
            "agenda_items-0-duration_minutes": "15",
            "agenda_items-0-status": AgendaItemStatus.FINISHED,
            "attendance-TOTAL_FORMS": "0",
            "attendance-INITIAL_FORMS": "1",
        },
    )
    assert response.status_code in (200, 302)
    kept.refresh_from_db()
    board.meeting.refresh_from_db()
    assert (kept.title, kept.notes) == ("Voortgang", "Op koers.")
    assert board.meeting.status == MeetingStatus.MINUTES_APPROVED
    assert Attendance.objects.count() == 1


def test_the_admin_does_not_approve_minutes(board, client_for):
    admin = client_for(board.world.admin)
    address = reverse("admin:governance_meeting_change", args=[board.meeting.pk])
    local, ends = timezone.localtime(board.meeting.starts_at), timezone.localtime(board.meeting.ends_at)
    response = admin.post(
        address,
        {
            "body": board.body.pk,
            "starts_at_0": local.date().isoformat(),
            "starts_at_1": local.strftime("%H:%M:%S"),
            "ends_at_0": ends.date().isoformat(),
            "ends_at_1": ends.strftime("%H:%M:%S"),
            "status": MeetingStatus.MINUTES_APPROVED,
            "agenda_items-TOTAL_FORMS": "0",
            "agenda_items-INITIAL_FORMS": "0",
            "attendance-TOTAL_FORMS": "0",
            "attendance-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "The chair approves the minutes on the meeting&#x27;s page, not here." in response.text
    board.meeting.refresh_from_db()
    assert board.meeting.status == MeetingStatus.HELD


def test_reopening_needs_a_reason_is_recorded_and_needs_approval_again(board, client_for):
    kept = _approved(board, client_for)
    chair = client_for(board.chair)
    assert client_for(board.secretary).get(url("minutes_reopen", board)).status_code == 403
    response = chair.post(url("minutes_reopen", board), {"reason": "  "})
    assert response.status_code == 422
    assert response.context["form"].errors["reason"] == ["This field is required."]
    assert board.meeting.__class__.objects.get(pk=board.meeting.pk).status == MeetingStatus.MINUTES_APPROVED
    reason = "Het besluit over de capaciteit ontbrak."
    assert chair.post(url("minutes_reopen", board), {"reason": reason}).status_code == 302
    board.meeting.refresh_from_db()
    assert (board.meeting.status, board.meeting.minutes_approved_at) == (MeetingStatus.HELD, None)
    reopening = MinutesReopening.objects.get()
    assert (reopening.reason, reopening.by) == (reason, board.chair)
    page = client_for(board.world.viewer).get(url("meeting_detail", board)).text
    assert reason in page and "Draft minutes: not approved yet." in page
    # The minutes can change again, then are approved again.
    secretary = client_for(board.secretary)
    data = {**minutes_of(secretary, board, kept), "notes": "Op koers; capaciteit besproken."}
    assert secretary.post(url("minutes_edit", board, kept.pk), data).status_code == 302
    assert approve(chair, board).status_code == 302
    board.meeting.refresh_from_db()
    assert board.meeting.status == MeetingStatus.MINUTES_APPROVED


def test_the_minutes_as_pdf(board, client_for):
    w = board.world
    taken = item(board.meeting, "Capaciteit reclassering", status=AgendaItemStatus.FINISHED, notes="Twee extra mensen.")
    item(board.meeting, "Begroting", status=AgendaItemStatus.UNFINISHED)
    decision(board.body, board.chair, "Extra capaciteit", agenda_item=taken, meeting=board.meeting)
    action(board.body, w.lead_a, timezone.localdate(), "Werving starten", meeting=board.meeting, agenda_item=taken)
    Attendance.objects.create(meeting=board.meeting, member=board.member_seat, status=AttendanceStatus.PRESENT)
    approve(client_for(board.chair), board)
    response = client_for(w.viewer).get(url("minutes_pdf", board))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="notulen-stuurgroep-zsm-')
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    for expected in (
        "Minutes: Stuurgroep ZSM",
        f"Approved by {board.chair.full_name}",
        "Twee extra mensen.",
        "Not finished: carries over",
        "Extra capaciteit",
        "Werving starten",
        w.lead_a.full_name,
        "The quorum is met: 1 of the 2 represented partners",
    ):
        assert expected in text
