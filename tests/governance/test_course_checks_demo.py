"""The demo's course checks (issue 13, point 8): four closed checks of ZSM answered by several
representatives per partner, relations eroding in the latest (the chain score drops by 0.5 or more,
probation scores it 2 or lower), its alert on the steering group's next agenda; loading twice
changes nothing."""

from __future__ import annotations

import io
from collections import defaultdict
from statistics import mean

import pytest
from django.core.management import call_command

from governance.demo_names import STUURGROEP
from governance.models import Meeting, MeetingStatus
from governance.models.course_checks import CourseCheck, CourseCheckRespondent, CourseCheckScore, CourseCheckStatus
from governance.services import suggestions

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def relations_by_partner(check: CourseCheck) -> dict[str, float]:
    scores = defaultdict(list)
    rows = CourseCheckScore.objects.filter(respondent__course_check=check, statement__dimension="relations")
    for name, score in rows.values_list("respondent__partnership__organisation__short_name", "score"):
        scores[name].append(score)
    return {name: mean(values) for name, values in scores.items()}


def test_four_closed_checks_answered_by_several_representatives_per_partner(demo):
    checks = list(CourseCheck.objects.filter(chain__slug="zsm").order_by("opens_on"))
    assert len(checks) == 4 and {c.status for c in checks} == {CourseCheckStatus.CLOSED}
    for check in checks:
        assert check.statements.count() == 8
        answered = CourseCheckRespondent.objects.filter(course_check=check).answered()
        per_partner = defaultdict(int)
        for partnership in answered.values_list("partnership_id", flat=True):
            per_partner[partnership] += 1
        assert len(per_partner) >= 4 and max(per_partner.values()) >= 2
    assert CourseCheckRespondent.objects.filter(course_check=checks[-1]).exclude(open_answer="").exists()


def test_relations_erode_in_the_latest_check_and_its_alert_is_on_the_steering_groups_agenda(demo):
    *earlier, latest = CourseCheck.objects.filter(chain__slug="zsm").order_by("opens_on")
    before, now = relations_by_partner(earlier[-1]), relations_by_partner(latest)
    assert mean(before.values()) - mean(now.values()) >= 0.5
    assert now["RN"] <= 2
    latest.refresh_from_db()
    assert latest.alert, "the alert was worked out when the demo's check closed"
    meeting = (
        Meeting.objects.filter(body__name=STUURGROEP, status__in=[MeetingStatus.DRAFT, MeetingStatus.ANNOUNCED])
        .order_by("starts_at")
        .first()
    )
    found = [s for s in suggestions.compute(meeting) if s.kind == suggestions.SuggestionKind.COURSE_CHECK]
    assert found, "the course check's alert is suggested for the steering group's next meeting"


def test_loading_twice_changes_nothing(demo):
    counts = (CourseCheck.objects.count(), CourseCheckRespondent.objects.count(), CourseCheckScore.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (
        CourseCheck.objects.count(),
        CourseCheckRespondent.objects.count(),
        CourseCheckScore.objects.count(),
    ) == counts
