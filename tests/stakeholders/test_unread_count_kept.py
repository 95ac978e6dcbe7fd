"""The unread count in every page's header is kept in the cache under the person's unread token
(stakeholders/context_processors.py): every way notifications are written shows on the next page,
and a page read again does not count them again."""

from __future__ import annotations

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stakeholders.models import Notification, Person
from stakeholders.notify import notify
from tests.ambitions.test_setup import in_english as english
from tests.conftest import World
from tests.factories import PersonFactory
from tests.services import requires_services

MY_WORK = reverse("stakeholders:my_work")


def _header(client) -> str:
    """The header's link to the notifications, as the person reads it."""
    text = client.get(MY_WORK).text
    start = text.index(f'href="{reverse("stakeholders:notification_list")}">')
    return text[start : text.index("</a>", start)]


def _count_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(MY_WORK).status_code == 200
    return [q["sql"] for q in queries if "stakeholders_notification" in q["sql"] and "COUNT(" in q["sql"]]


def test_every_write_of_notifications_shows_on_the_next_page(world: World, client_for):
    client = english(client_for(world.lead_a))
    assert "unread)" not in _header(client)  # counted (none) and kept
    notify([world.lead_a], world.chain, "Eerste", "/", key="one")  # bulk_create
    notify([world.lead_a, world.lead_b], world.chain, "Tweede", "/", key="two")
    assert "Notifications (2 unread)" in _header(client)
    third = Notification.objects.create(person=world.lead_a, chain=world.chain, text="Derde", key="three")  # save
    assert "Notifications (3 unread)" in _header(client)
    client.post(reverse("stakeholders:notification_read", args=[third.pk]))  # update of one
    assert "Notifications (2 unread)" in _header(client)
    Notification.objects.filter(person=world.lead_a, key="one").get().delete()  # a single delete
    assert "Notifications (1 unread)" in _header(client)
    client.post(reverse("stakeholders:notifications_read_all"))  # update of all
    assert "unread)" not in _header(client)
    # Someone else's count was never touched by lead_a's reading.
    assert "Notifications (1 unread)" in _header(english(client_for(world.lead_b)))


@requires_services(redis=True)
def test_a_page_read_again_takes_the_count_from_the_cache(world: World, client_for):
    notify([world.lead_a], world.chain, "Eerste", "/", key="one")
    client = client_for(world.lead_a)
    assert len(_count_queries(client)) == 1  # counted once…
    assert _count_queries(client) == []  # …and kept
    Notification.objects.filter(person=world.lead_a).update(read_at=None, mailed_at=None)  # what the digest does
    assert len(_count_queries(client)) == 1


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_without_a_shared_cache_every_page_counts(world: World, client_for):
    """The embedded default: the Celery worker's notifications renew tokens in its own memory only,
    so nothing is kept; a notification written as another process would write it shows at once."""
    client = english(client_for(world.lead_a))
    assert "unread)" not in _header(client)
    with connection.cursor() as cursor:  # no signal, no token: as seen from another process
        cursor.execute(
            "INSERT INTO stakeholders_notification (person_id, text, url, key, created_at) "
            "VALUES (%s, %s, '', 'w', %s)",
            [world.lead_a.pk, "Van de worker", timezone.now()],
        )
    assert "Notifications (1 unread)" in _header(client)
    assert len(_count_queries(client)) == 1


def test_a_new_person_with_an_id_that_came_back_gets_their_own_count(world: World, client_for):
    """As after a rolled-back transaction on SQLite, or a recreated database: the id is reused, and
    nothing about the earlier person's notifications may show."""
    earlier = PersonFactory()
    notify([earlier], None, "Van een ander", "/", key="x")
    assert "Notifications (1 unread)" in _header(english(client_for(earlier)))
    pk, email = earlier.pk, earlier.email
    with connection.cursor() as cursor:  # gone without a trace, as a rollback would leave it
        cursor.execute("DELETE FROM stakeholders_notification WHERE person_id = %s", [pk])
        cursor.execute("DELETE FROM stakeholders_person WHERE id = %s", [pk])
    newcomer = Person(pk=pk, email=email, full_name="Nieuw")
    newcomer.set_password("correct horse battery staple")
    newcomer.save()
    assert "unread)" not in _header(english(client_for(newcomer)))
