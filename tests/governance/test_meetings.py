"""Planning meetings and their pages (governance/views/meetings.py): one meeting or a series, the
refusals at the field with nothing saved, the body's meeting list, a meeting's page, changing one
meeting (also at the same time as someone else), and who may do what."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Meeting, MeetingSeries, MeetingStatus, SeriesFrequency
from governance.services import meetings as meeting_service
from tests.conftest import enqueued
from tests.governance.meeting_fixtures import a_meeting, build_seats

AMS = ZoneInfo("Europe/Amsterdam")
NEXT_YEAR = timezone.localdate().year + 1


@pytest.fixture
def seats(world):
    return build_seats(world)


def plan_url(seats) -> str:
    return reverse("governance:meeting_create", args=["zsm", seats.body.pk])


def a_plan(**changes) -> dict:
    data = {
        "day": f"{NEXT_YEAR}-03-10",
        "start_time": "10:00",
        "end_time": "12:00",
        "place": "Stadhuis, zaal 2",
        "online_link": "",
        "host": "",
        "repeat": "",
        "interval": "1",
        "until": "",
        "count": "",
    }
    return {**data, **changes}


# --- Planning ---------------------------------------------------------------------------------


def test_it_plans_one_meeting_as_a_draft_hosted_by_whose_turn_it_is(client_for, world, seats):
    page = client_for(seats.secretary).get(plan_url(seats))
    assert page.status_code == 200
    # OM and Politie are the core partners; with no meeting yet, the OM (first alphabetically) hosts.
    assert page.context["form"]["host"].value() == world.partner_b.pk

    response = client_for(seats.secretary).post(plan_url(seats), a_plan(host=str(world.partner_b.pk)))

    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.status == MeetingStatus.DRAFT and meeting.series is None and meeting.host == world.partner_b
    assert meeting.starts_at == datetime(NEXT_YEAR, 3, 10, 10, 0, tzinfo=AMS)
    assert meeting.ends_at == datetime(NEXT_YEAR, 3, 10, 12, 0, tzinfo=AMS)
    # The next one is Politie's turn.
    assert client_for(seats.secretary).get(plan_url(seats)).context["form"]["host"].value() == world.partner_a.pk


def test_without_an_end_time_a_meeting_lasts_the_bodys_usual_length(client_for, seats):
    client_for(seats.secretary).post(plan_url(seats), a_plan(end_time=""))
    meeting = Meeting.objects.get()
    assert meeting.duration_minutes == seats.body.meeting_minutes == 90


def test_it_plans_a_series_and_says_how_many(english_client_for, world, seats):
    response = english_client_for(seats.secretary).post(
        plan_url(seats),
        a_plan(repeat=SeriesFrequency.MONTHLY_WEEKDAY, count="6", host=str(world.partner_a.pk)),
        follow=True,
    )
    assert response.status_code == 200
    assert "The 6 meetings of the series have been planned as drafts." in response.text
    series = MeetingSeries.objects.get()
    meetings = list(series.meetings.order_by("starts_at"))
    first = datetime(NEXT_YEAR, 3, 10, 10, tzinfo=AMS)  # the second such weekday of March
    weekday = first.strftime("%a")
    assert len(meetings) == 6 and series.count == 6 and f"BYDAY=+2{weekday[:2].upper()}" in series.rrule
    assert [m.host for m in meetings[:3]] == [world.partner_a, world.partner_b, world.partner_a]
    assert {timezone.localtime(m.starts_at).strftime("%a %H:%M") for m in meetings} == {f"{weekday} 10:00"}
    assert all(8 <= timezone.localtime(m.starts_at).day <= 14 for m in meetings)


def test_it_caps_a_series_at_120_meetings_and_says_so(english_client_for, seats):
    response = english_client_for(seats.secretary).post(
        plan_url(seats), a_plan(repeat=SeriesFrequency.WEEKLY, until=f"{NEXT_YEAR + 5}-12-31"), follow=True
    )
    assert Meeting.objects.count() == 120
    series = MeetingSeries.objects.get()
    assert (series.count, series.until) == (120, None) and series.rrule == "RRULE:FREQ=WEEKLY;COUNT=120"
    assert "A series has at most 120 meetings: it now ends on" in response.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_time": "09:30"}, "end_time", "A meeting cannot end before it starts."),
        ({"end_time": "10:00"}, "end_time", "A meeting cannot end before it starts."),
        ({"day": "1999-12-31"}, "day", "Give a period or date between 2000 and 2100."),
        ({"day": "2101-01-04"}, "day", "Give a period or date between 2000 and 2100."),
        ({"day": "10-03-2026"}, "day", "Enter a valid date."),
        ({"place": "", "online_link": ""}, "place", "Give a place or an online link (or both)."),
        ({"online_link": "javascript:alert(1)"}, "online_link", "Enter a valid URL."),
        ({"repeat": SeriesFrequency.WEEKLY}, "until", "A series needs an end: a date or a number of meetings."),
        (
            {"repeat": SeriesFrequency.WEEKLY, "until": f"{NEXT_YEAR}-06-01", "count": "4"},
            "count",
            "Give an end date or a number of meetings, not both.",
        ),
        (
            {"repeat": SeriesFrequency.WEEKLY, "until": f"{NEXT_YEAR}-01-01"},
            "until",
            "The series cannot end before its first meeting.",
        ),
        (
            {"repeat": SeriesFrequency.WEEKLY, "until": "2101-06-01"},
            "until",
            "Give a period or date between 2000 and 2100.",
        ),
        (
            {"repeat": SeriesFrequency.WEEKLY, "count": "121"},
            "count",
            "Ensure this value is less than or equal to 120.",
        ),
        (
            {"repeat": SeriesFrequency.WEEKLY, "count": "3", "interval": "13"},
            "interval",
            "Ensure this value is less than or equal to 12.",
        ),
        (
            {"day": "2100-11-01", "repeat": SeriesFrequency.MONTHLY_DATE, "count": "6"},
            "count",
            "Give a period or date between 2000 and 2100.",
        ),
        (
            {"repeat": "daily", "count": "3"},
            "repeat",
            "Select a valid choice. daily is not one of the available choices.",
        ),
    ],
)
def test_it_refuses_bad_input_at_the_field_and_saves_nothing(english_client_for, seats, changes, field, message):
    response = english_client_for(seats.secretary).post(plan_url(seats), a_plan(**changes))
    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert f'id="id_{field}_error"' in response.text
    assert Meeting.objects.count() == MeetingSeries.objects.count() == 0


def test_a_host_of_another_chain_is_refused_at_the_field(english_client_for, world, seats):
    response = english_client_for(seats.secretary).post(plan_url(seats), a_plan(host=str(world.partner_c.pk)))
    assert response.status_code == 422
    assert response.context["form"].errors["host"] == ["Choose a partner of this body's chain."]
    # The same words for an id that is no partner at all: nothing to learn about other chains.
    response = english_client_for(seats.secretary).post(plan_url(seats), a_plan(host="999999"))
    assert response.context["form"].errors["host"] == ["Choose a partner of this body's chain."]
    assert Meeting.objects.count() == 0


def test_a_form_with_errors_answers_htmx_with_the_form_only(client_for, seats):
    response = client_for(seats.secretary).post(plan_url(seats), a_plan(end_time="08:00"), HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form") and "<html" not in response.text


def test_an_inactive_body_plans_no_meetings(client_for, seats):
    seats.body.is_active = False
    seats.body.save()
    response = client_for(seats.secretary).post(plan_url(seats), a_plan())
    assert response.status_code == 302 and Meeting.objects.count() == 0


@pytest.mark.parametrize(("persona", "status"), [("viewer", 403), ("lead_b", 403), ("manager", 200), ("lead_a", 200)])
def test_who_may_plan(client_for, world, seats, persona, status):
    # Lead A chairs the body, lead B is a plain member; the viewer has no seat; managers run every body.
    assert client_for(getattr(world, persona)).get(plan_url(seats)).status_code == status


# --- The list and the page ----------------------------------------------------------------------


def test_the_list_shows_upcoming_and_past_meetings_in_constant_queries(client_for, world, seats, max_page_queries):
    now = timezone.now()
    for days in (-90, -60, -30, 10, 40):
        a_meeting(seats.body, now + timedelta(days=days), host=world.partner_a)
    url = reverse("governance:meeting_list", args=["zsm", seats.body.pk])
    client = client_for(world.viewer)
    with max_page_queries(12) as few:
        response = client.get(url)
    assert [m.starts_at.date() for m in response.context["upcoming"]] == sorted(
        (now + timedelta(days=d)).date() for d in (10, 40)
    )
    assert [m.starts_at for m in response.context["past"].object_list] == sorted(
        (m.starts_at for m in Meeting.objects.filter(starts_at__lt=now)), reverse=True
    )
    for days in range(-400, -100, 7):
        a_meeting(seats.body, now + timedelta(days=days), host=world.partner_b)
    with max_page_queries(len(few.captured_queries)):
        response = client.get(url + "?pagina=2")
    assert response.status_code == 200 and response.context["past"].number == 2


def test_the_meeting_page_shows_time_place_host_and_the_steps_in_constant_queries(
    english_client_for, world, seats, max_page_queries
):
    meeting = a_meeting(
        seats.body,
        datetime(NEXT_YEAR, 7, 7, 14, 0, tzinfo=AMS),
        host=world.partner_a,
        online_link="https://meet.example.nl/x",
    )
    client = english_client_for(seats.secretary)
    with max_page_queries(22):
        response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "14:00–16:00" in text and "Stadhuis" in text and "Politie" in text and "https://meet.example.nl/x" in text
    assert "Announce to the members" in text and "Cancel this meeting" in text and "Mark as held" not in text
    # A reader without a seat sees the meeting, not the steps.
    reader = english_client_for(world.viewer).get(meeting.get_absolute_url())
    assert reader.status_code == 200 and "Announce to the members" not in reader.text


def test_another_chains_meeting_is_not_found_through_this_chain(client_for, world, seats):
    from governance.models import Body, BodyLevel

    other = a_meeting(Body.objects.create(chain=world.other_chain, name="Jeugd", level=BodyLevel.STRATEGIC))
    assert (
        client_for(world.manager).get(reverse("governance:meeting_detail", args=["zsm", other.pk])).status_code == 404
    )
    assert (
        client_for(world.manager).post(reverse("governance:meeting_cancel", args=["zsm", other.pk])).status_code == 404
    )
    other.refresh_from_db()
    assert other.status == MeetingStatus.DRAFT


# --- Changing one meeting ---------------------------------------------------------------------------------


def edit_data(meeting: Meeting, page, **changes) -> dict:
    form = page.context["form"]
    data = {name: form[name].value() for name in ("day", "start_time", "end_time", "place", "online_link", "host")}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["version_token"] = form["version_token"].value()
    return {**data, **changes}


def test_moving_one_meeting_of_a_series_marks_it_moved_and_leaves_the_rest(client_for, world, seats):
    planned = meeting_service.plan(
        meeting_service.MeetingPlan(
            body=seats.body,
            starts_at=datetime(NEXT_YEAR, 9, 1, 10, tzinfo=AMS),
            ends_at=datetime(NEXT_YEAR, 9, 1, 12, tzinfo=AMS),
            place="Stadhuis",
            frequency=SeriesFrequency.WEEKLY,
            count=3,
        ),
        by=seats.secretary,
    )
    second = planned.meetings[1]
    url = reverse("governance:meeting_edit", args=["zsm", second.pk])
    client = client_for(seats.secretary)
    page = client.get(url)
    assert page.context["form"]["start_time"].value().strftime("%H:%M") == "10:00"
    response = client.post(url, edit_data(second, page, day=f"{NEXT_YEAR}-09-09", start_time="13:00", end_time="15:30"))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.moved and second.sequence == 0  # a draft: nobody was told yet
    assert timezone.localtime(second.starts_at) == datetime(NEXT_YEAR, 9, 9, 13, tzinfo=AMS)
    assert timezone.localtime(second.ends_at) == datetime(NEXT_YEAR, 9, 9, 15, 30, tzinfo=AMS)
    others = Meeting.objects.exclude(pk=second.pk)
    assert not any(m.moved for m in others) and {timezone.localtime(m.starts_at).hour for m in others} == {10}


def test_a_place_change_alone_does_not_mark_it_moved(client_for, seats):
    meeting = a_meeting(seats.body)
    url = reverse("governance:meeting_edit", args=["zsm", meeting.pk])
    client = client_for(seats.secretary)
    client.post(url, edit_data(meeting, client.get(url), place="Paleis van Justitie"))
    meeting.refresh_from_db()
    assert meeting.place == "Paleis van Justitie" and not meeting.moved


def test_two_people_changing_one_meeting_at_once_never_overwrite_each_other(english_client_for, world, seats):
    meeting = a_meeting(seats.body, datetime(NEXT_YEAR, 4, 2, 10, tzinfo=AMS))
    url = reverse("governance:meeting_edit", args=["zsm", meeting.pk])
    secretary, manager = english_client_for(seats.secretary), english_client_for(world.manager)
    first, second = secretary.get(url), manager.get(url)

    assert secretary.post(url, edit_data(meeting, first, start_time="11:00", end_time="12:00")).status_code == 302
    response = manager.post(url, edit_data(meeting, second, place="Elders"))

    assert response.status_code == 422
    assert "Someone else changed this while you were editing." in response.text
    conflict = {value.label: value for value in response.context["form"].conflict}
    assert conflict["starts"].differs and "11:00" in conflict["starts"].current
    meeting.refresh_from_db()
    assert meeting.place == "Stadhuis" and timezone.localtime(meeting.starts_at).hour == 11
    # Saving again on purpose, with the new token the page now carries, goes through.
    again = manager.post(url, edit_data(meeting, response, place="Elders"))
    assert again.status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "Elders"


def test_an_edit_that_ends_before_it_starts_is_refused_at_the_field(english_client_for, seats):
    meeting = a_meeting(seats.body)
    url = reverse("governance:meeting_edit", args=["zsm", meeting.pk])
    client = english_client_for(seats.secretary)
    response = client.post(url, edit_data(meeting, client.get(url), start_time="15:00", end_time="14:00"))
    assert response.status_code == 422
    assert response.context["form"].errors["end_time"] == ["A meeting cannot end before it starts."]
    before = meeting.starts_at
    meeting.refresh_from_db()
    assert meeting.starts_at == before


def test_a_held_meeting_can_no_longer_be_changed(client_for, seats):
    meeting = a_meeting(seats.body, timezone.now() - timedelta(days=3), status=MeetingStatus.HELD)
    response = client_for(seats.secretary).get(reverse("governance:meeting_edit", args=["zsm", meeting.pk]))
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()


# --- The steps --------------------------------------------------------------------------------------


def test_a_meeting_is_held_once_it_has_begun(english_client_for, seats):
    upcoming = a_meeting(seats.body)
    begun = a_meeting(seats.body, timezone.now() - timedelta(minutes=30), status=MeetingStatus.ANNOUNCED)
    client = english_client_for(seats.secretary)
    response = client.post(reverse("governance:meeting_hold", args=["zsm", upcoming.pk]), follow=True)
    assert "This meeting has not begun yet" in response.text
    client.post(reverse("governance:meeting_hold", args=["zsm", begun.pk]))
    upcoming.refresh_from_db()
    begun.refresh_from_db()
    assert (upcoming.status, begun.status) == (MeetingStatus.DRAFT, MeetingStatus.HELD)
    # A GET of a step changes nothing: it leads to the meeting.
    response = client.get(reverse("governance:meeting_cancel", args=["zsm", upcoming.pk]))
    assert response.status_code == 302
    upcoming.refresh_from_db()
    assert upcoming.status == MeetingStatus.DRAFT


def test_a_draft_is_cancelled_without_telling_anyone(client_for, seats, mailoutbox, django_capture_on_commit_callbacks):
    meeting = a_meeting(seats.body)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(seats.secretary).post(reverse("governance:meeting_cancel", args=["zsm", meeting.pk]))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 0
    assert mailoutbox == []
    # Cancelled is final.
    response = client_for(seats.secretary).post(reverse("governance:meeting_announce", args=["zsm", meeting.pk]))
    meeting.refresh_from_db()
    assert response.status_code == 302 and meeting.status == MeetingStatus.CANCELLED


def test_an_upcoming_meeting_of_the_body_page(client_for, world, seats):
    a_meeting(seats.body, host=world.partner_a)
    response = client_for(world.viewer).get(reverse("governance:body_detail", args=["zsm", seats.body.pk]))
    assert response.status_code == 200
    assert reverse("governance:meeting_list", args=["zsm", seats.body.pk]) in response.text
    assert "Stadhuis" in response.text


def test_an_edit_begun_before_announcing_keeps_the_announcement(client_for, seats, django_capture_on_commit_callbacks):
    meeting = a_meeting(seats.body, datetime(NEXT_YEAR, 5, 4, 10, tzinfo=AMS))
    url = reverse("governance:meeting_edit", args=["zsm", meeting.pk])
    client = client_for(seats.secretary)
    page = client.get(url)
    meeting_service.announce(meeting, by=seats.secretary)  # someone announces it meanwhile
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(url, edit_data(meeting, page, place="Elders")).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ANNOUNCED and meeting.announced_at is not None
    # Announced by now, so the change goes out to everyone.
    assert meeting.place == "Elders" and meeting.sequence == 1 and len(enqueued(callbacks)) == 1
