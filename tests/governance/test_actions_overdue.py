"""Overdue actions reach their owner's digest once (governance/services/actions.py, beat
``notify-overdue-actions``), tested with the real daily digest (stakeholders/digest.py): an action
that stays overdue for weeks is mailed once, never every day."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from governance import tasks
from governance.models import ActionItem, ActionStatus
from governance.services.actions import notify_overdue, overdue_key, overdue_without_notice
from stakeholders.digest import send_daily_digests
from stakeholders.models import Notification
from tests.conftest import World
from tests.governance import action_fixtures as make


@pytest.fixture
def body(world: World):
    return make.body(world.chain)


def mails_to(mailoutbox, person) -> list:
    return [m for m in mailoutbox if m.to == [person.email]]


def test_it_mails_an_overdue_action_once_in_the_owners_digest(world: World, body, mailoutbox):
    today = timezone.localdate()
    action = make.action(body, world.lead_a, today - timedelta(days=1), "Capaciteitsplan opleveren")

    assert notify_overdue(today) == 1
    send_daily_digests(today)
    [mail] = mails_to(mailoutbox, world.lead_a)
    assert "Capaciteitsplan opleveren" in mail.body
    assert action.get_absolute_url() in mail.body
    # It stays overdue for days: every beat and every digest after that adds nothing.
    for days in range(1, 8):
        assert notify_overdue(today + timedelta(days=days)) == 0
        send_daily_digests(today + timedelta(days=days))
    assert len(mails_to(mailoutbox, world.lead_a)) == 1
    assert Notification.objects.filter(person=world.lead_a).count() == 1


def test_it_tells_again_when_the_new_due_date_passes_too(world: World, body, mailoutbox):
    today = timezone.localdate()
    action = make.action(body, world.lead_a, today - timedelta(days=1))
    notify_overdue(today)
    send_daily_digests(today)
    action.due_on = today + timedelta(days=2)
    action.save()
    assert notify_overdue(today + timedelta(days=1)) == 0  # not overdue any more
    assert notify_overdue(today + timedelta(days=3)) == 1  # the new due date has passed
    send_daily_digests(today + timedelta(days=3))
    assert len(mails_to(mailoutbox, world.lead_a)) == 2
    keys = set(Notification.objects.filter(person=world.lead_a).values_list("key", flat=True))
    assert keys == {f"action-overdue:{action.pk}:{today - timedelta(days=1)}", overdue_key(action)}


def test_it_tells_only_the_owner_of_an_open_overdue_action_who_can_open_it(world: World, body):
    today = timezone.localdate()
    past = today - timedelta(days=3)
    make.action(body, world.lead_a, today)  # due today: not overdue yet
    make.action(body, world.lead_a, past, status=ActionStatus.DONE, closing_note="Klaar.")
    make.action(body, world.lead_b, past, status=ActionStatus.IN_PROGRESS)
    left = make.action(body, world.contributor_a, past)
    world.contributor_a.memberships.all().delete()  # left the chain: cannot open the action
    assert notify_overdue(today) == 1
    assert list(Notification.objects.values_list("person", flat=True)) == [world.lead_b.pk]
    assert left.pk in set(ActionItem.objects.overdue(today).values_list("pk", flat=True))


def test_it_finds_in_sql_the_keys_it_writes(world: World, body):
    """overdue_without_notice restates overdue_key in SQL: they agree on the same actions."""
    today = timezone.localdate()
    actions = [make.action(body, world.lead_a, today - timedelta(days=n)) for n in (1, 10, 400)]
    assert {a.overdue_key for a in overdue_without_notice(today)} == {overdue_key(a) for a in actions}
    notify_overdue(today)
    assert not overdue_without_notice(today).exists()


def test_it_writes_the_notification_in_dutch(world: World, body):
    action = make.action(body, world.lead_a, timezone.localdate() - timedelta(days=2), "Notitie delen")
    notify_overdue()
    text = Notification.objects.get().text
    assert "Notitie delen" in text and body.name in text
    assert action.due_on.strftime("%Y") in text and "was due" not in text


def test_it_runs_as_a_task_on_the_beat_schedule(world: World, body):
    make.action(body, world.lead_a, timezone.localdate() - timedelta(days=1))
    assert tasks.notify_overdue_actions() == 1
    assert tasks.notify_overdue_actions() == 0
    entry = settings.CELERY_BEAT_SCHEDULE["notify-overdue-actions"]
    assert entry["task"] == "governance.tasks.notify_overdue_actions"
    assert entry["options"]["expires"] > 0


@pytest.mark.django_db(transaction=True)
def test_it_tells_once_with_two_beats_at_the_same_moment():
    from tests.conftest import build_world

    world = build_world()
    action = make.action(make.body(world.chain), world.lead_a, timezone.localdate() - timedelta(days=1))
    start = threading.Barrier(2)
    counts: list[int] = []

    def run() -> None:
        try:
            start.wait(10)
            counts.append(notify_overdue())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert len(counts) == 2
    assert Notification.objects.filter(key=overdue_key(action)).count() == 1
