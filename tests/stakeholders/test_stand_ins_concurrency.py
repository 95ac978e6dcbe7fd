"""Two requests naming overlapping stand-ins for the same lead at the same moment, on real
PostgreSQL: the lead's row lock (name_stand_in) makes the second wait and then see the first, so
exactly one is saved and the other is refused at the field."""

import threading
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.utils import timezone

from stakeholders.models import Mandate, Role, StandIn
from tests.conftest import World, in_english, sign_in
from tests.factories import MandateFactory, MembershipFactory, PersonFactory
from tests.services import requires_services


@requires_services(postgres=True)
def test_concurrent_overlapping_stand_ins_never_both_save(transactional_db, world: World):
    today = timezone.localdate()
    MandateFactory(person=world.lead_a, partnership=world.partner_a, valid_from=today)
    colleagues = []
    for n in range(2):
        person = PersonFactory(email=f"collega{n}@example.nl", organisation=world.org_a)
        MembershipFactory(person=person, chain=world.chain, role=Role.PARTNER_LEAD)
        colleagues.append(person)
    url = f"/ketens/zsm/partners/{world.partner_a.pk}/vervanging/nieuw/"
    clients = [in_english(sign_in(Client(), world.lead_a)) for _ in colleagues]
    barrier = threading.Barrier(2)
    answers: list = []

    def send(client: Client, colleague) -> None:
        try:
            data = {
                "stand_in": colleague.pk,
                "starts_on": today + timedelta(days=1),
                "ends_on": today + timedelta(days=9),
            }
            barrier.wait(timeout=10)
            answers.append(client.post(url, data))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=pair) for pair in zip(clients, colleagues, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(a.status_code for a in answers) == [302, 422]
    refused = next(a for a in answers if a.status_code == 422)
    assert "already stands in for Lead-A" in refused.text
    assert StandIn.objects.count() == 1
    assert Mandate.objects.filter(stand_in__isnull=False).count() == 1
