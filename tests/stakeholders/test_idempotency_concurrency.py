"""Two bulk writes with one Idempotency-Key at the same moment, on real PostgreSQL: one writes, the
other waits on the key's unique row and replays its answer; the figure is written once."""

import json
import threading

from django.db import connection
from django.test import Client
from django.urls import reverse

from ambitions.models import FigureChange
from stakeholders.views.api_tokens import create_connection
from tests.conftest import World, in_english
from tests.measures import build_measures
from tests.services import requires_services


@requires_services(postgres=True)
def test_concurrent_duplicates_never_both_write(transactional_db, world: World):
    m = build_measures(world)
    _person, key = create_connection(world.chain, world.org_a, "Systeem")
    body = json.dumps([{"indicator": m.count.pk, "unit": world.unit_a.pk, "period": m.period.slug, "value": 4}])
    barrier = threading.Barrier(2)
    answers: list = []

    def send() -> None:
        try:
            client = in_english(Client(headers={"Authorization": f"Token {key}", "Idempotency-Key": "same"}))
            barrier.wait(timeout=10)
            answers.append(client.post(reverse("ambitions-api:figure-bulk"), body, content_type="application/json"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [a.status_code for a in answers] == [200, 200]
    assert sorted(a.has_header("Idempotent-Replayed") for a in answers) == [False, True]
    assert answers[0].json() == answers[1].json()
    assert FigureChange.objects.count() == 1
