"""The demo's public page (governance/demo_public_page.py): ZSM's page is on, backed by the
steering group's adopted decision, with three indicators and no unit figures; anyone can read it,
and the demo chains' colours pass the contrast rule; loading twice changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from governance.models import BodyLevel, DecisionStatus
from governance.models.public_page import PublicPage
from stakeholders.colours import contrast_with_white
from stakeholders.models import Chain


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_zsms_public_page_is_on_in_the_demo(demo):
    page = PublicPage.objects.get(chain__slug="zsm")
    assert page.enabled and not page.show_units
    assert page.decision.status == DecisionStatus.ADOPTED
    assert page.decision.body.level == BodyLevel.STRATEGIC
    assert page.decision.positions.count() == 5  # every core partner consented
    assert page.indicators.count() == 3
    page.full_clean()

    response = Client().get("/openbaar/zsm/")
    assert response.status_code == 200
    for indicator in page.indicators.all():
        assert indicator.name in response.text
    assert Client().get("/openbaar/jeugdzorg-utrecht/").status_code == 404

    for chain in Chain.objects.all():
        assert contrast_with_white(chain.colour) >= 4.5, chain.slug

    call_command("load_demo", stdout=io.StringIO())  # again: the same
    assert PublicPage.objects.count() == 1
    assert list(PublicPage.objects.get(chain__slug="zsm").indicators.all()) == list(page.indicators.all())
