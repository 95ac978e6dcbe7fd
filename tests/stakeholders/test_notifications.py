"""My notifications: the list, marking read, the unread count in the header, the mail preference."""

from __future__ import annotations

from django.urls import reverse

from stakeholders.models import MailPreference, Notification
from stakeholders.notify import notify
from tests.ambitions.test_setup import in_english as english
from tests.conftest import World
from tests.factories import PersonFactory

LIST = reverse("stakeholders:notification_list")
SETTINGS = reverse("stakeholders:notification_settings")


def _notify(world: World, n: int, person=None) -> list[Notification]:
    person = person or world.lead_a
    for i in range(n):
        notify([person], world.chain, f"Melding {i}", f"/ketens/zsm/item-{i}/", key=f"k{i}")
    return list(Notification.objects.filter(person=person).order_by("pk"))


def test_the_header_shows_the_unread_count_in_words(world: World, client_for):
    _notify(world, 3)
    page = english(client_for(world.lead_a)).get(reverse("stakeholders:my_work"))
    assert "Notifications (3 unread)" in page.text
    other = english(client_for(world.lead_b)).get(reverse("stakeholders:my_work"))
    assert "unread)" not in other.text and ">Notifications</a>" in other.text


def test_the_list_shows_newest_first_with_unread_said_in_words_and_links(world: World, client_for):
    notifications = _notify(world, 3)
    Notification.objects.filter(pk=notifications[0].pk).update(read_at=notifications[0].created_at)
    page = english(client_for(world.lead_a)).get(LIST)
    text = page.text
    assert page.status_code == 200
    assert text.index("Melding 2") < text.index("Melding 1") < text.index("Melding 0")
    assert text.count('class="kp-flag kp-flag--unread"') == 2
    assert 'href="/ketens/zsm/item-2/"' in text
    assert reverse("stakeholders:notification_read", args=[notifications[0].pk]) not in text  # read already
    assert reverse("stakeholders:notification_read", args=[notifications[2].pk]) in text
    assert text.count(">Unread<") == 2 and text.count(">Read<") == 1
    # Someone else's notifications are not shown.
    others = client_for(world.lead_b).get(LIST).text
    assert not any(f"Melding {i}" in others for i in range(3))


def test_marking_one_and_all_as_read(world: World, client_for):
    notifications = _notify(world, 3)
    client = client_for(world.lead_a)
    response = client.post(reverse("stakeholders:notification_read", args=[notifications[0].pk]))
    assert response.status_code == 302 and response["Location"] == LIST
    assert Notification.objects.unread().filter(person=world.lead_a).count() == 2
    # With "open", on to what it is about.
    response = client.post(reverse("stakeholders:notification_read", args=[notifications[1].pk]), {"open": "1"})
    assert response["Location"] == "/ketens/zsm/item-1/"
    assert client.post(reverse("stakeholders:notifications_read_all")).status_code == 302
    assert not Notification.objects.unread().filter(person=world.lead_a).exists()


def test_an_offsite_url_is_never_followed(world: World, client_for):
    notify([world.lead_a], None, "Raar", "https://evil.example/", key="x")
    n = Notification.objects.get(key="x")
    response = client_for(world.lead_a).post(reverse("stakeholders:notification_read", args=[n.pk]), {"open": "1"})
    assert response["Location"] == LIST


def test_someone_elses_notification_is_not_found(world: World, client_for):
    (theirs,) = _notify(world, 1, person=world.lead_b)
    client = client_for(world.lead_a)
    assert client.post(reverse("stakeholders:notification_read", args=[theirs.pk])).status_code == 404
    client.post(reverse("stakeholders:notifications_read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("stakeholders:notification_read", args=[theirs.pk])).status_code == 405


def test_the_list_takes_a_constant_number_of_queries(world: World, client_for, django_assert_max_num_queries):
    client = client_for(world.lead_a)
    _notify(world, 2)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for i in range(30):
        notify([world.lead_a], world.other_chain, f"Meer {i}", "/", key=f"more{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


def test_a_person_chooses_digest_or_no_email(world: World, client_for):
    client = client_for(world.contributor_a)
    page = client.get(SETTINGS)
    assert page.status_code == 200 and 'name="mail_preference"' in page.text
    response = client.post(SETTINGS, {"mail_preference": MailPreference.NONE})
    assert response.status_code == 302
    world.contributor_a.refresh_from_db()
    assert world.contributor_a.mail_preference == MailPreference.NONE
    # Bad input: a clear message at the field, nothing saved.
    response = client.post(SETTINGS, {"mail_preference": "pigeon"})
    assert response.status_code == 422 and "utrecht-form-field-error-message" in response.text
    world.contributor_a.refresh_from_db()
    assert world.contributor_a.mail_preference == MailPreference.NONE


def test_new_people_get_the_digest_by_default():
    assert PersonFactory.build().mail_preference == MailPreference.DIGEST
