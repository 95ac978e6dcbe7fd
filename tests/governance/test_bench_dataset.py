"""The benchmark's governance data set (manage.py build_governance_dataset, docs/benchmarks.md): it
builds on the national set, keeps the models' rules and looks like a chain's real history, so the
figures measure what users will see. Built here at a small size (one chain, fewer decisions and
actions); the meetings are the full ten years."""

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from governance import policy
from governance.management.commands.build_governance_dataset import feed_token
from governance.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Body,
    BodyLevel,
    BodyMember,
    Decision,
    DecisionPosition,
    DecisionStatus,
    Meeting,
    MeetingStatus,
)
from governance.services import calendar_feeds, suggestions
from governance.services.representation import representation_of
from tests.services import requires_services

# The data set is written with COPY and PostgreSQL's own functions, like the national one.
pytestmark = requires_services(postgres=True)


@pytest.fixture
def dataset(db):
    out = io.StringIO()
    call_command("build_national_dataset", chains=1, units=2, indicators=4, periods=3, people=30, stdout=out)
    call_command("build_governance_dataset", decisions=300, actions=900, stdout=out)


def test_it_has_twelve_bodies_with_ten_years_of_monthly_meetings(dataset):
    bodies = list(Body.objects.filter(chain__slug="bench-1").order_by("pk"))
    assert Counter(b.level for b in bodies) == {BodyLevel.STRATEGIC: 1, BodyLevel.TACTICAL: 5, BodyLevel.OPERATIONAL: 6}
    for body in bodies:
        body.full_clean()  # escalates upwards within the chain
    per_body = Counter(Meeting.objects.values_list("body_id", flat=True))
    assert sorted(per_body.values()) == [60] + [120] * 11
    assert Meeting.objects.count() == 1380
    now = timezone.now()
    for body in bodies:
        statuses = Counter(Meeting.objects.filter(body=body).values_list("status", flat=True))
        assert statuses[MeetingStatus.HELD] == 1 and statuses[MeetingStatus.ANNOUNCED] == 1
        held = Meeting.objects.filter(body=body, starts_at__lt=now)
        assert held.exclude(status__in=[MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED]).count() == 0
        assert Attendance.objects.filter(meeting__body=body).count() == held.count() * 11
    assert AgendaItem.objects.filter(order__lte=6).count() == 1380 * 6


def test_every_partner_sits_in_every_body_with_an_alternate_and_a_mandate_to_vote(dataset):
    for body in Body.objects.all():
        found = representation_of(body)
        assert found.unrepresented == [] and found.mandate_flags == []
        speaking = [seat for seat in found.members if seat.represents_a_partner]
        assert len(speaking) == 10 and all(seat.alternate_id for seat in speaking)
    for seat in BodyMember.objects.filter(body__name="Stuurgroep"):
        seat.full_clean()


def test_decisions_positions_and_actions_keep_the_models_rules(dataset):
    assert Decision.objects.count() == 300 + 12 * 3  # and three open proposals per body
    assert DecisionPosition.objects.count() == 300 * 10
    assert ActionItem.objects.count() == 900
    for decision in Decision.objects.select_related("body"):
        assert decision.chain_id == decision.body.chain_id
        assert decision.filed_on == (decision.decided_on or decision.closes_on)
    kinds = Counter(DecisionPosition.objects.values_list("kind", flat=True))
    assert kinds["dissent"] and kinds["consent"] > kinds["dissent"]
    for position in DecisionPosition.objects.select_related("decision__body", "partnership")[:40]:
        day = timezone.localtime(position.recorded_at).date()
        assert position.recorded_by in policy.speakers_for(position.decision.body, position.partnership, on=day)
    assert not Decision.objects.filter(status=DecisionStatus.OPEN, positions__isnull=False).exists()
    # Taken and agreed under an agenda item of their meeting, where the minutes show them (the
    # proposals for the next meeting are not on its agenda yet: they are suggested).
    taken = Decision.objects.filter(meeting__isnull=False).exclude(status=DecisionStatus.OPEN)
    assert not taken.exclude(agenda_item__meeting=F("meeting")).exists()
    assert not ActionItem.objects.exclude(agenda_item__meeting=F("meeting")).exists()
    for action in ActionItem.objects.order_by("?")[:40]:
        action.full_clean()  # owner of a partner of the chain, meeting of its body, a closing note when closed


def test_the_feed_person_has_three_hundred_meetings(dataset):
    person = calendar_feeds.person_for(feed_token(Body.objects.first().chain))
    assert person is not None
    assert calendar_feeds.meetings_for(person).count() == 300


def test_the_steering_groups_next_meeting_gets_a_realistic_number_of_suggestions(dataset):
    """Old review dates came back on an agenda, as in a chain that keeps its register: what is
    suggested is recent (overdue actions, open proposals, the unfinished item), not ten years."""
    meeting = Meeting.objects.select_related("body__chain").get(
        body__level=BodyLevel.STRATEGIC, status=MeetingStatus.ANNOUNCED
    )
    found = Counter(s.kind for s in suggestions.compute(meeting))
    assert found[suggestions.SuggestionKind.CARRY] == 1
    assert found[suggestions.SuggestionKind.DECISION] == 2
    assert 0 < found[suggestions.SuggestionKind.ACTION] < 40
    assert found[suggestions.SuggestionKind.REVIEW] < 10
    overdue = ActionItem.objects.filter(body=meeting.body).overdue()
    assert overdue.exists()
    assert not overdue.filter(due_on__lt=timezone.localdate() - timedelta(days=91)).exists()
