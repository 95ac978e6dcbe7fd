"""Helpers the course checks' tests share (tests/governance/test_course_checks*.py, the integration
and browser tests): a chain whose bodies seat people for its partners, and a check opened by the
service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from governance.models import Body, BodyLevel, BodyMember, MemberPosition
from governance.models.course_checks import CourseCheck
from governance.services import course_checks as service
from tests.conftest import World


@dataclass
class Seats:
    world: World
    steering: Body
    tactical: Body


def seated(w: World) -> Seats:
    """A steering group (lead-a for the police, lead-b for the OM as chair, the manager as
    secretary: no partner) and a tactical body (lead-a again, and the contributor of the police)."""
    steering = Body.objects.create(chain=w.chain, name="Stuurgroep ZSM", level=BodyLevel.STRATEGIC)
    tactical = Body.objects.create(chain=w.chain, name="Tactisch overleg ZSM", level=BodyLevel.TACTICAL)
    BodyMember.objects.create(body=steering, person=w.lead_a, partnership=w.partner_a)
    BodyMember.objects.create(body=steering, person=w.lead_b, partnership=w.partner_b, position=MemberPosition.CHAIR)
    BodyMember.objects.create(body=steering, person=w.manager, position=MemberPosition.SECRETARY)
    BodyMember.objects.create(body=tactical, person=w.lead_a, partnership=w.partner_a)
    BodyMember.objects.create(body=tactical, person=w.contributor_a, partnership=w.partner_a)
    return Seats(w, steering, tactical)


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def opened(w: World, day: date = date(2026, 1, 5)) -> CourseCheck:
    """The chain's check of the window holding ``day``, opened by the service."""
    check = service.open_check(w.chain, day)
    assert check is not None
    return check


def full_scores(check: CourseCheck, score: int = 4) -> dict[int, int]:
    return dict.fromkeys(check.statements.values_list("pk", flat=True), score)


def answerable(w: World) -> CourseCheck:
    """A check opened by the service, still open for two weeks from the real today (the pages use it)."""
    today = timezone.localdate()
    check = opened(w, service.window(today, w.chain.course_check_cadence_months)[0])
    CourseCheck.objects.filter(pk=check.pk).update(closes_on=today + timedelta(days=14))
    check.refresh_from_db()
    return check


def url(check: CourseCheck, action: str = "") -> str:
    return f"/ketens/{check.chain.slug}/overleg/koerschecks/{check.pk}/{action}"


def form_data(check: CourseCheck, score: int | str = 4, **overrides) -> dict:
    data = {f"score_{pk}": str(score) for pk in check.statements.values_list("pk", flat=True)}
    data["open_answer"] = ""
    data.update(overrides)
    return data
