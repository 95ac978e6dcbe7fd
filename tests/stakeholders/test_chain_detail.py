import pytest

from stakeholders.models import PartnershipRole, PartnershipStatus
from tests.conftest import World
from tests.factories import OrganisationFactory, PartnershipFactory


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def test_it_shows_the_chain_home_to_members(world: World, client_for):
    response = client_for(world.viewer).get("/ketens/zsm/")
    assert response.status_code == 200
    assert "Politie" in response.text
    assert "Openbaar Ministerie" in response.text


def test_it_hides_the_chain_from_outsiders(world: World, client_for):
    assert client_for(world.outsider).get("/ketens/zsm/").status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(world: World, client_for):
    response = client_for(None).get("/ketens/zsm/")
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/")


def test_it_captures_mail_in_the_test_outbox(mailoutbox):
    from django.core.mail import send_mail

    send_mail("Onderwerp", "Tekst", None, ["someone@example.nl"])
    assert len(mailoutbox) == 1


def test_it_shows_mission_question_values_and_tagline(world: World, client_for):
    chain = world.chain
    chain.mission = "Samen sneller recht doen."
    chain.societal_question = "Hoe handelen we veelvoorkomende criminaliteit snel af?"
    chain.shared_values = "Snelheid\n\nZorgvuldigheid\n"
    chain.tagline = "Recht doen binnen 24 uur"
    chain.save()
    text = client_for(world.viewer).get("/ketens/zsm/").text
    assert "Samen sneller recht doen." in text
    assert "Hoe handelen we veelvoorkomende criminaliteit snel af?" in text
    assert "<li>Snelheid</li>" in text
    assert "<li>Zorgvuldigheid</li>" in text
    assert "Recht doen binnen 24 uur" in text


def test_it_groups_the_partners_by_status_with_their_role(world: World, client_for):
    world.partner_a.role = PartnershipRole.ENFORCER
    world.partner_a.save()
    PartnershipFactory(
        chain=world.chain,
        organisation=OrganisationFactory(name="Rechtspraak"),
        status=PartnershipStatus.PARTNER_OF_CHAIN,
        role=PartnershipRole.FACILITATOR,
    )
    PartnershipFactory(
        chain=world.chain, organisation=OrganisationFactory(name="Inspectie JenV"), status=PartnershipStatus.OBSERVER
    )
    text = client_for(world.viewer).get("/ketens/zsm/").text
    core = text.index("Core partner (2)")
    of_chain = text.index("Partner of the chain (1)")
    observer = text.index("Observer (1)")
    assert core < text.index("Politie") < text.index("Enforcer") < of_chain
    assert of_chain < text.index("Rechtspraak") < text.index("Facilitator") < observer < text.index("Inspectie JenV")
    # Another chain's partner is not listed.
    assert "Gemeente Groningen" not in text


def test_it_shows_edit_links_to_managers_only(world: World, client_for):
    edit_url = f"/ketens/zsm/partners/{world.partner_a.pk}/bewerken/"
    manager_page = client_for(world.manager).get("/ketens/zsm/").text
    assert edit_url in manager_page
    assert "/ketens/zsm/instellingen/" in manager_page
    assert "/ketens/zsm/partners/nieuw/" in manager_page
    for person in (world.viewer, world.lead_a):
        page = client_for(person).get("/ketens/zsm/").text
        assert edit_url not in page
        assert "/ketens/zsm/instellingen/" not in page
        assert "/ketens/zsm/partners/nieuw/" not in page


def test_it_marks_the_current_section_and_links_every_section(world: World, client_for):
    text = client_for(world.viewer).get("/ketens/zsm/").text
    assert 'href="/ketens/zsm/" aria-current="page"' in text
    for url in ("/ketens/zsm/partners/", "/ketens/zsm/organisaties/", "/ketens/zsm/mensen/", "/ketens/zsm/mandaten/"):
        assert f'href="{url}">' in text
    partners_page = client_for(world.viewer).get("/ketens/zsm/partners/").text
    assert 'href="/ketens/zsm/partners/" aria-current="page"' in partners_page
    assert 'href="/ketens/zsm/" aria-current="page"' not in partners_page


def test_it_uses_the_chain_colour_in_a_nonced_style(world: World, client_for):
    world.chain.colour = "#aa3300"
    world.chain.save()
    response = client_for(world.viewer).get("/ketens/zsm/")
    assert "border-top-color: #aa3300" in response.text
    assert "<style nonce=" in response.text
    assert ' style="' not in response.text


def test_it_keeps_the_number_of_queries_constant(world: World, client_for, max_page_queries):
    client = client_for(world.manager)
    client.get("/ketens/zsm/")  # warm up the session
    for _ in range(25):
        PartnershipFactory(chain=world.chain, status=PartnershipStatus.OBSERVER, role=PartnershipRole.FUNDER)
    # 9 for the page (the last: the header's unread-notification count), 3 for what governance
    # registers (governance/services/work.py chain_overview: next meetings, open proposals, overdue actions),
    # 1 for its bottlenecks (governance/bottleneck_parts.py: the counts; the rest only when one is open),
    # 3 for participation health (governance/participation_parts.py: the partners, their governance
    # measures, the indicator versions in force; two more for the figures when the chain has indicators),
    # 1 for the ambitions heading off target (governance/services/early_warning.py: one count).
    with max_page_queries(17):
        response = client.get("/ketens/zsm/")
    assert response.status_code == 200
    assert "Observer (25)" in response.text
