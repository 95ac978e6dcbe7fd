"""The agreements' scheduled work and their concurrency: expiry after the end date (once, however
often it runs), reminders before the evaluation and end dates (once per person, occasion and date,
also with two beats at the same moment), and two people of one party signing at the same moment
on real PostgreSQL (exactly one signature; the other is told the party has signed)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from governance.models import Agreement, AgreementStatus, Signature
from governance.services import agreements as services
from governance.tasks_agreements import sweep_agreements
from stakeholders.models import MandateScope, Notification, Role
from tests.factories import MandateFactory, MembershipFactory
from tests.governance.agreement_fixtures import build_parties, covenant, sign
from tests.services import requires_services


@pytest.fixture(autouse=True)
def _in_english():
    """The messages asserted are the English msgids (pages through english_client_for)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def in_force(parties, **fields) -> Agreement:
    agreement = covenant(parties, **fields)
    sign(parties.world.lead_a, agreement)
    sign(parties.world.lead_b, agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE
    return agreement


@pytest.mark.django_db
def test_an_agreement_in_force_expires_after_its_end_date_once(world):
    parties = build_parties(world)
    today = timezone.localdate()
    ended = in_force(parties, valid_from=date(2024, 1, 1), valid_until=today - timedelta(days=1), evaluate_on=None)
    running = in_force(parties, title="Loopt nog", valid_until=today, evaluate_on=None)
    waiting = covenant(
        parties, title="Wacht", valid_from=date(2024, 1, 1), valid_until=date(2024, 6, 30), evaluate_on=None
    )
    assert services.expire_due(today) == 1
    assert services.expire_due(today) == 0
    statuses = dict(Agreement.objects.values_list("pk", "status"))
    assert statuses == {
        ended.pk: AgreementStatus.EXPIRED,
        running.pk: AgreementStatus.IN_FORCE,
        waiting.pk: AgreementStatus.FOR_SIGNATURE,  # never in force: nothing to expire
    }


@pytest.mark.django_db
def test_it_reminds_the_manager_and_the_parties_leads_once_before_evaluation_and_end(world):
    parties = build_parties(world)
    today = timezone.localdate()
    agreement = in_force(
        parties,
        valid_from=date(2025, 1, 1),
        valid_until=today + timedelta(days=20),
        evaluate_on=today + timedelta(days=10),
    )
    first = services.send_reminders(today)
    again = services.send_reminders(today + timedelta(days=1))
    told = lambda key: set(Notification.objects.filter(key=key).values_list("person_id", flat=True))  # noqa: E731
    w = parties.world
    leads = {w.manager.pk, w.lead_a.pk, w.lead_b.pk, parties.judge.pk}
    assert told(f"agreement-evaluation:{agreement.pk}:{agreement.evaluate_on.isoformat()}") == leads
    assert told(f"agreement-end:{agreement.pk}:{agreement.valid_until.isoformat()}") == leads
    assert (first, again) == (8, 0)
    # A contributor or viewer is not told.
    assert not Notification.objects.filter(person__in=[w.contributor_a, w.viewer]).exists()


@pytest.mark.django_db
def test_it_does_not_remind_too_early_or_about_an_agreement_not_in_force(world):
    parties = build_parties(world)
    today = timezone.localdate()
    in_force(parties, valid_until=today + timedelta(days=settings.AGREEMENT_REMINDER_DAYS + 5), evaluate_on=None)
    covenant(parties, title="Concept", valid_from=today, valid_until=today + timedelta(days=3), evaluate_on=None)
    assert services.send_reminders(today) == 0


@pytest.mark.django_db
def test_the_task_runs_both_and_is_on_the_beat_schedule(world):
    parties = build_parties(world)
    today = timezone.localdate()
    in_force(parties, valid_from=date(2024, 1, 1), valid_until=today - timedelta(days=2), evaluate_on=None)
    assert sweep_agreements() == {"expired": 1, "reminded": 0}
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-agreements"]
    assert entry["task"] == "governance.tasks_agreements.sweep_agreements"
    assert entry["options"]["expires"] > 0


def _at_once(*jobs):
    start = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job) -> None:
        try:
            start.wait(30)
            job()
        except BaseException as error:  # noqa: BLE001 — reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


@requires_services(postgres=True)
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_the_same_moment_remind_each_person_once():
    from tests.conftest import build_world

    parties = build_parties(build_world())
    today = timezone.localdate()
    agreement = in_force(parties, valid_from=date(2025, 1, 1), valid_until=today + timedelta(days=5), evaluate_on=None)
    counts: list[int] = []
    errors = _at_once(
        lambda: counts.append(services.sweep()["reminded"]), lambda: counts.append(services.sweep()["reminded"])
    )
    assert errors == []
    key = f"agreement-end:{agreement.pk}:{agreement.valid_until.isoformat()}"
    assert Notification.objects.filter(key=key).count() == 4
    assert len(counts) == 2


@requires_services(postgres=True)
@pytest.mark.django_db(transaction=True)
def test_two_people_of_one_party_signing_at_the_same_moment_make_exactly_one_signature():
    from tests.conftest import build_world

    parties = build_parties(build_world())
    w = parties.world
    second = MembershipFactory(
        person__organisation=w.org_a, person__full_name="Tweede Tekenaar", chain=w.chain, role=Role.PARTNER_LEAD
    ).person
    MandateFactory(person=second, partnership=w.partner_a, scope=MandateScope.SIGN_AGREEMENTS)
    agreement = covenant(parties)
    refusals: list[str] = []

    def signing(person):
        def job() -> None:
            try:
                with translation.override("en"):  # a thread of its own starts in the default language
                    sign(person, Agreement.objects.get(pk=agreement.pk))
            except services.AgreementRefused as refused:
                refusals.append(str(refused))

        return job

    errors = _at_once(signing(w.lead_a), signing(second))
    assert errors == []
    assert Signature.objects.filter(agreement=agreement).count() == 1
    assert len(refusals) == 1
    assert refusals[0].startswith("Politie has already signed version 1:")
