"""Announcing, changing and cancelling a meeting tell every member and alternate, in the portal and
by e-mail with the meeting as .ics, exactly once per person and occasion
(governance/services/meetings.py, notices.py, tasks.py). With real workers and beats, killed
mid-run: tests/integration/test_meeting_notice_reliability.py."""

from __future__ import annotations

import smtplib
import threading
from datetime import timedelta
from unittest import mock

import icalendar
import pytest
from django.core.mail import EmailMessage
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from governance import tasks
from governance.models import BodyMember, Meeting, MeetingNotice, MeetingStatus, NoticeKind, NoticeStatus
from governance.services import meetings as meeting_service
from governance.services import notices
from stakeholders.models import Notification
from tests.conftest import build_world, enqueued
from tests.governance.meeting_fixtures import a_meeting, build_seats


@pytest.fixture
def seats(world):
    return build_seats(world)


def announce(client, meeting: Meeting, capture) -> None:
    """Announce through the page; the task it enqueues after the commit is run here, in-process."""
    with capture(execute=False) as callbacks:
        response = client.post(reverse("governance:meeting_announce", args=["zsm", meeting.pk]))
    assert response.status_code == 302
    assert len(enqueued(callbacks)) == 1  # send_meeting_notices, enqueued once the transaction commits
    tasks.send_meeting_notices(meeting.pk)


def invitation_of(message: EmailMessage) -> icalendar.Calendar:
    (part,) = message.attachments
    assert part.get_content_type() == "text/calendar"
    assert part.get_filename().endswith(".ics")
    calendar = icalendar.Calendar.from_ical(part.get_content())
    assert part.get_param("method") == str(calendar["METHOD"])
    return calendar


def test_announcing_notifies_and_mails_every_member_and_alternate_once(
    client_for, world, seats, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = a_meeting(seats.body, host=world.partner_a)
    announce(client_for(seats.secretary), meeting, django_capture_on_commit_callbacks)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ANNOUNCED and meeting.announced_at is not None
    notified = Notification.objects.filter(key=f"meeting-announced:{meeting.pk}")
    assert {n.person.email for n in notified} == seats.invited
    assert all(n.url == meeting.get_absolute_url() for n in notified)

    assert sorted(m.to[0] for m in mailoutbox) == sorted(seats.invited)
    message = next(m for m in mailoutbox if m.to == ["contributor@example.nl"])
    assert "Stuurgroep ZSM" in message.subject
    assert "Stadhuis" in message.body and meeting.get_absolute_url() in message.body
    calendar = invitation_of(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["ATTENDEE"]) == "mailto:contributor@example.nl" and int(event["SEQUENCE"]) == 0
    notices_sent = MeetingNotice.objects.filter(meeting=meeting)
    assert notices_sent.count() == 4 and {n.status for n in notices_sent} == {NoticeStatus.SENT}
    assert {(n.kind, n.sequence, n.attempts) for n in notices_sent} == {(NoticeKind.ANNOUNCEMENT, 0, 1)}

    # Again, by a task delivered twice and by the sweep: nobody is mailed or notified twice.
    tasks.send_meeting_notices(meeting.pk)
    tasks.send_pending_meeting_notices()
    assert len(mailoutbox) == 4 and notified.count() == 4


def test_a_meeting_is_announced_once(english_client_for, seats, mailoutbox, django_capture_on_commit_callbacks):
    meeting = a_meeting(seats.body)
    client = english_client_for(seats.secretary)
    announce(client, meeting, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("governance:meeting_announce", args=["zsm", meeting.pk]), follow=True)
    assert "Only a draft meeting can be announced" in response.text and enqueued(callbacks) == []
    assert len(mailoutbox) == 4


def test_a_meeting_that_has_begun_is_not_announced(english_client_for, seats, mailoutbox):
    meeting = a_meeting(seats.body, timezone.now() - timedelta(minutes=5))
    response = english_client_for(seats.secretary).post(
        reverse("governance:meeting_announce", args=["zsm", meeting.pk]), follow=True
    )
    assert "has already begun" in response.text
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.DRAFT and not Notification.objects.exists()


def test_a_change_after_announcing_raises_the_sequence_and_mails_the_change(
    client_for, world, seats, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = a_meeting(seats.body, host=world.partner_a)
    client = client_for(seats.secretary)
    announce(client, meeting, django_capture_on_commit_callbacks)
    mailoutbox.clear()

    url = reverse("governance:meeting_edit", args=["zsm", meeting.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in ("day", "start_time", "end_time", "online_link", "host")}
    data.update(version_token=form["version_token"].value(), place="Paleis van Justitie")
    data["host"] = world.partner_a.pk
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(url, data).status_code == 302
    assert len(enqueued(callbacks)) == 1
    tasks.send_meeting_notices(meeting.pk)

    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.status == MeetingStatus.ANNOUNCED
    assert Notification.objects.filter(key=f"meeting-changed:{meeting.pk}:1").count() == 4
    assert sorted(m.to[0] for m in mailoutbox) == sorted(seats.invited)
    (event,) = invitation_of(mailoutbox[0]).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 1 and str(event["LOCATION"]) == "Paleis van Justitie"
    assert MeetingNotice.objects.filter(meeting=meeting, kind=NoticeKind.CHANGE, sequence=1).count() == 4


def test_a_change_of_host_only_is_no_news_for_calendars(client_for, world, seats, django_capture_on_commit_callbacks):
    meeting = a_meeting(seats.body, host=world.partner_a, status=MeetingStatus.ANNOUNCED, announced_at=timezone.now())
    client = client_for(seats.secretary)
    url = reverse("governance:meeting_edit", args=["zsm", meeting.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in ("day", "start_time", "end_time", "place", "online_link")}
    data.update(version_token=form["version_token"].value(), host=world.partner_b.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.host == world.partner_b and meeting.sequence == 0 and enqueued(callbacks) == []


def test_cancelling_an_announced_meeting_mails_a_cancellation_also_to_who_left_the_body(
    client_for, world, seats, mailoutbox, django_capture_on_commit_callbacks
):
    meeting = a_meeting(seats.body)
    client = client_for(seats.secretary)
    announce(client, meeting, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    BodyMember.objects.filter(body=seats.body, person=world.lead_b).delete()  # has it in their calendar

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("governance:meeting_cancel", args=["zsm", meeting.pk]))
    assert len(enqueued(callbacks)) == 1
    tasks.send_meeting_notices(meeting.pk)

    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted(seats.invited)
    calendar = invitation_of(mailoutbox[0])
    (event,) = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert Notification.objects.filter(key=f"meeting-cancelled:{meeting.pk}").count() == 4


def test_a_refused_mail_is_retried_by_the_sweep_and_then_sent_once(seats, mailoutbox):
    meeting = a_meeting(seats.body)
    meeting_service.announce(meeting, by=seats.secretary)
    real_send = EmailMessage.send

    def refuse_lead_b(message, *args, **kwargs):
        if message.to == ["lead-b@example.nl"]:
            raise smtplib.SMTPRecipientsRefused({"lead-b@example.nl": (450, b"mailbox busy")})
        return real_send(message, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", refuse_lead_b):
        counts = tasks.send_meeting_notices(meeting.pk)
    assert counts == {"notices_sent": 3, "notices_failed": 1, "notices_skipped": 0}
    failed = MeetingNotice.objects.get(person__email="lead-b@example.nl")
    assert (failed.status, failed.attempts, failed.error) == (NoticeStatus.FAILED, 1, "SMTPRecipientsRefused")
    with mock.patch.object(EmailMessage, "send", refuse_lead_b):
        tasks.send_pending_meeting_notices()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (NoticeStatus.FAILED, 2)

    assert tasks.send_pending_meeting_notices() == {"notices_sent": 1, "notices_failed": 0, "notices_skipped": 0}
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (NoticeStatus.SENT, 3, "")
    assert sorted(m.to[0] for m in mailoutbox) == sorted(seats.invited)
    assert tasks.send_pending_meeting_notices() == {"notices_sent": 0, "notices_failed": 0, "notices_skipped": 0}


def test_a_late_task_mails_what_the_meeting_calls_for_now(seats, mailoutbox):
    meeting = a_meeting(seats.body)
    meeting_service.announce(meeting, by=seats.secretary)
    meeting.place = "Elders"
    meeting_service.save_changes(meeting, by=seats.secretary)  # before any worker ran
    tasks.send_meeting_notices(meeting.pk)
    # Only the latest: the change carries the whole meeting.
    assert {(n.kind, n.sequence) for n in MeetingNotice.objects.all()} == {(NoticeKind.CHANGE, 1)}
    assert len(mailoutbox) == 4
    # A notice that is no longer called for is not sent (checked again once the row is held).
    lead_a = seats.body.members.get(person__email="lead-a@example.nl").person
    assert notices.send_one(meeting, lead_a, notices.Occasion(NoticeKind.ANNOUNCEMENT, 0)) == "skipped"
    assert not MeetingNotice.objects.filter(kind=NoticeKind.ANNOUNCEMENT).exists()


def test_nothing_is_mailed_about_drafts_held_or_missing_meetings(seats, mailoutbox):
    draft = a_meeting(seats.body)
    held = a_meeting(
        seats.body, timezone.now() - timedelta(days=1), status=MeetingStatus.HELD, announced_at=timezone.now()
    )
    assert tasks.send_meeting_notices(draft.pk)["notices_sent"] == 0
    assert tasks.send_meeting_notices(held.pk)["notices_sent"] == 0
    assert tasks.send_meeting_notices(999_999) == {"notices_sent": 0, "notices_failed": 0, "notices_skipped": 0}
    assert tasks.send_pending_meeting_notices()["notices_sent"] == 0
    assert mailoutbox == []


def test_the_meeting_page_says_how_far_the_invitations_went(english_client_for, seats, mailoutbox):
    meeting = a_meeting(seats.body)
    meeting_service.announce(meeting, by=seats.secretary)
    page = english_client_for(seats.secretary).get(meeting.get_absolute_url())
    assert "Invitation e-mailed to 0 people. 4 more on their way." in " ".join(page.text.split())
    tasks.send_meeting_notices(meeting.pk)
    page = english_client_for(seats.secretary).get(meeting.get_absolute_url())
    assert "Invitation e-mailed to 4 people." in " ".join(page.text.split())


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_mail_each_person_once(mailoutbox):
    """Two sweeps in two threads (two connections), each pausing after its claim: the second waits
    for the first's row and then leaves the person alone."""
    w = build_world()
    seats = build_seats(w)
    meeting = a_meeting(seats.body)
    meeting_service.announce(meeting, by=seats.secretary)
    claims = []

    def pause() -> None:
        claims.append(threading.current_thread().name)
        threading.Event().wait(0.2)

    def run() -> None:
        try:
            notices.sweep(pause=pause)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, name=f"run-{n}") for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(seats.invited)
    assert len(claims) == 4  # the other run found every row taken or sent
    assert MeetingNotice.objects.filter(status=NoticeStatus.SENT).count() == 4
