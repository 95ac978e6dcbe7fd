"""Matrix rows of decisions and the decision register (governance/views/decisions.py; see
tests/matrix/governance/__init__.py).

Objects, on the bodies of bodies.py (``found.by_kind["body"]``): per target an open ``decision``
(closing in a month, in writing) and an open ``decision_to_close`` whose closing date has passed
(so that who runs the meetings can close it, as not adopted). Body A's decision was proposed by
lead A, who sits in body A for partner A and here gets a mandate to vote in a body: lead A
records partner A's position on it, and amends and withdraws it as its proposer. Body B's and the
other chain's decisions were proposed by the manager and the administrator.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from governance.models import Decision, DecisionPosition, DecisionWay
from stakeholders.models import MandateScope
from tests.factories import MandateFactory
from tests.matrix.objects import Objects, Url, custom, in_chain, of
from tests.matrix.policy import (
    ADMIN,
    ANONYMOUS,
    CHAIN,
    CONTRIBUTOR_A,
    FORGED,
    LEAD_A,
    LOGIN,
    MANAGE,
    MANAGER,
    MANDATED,
    OK,
    OTHER,
    OUTSIDER,
    PARTNER_A,
    PARTNER_B,
    READ,
)
from tests.matrix.rows import Row, posting

# --- Who may ------------------------------------------------------------------------------------


def RUNS_MEETINGS(persona: str, target: str) -> int | str:
    """Closing a decision: who runs the body's meetings (no persona has such a seat in these bodies),
    so programme managers and administrators. The decision is looked up in the chain first."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404
    if target == OTHER:
        return {OUTSIDER: 403, ADMIN: OK}.get(persona, 404)
    if persona == OUTSIDER:
        return 404
    return OK if persona in (MANAGER, ADMIN) else 403


def PROPOSER(persona: str, target: str) -> int | str:
    """Amending and withdrawing: as closing, and the proposer (lead A, of body A's decision)."""
    if persona == LEAD_A and target == PARTNER_A:
        return OK
    return RUNS_MEETINGS(persona, target)


PROPOSERS_IN_ZSM = {(LEAD_A, CHAIN): OK, (CONTRIBUTOR_A, CHAIN): OK}

# --- What the POST rows send, and the state they change ---------------------------------------


def _body_for(o: Objects, target: str):
    return o.by_kind["body"][OTHER if target in (OTHER, FORGED) else PARTNER_A]


def a_new_proposal(o: Objects, target: str) -> dict:
    # The body is the first the caller may propose in, as the page offers it.
    return {
        "title": "Gezamenlijke intake",
        "text": "Politie en OM doen de intake samen.",
        "way": DecisionWay.WRITTEN,
        "closes_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }


def decision_count(o: Objects, target: str) -> int:
    return Decision.objects.filter(body__chain=_body_for(o, target).chain_id).count()


def a_new_text(o: Objects, target: str) -> dict:
    return {"text": "Politie en OM doen de intake samen, vanaf volgend kwartaal."}


def decision_text(o: Objects, target: str) -> tuple[str, int]:
    return tuple(Decision.objects.values_list("text", "round").get(pk=o.get("decision", target).pk))


def an_outcome_statement(o: Objects, target: str) -> dict:
    return {"outcome_statement": "Niet aangenomen: de partners hebben niet op tijd ingestemd."}


def status_of(kind: str):
    def state(o: Objects, target: str) -> str:
        return Decision.objects.values_list("status", flat=True).get(pk=o.get(kind, target).pk)

    return state


def position_count(o: Objects, target: str) -> int:
    return DecisionPosition.objects.filter(decision=o.get("decision", target)).count()


def of_decision(data: dict) -> Url:
    """``of("decision")`` with POST data."""
    return custom(
        (PARTNER_A, PARTNER_B, OTHER, FORGED),
        lambda o, t: {"slug": o.slug(t), "pk": o.get("decision", t).pk, "_data": data},
    )


ROWS = [
    Row("governance:decision_list", in_chain(), READ),
    Row(
        "governance:decision_export",
        custom((CHAIN, OTHER), lambda o, t: {"slug": o.slug(t), "fmt": "csv"}),
        READ,
    ),
    # Who may propose in one of the chain's bodies: who runs meetings, lead A (a member of body A, and
    # chair in agenda.py's body B) and contributor A (secretary of agenda.py's body A).
    Row("governance:decision_create", in_chain(), MANAGE, override=PROPOSERS_IN_ZSM),
    posting(
        "governance:decision_create", in_chain(), MANAGE, a_new_proposal, decision_count, override=PROPOSERS_IN_ZSM
    ),
    Row("governance:decision_detail", of("decision"), READ),
    # A partner's position: only lead A, for partner A, in body A (a seat and a mandate to vote).
    Row(
        "governance:decision_position",
        of_decision({"kind": "consent", "reason": "", "round": 1, "based_on": ""}),
        MANDATED,
        method="post",
        state=position_count,
    ),
    Row("governance:decision_amend", of("decision"), PROPOSER),
    posting("governance:decision_amend", of("decision"), PROPOSER, a_new_text, decision_text),
    Row("governance:decision_close", of("decision_to_close"), RUNS_MEETINGS),
    posting(
        "governance:decision_close",
        of("decision_to_close"),
        RUNS_MEETINGS,
        an_outcome_statement,
        status_of("decision_to_close"),
    ),
    Row(
        "governance:decision_withdraw",
        of_decision({"reason": "Achterhaald door het nieuwe ketenplan."}),
        PROPOSER,
        method="post",
        state=status_of("decision"),
    ),
]


def add_objects(w, found) -> None:
    """Per target an open decision and one past its closing date, on the bodies of bodies.py."""
    MandateFactory(person=w.lead_a, partnership=w.partner_a, scope=MandateScope.VOTE_IN_BODY)
    today = timezone.localdate()
    proposers = {PARTNER_A: w.lead_a, PARTNER_B: w.manager, OTHER: w.admin}
    for kind, closes_on in (("decision", today + timedelta(days=30)), ("decision_to_close", today - timedelta(days=1))):
        found.by_kind[kind] = {
            target: Decision.objects.create(
                body=body,
                title=f"Besluit {target}",
                text="Elke ZSM-locatie krijgt twee extra reclasseringswerkers.",
                way=DecisionWay.WRITTEN,
                closes_on=closes_on,
                proposed_by=proposers[target],
            )
            for target, body in found.by_kind["body"].items()
        }
