import logging
import threading
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.db import connection
from django.utils import timezone

from stakeholders import tasks
from stakeholders.history import history_for
from stakeholders.models import IdempotentRequest, Invitation, Mandate, MandateScope, Role
from stakeholders.models.people import InvitationStatus
from tests.conftest import World, build_world
from tests.factories import MandateFactory
from tests.services import requires_services


def _invitation(world: World, *, expires_in: timedelta, status: str = InvitationStatus.PENDING) -> Invitation:
    invitation, _token = Invitation.issue(chain=world.chain, email="new@example.nl", role=Role.VIEWER, by=world.manager)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + expires_in, status=status)
    return invitation


def _mandate(world: World, *, ends_in_days: int | None, scope: str = MandateScope.SIGN_AGREEMENTS) -> Mandate:
    today = timezone.localdate()
    return MandateFactory(
        person=world.lead_a,
        partnership=world.partner_a,
        scope=scope,
        valid_from=today - timedelta(days=100),
        valid_until=None if ends_in_days is None else today + timedelta(days=ends_in_days),
    )


def test_it_expires_pending_invitations_past_their_expiry(world: World):
    overdue = _invitation(world, expires_in=timedelta(minutes=-1))
    fresh = _invitation(world, expires_in=timedelta(days=3))
    accepted = _invitation(world, expires_in=timedelta(days=-3), status=InvitationStatus.ACCEPTED)

    result = tasks.run_housekeeping()

    assert result["invitations_expired"] == 1
    overdue.refresh_from_db()
    fresh.refresh_from_db()
    accepted.refresh_from_db()
    assert overdue.status == InvitationStatus.EXPIRED
    assert fresh.status == InvitationStatus.PENDING
    assert accepted.status == InvitationStatus.ACCEPTED


def test_it_records_the_expiry_in_the_audit_trail(world: World):
    overdue = _invitation(world, expires_in=timedelta(hours=-1))
    tasks.run_housekeeping()
    changes = [(c.before, c.after) for entry in history_for(overdue) for c in entry.changes]
    assert ("Waiting for an answer", "Expired") in changes


def test_it_expires_each_invitation_once_when_run_again(world: World):
    _invitation(world, expires_in=timedelta(minutes=-1))
    assert tasks.run_housekeeping()["invitations_expired"] == 1
    assert tasks.run_housekeeping()["invitations_expired"] == 0


def test_it_flags_a_mandate_ending_soon_and_mails_the_holder_once(world: World, mailoutbox):
    mandate = _mandate(world, ends_in_days=10)

    first = tasks.run_housekeeping()
    second = tasks.run_housekeeping()

    assert first["mandates_flagged"] == 1
    assert second["mandates_flagged"] == 0
    mandate.refresh_from_db()
    assert mandate.expiry_flagged_on == timezone.localdate()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [world.lead_a.email]
    assert "Politie" in message.subject and "ZSM" in message.subject
    assert "/ketens/zsm/mandaten/" in message.body
    assert message.content_subtype == "plain"


def test_it_leaves_mandates_ending_later_or_never_or_already_flagged_alone(world: World, mailoutbox):
    later = _mandate(world, ends_in_days=90, scope=MandateScope.VOTE_IN_BODY)
    open_ended = _mandate(world, ends_in_days=None, scope=MandateScope.APPROVE_FIGURES)
    flagged = _mandate(world, ends_in_days=5, scope=MandateScope.SPEAK_FOR_CHAIN)
    earlier = timezone.localdate() - timedelta(days=2)
    Mandate.objects.filter(pk=flagged.pk).update(expiry_flagged_on=earlier)

    assert tasks.run_housekeeping()["mandates_flagged"] == 0

    assert mailoutbox == []
    assert Mandate.objects.get(pk=later.pk).expiry_flagged_on is None
    assert Mandate.objects.get(pk=open_ended.pk).expiry_flagged_on is None
    assert Mandate.objects.get(pk=flagged.pk).expiry_flagged_on == earlier


def test_it_tries_again_next_run_when_the_mail_fails(world: World, mailoutbox, monkeypatch):
    mandate = _mandate(world, ends_in_days=3)
    original_send = EmailMessage.send

    def broken_send(self, *args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(EmailMessage, "send", broken_send)
    result = tasks.run_housekeeping()
    assert result == {"invitations_expired": 0, "mandates_flagged": 0, "mails_failed": 1, "idempotency_keys_deleted": 0}
    assert Mandate.objects.get(pk=mandate.pk).expiry_flagged_on is None

    monkeypatch.setattr(EmailMessage, "send", original_send)
    assert tasks.run_housekeeping()["mandates_flagged"] == 1
    assert len(mailoutbox) == 1


def test_it_writes_translated_mail_in_the_portal_language(world: World, mailoutbox, settings):
    settings.LANGUAGE_CODE = "en"
    _mandate(world, ends_in_days=3)
    tasks.run_housekeeping()
    assert "Your mandate to act for Politie in the chain ZSM" in mailoutbox[0].body


def test_it_logs_counts_and_ids_but_no_personal_data(world: World, mailoutbox, caplog):
    _mandate(world, ends_in_days=3)
    _invitation(world, expires_in=timedelta(minutes=-5))
    with caplog.at_level(logging.INFO, logger="stakeholders.tasks"):
        tasks.run_housekeeping()
    logged = caplog.text
    assert "1 invitation(s) expired, 1 mandate(s) flagged" in logged
    assert world.lead_a.email not in logged
    assert "new@example.nl" not in logged
    assert world.lead_a.full_name not in logged


@requires_services(postgres=True)
def test_it_mails_once_when_two_runs_race(transactional_db, mailoutbox, monkeypatch):
    """Two concurrent runs on separate connections: the second blocks on the claimed row, then skips it."""
    world = build_world()
    mandate = _mandate(world, ends_in_days=7)
    first_is_sending = threading.Event()
    second_has_candidates = threading.Event()
    real_mail = tasks._mail_expiry_warning
    real_candidates = Mandate.objects.expiring_within

    def slow_mail(m: Mandate) -> None:
        # Hold the claimed row (uncommitted) while the second run reads its candidates and tries to claim.
        first_is_sending.set()
        second_has_candidates.wait(timeout=10)
        threading.Event().wait(0.5)
        real_mail(m)

    def candidates_then_signal(*args, **kwargs):
        qs = real_candidates(*args, **kwargs)
        if threading.current_thread().name == "second":
            list(qs.values_list("pk", flat=True))  # the flag is not committed yet: the mandate is a candidate
            second_has_candidates.set()
        return qs

    monkeypatch.setattr(tasks, "_mail_expiry_warning", slow_mail)
    monkeypatch.setattr(Mandate.objects, "expiring_within", candidates_then_signal)
    results: dict[str, dict[str, int]] = {}

    def run(name: str) -> None:
        try:
            if name == "second":
                first_is_sending.wait(timeout=10)
            results[name] = tasks.flag_expiring_mandates()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,), name=n) for n in ("first", "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert results["first"]["mandates_flagged"] == 1
    assert results["second"]["mandates_flagged"] == 0
    assert len(mailoutbox) == 1
    assert Mandate.objects.get(pk=mandate.pk).expiry_flagged_on is not None


@pytest.fixture(autouse=True)
def _english(settings):
    # Assertions read the English source strings; the Dutch catalogue may translate them later.
    settings.LANGUAGE_CODE = "en"


def test_it_deletes_idempotency_keys_past_their_day_also_of_an_account_that_stopped_calling(world: World):
    old = IdempotentRequest.objects.create(person=world.lead_a, key="a", fingerprint="f" * 64, status_code=200)
    IdempotentRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    fresh = IdempotentRequest.objects.create(person=world.lead_a, key="b", fingerprint="f" * 64, status_code=200)
    assert tasks.run_housekeeping()["idempotency_keys_deleted"] == 1
    assert list(IdempotentRequest.objects.all()) == [fresh]
    assert tasks.run_housekeeping()["idempotency_keys_deleted"] == 0
