"""The participation page (governance/views/participation.py) and the chain home's "partners that
need attention" (governance/participation_parts.py): what they show, in Dutch and English, and
their fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Attendance, AttendanceStatus
from tests.conftest import World, in_english
from tests.factories import OrganisationFactory, PartnershipFactory, PersonFactory
from tests.governance import action_fixtures as make
from tests.governance.test_participation import decided, held, position

HOME = reverse("stakeholders:chain_detail", args=["zsm"])
PAGE = reverse("governance:participation_detail", args=["zsm"])


@pytest.fixture
def body(world: World):
    body = make.body(world.chain)
    make.seat(body, world.lead_a, world.partner_a)
    make.seat(body, world.lead_b, world.partner_b)
    return body


def slipping_b(world: World, body) -> None:
    """B recorded no position on two decisions and has two overdue actions; A answered everything."""
    today = timezone.localdate()
    for n in range(2):
        decision = decided(body, world, today - timedelta(days=n + 1))
        position(decision, world.partner_a, world.lead_a)
        make.action(body, world.lead_b, today - timedelta(days=n + 1))


def test_the_page_shows_every_partner_with_its_measures_and_summary(world: World, body, client_for):
    slipping_b(world, body)
    page = client_for(world.viewer).get(PAGE).text
    assert "<caption" in page and 'scope="row"' in page and "kp-table-wrap" in page
    assert "<strong>Openbaar Ministerie</strong>: een standpunt vastgelegd bij 0 van 2 besluiten" in page
    assert "2 actiepunten over de datum" in page
    assert "Loopt terug:" in page  # the flag is a word, not a colour alone
    assert "Nergens loopt de deelname terug." in page  # Politie's summary
    assert "nog geen cijfers te leveren" in page  # no indicator: no periods yet
    assert "standpunten: vastgelegd bij minder dan 75% van de besluiten" in page


def test_the_page_reads_in_english_too(world: World, body, client_for):
    slipping_b(world, body)
    page = in_english(client_for(world.viewer)).get(PAGE).text
    assert "Openbaar Ministerie</strong>: a position recorded on 0 of 2 decisions; 2 actions overdue" in page


def test_the_page_says_when_nothing_slips(world: World, client_for):
    page = client_for(world.viewer).get(PAGE).text
    assert "Bij geen enkele partner loopt de deelname terug." in page


def test_the_page_keeps_a_fixed_number_of_queries(world: World, body, client_for, max_page_queries):
    client = client_for(world.manager)
    slipping_b(world, body)
    client.get(PAGE)
    with max_page_queries(20) as few:
        assert client.get(PAGE).status_code == 200
    for k in range(8):
        organisation = OrganisationFactory(name=f"Gemeente {k}")
        partner = PartnershipFactory(chain=world.chain, organisation=organisation)
        person = PersonFactory(email=f"g{k}@example.nl", organisation=organisation)
        seat = make.seat(body, person, partner)
        meeting = held(body, k + 1)
        Attendance.objects.create(meeting=meeting, member=seat, status=AttendanceStatus.PRESENT)
        make.action(body, person, timezone.localdate() - timedelta(days=3))
    with max_page_queries(len(few.captured_queries)):
        page = client.get(PAGE).text
    assert "Gemeente 7" in page


def test_the_chain_home_shows_the_partners_that_need_attention(world: World, body, client_for):
    slipping_b(world, body)
    page = client_for(world.viewer).get(HOME).text
    assert "Partners die aandacht nodig hebben" in page
    section = page[page.index('id="partners-needing-attention"') :]
    section = section[: section.index("</ul>")]
    assert "Openbaar Ministerie" in section and "Politie" not in section
    assert reverse("governance:participation_detail", args=["zsm"]) in page


def test_the_chain_home_leaves_the_section_out_when_nobody_slips(world: World, client_for):
    assert "Partners die aandacht nodig hebben" not in client_for(world.viewer).get(HOME).text


def test_the_governance_menu_links_to_the_page(world: World, client_for):
    page = client_for(world.viewer).get(reverse("governance:body_list", args=["zsm"])).text
    assert f'href="{PAGE}"' in page
