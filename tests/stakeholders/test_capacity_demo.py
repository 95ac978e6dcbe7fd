"""The demo's capacity assessments (stakeholders/demo_capacity.py): two years for every ZSM core
partner, probation dropping — flagged on the steering group's next agenda — and safe to load again."""

import io
from collections import Counter

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.utils import timezone

from governance.models import Meeting, MeetingStatus
from governance.services import suggestions
from stakeholders import my_work_capacity
from stakeholders.models import Person
from stakeholders.models.capacity import CapacityAssessment, window_start


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_every_core_partner_has_two_years_and_probation_drops_onto_the_steering_groups_agenda(demo):
    rows = CapacityAssessment.objects.filter(chain__slug="zsm").select_related("partnership__organisation")
    per_partner = Counter(a.partnership.organisation.short_name for a in rows)
    assert per_partner == {"OM": 4, "Politie": 4, "RN": 4, "SHN": 4, "RvdK": 4}
    probation = list(rows.filter(partnership__organisation__short_name="RN").order_by("period_start"))
    assert [a.people for a in probation] == [4, 4, 3, 2]
    assert probation[-1].people_note
    current = window_start(timezone.localdate(), 6)
    assert probation[-1].period_start == current

    meeting = Meeting.objects.select_related("body__chain").get(
        body__name="Landelijke Stuurgroep ZSM", status=MeetingStatus.ANNOUNCED
    )
    found = [s for s in suggestions.compute(meeting) if s.kind == suggestions.SuggestionKind.CAPACITY]
    assert [(s.object_id, s.title) for s in found] == [
        (probation[-1].pk, "Capaciteit Reclassering Nederland: mensen 2 (was 3)")
    ]
    # Slachtofferhulp has not assessed this half-year: its lead finds it in My work.
    waiting = my_work_capacity.waiting(Person.objects.get(email="lead.slachtofferhulp@zsm.demo"))
    assert [w.partnership.organisation.short_name for w in waiting] == ["SHN"]
    assert my_work_capacity.waiting(Person.objects.get(email="lead.reclassering@zsm.demo")) == []


def test_loading_again_changes_nothing(demo):
    before = (CapacityAssessment.objects.count(), LogEntry.objects.get_for_model(CapacityAssessment).count())
    call_command("load_demo", stdout=io.StringIO())
    after = (CapacityAssessment.objects.count(), LogEntry.objects.get_for_model(CapacityAssessment).count())
    assert after == before
