"""Matrix rows of course checks (governance/views/course_checks.py and its API);
see tests/matrix/partner_health/__init__.py.

Objects, per target (D1's ``add_objects``): ``course_check``, an open check (partner A's and
partner B's targets: two checks of zsm; the other chain's its own) that lead A (for partner A) and,
in the other chain, the outsider (for partner C) were asked to answer, nobody has yet; and
``closed_course_check``, a closed one answered by lead A and lead B (zsm) or the outsider (the
other chain). Every member reads the list and the pages; only someone asked answers (anyone else
of the chain 403 with a page saying why); the statements are the programme manager's.
The results' rows (D2) are in tests/matrix/partner_health/course_check_results.py, on these objects.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from governance.models.course_checks import (
    CourseCheck,
    CourseCheckRespondent,
    CourseCheckScore,
    CourseCheckStatement,
    CourseCheckStatus,
)
from governance.services.course_checks import DEFAULT_STATEMENTS
from tests.matrix.objects import Objects, in_chain, of
from tests.matrix.policy import (
    ADMIN,
    ANONYMOUS,
    FORGED,
    LEAD_A,
    LOGIN,
    MANAGE,
    OK,
    OTHER,
    OUTSIDER,
    PARTNER_A,
    PARTNER_B,
    READ,
)
from tests.matrix.rows import Row, posting


def ANSWERS(persona: str, target: str) -> int | str:
    """Answering: only someone asked (lead A in zsm, the outsider in the other chain); any other
    member of the chain 403 (a page that says why); found in the chain first."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404
    if target == OTHER:
        return {OUTSIDER: OK, ADMIN: 403}.get(persona, 404)
    if persona == OUTSIDER:
        return 404
    return OK if persona == LEAD_A else 403


def all_scores(o: Objects, target: str) -> dict:
    check = o.get("course_check", target)
    return {f"score_{pk}": "4" for pk in check.statements.values_list("pk", flat=True)}


def answered_count(o: Objects, target: str) -> int:
    return CourseCheckRespondent.objects.filter(course_check=o.get("course_check", target)).answered().count()


def a_new_statement(o: Objects, target: str) -> dict:
    return {"text_relations_1": "Wij spreken elkaar aan op afspraken."}


def statement_text(o: Objects, target: str) -> str:
    check = o.get("course_check", target)
    return CourseCheckStatement.objects.get(course_check=check, dimension="relations", position=1).text


ROWS: list[Row] = [
    Row("governance:course_check_list", in_chain(), READ),
    Row("governance:course_check_detail", of("course_check"), READ),
    Row("governance:course_check_answer", of("course_check"), ANSWERS),
    posting("governance:course_check_answer", of("course_check"), ANSWERS, all_scores, answered_count),
    Row("governance:course_check_statements", of("course_check"), MANAGE),
    posting("governance:course_check_statements", of("course_check"), MANAGE, a_new_statement, statement_text),
]


def _check(chain, opens_on: date, asked: dict, closed: bool = False) -> CourseCheck:
    today = timezone.localdate()
    check = CourseCheck.objects.create(
        chain=chain,
        opens_on=opens_on,
        closes_on=opens_on + timedelta(days=28) if closed else today + timedelta(days=14),
        status=CourseCheckStatus.CLOSED if closed else CourseCheckStatus.OPEN,
        closed_at=timezone.now() if closed else None,
    )
    statements = CourseCheckStatement.objects.bulk_create(
        CourseCheckStatement(course_check=check, dimension=dimension, position=n, text=str(text))
        for dimension, texts in DEFAULT_STATEMENTS.items()
        for n, text in enumerate(texts, start=1)
    )
    for person, (partnership, score) in asked.items():
        respondent = CourseCheckRespondent.objects.create(
            course_check=check, person=person, partnership=partnership, answered_at=timezone.now() if closed else None
        )
        if closed:
            CourseCheckScore.objects.bulk_create(
                CourseCheckScore(respondent=respondent, statement=s, score=score) for s in statements
            )
    return check


def add_objects(w, found) -> None:
    """Adds the objects this module's rows point at to ``found.by_kind`` (one per target)."""
    zsm_asked = {w.lead_a: (w.partner_a, 4)}
    other_asked = {w.outsider: (w.partner_c, 3)}
    found.by_kind["course_check"] = {
        PARTNER_A: _check(w.chain, date(2026, 1, 1), zsm_asked),
        PARTNER_B: _check(w.chain, date(2025, 7, 1), zsm_asked),
        OTHER: _check(w.other_chain, date(2026, 1, 1), other_asked),
    }
    zsm_answered = {w.lead_a: (w.partner_a, 4), w.lead_b: (w.partner_b, 2)}
    found.by_kind["closed_course_check"] = {
        PARTNER_A: _check(w.chain, date(2024, 1, 1), zsm_answered, closed=True),
        PARTNER_B: _check(w.chain, date(2023, 7, 1), zsm_answered, closed=True),
        OTHER: _check(w.other_chain, date(2024, 1, 1), {w.outsider: (w.partner_c, 3)}, closed=True),
    }
