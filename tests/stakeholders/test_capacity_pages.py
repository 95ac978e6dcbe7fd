"""The capacity pages: the chain's overview with trend and flags, a partner's history, assessing
(prefilled, updating within a period, concurrency, bad input, who may) and My work's item."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stakeholders import my_work_capacity
from stakeholders.models import PartnershipStatus, Role
from stakeholders.models.capacity import CapacityAssessment, shift_window, window_start
from tests.conftest import World
from tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory, PersonFactory
from tests.stakeholders.capacity_fixtures import assess, form_data

OVERVIEW = "/ketens/zsm/capaciteit/"


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def now_window() -> date:
    return window_start(timezone.localdate(), 6)


def before(steps: int = 1) -> date:
    return shift_window(now_window(), 6, -steps)


def partner_page(world: World) -> str:
    return f"/ketens/zsm/capaciteit/{world.partner_a.pk}/"


def assess_url(partnership) -> str:
    return f"/ketens/{partnership.chain.slug}/capaciteit/{partnership.pk}/beoordelen/"


def error_at(response, field: str) -> str:
    return response.text.split(f'id="id_{field}_error"')[1].split("</div>")[0]


# --- the overview ------------------------------------------------------------------------------


def test_the_overview_shows_each_partners_latest_scores_with_trend_and_flags_in_words(world: World, client_for):
    assess(world.partner_a, before(), people=4, money=3)
    assess(world.partner_a, now_window(), people=2, money=4)
    assess(world.partner_b, before(), knowledge=5)
    response = client_for(world.viewer).get(OVERVIEW)
    assert response.status_code == 200
    table = response.text.split('id="capacity-table"')[1].split("</table>")[0]
    politie = table.split("Politie")[1].split("</tr>")[0]
    assert "<strong>2</strong>" in politie and "down from 4" in politie and "(flagged)" in politie
    assert "up from 3" in politie
    om = table.split("Openbaar Ministerie")[1].split("</tr>")[0]
    assert "This period not assessed yet" in om
    assert "Assess" not in om  # the viewer assesses for nobody
    flags = response.text.split('id="capacity-flags"')[1].split("</ul>")[0]
    assert "Politie" in flags and "People: 2, low and dropped from 4" in flags
    assert "Openbaar Ministerie" not in flags
    assert "1 core partner has not assessed this period yet." in response.text


def test_the_overview_leaves_out_partners_that_are_not_core(world: World, client_for):
    court = PartnershipFactory(
        chain=world.chain,
        organisation=OrganisationFactory(name="Rechtspraak"),
        status=PartnershipStatus.PARTNER_OF_CHAIN,
    )
    assess(court, now_window())
    response = client_for(world.manager).get(OVERVIEW)
    assert "Rechtspraak" not in response.text.split('id="capacity-table"')[1]


def test_the_overview_offers_a_lead_only_their_own_partner(world: World, client_for):
    response = client_for(world.lead_a).get(OVERVIEW)
    assert assess_url(world.partner_a) in response.text
    assert assess_url(world.partner_b) not in response.text
    manager = client_for(world.manager).get(OVERVIEW)
    assert assess_url(world.partner_a) in manager.text and assess_url(world.partner_b) in manager.text


def test_the_overview_costs_the_same_queries_whatever_the_history(world: World, client_for, max_page_queries):
    client = client_for(world.viewer)
    client.get(OVERVIEW)
    with CaptureQueriesContext(connection) as few:
        client.get(OVERVIEW)
    for steps in range(8):
        assess(world.partner_a, before(steps), people=3)
        assess(world.partner_b, before(steps), people=5 - steps % 3)
    for n in range(4):
        PartnershipFactory(chain=world.chain, organisation=OrganisationFactory(name=f"Gemeente {n}"))
    with max_page_queries(9), CaptureQueriesContext(connection) as many:
        response = client.get(OVERVIEW)
    assert response.status_code == 200
    assert len(many) == len(few)


# --- a partner's history -----------------------------------------------------------------------------


def test_the_partner_page_shows_every_period_against_the_one_before_and_the_history(world: World, client_for):
    assess(world.partner_a, before(2), people=5)
    assess(world.partner_a, before(1), people=3, money=3, by=world.lead_a)
    client = client_for(world.lead_a)
    client.post(assess_url(world.partner_a), form_data(now_window(), people=3, money=2, money_note="Bezuiniging"))
    response = client.get(partner_page(world))
    assert response.status_code == 200
    rows = response.text.split('id="capacity-history"')[1].split("</table>")[0].split("<tr")[2:]
    assert len(rows) == 3
    assert "Money: 2, 2 or lower" in rows[0]
    assert "People: 3, dropped from 5" in rows[1]
    assert "None" in rows[2]
    assert "Bezuiniging" in response.text
    history = response.text.split('id="history-heading"')[1]
    assert "Lead-A" in history and "Bezuiniging" in history


# --- assessing ---------------------------------------------------------------------------------------


def test_the_form_is_prefilled_with_the_previous_assessment(world: World, client_for):
    assess(world.partner_a, before(), people=2, mandate=5)
    form = client_for(world.lead_a).get(assess_url(world.partner_a)).context["form"]
    assert form.initial["people"] == 2 and form.initial["mandate"] == 5
    assert form.initial["people_note"] == "Te weinig mensen"
    assert form.initial["period_start"] == now_window().isoformat()
    assert form.instance.pk is None


def test_a_lead_assesses_their_partner_and_assessing_again_in_the_period_changes_it(world: World, client_for):
    client = client_for(world.lead_a)
    response = client.post(assess_url(world.partner_a), form_data(now_window(), people=3))
    assert response.status_code == 302
    saved = CapacityAssessment.objects.get()
    assert (saved.partnership, saved.chain, saved.period_start, saved.people) == (
        world.partner_a,
        world.chain,
        now_window(),
        3,
    )
    assert saved.assessed_by == world.lead_a
    form = client.get(assess_url(world.partner_a)).context["form"]
    assert form.instance == saved
    token = form["version_token"].value()
    response = client.post(assess_url(world.partner_a), form_data(now_window(), token, people=2, people_note="Ziekte"))
    assert response.status_code == 302
    saved.refresh_from_db()
    assert CapacityAssessment.objects.count() == 1
    assert (saved.people, saved.people_note) == (2, "Ziekte")


def test_a_change_made_meanwhile_is_never_overwritten(world: World, client_for):
    lead, manager = client_for(world.lead_a), client_for(world.manager)
    assess(world.partner_a, now_window(), people=4)
    token = lead.get(assess_url(world.partner_a)).context["form"]["version_token"].value()
    stale = manager.get(assess_url(world.partner_a)).context["form"]["version_token"].value()
    assert lead.post(assess_url(world.partner_a), form_data(now_window(), token, people=3)).status_code == 302
    response = manager.post(assess_url(world.partner_a), form_data(now_window(), stale, people=5))
    assert response.status_code == 422
    assert "Someone else changed this" in response.text
    assert CapacityAssessment.objects.get().people == 3


def test_a_second_first_assessment_of_the_period_does_not_replace_the_first(world: World, client_for):
    # Both opened the empty form; the second save finds the first one's assessment.
    lead, manager = client_for(world.lead_a), client_for(world.manager)
    assert lead.post(assess_url(world.partner_a), form_data(now_window(), people=3)).status_code == 302
    response = manager.post(assess_url(world.partner_a), form_data(now_window(), people=5))
    assert response.status_code == 422
    assert CapacityAssessment.objects.get().people == 3


def test_the_previous_period_may_still_be_assessed(world: World, client_for):
    client = client_for(world.lead_a)
    assert client.post(assess_url(world.partner_a), form_data(before(), people=3)).status_code == 302
    assert CapacityAssessment.objects.get().period_start == before()
    form = client.get(assess_url(world.partner_a) + f"?period_start={before().isoformat()}").context["form"]
    assert form.instance.period_start == before()


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("people", {"people": 7}),
        ("people", {"people": 0}),
        ("money", {"money": "veel"}),
        ("money", {"money": ""}),
        ("people_note", {"people": 2}),
        ("knowledge_note", {"knowledge": 1, "knowledge_note": "   "}),
        ("period_start", {"period_start": "2026-03-01"}),
        ("period_start", {"period_start": "1999-01-01"}),
        ("period_start", {"period_start": "morgen"}),
    ],
)
def test_bad_input_gets_a_message_at_the_field_and_nothing_is_saved(world: World, client_for, field, data):
    posted = form_data(before(2) if field != "period_start" else now_window())
    posted.update({"period_start": now_window().isoformat()} if field != "period_start" else {})
    posted.update(data)
    response = client_for(world.lead_a).post(assess_url(world.partner_a), posted)
    assert response.status_code == 422
    assert error_at(response, field).strip()
    assert not CapacityAssessment.objects.exists()


def test_the_period_before_the_previous_one_is_out_of_range(world: World, client_for):
    response = client_for(world.lead_a).post(assess_url(world.partner_a), form_data(before(2)))
    assert response.status_code == 422
    assert "Choose the current period or the one before it." in error_at(response, "period_start")
    assert not CapacityAssessment.objects.exists()


def test_nobody_assesses_for_another_organisation(world: World, client_for):
    for person in (world.lead_b, world.contributor_a, world.viewer):
        client = client_for(person)
        assert client.get(assess_url(world.partner_a)).status_code == 403
        assert client.post(assess_url(world.partner_a), form_data(now_window())).status_code == 403
    assert not CapacityAssessment.objects.exists()


def test_a_partner_that_is_not_core_is_not_asked(world: World, client_for):
    court = PartnershipFactory(
        chain=world.chain,
        organisation=OrganisationFactory(name="Rechtspraak"),
        status=PartnershipStatus.PARTNER_OF_CHAIN,
    )
    client = client_for(world.manager)
    assert client.get(assess_url(court)).status_code == 404
    assert client.post(assess_url(court), form_data(now_window())).status_code == 404
    assert not CapacityAssessment.objects.exists()


# --- My work -----------------------------------------------------------------------------------------


def test_my_work_shows_a_leads_assessment_until_the_current_period_is_assessed(world: World, client_for):
    assess(world.partner_a, before())
    client = client_for(world.lead_a)
    page = client.get("/")
    assert 'id="my-capacity"' in page.text
    assert assess_url(world.partner_a) in page.text.split('id="my-capacity"')[1].split("</ul>")[0]
    assert assess_url(world.partner_b) not in page.text
    assess(world.partner_a, now_window())
    assert 'id="my-capacity"' not in client.get("/").text


def test_my_work_asks_only_leads_of_core_partners(world: World, client_for):
    for person in (world.contributor_a, world.viewer, world.manager):
        assert my_work_capacity.waiting(person) == []
    world.partner_a.status = PartnershipStatus.OBSERVER
    world.partner_a.save()
    assert my_work_capacity.waiting(world.lead_a) == []


def test_my_works_item_costs_one_query_whatever_the_chains(world: World, django_assert_num_queries):
    lead = PersonFactory(organisation=world.org_a)
    MembershipFactory(person=lead, chain=world.chain, role=Role.PARTNER_LEAD)
    for n in range(3):
        chain = PartnershipFactory(organisation=world.org_a).chain
        MembershipFactory(person=lead, chain=chain, role=Role.PARTNER_LEAD)
        assess(chain.partnerships.get(), before(n + 1))
    with django_assert_num_queries(my_work_capacity.QUERIES):
        found = my_work_capacity.waiting(lead)
    assert len(found) == 4


def test_the_form_reads_well_in_dutch(world: World):
    from django.test import Client

    from tests.conftest import sign_in

    page = sign_in(Client(), world.lead_a).get(assess_url(world.partner_a)).text
    assert "Toelichting bij data en IT" in page
    assert "niet verplicht" not in page  # the help text says when an explanation is needed
    assert "Verplicht bij een score van 2 of lager" in page


def test_a_core_partners_page_links_to_its_capacity(world: World, client_for):
    page = client_for(world.viewer).get(f"/ketens/zsm/partners/{world.partner_a.pk}/").text
    assert partner_page(world) in page
    world.partner_a.status = PartnershipStatus.OBSERVER
    world.partner_a.save()
    assert partner_page(world) not in client_for(world.viewer).get(f"/ketens/zsm/partners/{world.partner_a.pk}/").text
