"""Where a version's decision stands, as everyone who may read its page sees it: the chain's current
partners and who may answer for each core partner, the proposal's rounds and history, the comments,
the reporting units and the audit trail — with the answers section rendered.

None of it depends on who reads it, and it changes only by a step of the proposal (a ProposalEvent),
a comment, an entry in the audit trail, a change of who-is-who in the chain (stakeholders/roster.py)
or the day (mandates are valid from and until a day; a deadline passes). So it is read once and kept
in the cache under all of those (one small query, two cache reads); a proposal of 30 partners in five
rounds took most of its page's time reading and rendering this (docs/benchmarks-consent.md).

A draft is read afresh every time: its definition and reporting units change without a step, and
a draft's page is cheap (no answers, no history).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ambitions.models import IndicatorVersion, ProposalEvent, VersionComment, VersionStatus
from ambitions.services import consensus
from ambitions.services.proposal_reads import RoundAnswers
from ambitions.views.proposals import HISTORY_SECONDS, proposal_history
from stakeholders import roster
from stakeholders.history import history_for
from stakeholders.models import Chain, Partnership, Person


@dataclass
class Standing:
    partnerships: list[Partnership]
    leads: dict[int, list[Person]]
    rounds: list[RoundAnswers]
    history: str
    comments: list[VersionComment]
    units: list[tuple[str, list[str]]]
    audit: str
    answers_html: str = ""


@dataclass
class PartnerAnswer:
    """A core partner's place in the decision: its answer, if any, and who may give it."""

    partnership: Partnership
    consent: object
    leads: list[Person] = field(default_factory=list)


@dataclass
class Decision:
    """What the page derives from the standing (no queries)."""

    core: list[Partnership]
    current_round: RoundAnswers | None
    current_answers: dict
    answers: list[PartnerAnswer]
    former_answers: list
    waiting: list[PartnerAnswer]
    without_mandate: list[Partnership]
    non_core: list[Partnership]

    def as_context(self) -> dict:
        return {
            "answers": self.answers,
            "former_answers": self.former_answers,
            "waiting": self.waiting,
            "without_mandate": self.without_mandate,
            "non_core": self.non_core,
            "current_round": self.current_round,
        }


def standing(request: HttpRequest, chain: Chain, version: IndicatorVersion) -> Standing:
    if version.status == VersionStatus.DRAFT:
        return _read(request, chain, version)
    key = _key(version)
    found = cache.get(key)
    if found is None:
        found = _read(request, chain, version)
        found.answers_html = render_to_string(
            "ambitions/version_answers.html",
            {"version": version, **decision(found).as_context()},
            request=request,
        )
        cache.set(key, found, HISTORY_SECONDS)
    return found


def decision(found: Standing) -> Decision:
    core = [p for p in found.partnerships if p.is_bound]
    current = next((r for r in found.rounds if r.is_current), None)
    answered = {c.partnership_id: c for c in (current.answers if current else [])}
    answers = [PartnerAnswer(p, answered.get(p.pk), found.leads[p.pk]) for p in core]
    core_ids = {p.pk for p in core}
    return Decision(
        core=core,
        current_round=current,
        current_answers=answered,
        answers=answers,
        # Answers given by partners that are no longer core partners: kept, and shown, but they no longer count.
        former_answers=[c for c in answered.values() if c.partnership_id not in core_ids],
        waiting=[a for a in answers if a.consent is None],
        without_mandate=[a.partnership for a in answers if not a.leads and a.consent is None],
        non_core=[p for p in found.partnerships if not p.is_bound],
    )


def _read(request: HttpRequest, chain: Chain, version: IndicatorVersion) -> Standing:
    partnerships = list(
        Partnership.objects.current().filter(chain=chain).select_related("organisation").order_by("organisation__name")
    )
    rounds, history = proposal_history(request, version)
    return Standing(
        partnerships=partnerships,
        leads=consensus.mandated_people([p for p in partnerships if p.is_bound]),
        rounds=rounds,
        history=history,
        comments=list(version.comments.select_related("person", "partnership__organisation")),
        units=_units_by_organisation(version),
        audit=audit_history(request, version),
    )


def _units_by_organisation(version: IndicatorVersion) -> list[tuple[str, list[str]]]:
    """The version's reporting units as (organisation, [unit, "parent › unit", …]), by name."""
    units: OrderedDict[str, list[str]] = OrderedDict()
    for unit in version.reporting_units.select_related("organisation", "parent").order_by("organisation__name", "name"):
        label = f"{unit.parent.name} › {unit.name}" if unit.parent else unit.name
        units.setdefault(unit.organisation.display_name, []).append(label)
    return list(units.items())


def audit_history(request: HttpRequest, version: IndicatorVersion) -> str:
    """The version's Geschiedenis (the audit trail), rendered."""
    return render_to_string("_history.html", {"history": history_for(version)}, request=request)


def _key(version: IndicatorVersion) -> str:
    return ":".join(
        str(part)
        for part in (
            "version-standing:1",
            connection.settings_dict["NAME"],  # test workers may share one Redis
            version.pk,
            version.status,
            version.round,
            *_fingerprint(version),
            roster.revision(),
            timezone.localdate().isoformat(),
            translation.get_language(),
            timezone.get_current_timezone_name(),
        )
    )


def _fingerprint(version: IndicatorVersion) -> tuple:
    """The newest step, comment and audit entry of the version, and how many comments: one query,
    written out because the ORM's six subqueries cost more to build than PostgreSQL takes to answer
    them. Times as well as ids: SQLite hands out the id of a deleted last row again."""
    steps, comments = ProposalEvent._meta.db_table, VersionComment._meta.db_table
    entries = LogEntry._meta.db_table
    content_type = ContentType.objects.get_for_model(IndicatorVersion).pk  # kept by Django after the first
    sql = f"""
        SELECT (SELECT MAX(id) FROM {steps} WHERE version_id = %s),
               (SELECT MAX(at) FROM {steps} WHERE version_id = %s),
               (SELECT MAX(id) FROM {comments} WHERE version_id = %s),
               (SELECT MAX(created_at) FROM {comments} WHERE version_id = %s),
               (SELECT COUNT(*) FROM {comments} WHERE version_id = %s),
               (SELECT MAX(id) FROM {entries} WHERE content_type_id = %s AND object_id = %s),
               (SELECT MAX(timestamp) FROM {entries} WHERE content_type_id = %s AND object_id = %s)
    """  # noqa: S608 - table names from the models' meta, values as parameters
    pk = version.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, pk, pk, pk, pk, content_type, pk, content_type, pk])
        return tuple(str(part).replace(" ", "T") for part in cursor.fetchone())
