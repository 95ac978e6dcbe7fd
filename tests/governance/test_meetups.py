"""Relationship events (governance/views/meetups.py, services/meetups.py, services/photos.py):
planning with the host rotation, answering, the .ics, the report with its photo, the newsletter's
queryset, and the list's query budget."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from icalendar import Calendar
from PIL import Image

from governance.models.meetups import Meetup, MeetupRsvp
from governance.services import meetups as services
from governance.services import photos
from governance.services.series import aware
from tests.conftest import recount_unread
from tests.factories import OrganisationFactory, PartnershipFactory, morning

pytestmark = pytest.mark.django_db

LIST_QUERIES = 14


def base(world) -> str:
    return f"/ketens/{world.chain.slug}/ontmoetingen/"


def make(world, days: int, host=None, title: str = "Ketenborrel", **fields) -> Meetup:
    starts = morning(days)
    return Meetup.objects.create(
        chain=world.chain,
        title=title,
        host=host,
        place="Utrecht",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        **fields,
    )


def plan_data(**changes) -> dict:
    data = {
        "kind": "borrel",
        "title": "Voorjaarsborrel",
        "day": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "start_time": "16:00",
        "end_time": "18:00",
        "place": "Stadhuis, Utrecht",
        "description": "",
    }
    data.update(changes)
    return data


def image_bytes(fmt: str = "JPEG", size=(2400, 1200), exif: bool = False) -> bytes:
    image = Image.new("RGB", size, "teal")
    out = io.BytesIO()
    options = {}
    if exif:
        info = Image.Exif()
        info[0x010F] = "Camera maker"  # Make
        info[0x0131] = "Secret software"  # Software
        options["exif"] = info.tobytes()
    image.save(out, format=fmt, **options)
    return out.getvalue()


# --- Planning and the host rotation ----------------------------------------------------------


def test_it_proposes_the_next_host_in_turn_and_shows_who_hosted_before(world, client_for):
    make(world, -60, host=world.partner_b)  # Openbaar Ministerie hosted last
    page = client_for(world.manager).get(base(world) + "nieuw/")
    assert page.status_code == 200
    assert page.context["form"].initial["host"] == world.partner_a  # Politie comes after OM
    content = page.content.decode()
    assert "Politie" in content and "Openbaar Ministerie" in content
    assert services.turns(world.chain).before[0].host == world.partner_b


def test_it_rotates_round_after_the_last_partner(world):
    make(world, -60, host=world.partner_b)
    make(world, -30, host=world.partner_a)
    assert services.turns(world.chain).next_host == world.partner_b
    assert services.turns(Meetup(chain=world.other_chain).chain).next_host == world.partner_c


def test_it_plans_a_meetup_with_another_host_than_proposed(world, client_for):
    response = client_for(world.manager).post(base(world) + "nieuw/", plan_data(host=world.partner_b.pk))
    assert response.status_code == 302
    meetup = Meetup.objects.get()
    assert meetup.host == world.partner_b
    assert timezone.localtime(meetup.starts_at).hour == 16
    assert meetup.ends_at - meetup.starts_at == timedelta(hours=2)
    assert services.turns(world.chain).next_host == world.partner_a


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end_time": "15:00"}, "end_time"),
        ({"end_time": "16:00"}, "end_time"),
        ({"day": "1999-12-31"}, "day"),
        ({"day": ""}, "day"),
        ({"title": ""}, "title"),
        ({"place": ""}, "place"),
        ({"start_time": "25:00"}, "start_time"),
    ],
)
def test_it_refuses_bad_input_at_the_field_and_saves_nothing(world, client_for, changes, field):
    response = client_for(world.manager).post(base(world) + "nieuw/", plan_data(**changes))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Meetup.objects.exists()


def test_it_names_the_end_before_the_start(world, english_client_for):
    response = english_client_for(world.manager).post(base(world) + "nieuw/", plan_data(end_time="15:00"))
    assert "cannot end before it starts" in response.context["form"].errors["end_time"][0]


def test_it_refuses_a_host_of_another_chain(world, client_for):
    response = client_for(world.manager).post(base(world) + "nieuw/", plan_data(host=world.partner_c.pk))
    assert response.status_code == 422
    assert "host" in response.context["form"].errors
    assert not Meetup.objects.exists()


def test_it_refuses_a_stale_edit(world, client_for):
    meetup = make(world, 10)
    client = client_for(world.manager)
    page = client.get(base(world) + f"{meetup.pk}/wijzigen/")
    token = page.context["form"]["version_token"].value()
    Meetup.objects.filter(pk=meetup.pk).update(place="Den Haag")
    data = plan_data(title="Nieuw", version_token=token)
    response = client.post(base(world) + f"{meetup.pk}/wijzigen/", data)
    assert response.status_code == 422
    meetup.refresh_from_db()
    assert (meetup.title, meetup.place) == ("Ketenborrel", "Den Haag")


def test_only_the_programme_manager_plans(world, client_for):
    assert client_for(world.lead_a).get(base(world) + "nieuw/").status_code == 403
    assert client_for(world.lead_a).post(base(world) + "nieuw/", plan_data()).status_code == 403
    assert not Meetup.objects.exists()


# --- Answering -------------------------------------------------------------------------------


def test_a_member_answers_and_changes_their_answer(world, client_for):
    meetup = make(world, 10)
    client = client_for(world.viewer)
    assert client.post(base(world) + f"{meetup.pk}/aanmelden/", {"answer": "yes"}).status_code == 302
    assert client.post(base(world) + f"{meetup.pk}/aanmelden/", {"answer": "maybe"}).status_code == 302
    client_for(world.lead_a).post(base(world) + f"{meetup.pk}/aanmelden/", {"answer": "yes"})
    assert MeetupRsvp.objects.get(meetup=meetup, person=world.viewer).answer == "maybe"
    page = client.get(base(world) + f"{meetup.pk}/")
    assert page.context["counts"] == {"yes": 1, "maybe": 1, "no": 0}
    assert page.context["answer"] == "maybe"


def test_with_htmx_the_answer_part_comes_back(world, client_for):
    meetup = make(world, 10)
    response = client_for(world.viewer).post(
        base(world) + f"{meetup.pk}/aanmelden/", {"answer": "no"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="rsvp"' in content and "<html" not in content


def test_a_forged_answer_is_refused(world, client_for):
    meetup = make(world, 10)
    response = client_for(world.viewer).post(base(world) + f"{meetup.pk}/aanmelden/", {"answer": "always"})
    assert response.status_code == 422
    assert not MeetupRsvp.objects.exists()


def test_answers_close_when_the_meetup_is_over(world, client_for):
    meetup = make(world, -10)
    response = client_for(world.viewer).post(base(world) + f"{meetup.pk}/aanmelden/", {"answer": "yes"})
    assert response.status_code == 422
    assert not MeetupRsvp.objects.exists()


def test_another_chains_meetup_is_not_found(world, client_for):
    meetup = make(world, 10)
    assert client_for(world.outsider).get(base(world) + f"{meetup.pk}/").status_code == 404
    forged = f"/ketens/{world.other_chain.slug}/ontmoetingen/{meetup.pk}/"
    assert client_for(world.admin).get(forged).status_code == 404


# --- iCal ------------------------------------------------------------------------------------


def test_the_ics_has_the_meetup_in_amsterdam_time(world, client_for):
    starts = aware(datetime(2026, 7, 3, 16, 0))
    meetup = Meetup.objects.create(
        chain=world.chain,
        title="Zomerborrel, met; tekens",
        host=world.partner_a,
        place="Politiebureau",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    response = client_for(world.viewer).get(base(world) + f"{meetup.pk}/ontmoeting.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["summary"]) == "Zomerborrel, met; tekens"
    assert event["dtstart"].dt == starts
    assert event["dtstart"].dt.hour == 16
    assert str(event["location"]) == "Politiebureau"
    assert calendar.walk("VTIMEZONE")


# --- The report and its photo ----------------------------------------------------------------


def report_url(world, meetup) -> str:
    return base(world) + f"{meetup.pk}/verslag/"


def post_report(client, world, meetup, **fields):
    page = client.get(report_url(world, meetup))
    data = {
        "report": "Gezellig en nuttig.",
        "report_photo_alt": "",
        "version_token": page.context["form"]["version_token"].value(),
    }
    data.update(fields)
    return client.post(report_url(world, meetup), data)


def test_the_report_with_a_photo_is_resized_and_stripped(world, client_for, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    meetup = make(world, -3, host=world.partner_a)
    upload = SimpleUploadedFile("IMG_0001.jpg", image_bytes(exif=True), content_type="image/jpeg")
    response = post_report(
        client_for(world.manager), world, meetup, report_photo=upload, report_photo_alt="Partners proosten"
    )
    assert response.status_code == 302
    meetup.refresh_from_db()
    assert meetup.report == "Gezellig en nuttig." and meetup.reported_at is not None
    assert "IMG_0001" not in meetup.report_photo.name
    with meetup.report_photo.open("rb") as stored, Image.open(stored) as image:
        assert max(image.size) == photos.MAX_SIDE
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info
    photo = client_for(world.viewer).get(base(world) + f"{meetup.pk}/foto/")
    assert photo.status_code == 200
    assert b"".join(photo.streaming_content)[:2] == b"\xff\xd8"
    detail = client_for(world.viewer).get(base(world) + f"{meetup.pk}/").content.decode()
    assert 'alt="Partners proosten"' in detail


@pytest.mark.parametrize(
    ("upload", "alt", "field", "message"),
    [
        (("notes.jpg", b"this is no image at all", "image/jpeg"), "Iets", "report_photo", None),
        (("photo.gif", None, "image/gif"), "Iets", "report_photo", "PNG, JPEG"),
        (("photo.jpg", None, "image/jpeg"), "", "report_photo_alt", "alt text"),
        (("big.jpg", b"x" * (photos.PHOTO_MAX_BYTES + 1), "image/jpeg"), "Iets", "report_photo", "5.0"),
    ],
)
def test_a_bad_photo_is_refused_at_its_field(world, english_client_for, upload, alt, field, message):
    meetup = make(world, -3)
    name, content, content_type = upload
    if content is None:
        content = image_bytes("GIF" if name.endswith(".gif") else "JPEG", size=(40, 40))
    file = SimpleUploadedFile(name, content, content_type=content_type)
    response = post_report(english_client_for(world.manager), world, meetup, report_photo=file, report_photo_alt=alt)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert message in errors[field][0]
    meetup.refresh_from_db()
    assert meetup.report == "" and not meetup.report_photo


def test_the_report_waits_for_the_meetup(world, client_for):
    meetup = make(world, 5)
    client = client_for(world.manager)
    assert client.get(report_url(world, meetup)).status_code == 200
    assert client.post(report_url(world, meetup), {"report": "Te vroeg"}).status_code == 422
    meetup.refresh_from_db()
    assert meetup.report == ""


def test_a_report_offers_to_become_a_success_story(world, client_for):
    meetup = make(world, -3, host=world.partner_a, report="Mooie avond & goede gesprekken.")
    initial = services.story_initial(meetup)
    assert initial["title"] == "Ketenborrel"
    assert "Politie" in initial["body"] and "Mooie avond & goede gesprekken." in initial["body"]
    client = client_for(world.lead_a)
    link = client.get(base(world) + f"{meetup.pk}/").context["story_url"]
    assert link.startswith(f"/ketens/{world.chain.slug}/verhalen/nieuw/?")
    assert "Mooie+avond+%26+goede" in link
    form = client.get(link).context["form"]
    assert form.initial["title"] == "Ketenborrel"
    assert "Mooie avond & goede gesprekken." in form.initial["body"]
    # A viewer writes no stories, so is not offered one.
    assert client_for(world.viewer).get(base(world) + f"{meetup.pk}/").context["story_url"] is None


# --- The newsletter's queryset, and the list ---------------------------------------------------


def test_upcoming_lists_the_chains_coming_meetups_soonest_first(world):
    later = make(world, 30, title="Later")
    sooner = make(world, 3, title="Sooner")
    make(world, -3, title="Past")
    Meetup.objects.create(
        chain=world.other_chain,
        title="Elders",
        place="Groningen",
        starts_at=sooner.starts_at,
        ends_at=sooner.ends_at,
    )
    assert list(Meetup.objects.upcoming(world.chain, timezone.now())) == [sooner, later]


def test_the_list_costs_the_same_with_more_meetups_and_answers(world, client_for, max_page_queries):
    make(world, 5, host=world.partner_a)
    make(world, -5, host=world.partner_b)
    client = client_for(world.lead_a)
    recount_unread()
    with max_page_queries(LIST_QUERIES) as few:
        assert client.get(base(world)).status_code == 200
    third = PartnershipFactory(chain=world.chain, organisation=OrganisationFactory(name="Reclassering"))
    for days in (10, 20, -10, -20, -30):
        meetup = make(world, days, host=third)
        for person in (world.viewer, world.lead_a, world.lead_b):
            MeetupRsvp.objects.create(meetup=meetup, person=person, answer="yes")
    recount_unread()
    with max_page_queries(LIST_QUERIES) as many:
        page = client.get(base(world))
    assert page.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(page.context["upcoming"]) == 3


# --- More refusals and the photo's removal ------------------------------------------------------


def test_with_htmx_a_forged_answer_comes_back_as_the_part_with_422(world, client_for):
    meetup = make(world, 10)
    response = client_for(world.viewer).post(
        base(world) + f"{meetup.pk}/aanmelden/", {"answer": "always"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert 'id="rsvp"' in response.content.decode()
    assert not MeetupRsvp.objects.exists()


def test_removing_the_photo_removes_its_file_and_description(
    world, client_for, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    meetup = make(world, -3)
    client = client_for(world.manager)
    upload = SimpleUploadedFile("a.png", image_bytes("PNG", size=(50, 40)), content_type="image/png")
    assert post_report(client, world, meetup, report_photo=upload, report_photo_alt="Een zaal").status_code == 302
    meetup.refresh_from_db()
    stored = meetup.report_photo.name
    assert meetup.report_photo.storage.exists(stored)
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the change is committed
        response = post_report(client, world, meetup, **{"report_photo-clear": "on", "report_photo_alt": "Een zaal"})
    assert response.status_code == 302
    meetup.refresh_from_db()
    assert not meetup.report_photo and meetup.report_photo_alt == ""
    assert not meetup.report_photo.storage.exists(stored)


def test_a_stale_report_is_refused(world, client_for):
    meetup = make(world, -3)
    client = client_for(world.manager)
    page = client.get(report_url(world, meetup))
    token = page.context["form"]["version_token"].value()
    Meetup.objects.filter(pk=meetup.pk).update(report="Door iemand anders geschreven.")
    response = client.post(report_url(world, meetup), {"report": "Mijn verslag", "version_token": token})
    assert response.status_code == 422
    meetup.refresh_from_db()
    assert meetup.report == "Door iemand anders geschreven."
