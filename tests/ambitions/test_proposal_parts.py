"""Parts that apps built on ambitions register on a proposal's page (ambitions/proposal_parts.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ambitions import proposal_parts
from ambitions.services import consensus
from tests.ambitions.test_consensus import draft
from tests.measures import Measures

pytestmark = pytest.mark.django_db


@pytest.fixture
def part_registered(settings, tmp_path):
    (tmp_path / "test_part.html").write_text("<p>Part for {{ who }} on version {{ number }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    saved = dict(proposal_parts._parts)

    def context(user, version):
        if version.status != "proposed":
            return None
        return {"who": user.full_name, "number": version.number}

    proposal_parts.register_proposal_part("test_part.html", context)
    yield
    proposal_parts._parts.clear()
    proposal_parts._parts.update(saved)


def test_a_registered_part_shows_when_it_has_something_to_show(measures: Measures, client_for, part_registered):
    w = measures.world
    version = draft(measures)
    page_url = reverse("ambitions:version_detail", args=["zsm", version.indicator_id, version.number])
    assert "Part for" not in client_for(w.manager).get(page_url).text  # None: nothing shown
    consensus.propose(w.manager, version)
    assert f"Part for {w.manager.full_name} on version 1" in client_for(w.manager).get(page_url).text
