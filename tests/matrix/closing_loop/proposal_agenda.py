"""Matrix rows of issue 15: a stalled indicator proposal put on the agenda of the body that decides
(governance/views/proposal_agenda.py; see tests/matrix/closing_loop/__init__.py).

POST only. Who may: the chain's programme managers and administrators
(governance/policy.py ``may_put_proposal_on_agenda``: Action.MANAGE_INDICATORS). The proposal is
looked up in the URL's chain before the policy is asked, so a forged one is 404 for everyone.
Objects: per target a proposal stopped by an objection, each on an indicator of its own; the rows
post the chain's steering group (tests/matrix/governance/bodies.py) as the body that decides.
"""

from __future__ import annotations

from django.utils import timezone

from ambitions.models import Consent, ConsentPosition, Indicator, VersionStatus
from governance.models import Decision
from tests.matrix.objects import Objects, custom
from tests.matrix.policy import ADMIN, ANONYMOUS, FORGED, LOGIN, MANAGER, OK, OTHER, OUTSIDER, PARTNER_A, PARTNER_B
from tests.matrix.rows import Row
from tests.measures import adopted_version


def MANAGES_INDICATORS(persona: str, target: str) -> int | str:
    """Programme managers and administrators; the proposal is found in the chain first."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404
    if target == OTHER:
        return {OUTSIDER: 403, ADMIN: OK}.get(persona, 404)
    if persona == OUTSIDER:
        return 404
    return OK if persona in (MANAGER, ADMIN) else 403


def _kwargs(o: Objects, target: str) -> dict:
    body = o.by_kind["body"][OTHER if target in (OTHER, FORGED) else PARTNER_A]  # the steering group
    return {"slug": o.slug(target), "version_pk": o.get("stopped_proposal", target).pk, "_data": {"body": body.pk}}


def decisions_about(o: Objects, target: str) -> int:
    return Decision.objects.filter(indicator_version=o.get("stopped_proposal", target)).count()


ROWS = [
    Row(
        "governance:decision_from_proposal",
        custom((PARTNER_A, PARTNER_B, OTHER, FORGED), _kwargs),
        MANAGES_INDICATORS,
        method="post",
        state=decisions_about,
    ),
]


def add_objects(w, found) -> None:
    """Per target a proposal stopped by its partner's objection (the other chain's by partner C)."""
    m_ambition, other_ambition = found.by_kind["ambition"][PARTNER_A], found.by_kind["ambition"][OTHER]
    stopped = {}
    for target, ambition, unit, partnership, person in (
        (PARTNER_A, m_ambition, w.unit_a, w.partner_a, w.lead_a),
        (PARTNER_B, m_ambition, w.unit_b, w.partner_b, w.lead_b),
        (OTHER, other_ambition, w.unit_c, w.partner_c, found.lead_c),
    ):
        indicator = Indicator.objects.create(ambition=ambition, name=f"Gestopt voorstel {target}")
        version = adopted_version(
            indicator,
            [unit],
            status=VersionStatus.STOPPED,
            effective_from=timezone.localdate().replace(day=1),
            proposed_by=w.manager if target != OTHER else w.admin,
        )
        Consent.objects.create(
            version=version,
            partnership=partnership,
            person=person,
            position=ConsentPosition.OBJECTION,
            reason="Te vroeg",
        )
        stopped[target] = version
    found.by_kind["stopped_proposal"] = stopped
