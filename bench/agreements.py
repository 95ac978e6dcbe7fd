"""Measurements for agreements (issue 11): an agreement's page with the verification of its
current version — the fingerprint of a 1 MB PDF recomputed from the stored bytes on every request
— on the agreements data set (manage.py build_agreements_dataset: 2,000 agreements with 3 versions
each, every core partner a party, 52,000 signatures over the five benchmark chains).

The page goes through the test client as the chain's programme manager (bench/ambitions.py). The
floor is the plain SQL reading what the page shows plus hashing the stored PDF once.
"""

from __future__ import annotations

import time

from django.urls import reverse

from bench.ambitions import _client, _manager
from bench.governance import _page
from bench.timing import Result, p95, sql_p95_ms
from governance.management.commands.build_agreements_dataset import BENCH_TITLE
from governance.models import Agreement
from governance.services import agreements as services
from governance.services.agreement_content import stored_fingerprint
from stakeholders.models import Chain


def agreement_page(chain: Chain) -> list[Result]:
    """The chain's measured agreement: for signature, 10 parties (5 signed), 3 versions (20 earlier
    signatures, void), a 1 MB PDF whose fingerprint the page recomputes."""
    agreement = Agreement.objects.get(chain=chain, title=BENCH_TITLE)
    version = services.current_version(agreement)
    client = _client(_manager(chain))
    page, queries = _page(
        "agreement_page", client, reverse("governance:agreement_detail", args=[chain.slug, agreement.pk])
    )
    floor_sql = sql_p95_ms(_AGREEMENT_FLOOR, {"agreement": agreement.pk})
    hashing = []
    for _ in range(100):
        start = time.perf_counter()
        stored_fingerprint(version)
        hashing.append((time.perf_counter() - start) * 1000)
    return [
        page,
        Result("agreement_page_queries", queries, "count"),
        Result("agreement_page_floor", floor_sql + p95(hashing), "ms"),
        Result("agreement_fingerprint_1mb_p95", p95(hashing), "ms"),
    ]


# What the page shows: the agreement, its parties, versions and signatures (with person,
# organisation, mandate), one statement.
_AGREEMENT_FLOOR = """
SELECT a.id, a.title, a.status,
       (SELECT json_agg(json_build_object('party', o.name, 'role', p.role) ORDER BY o.name)
        FROM governance_agreementparty p JOIN stakeholders_partnership pp ON pp.id = p.partnership_id
        JOIN stakeholders_organisation o ON o.id = pp.organisation_id WHERE p.agreement_id = a.id),
       (SELECT json_agg(json_build_object('number', v.number, 'text', v.text, 'fingerprint', v.fingerprint)
                        ORDER BY v.number DESC)
        FROM governance_agreementversion v WHERE v.agreement_id = a.id),
       (SELECT json_agg(json_build_object('version', s.version_id, 'org', o.name, 'person', q.full_name,
                                          'mandate', m.scope, 'fingerprint', s.fingerprint, 'at', s.signed_at))
        FROM governance_signature s JOIN stakeholders_organisation o ON o.id = s.organisation_id
        JOIN stakeholders_person q ON q.id = s.person_id JOIN stakeholders_mandate m ON m.id = s.mandate_id
        WHERE s.agreement_id = a.id)
FROM governance_agreement a WHERE a.id = %(agreement)s
"""


def agreements(chain: Chain) -> list[Result]:
    return agreement_page(chain)
