"""System accounts (API connections, Person.is_system) are no people: never listed, reminded,
notified or mailed as one, and unable to hold a mandate."""

from __future__ import annotations

import importlib
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ambitions import reminders
from ambitions.models import IndicatorVersion
from ambitions.services import reports
from stakeholders import tasks
from stakeholders.digest import send_daily_digests
from stakeholders.models import Mandate, MandateScope, Membership, Notification, Person, Role
from stakeholders.notify import notify
from stakeholders.views.api_tokens import SYSTEM_DOMAIN, connections_in, create_connection
from tests.conftest import World
from tests.factories import MandateFactory, PersonFactory
from tests.measures import Measures

MARCH_8 = date(2026, 3, 8)  # February's figures are due on 10 March (tests/stakeholders/test_reminders.py)


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture
def system(world: World) -> Person:
    """An API connection of Politie (world.org_a) in ZSM: a contributor, like world.contributor_a."""
    person, _key = create_connection(world.chain, world.org_a, "Registratiesysteem")
    return person


def test_it_marks_a_new_api_connection_as_a_system_account(system: Person, world: World):
    assert system.is_system
    assert list(Person.objects.system_accounts()) == [system]
    assert system not in Person.objects.humans()
    assert world.contributor_a in Person.objects.humans()
    assert list(connections_in(world.chain)) == [system]


def test_the_migration_marks_existing_accounts_by_the_domain_and_the_unusable_password(world: World):
    migration = importlib.import_module("stakeholders.migrations.0006_person_is_system")
    old, _ = create_connection(world.chain, world.org_a, "Van voor is_system")
    could_sign_in = PersonFactory(email=f"iemand@{SYSTEM_DOMAIN}")  # a usable password: not a system
    not_yet_signed_up = PersonFactory(email="nieuw@example.nl")
    not_yet_signed_up.set_unusable_password()
    not_yet_signed_up.save()
    Person.objects.update(is_system=False)  # as before the field existed

    migration.mark_system_accounts(apps, None)

    assert list(Person.objects.filter(is_system=True)) == [old]
    assert could_sign_in.has_usable_password()


def test_the_reminder_sweep_leaves_system_accounts_out(measures: Measures, system: Person):
    w = measures.world
    IndicatorVersion.objects.update(entry_window_days=60)
    reminders.sweep(MARCH_8)
    assert Notification.objects.filter(person=w.contributor_a).exists()  # the same role is reminded
    assert not Notification.objects.filter(person=system).exists()


def test_the_reminder_sweep_asks_no_consent_or_approval_of_a_system_account(measures: Measures, system: Person):
    # Even a system account that someone made partner lead and gave mandates (say, in the admin).
    w = measures.world
    Membership.objects.filter(person=system).update(role=Role.PARTNER_LEAD)
    for scope in (MandateScope.CONSENT_INDICATORS, MandateScope.APPROVE_FIGURES):
        Mandate.objects.create(person=system, partnership=w.partner_a, scope=scope, valid_from=date(2020, 1, 1))
    IndicatorVersion.objects.filter(pk=measures.share_v1.pk).update(status="proposed")
    reminders.sweep(MARCH_8)
    assert Notification.objects.filter(person=w.lead_a, key__startswith="consent-asked:").exists()
    assert not Notification.objects.filter(person=system).exists()
    assert not Mandate.objects.usable_on().filter(person=system).exists()


def test_notify_leaves_system_accounts_out(world: World, system: Person):
    created = notify([world.lead_a, system], world.chain, "Er wacht iets", "/ketens/zsm/", key="k")
    assert [n.person for n in created] == [world.lead_a]
    assert not Notification.objects.filter(person=system).exists()


def test_publishing_a_report_notifies_the_people_but_not_the_system_accounts(measures: Measures, system: Person):
    w = measures.world
    report, _ = reports.draft_report(w.chain, measures.period)
    reports.publish(report, by=w.manager)
    notified = set(Notification.objects.filter(key=f"report-published:{report.pk}").values_list("person", flat=True))
    assert w.contributor_a.pk in notified and system.pk not in notified


def test_the_digest_mails_no_system_account(world: World, system: Person, mailoutbox):
    # A notification a system account got before is_system existed: it stays in the portal, unmailed.
    Notification.objects.create(person=system, chain=world.chain, text="Cijfers te laat", url="/", key="old")
    notify([world.lead_a], world.chain, "Er wacht iets", "/ketens/zsm/", key="new")

    assert send_daily_digests() == {"digests_sent": 1, "digests_failed": 0, "digests_skipped": 0}
    assert [m.to for m in mailoutbox] == [[world.lead_a.email]]
    assert not any(SYSTEM_DOMAIN in address for m in mailoutbox for address in m.to)


def test_housekeeping_mails_no_system_account_about_an_ending_mandate(world: World, system: Person, mailoutbox):
    today = timezone.localdate()
    MandateFactory(
        person=system,
        partnership=world.partner_a,
        scope=MandateScope.SIGN_AGREEMENTS,
        valid_from=today - timedelta(days=100),
        valid_until=today + timedelta(days=5),
    )
    assert tasks.run_housekeeping()["mandates_flagged"] == 0
    assert mailoutbox == []


def test_the_people_page_lists_people_but_not_system_accounts(world: World, system: Person, client_for):
    response = client_for(world.manager).get(reverse("stakeholders:membership_list", args=["zsm"]))
    assert response.status_code == 200
    listed = [m.person for m in response.context["memberships"]]
    assert world.contributor_a in listed and system not in listed
    assert "Registratiesysteem" not in response.text


def test_a_system_accounts_role_cannot_be_changed_on_the_people_pages(world: World, system: Person, client_for):
    membership = Membership.objects.get(person=system)
    client = client_for(world.manager)
    assert client.get(reverse("stakeholders:membership_edit", args=["zsm", membership.pk])).status_code == 404
    assert client.post(reverse("stakeholders:membership_revoke", args=["zsm", membership.pk])).status_code == 404
    assert Membership.objects.filter(person=system).exists()


def test_the_mandate_form_offers_no_system_account_and_refuses_one(world: World, system: Person, client_for):
    client = client_for(world.manager)
    url = reverse("stakeholders:mandate_create", args=["zsm"])
    form = client.get(url).context["form"]
    offered = [pk for _group, choices in form.fields["person"].widget.choices[1:] for pk, _name in choices]
    assert world.contributor_a.pk in offered and system.pk not in offered

    data = {"partnership": world.partner_a.pk, "person": system.pk, "scope": MandateScope.SIGN_AGREEMENTS}
    response = client.post(url, {**data, "valid_from": "2026-01-01", "valid_until": "", "note": ""})
    assert response.status_code == 422
    assert not Mandate.objects.filter(person=system).exists()
    with pytest.raises(ValidationError, match="API connection cannot hold a mandate"):
        Mandate(person=system, partnership=world.partner_a, scope=MandateScope.SIGN_AGREEMENTS).full_clean()


def test_an_invitation_to_a_system_accounts_address_is_refused(world: World, system: Person, client_for):
    response = client_for(world.manager).post(
        reverse("stakeholders:invitation_create", args=["zsm"]),
        {"email": system.email, "full_name": "Systeem", "role": Role.VIEWER},
    )
    assert response.status_code == 422
    assert "belongs to an API connection" in response.text
