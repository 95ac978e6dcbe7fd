"""Hand-made course checks for the results, alert, API and privacy tests
(tests/governance/test_course_check_results*.py): a check with its eight statements, and
respondents who answered with given scores per dimension."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from governance.models.course_checks import (
    CourseCheck,
    CourseCheckRespondent,
    CourseCheckScore,
    CourseCheckStatement,
    CourseCheckStatus,
    Dimension,
)
from stakeholders.models import Chain, Partnership, Role
from tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory, PersonFactory

DIMENSIONS = Dimension.values


def make_check(chain: Chain, opens_on: date, closed: bool = True) -> CourseCheck:
    check = CourseCheck.objects.create(
        chain=chain,
        opens_on=opens_on,
        closes_on=opens_on + timedelta(days=28),
        status=CourseCheckStatus.CLOSED if closed else CourseCheckStatus.OPEN,
        closed_at=timezone.now() if closed else None,
    )
    CourseCheckStatement.objects.bulk_create(
        CourseCheckStatement(course_check=check, dimension=d, position=p, text=f"Stelling {d} {p}")
        for d in DIMENSIONS
        for p in (1, 2)
    )
    return check


def partner(chain: Chain, name: str) -> Partnership:
    return PartnershipFactory(chain=chain, organisation=OrganisationFactory(name=name))


def answer(
    check: CourseCheck,
    partnership: Partnership,
    scores: int | dict | None = 3,
    comment: str = "",
    open_answer: str = "",
    person=None,
) -> CourseCheckRespondent:
    """A respondent for the partner who answered: ``scores`` is one score for every statement, or
    per dimension a score or a pair (statement 1, statement 2); a dimension left out is 3."""
    if person is None:
        person = PersonFactory(organisation=partnership.organisation)
        MembershipFactory(person=person, chain=check.chain, role=Role.CONTRIBUTOR)
    respondent = CourseCheckRespondent.objects.create(
        course_check=check, person=person, partnership=partnership, answered_at=timezone.now(), open_answer=open_answer
    )
    per_dimension = scores if isinstance(scores, dict) else dict.fromkeys(DIMENSIONS, scores)
    rows = []
    for statement in check.statements.all():
        value = per_dimension.get(statement.dimension, 3)
        if isinstance(value, tuple):
            value = value[statement.position - 1]
        rows.append(CourseCheckScore(respondent=respondent, statement=statement, score=value, comment=comment))
    CourseCheckScore.objects.bulk_create(rows)
    return respondent


def ask(check: CourseCheck, partnership: Partnership) -> CourseCheckRespondent:
    """Someone asked who has not answered."""
    person = PersonFactory(organisation=partnership.organisation)
    return CourseCheckRespondent.objects.create(course_check=check, person=person, partnership=partnership)
