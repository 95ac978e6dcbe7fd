"""The governance demo's course checks (settings.DEMO_LOADERS, after governance.demo): four closed
checks of ZSM, one per cadence window up to the latest whose four weeks have passed, each answered
by most of the partners' representatives in ZSM's bodies (several per partner). Content, procedure
and culture hold steady; relations erode in the latest check (the chain score drops by about a
point, and probation scores it 2), so its alert — worked out at closing, as the beat does
(governance/services/course_check_results.py) — lands on the steering group's next agenda as a
suggestion and with the programme manager as a notification.

Loading it again changes nothing: a check is found by its chain and window, and only a new one
gets respondents and answers. Only organisational data: no citizens or cases.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from stakeholders.models import Chain, Partnership

from .models.course_checks import (
    DEFAULT_OPEN_DAYS,
    CourseCheck,
    CourseCheckRespondent,
    CourseCheckScore,
    CourseCheckStatement,
    CourseCheckStatus,
    Dimension,
)
from .services import course_checks as service

CHECKS = 4
# The chain's mean per dimension, oldest check first: relations erode in the latest.
MEANS = {
    Dimension.CONTENT: (3.9, 3.8, 3.9, 3.8),
    Dimension.PROCEDURE: (3.4, 3.5, 3.6, 3.5),
    Dimension.RELATIONS: (4.1, 4.0, 3.9, 2.9),
    Dimension.CULTURE: (3.6, 3.6, 3.5, 3.4),
}
# Probation (reclassering) feels it most: its people score relations this low in the latest check.
PROBATION_RELATIONS_LATEST = 1.9
OPEN_ANSWERS = [
    "Meer openheid over elkaars capaciteit, vooral bij de reclassering.",
    "Afspraken over terugkoppeling na de ZSM-beslissing worden niet nagekomen.",
    "Vaker samen evalueren op de werkvloer, niet alleen in de stuurgroep.",
    "",
]
RELATIONS_COMMENT = "De samenwerking staat onder druk sinds de adviezen van de reclassering uitblijven."


def windows(today: date, months: int) -> list[tuple[date, date]]:
    """The last ``CHECKS`` windows whose check has closed by ``today`` (oldest first): (opens, closes)."""
    start, _ = service.window(today, months)
    if today <= start + timedelta(days=DEFAULT_OPEN_DAYS):
        start = service.window(start - timedelta(days=1), months)[0]
    found = []
    while len(found) < CHECKS:
        found.append((start, start + timedelta(days=DEFAULT_OPEN_DAYS)))
        start = service.window(start - timedelta(days=1), months)[0]
    return found[::-1]


def load_demo() -> None:
    zsm = Chain.objects.get(slug="zsm")
    asked = service.respondents_for(zsm)
    if not asked:
        return
    probation = set(Partnership.objects.filter(chain=zsm, organisation__short_name="RN").values_list("pk", flat=True))
    compute = service._compute_alert()
    for index, (opens_on, closes_on) in enumerate(windows(timezone.localdate(), zsm.course_check_cadence_months)):
        check = _check(zsm, index, opens_on, closes_on, asked, probation)
        if check is not None:
            compute(check)


@transaction.atomic
def _check(zsm, index, opens_on, closes_on, asked, probation) -> CourseCheck | None:
    if CourseCheck.objects.filter(chain=zsm, opens_on=opens_on).exists():
        return None
    closed_at = timezone.make_aware(datetime.combine(closes_on + timedelta(days=1), time(1)))
    check = CourseCheck.objects.create(
        chain=zsm, opens_on=opens_on, closes_on=closes_on, status=CourseCheckStatus.CLOSED, closed_at=closed_at
    )
    statements = CourseCheckStatement.objects.bulk_create(service._statements_for(check))
    latest = index == CHECKS - 1
    chance = random.Random(f"zsm-course-check-{index}")  # noqa: S311 (demo data, not security)
    scores = []
    for n, (person, partnership) in enumerate(sorted(asked.items())):
        answered = latest or chance.random() < 0.85
        respondent = CourseCheckRespondent.objects.create(
            course_check=check,
            person_id=person,
            partnership_id=partnership,
            answered_at=closed_at - timedelta(days=chance.randint(2, 20)) if answered else None,
            open_answer=OPEN_ANSWERS[n % len(OPEN_ANSWERS)] if answered and latest else "",
        )
        if not answered:
            continue
        for statement in statements:
            mean = MEANS[statement.dimension][index]
            if latest and statement.dimension == Dimension.RELATIONS and partnership in probation:
                mean = PROBATION_RELATIONS_LATEST
            score = min(5, max(1, round(mean + chance.uniform(-0.7, 0.7))))
            comment = RELATIONS_COMMENT if latest and partnership in probation and statement.position == 1 else ""
            if statement.dimension != Dimension.RELATIONS:
                comment = ""
            scores.append(CourseCheckScore(respondent=respondent, statement=statement, score=score, comment=comment))
    CourseCheckScore.objects.bulk_create(scores)
    return check
