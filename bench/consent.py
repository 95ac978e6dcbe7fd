"""Measurement of the proposal page of consent that cannot stall (issue 15, point 1):
``proposal_page_p95`` (goal ≤ 60 ms).

A chain of its own (slug ``consent-bench``, built once and kept; not ``bench-*``, so the other
measurements never pick it) with 30 core partners, each with a lead holding a consent mandate, and
one indicator proposal answered in five rounds through the services (services/consensus.py):
rounds 1–4 each gather 20 consents and are stopped by one objection, then amended; round 5 has 25
consents (three of them recorded by a stand-in for the lead) and 5 partners still to answer, with
a reminder each. So the page shows 30 partners, four folded earlier rounds of answers and about
150 timeline steps.

- ``proposal_page_p95``: the version page as one of the leads, through the test client (the whole
  middleware stack and templates); the median of five rounds' p95 over RUNS requests, in ms;
- ``proposal_page_queries``: its queries (the same for 3 partners in one round: asserted in
  tests/ambitions/test_proposal_page.py);
- ``proposal_page_floor``: PostgreSQL alone running the page's SELECT statements (as captured from
  one request) one after another; p95 of 100 runs, in ms.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambitions.models import (
    Ambition,
    Consent,
    ConsentPosition,
    EventKind,
    Indicator,
    IndicatorKind,
    IndicatorVersion,
    VersionStatus,
)
from ambitions.periods import Frequency
from ambitions.services import consensus
from bench.timing import Result, p95, p95_of_rounds, timed_ms
from stakeholders.models import (
    Chain,
    Mandate,
    MandateScope,
    Membership,
    Organisation,
    Partnership,
    PartnershipStatus,
    Person,
    Role,
    Unit,
)

SLUG = "consent-bench"
PARTNERS = 30
ROUNDS = 5
RUNS = 100


def _person(email: str, name: str, organisation: Organisation | None, chain: Chain, role: str) -> Person:
    person = Person.objects.create(email=email, full_name=name, organisation=organisation)
    Membership.objects.create(person=person, chain=chain, role=role)
    return person


@transaction.atomic
def _build() -> IndicatorVersion:
    chain = Chain.objects.create(name="Consent bench", slug=SLUG, mission="Samen besluiten zonder stilstand.")
    manager = _person("consent-bench-manager@example.nl", "Programmamanager", None, chain, Role.PROGRAMME_MANAGER)
    partners, units = [], []
    for n in range(PARTNERS):
        organisation = Organisation.objects.create(name=f"Consent bench partner {n:02d}")
        units.append(Unit.objects.create(organisation=organisation, name=f"Onderdeel {n:02d}"))
        partnership = Partnership.objects.create(chain=chain, organisation=organisation, status=PartnershipStatus.CORE)
        lead = _person(f"consent-bench-lead-{n}@example.nl", f"Lead {n:02d}", organisation, chain, Role.PARTNER_LEAD)
        Mandate.objects.create(
            person=lead, partnership=partnership, scope=MandateScope.CONSENT_INDICATORS, valid_from=date(2020, 1, 1)
        )
        partners.append((partnership, lead))
    ambition = Ambition.objects.create(chain=chain, statement="Besluiten binnen de termijn", horizon=date(2028, 12, 31))
    indicator = Indicator.objects.create(ambition=ambition, name="Voorstel met 30 partners en 5 rondes")
    version = IndicatorVersion.objects.create(
        indicator=indicator,
        number=1,
        status=VersionStatus.DRAFT,
        effective_from=timezone.localdate().replace(day=1),
        kind=IndicatorKind.SUM,
        unit_label="zaken",
        decimals=0,
        frequency=Frequency.MONTH,
        factor=Decimal(1),
        baseline_period=date(2024, 1, 1),
        baseline_value=Decimal(0),
        target_period=date(2028, 12, 1),
        target_value=Decimal(100),
        tolerance=Decimal(5),
        deadline_days=10,
        entry_window_days=30,
        rationale="Eén definitie voor de hele keten.",
    )
    version.reporting_units.set(units)
    consensus.propose(manager, version)
    for number in range(1, ROUNDS + 1):
        version.refresh_from_db()
        answering = partners[:25] if number == ROUNDS else partners[:20]
        for partnership, lead in answering:
            consensus.respond(lead, version, partnership, ConsentPosition.CONSENT)
        if number == ROUNDS:
            for partnership, lead in partners[25:]:
                consensus.record_event(version, EventKind.REMINDED, partnership=partnership, for_person=lead)
            break
        partnership, lead = partners[20 + number]
        consensus.respond(
            lead, version, partnership, ConsentPosition.OBJECTION, f"Bezwaar in ronde {number}: te vroeg."
        )
        consensus.amend(
            manager, version, {"tolerance": Decimal(5 + number)}, f"Tolerantie verruimd (ronde {number + 1})"
        )
    # Three answers of the last round were given by a stand-in for the lead: the page shows "by X for Y".
    stand_in_for = Consent.objects.filter(version=version, round=ROUNDS).order_by("pk")[:3]
    for consent in stand_in_for:
        stand_in = Person.objects.create(
            email=f"consent-bench-stand-in-{consent.pk}@example.nl",
            full_name=f"Vervanger {consent.pk}",
            organisation_id=consent.partnership.organisation_id,
        )
        Consent.objects.filter(pk=consent.pk).update(for_person=consent.person, person=stand_in)
    return version


def _proposal() -> IndicatorVersion:
    version = IndicatorVersion.objects.filter(indicator__ambition__chain__slug=SLUG).first()
    return version if version is not None else _build()


def proposal_page(chain: Chain | None = None) -> list[Result]:
    version = _proposal()
    lead = Person.objects.get(email="consent-bench-lead-0@example.nl")
    client = Client()
    client.force_login(lead, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("ambitions:version_detail", args=[SLUG, version.indicator_id, version.number])

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")

    page_p95 = p95_of_rounds("proposal_page", lambda: timed_ms(get, RUNS))
    with CaptureQueriesContext(connection) as queries:
        get()
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]

    def page_sql() -> None:
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute(sql)
                cursor.fetchall()

    floor = []
    for _ in range(100):
        start = time.perf_counter()
        page_sql()
        floor.append((time.perf_counter() - start) * 1000)
    return [
        Result("proposal_page_p95", page_p95, "ms"),
        Result("proposal_page_queries", len(queries), "count"),
        Result("proposal_page_floor", p95(floor), "ms"),
    ]
