"""The daily digest (stakeholders/digest.py): at most one e-mail per person per day with their new
unread notifications, only for people who want e-mail; a failing mail server loses nothing."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from stakeholders.digest import send_daily_digests
from stakeholders.models import DigestRun, MailPreference, Notification
from stakeholders.models.notifications import DigestStatus
from stakeholders.notify import notify
from tests.conftest import World


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("421 service not available")


@pytest.fixture
def failing_mail(settings):
    original = settings.MAILERS
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}
    yield
    settings.MAILERS = original


def test_notify_creates_the_notification_and_mails_nothing_itself(world: World, mailoutbox):
    notify([world.lead_a, world.lead_b], world.chain, "Er wacht iets", "/ketens/zsm/", key="k1")
    notify([world.lead_a], world.chain, "Er wacht iets", "/ketens/zsm/", key="k1")  # idempotent
    assert Notification.objects.filter(key="k1").count() == 2
    assert mailoutbox == []


def test_it_mails_each_person_once_a_day_with_their_unread_notifications(world: World, mailoutbox):
    notify([world.lead_a], world.chain, "Cijfers over maart zijn bijna te laat", "/ketens/zsm/", key="a")
    notify([world.lead_a, world.lead_b], world.chain, "Uw instemming wordt gevraagd", "/ketens/zsm/x/", key="b")

    assert send_daily_digests() == {"digests_sent": 2, "digests_failed": 0, "digests_skipped": 0}
    assert sorted(m.to[0] for m in mailoutbox) == ["lead-a@example.nl", "lead-b@example.nl"]
    to_a = next(m for m in mailoutbox if m.to == ["lead-a@example.nl"])
    assert "Cijfers over maart zijn bijna te laat" in to_a.body and "Uw instemming wordt gevraagd" in to_a.body
    assert "http://" in to_a.body or "https://" in to_a.body  # absolute links

    # The same day again, even with something new: no second mail.
    notify([world.lead_a], world.chain, "Nog iets", "/ketens/zsm/", key="c")
    assert send_daily_digests()["digests_sent"] == 0
    assert len(mailoutbox) == 2
    assert DigestRun.objects.filter(status=DigestStatus.SENT).count() == 2
    # Notifications stay unread in the portal: the mail only tells.
    assert Notification.objects.unread().count() == 4

    # The next day only what came after the last digest goes out.
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert send_daily_digests(tomorrow)["digests_sent"] == 1
    last = mailoutbox[-1]
    assert last.to == ["lead-a@example.nl"]
    assert "Nog iets" in last.body and "Uw instemming" not in last.body


def test_nobody_is_mailed_without_new_unread_notifications(world: World, mailoutbox):
    notify([world.lead_a], world.chain, "Gelezen", "/", key="a")
    Notification.objects.update(read_at=timezone.now())
    assert send_daily_digests()["digests_sent"] == 0
    assert mailoutbox == [] and not DigestRun.objects.exists()


def test_a_person_who_chose_no_email_gets_none(world: World, mailoutbox):
    world.lead_a.mail_preference = MailPreference.NONE
    world.lead_a.save()
    notify([world.lead_a, world.lead_b], world.chain, "Er wacht iets", "/", key="a")
    send_daily_digests()
    assert [m.to for m in mailoutbox] == [["lead-b@example.nl"]]
    assert Notification.objects.filter(person=world.lead_a).unread().exists()  # still in the portal


def test_a_failing_mail_server_is_retried_later_and_nothing_is_lost(world: World, failing_mail, settings, caplog):
    notify([world.lead_a], world.chain, "Cijfers te laat", "/ketens/zsm/", key="a")

    assert send_daily_digests() == {"digests_sent": 0, "digests_failed": 1, "digests_skipped": 0}
    run = DigestRun.objects.get(person=world.lead_a)
    assert run.status == DigestStatus.FAILED and run.error == "SMTPException"
    assert Notification.objects.get(key="a").read_at is None  # nothing lost
    assert "lead-a@example.nl" not in caplog.text

    # Another notification arrives, the mail server is back: the next run mails both, once.
    notify([world.lead_a], world.chain, "Instemming gevraagd", "/ketens/zsm/", key="b")
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []
    assert send_daily_digests()["digests_sent"] == 1
    assert len(mail.outbox) == 1
    assert "Cijfers te laat" in mail.outbox[0].body and "Instemming gevraagd" in mail.outbox[0].body
    run.refresh_from_db()
    assert run.status == DigestStatus.SENT and run.attempts == 2 and run.notification_count == 2
    assert send_daily_digests()["digests_sent"] == 0
    assert len(mail.outbox) == 1


def test_a_claim_held_by_another_run_is_left_alone_until_it_is_stale(world: World, mailoutbox):
    notify([world.lead_a], world.chain, "Er wacht iets", "/", key="a")
    DigestRun.objects.create(person=world.lead_a, day=timezone.localdate(), claimed_at=timezone.now())
    assert send_daily_digests()["digests_sent"] == 0
    assert mailoutbox == []
    # Its worker died: an hour later another run takes the day over.
    DigestRun.objects.update(claimed_at=timezone.now() - timedelta(hours=2))
    assert send_daily_digests()["digests_sent"] == 1
    assert len(mailoutbox) == 1


def test_the_celery_task_runs_the_digest(world: World, mailoutbox):
    from stakeholders.tasks import send_daily_digests as task

    notify([world.lead_a], world.chain, "Er wacht iets", "/", key="a")
    assert task.apply().get()["digests_sent"] == 1
    assert len(mailoutbox) == 1


def test_a_notification_committed_during_a_digest_goes_out_with_the_next_one(world: World, mailoutbox):
    notify([world.lead_a], world.chain, "Eerste", "/", key="a")
    send_daily_digests()
    assert Notification.objects.get(key="a").mailed_at is not None
    # Created (its transaction started) before that digest ran, committed after it.
    notify([world.lead_a], world.chain, "Laat vastgelegd", "/", key="b")
    run = DigestRun.objects.get(person=world.lead_a)
    Notification.objects.filter(key="b").update(created_at=run.until - timedelta(seconds=5))
    send_daily_digests(timezone.localdate() + timedelta(days=1))
    assert len(mailoutbox) == 2
    assert "Laat vastgelegd" in mailoutbox[1].body and "Eerste" not in mailoutbox[1].body


def test_platform_administrators_see_failed_digests_in_the_admin(world: World, client_for, failing_mail):
    notify([world.lead_a], world.chain, "Er wacht iets", "/", key="a")
    send_daily_digests()
    page = client_for(world.admin).get(reverse("admin:stakeholders_digestrun_changelist"))
    assert page.status_code == 200 and "SMTPException" in page.text
