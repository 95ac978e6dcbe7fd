"""The outcome by the body's rule (governance/services/decisions.py ``outcome``), on unsaved rows:
consent of every represented core partner, and a qualified majority with a quorum."""

from __future__ import annotations

from governance.models import Body, DecisionRule, DecisionStatus, PositionKind
from governance.services.decisions import outcome
from stakeholders.models import Organisation, Partnership, PartnershipStatus

CONSENT, DISSENT, ABSTAIN = PositionKind.CONSENT, PositionKind.DISSENT, PositionKind.ABSTAIN
OBJECTION, BLOCK, ADVICE = PositionKind.OBJECTION, PositionKind.BLOCK, PositionKind.ADVICE


def partners(core: int, of_chain: int = 0) -> list[Partnership]:
    made = []
    for number in range(core + of_chain):
        status = PartnershipStatus.CORE if number < core else PartnershipStatus.PARTNER_OF_CHAIN
        made.append(Partnership(pk=number + 1, status=status, organisation=Organisation(name=f"Partner {number + 1}")))
    return made


def consent_rule() -> Body:
    return Body(name="Stuurgroep", decision_rule=DecisionRule.CONSENT)


def majority(percent: int = 67, quorum: int = 50) -> Body:
    return Body(
        name="Tactisch overleg",
        decision_rule=DecisionRule.QUALIFIED_MAJORITY,
        majority_percent=percent,
        quorum_percent=quorum,
    )


def status(body: Body, people: list[Partnership], *kinds: str | None) -> str:
    return outcome(body, people, {p.pk: k for p, k in zip(people, kinds, strict=False) if k}).status


class TestConsent:
    def test_it_adopts_when_every_core_partner_consents(self):
        assert status(consent_rule(), partners(3), CONSENT, CONSENT, CONSENT) == DecisionStatus.ADOPTED

    def test_it_adopts_with_recorded_dissent_and_says_whose(self):
        people = partners(2)
        result = outcome(consent_rule(), people, {1: CONSENT, 2: DISSENT})
        assert result.status == DecisionStatus.ADOPTED
        assert any("Partner 2" in reason for reason in result.reasons)

    def test_it_reads_an_abstention_as_not_objecting(self):
        assert status(consent_rule(), partners(3), CONSENT, ABSTAIN, DISSENT) == DecisionStatus.ADOPTED

    def test_it_stays_open_when_everyone_abstains(self):
        assert status(consent_rule(), partners(2), ABSTAIN, ABSTAIN) == DecisionStatus.OPEN

    def test_it_stays_open_while_an_answer_is_missing(self):
        result = outcome(consent_rule(), partners(3), {1: CONSENT, 2: CONSENT})
        assert result.status == DecisionStatus.OPEN
        assert any("Partner 3" in reason for reason in result.reasons)

    def test_it_stays_open_while_an_objection_stands(self):
        assert status(consent_rule(), partners(3), CONSENT, OBJECTION, CONSENT) == DecisionStatus.OPEN

    def test_it_rejects_on_a_block(self):
        assert status(consent_rule(), partners(3), CONSENT, BLOCK, None) == DecisionStatus.REJECTED

    def test_it_does_not_count_partners_of_the_chain(self):
        people = partners(2, of_chain=1)
        assert status(consent_rule(), people, CONSENT, CONSENT, None) == DecisionStatus.ADOPTED
        assert status(consent_rule(), people, CONSENT, CONSENT, ADVICE) == DecisionStatus.ADOPTED
        # Even a (forged) block from a partner of the chain binds no one.
        assert status(consent_rule(), people, CONSENT, CONSENT, BLOCK) == DecisionStatus.ADOPTED

    def test_it_cannot_decide_without_a_represented_core_partner(self):
        assert status(consent_rule(), partners(0, of_chain=2), ADVICE, ADVICE) == DecisionStatus.OPEN


class TestQualifiedMajority:
    def test_it_stays_open_below_the_quorum(self):
        # 4 core partners, quorum 50%: 2 must answer.
        assert status(majority(), partners(4), CONSENT) == DecisionStatus.OPEN

    def test_it_adopts_once_the_quorum_answered_and_the_share_in_favour_is_reached(self):
        assert status(majority(), partners(4), CONSENT, CONSENT) == DecisionStatus.ADOPTED
        # 2 of 3 votes cast = 66.7% < 67%: not yet; 3 of 4 = 75%.
        assert status(majority(), partners(4), CONSENT, DISSENT, OBJECTION) == DecisionStatus.OPEN
        assert status(majority(), partners(4), CONSENT, DISSENT, OBJECTION, CONSENT) == DecisionStatus.ADOPTED

    def test_it_counts_abstentions_for_the_quorum_but_not_as_votes_cast(self):
        assert status(majority(), partners(4), CONSENT, ABSTAIN) == DecisionStatus.ADOPTED

    def test_it_rejects_when_everyone_answered_without_the_majority(self):
        assert status(majority(), partners(3), CONSENT, OBJECTION, OBJECTION) == DecisionStatus.REJECTED

    def test_it_outvotes_an_objection(self):
        assert status(majority(percent=60), partners(3), CONSENT, CONSENT, OBJECTION) == DecisionStatus.ADOPTED

    def test_it_still_rejects_on_a_block(self):
        assert status(majority(), partners(4), CONSENT, CONSENT, CONSENT, BLOCK) == DecisionStatus.REJECTED

    def test_it_rejects_when_nobody_votes_in_favour(self):
        assert status(majority(), partners(2), ABSTAIN, ABSTAIN) == DecisionStatus.REJECTED
