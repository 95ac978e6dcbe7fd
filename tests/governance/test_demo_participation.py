"""The demo's participation health (governance/demo_participation.py): in ZSM the probation service
needs attention, for its late figures (more late periods than any other partner) and its overdue
actions; loading twice changes nothing."""

import io

import pytest
from django.core.management import call_command

from governance.services import participation
from stakeholders.models import Chain


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_probation_is_slipping_in_the_demo(demo):
    zsm = Chain.objects.get(slug="zsm")
    slipping = {row.name: row for row in participation.needing_attention(zsm)}
    probation = slipping["Reclassering Nederland"]
    assert {"figures", "actions"} <= probation.flags
    assert probation.late_periods > max(
        row.late_periods for row in participation.health(zsm) if row.name != "Reclassering Nederland"
    )
    call_command("load_demo", stdout=io.StringIO())  # again: the same
    again = {row.name: row for row in participation.needing_attention(zsm)}["Reclassering Nederland"]
    assert (again.figures, again.actions_overdue) == (probation.figures, probation.actions_overdue)
