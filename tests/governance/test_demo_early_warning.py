"""The demo's early warnings (governance/demo_early_warning.py): after loading, ZSM's programme
manager finds at least one proposed warning; loading twice raises nothing new."""

import io

import pytest
from django.core.management import call_command

from governance.models.early_warnings import EarlyWarning, EarlyWarningStatus


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_the_demo_proposes_an_early_warning(demo):
    proposed = EarlyWarning.objects.filter(chain__slug="zsm", status=EarlyWarningStatus.PROPOSED)
    assert proposed.exists()
    assert any(w.lagging for w in proposed)
    count = EarlyWarning.objects.count()
    call_command("load_demo", stdout=io.StringIO())
    assert EarlyWarning.objects.count() == count
