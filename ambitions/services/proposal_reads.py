"""What a proposal's page (and its API) reads about the proposal's life: the timeline, the answers
per round with what changed between rounds, the round being answered and who has not answered it.

Each helper costs a fixed number of queries, whatever the number of partners, rounds and steps
(the proposal page's query count is asserted). The steps themselves are services/consensus.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ambitions.models import Consent, IndicatorVersion, ProposalEvent, ProposalRound
from ambitions.models.definitions import DEFINITION_FIELDS
from stakeholders.models import Partnership


@dataclass
class RoundAnswers:
    """One round of a proposal: its text and deadline (``round``: None for a version proposed before
    rounds were kept), the answers given in it, and the definition fields that changed from the
    round before (``changed``: field names, ``reporting_units`` too; ``changed_labels``: their names
    for people)."""

    number: int
    round: ProposalRound | None
    answers: list[Consent] = field(default_factory=list)
    is_current: bool = False
    changed: list[str] = field(default_factory=list)

    @property
    def answer_by(self):
        return self.round.answer_by if self.round else None

    @property
    def changed_labels(self) -> list[str]:
        return [str(IndicatorVersion._meta.get_field(name).verbose_name) for name in self.changed]

    @property
    def silence_meaning(self) -> str:
        return self.round.silence_meaning if self.round else ""


def timeline(version: IndicatorVersion) -> list[ProposalEvent]:
    """Every step of the proposal, oldest first, with who acted, for whom and for which partner
    (one query)."""
    return list(version.events.select_related("person", "for_person", "partnership__organisation").order_by("at", "pk"))


def current_round(version: IndicatorVersion) -> ProposalRound | None:
    """The round being answered (or last answered): its text, deadline and silence rule. One query."""
    return version.rounds.filter(number=version.round).select_related("opened_by").first()


def _changed(previous: dict, current: dict) -> list[str]:
    return [name for name in (*DEFINITION_FIELDS, "reporting_units") if previous.get(name) != current.get(name)]


def answers_by_round(version: IndicatorVersion, *, current_only: bool = False) -> list[RoundAnswers]:
    """The rounds newest first, each with its answers (by organisation; who answered, for whom, by
    silence); earlier rounds' answers were given to the previous text. Two queries. With
    ``current_only``, only the round being answered (and the one before, for what changed): what
    the page reads when its history comes from the cache."""
    round_rows = version.rounds.select_related("opened_by")
    consent_rows = version.consents.select_related("person", "for_person", "partnership__organisation")
    if current_only:
        round_rows = round_rows.filter(number__in=(version.round - 1, version.round))
        consent_rows = consent_rows.filter(round=version.round)
    rounds = {r.number: r for r in round_rows}
    answers: dict[int, list[Consent]] = {}
    for consent in consent_rows.order_by("round", "partnership__organisation__name", "pk"):
        answers.setdefault(consent.round, []).append(consent)
    numbers = sorted(set(rounds) | set(answers) | {version.round})
    if current_only:
        numbers = [version.round]
    result = []
    for number in numbers:
        this, before = rounds.get(number), rounds.get(number - 1)
        result.append(
            RoundAnswers(
                number=number,
                round=this,
                answers=answers.get(number, []),
                is_current=number == version.round,
                changed=_changed(before.definition, this.definition) if this and before else [],
            )
        )
    return result[::-1]


def waiting_partners(version: IndicatorVersion, core: list[Partnership] | None = None) -> list[Partnership]:
    """The core partners (``core`` when the caller has them, else read: one more query) that have
    not answered the current round. One query."""
    if core is None:
        from ambitions.services.consensus import core_partnerships

        core = core_partnerships(version)
    answered = set(version.consents.filter(round=version.round).values_list("partnership_id", flat=True))
    return [p for p in core if p.pk not in answered]
