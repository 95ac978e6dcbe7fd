"""Mandates: the list with each mandate's status, granting one, and changing its term."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stakeholders.models import Mandate, MandateScope, Role
from tests.conftest import World
from tests.factories import MandateFactory, MembershipFactory, PersonFactory

LIST = "/ketens/zsm/mandaten/"
CREATE = "/ketens/zsm/mandaten/nieuw/"


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def edit(m: Mandate, slug: str = "zsm") -> str:
    return f"/ketens/{slug}/mandaten/{m.pk}/bewerken/"


def error_at(response, field: str) -> str:
    return response.text.split(f'id="id_{field}_error"')[1].split("</div>")[0]


def options(response, field: str) -> str:
    return response.text.split(f'name="{field}"')[1].split("</select>")[0]


def grant(world: World, **overrides) -> dict:
    data = {
        "partnership": world.partner_a.pk,
        "person": world.lead_a.pk,
        "scope": MandateScope.APPROVE_FIGURES,
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "note": "Besluit directie 12 december",
    }
    data.update(overrides)
    return data


def edit_data(client, m: Mandate, **overrides) -> dict:
    """What the edit form submits when left as it is, with the version token it was served with."""
    form = client.get(edit(m)).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data["version_token"] = form["version_token"].value()
    data.update(overrides)
    return data


# --- list -------------------------------------------------------------------------------------------


def test_it_lists_the_mandates_with_their_status(world: World, client_for):
    today = timezone.localdate()
    MandateFactory(person=world.lead_a, partnership=world.partner_a, scope=MandateScope.CONSENT_INDICATORS)
    MandateFactory(
        person=world.lead_b,
        partnership=world.partner_b,
        scope=MandateScope.SIGN_AGREEMENTS,
        valid_until=today + timedelta(days=10),
    )
    MandateFactory(
        person=world.contributor_a,
        partnership=world.partner_a,
        scope=MandateScope.VOTE_IN_BODY,
        valid_from=today - timedelta(days=100),
        valid_until=today - timedelta(days=1),
    )
    MandateFactory(
        person=world.contributor_a,
        partnership=world.partner_a,
        scope=MandateScope.APPROVE_FIGURES,
        valid_from=today + timedelta(days=5),
    )
    holder_c = PersonFactory(full_name="Holder C", organisation=world.org_c)
    MandateFactory(person=holder_c, partnership=world.partner_c)
    response = client_for(world.viewer).get(LIST)
    assert response.status_code == 200
    rows = response.text.split("<tbody")[1].split("</tbody>")[0].split("</tr>")
    by_scope = {str(s.label): next((r for r in rows if str(s.label) in r), "") for s in MandateScope}
    assert "Lead-A" in by_scope["Consent to indicators"] and "Politie" in by_scope["Consent to indicators"]
    assert ">Valid<" in by_scope["Consent to indicators"]
    assert "No end date" in by_scope["Consent to indicators"]
    # Ending soon says so in words, not only in colour.
    assert "Valid, ends within 30 days" in by_scope["Sign agreements"]
    assert "Openbaar Ministerie" in by_scope["Sign agreements"]
    assert "Expired" in by_scope["Vote in a body"]
    assert "Not yet valid" in by_scope["Approve figures"]
    assert "Holder C" not in response.text  # another chain's partner
    assert CREATE not in response.text  # viewers may not grant
    assert "/bewerken/" not in response.text.split("<tbody")[1]


def test_it_offers_a_lead_the_create_link_and_edit_links_for_their_own_partner_only(world: World, client_for):
    own = MandateFactory(person=world.lead_a, partnership=world.partner_a)
    other = MandateFactory(person=world.lead_b, partnership=world.partner_b)
    text = client_for(world.lead_a).get(LIST).text
    assert CREATE in text
    assert edit(own) in text
    assert edit(other) not in text
    manager = client_for(world.manager).get(LIST).text
    assert CREATE in manager and edit(own) in manager and edit(other) in manager
    assert CREATE not in client_for(world.contributor_a).get(LIST).text


def test_it_hides_the_mandates_from_outsiders(world: World, client_for):
    assert client_for(world.outsider).get(LIST).status_code == 404


def test_it_keeps_the_mandate_list_queries_constant(world: World, client_for):
    client = client_for(world.lead_a)
    MandateFactory(person=world.lead_a, partnership=world.partner_a)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for n in range(15):
        holder = PersonFactory(organisation=world.org_b if n % 2 else world.org_a)
        MembershipFactory(person=holder, chain=world.chain, role=Role.CONTRIBUTOR)
        MandateFactory(person=holder, partnership=world.partner_b if n % 2 else world.partner_a)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert response.status_code == 200
    assert response.text.count('<td class="utrecht-table__cell">Consent to indicators</td>') == 16
    assert len(many) == len(few) <= 10  # session, person, device, chain, roles, mandates, partners, savepoints, unread


# --- granting -----------------------------------------------------------------------------------------


def test_it_lets_a_programme_manager_grant_a_mandate_for_any_partner(world: World, client_for):
    data = grant(world, partnership=world.partner_b.pk, person=world.lead_b.pk, scope=MandateScope.SIGN_AGREEMENTS)
    response = client_for(world.manager).post(CREATE, data, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    mandate = Mandate.objects.get()
    assert (mandate.person, mandate.partnership, mandate.scope) == (
        world.lead_b,
        world.partner_b,
        MandateScope.SIGN_AGREEMENTS,
    )
    assert mandate.granted_by == world.manager
    assert mandate.valid_until.isoformat() == "2026-12-31"
    assert mandate.note == "Besluit directie 12 december"
    assert "Lead-B now holds a mandate for Openbaar Ministerie: Sign agreements." in response.text


def test_it_offers_a_manager_every_partner_and_their_people_grouped(world: World, client_for):
    response = client_for(world.manager).get(CREATE)
    assert response.status_code == 200
    partners = options(response, "partnership")
    assert f'value="{world.partner_a.pk}"' in partners and f'value="{world.partner_b.pk}"' in partners
    assert f'value="{world.partner_c.pk}"' not in partners
    people = options(response, "person")
    assert '<optgroup label="Politie">' in people and '<optgroup label="Openbaar Ministerie">' in people
    assert f'value="{world.lead_a.pk}"' in people and f'value="{world.lead_b.pk}"' in people
    assert f'value="{world.viewer.pk}"' not in people  # no organisation, so can act for none
    assert f'value="{world.outsider.pk}"' not in people


def test_it_offers_a_lead_only_their_own_partner_and_its_people(world: World, client_for):
    response = client_for(world.lead_a).get(CREATE)
    assert response.status_code == 200
    partners = options(response, "partnership")
    assert f'value="{world.partner_a.pk}" selected' in partners
    assert f'value="{world.partner_b.pk}"' not in partners
    people = options(response, "person")
    assert f'value="{world.contributor_a.pk}"' in people
    assert f'value="{world.lead_b.pk}"' not in people


def test_it_lets_a_lead_grant_a_mandate_for_their_own_organisation(world: World, client_for):
    response = client_for(world.lead_a).post(CREATE, grant(world))
    assert response.status_code == 302
    mandate = Mandate.objects.get()
    assert mandate.partnership == world.partner_a
    assert mandate.person == world.lead_a
    assert mandate.granted_by == world.lead_a


def test_it_refuses_a_lead_granting_for_another_partner(world: World, client_for):
    data = grant(world, partnership=world.partner_b.pk, person=world.lead_b.pk)
    assert client_for(world.lead_a).post(CREATE, data).status_code == 403
    assert not Mandate.objects.exists()


@pytest.mark.parametrize("persona", ["viewer", "contributor_a"])
def test_it_lets_no_one_else_grant(world: World, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, grant(world)).status_code == 403
    assert not Mandate.objects.exists()


def test_it_refuses_a_mandate_that_ends_before_it_starts(world: World, client_for):
    data = grant(world, valid_from="2026-05-01", valid_until="2026-04-30")
    response = client_for(world.manager).post(CREATE, data)
    assert response.status_code == 422
    assert "A mandate cannot end before it starts." in error_at(response, "valid_until")
    assert response.text.count("A mandate cannot end before it starts.") == 1
    assert not Mandate.objects.exists()


@pytest.mark.parametrize(
    ("field", "day"),
    [("valid_from", "0001-01-01"), ("valid_until", "9999-12-31"), ("valid_from", "1999-12-31")],
)
def test_it_refuses_a_validity_date_outside_2000_to_2100(world: World, client_for, field, day):
    response = client_for(world.manager).post(CREATE, grant(world, **{field: day}))
    assert response.status_code == 422
    assert "Give a period or date between 2000 and 2100." in error_at(response, field)
    assert not Mandate.objects.exists()


def test_it_refuses_someone_of_another_organisation(world: World, client_for):
    data = grant(world, partnership=world.partner_b.pk, person=world.lead_a.pk)
    response = client_for(world.manager).post(CREATE, data)
    assert response.status_code == 422
    assert "Only someone from Openbaar Ministerie can hold a mandate for it." in error_at(response, "person")
    assert not Mandate.objects.exists()


def test_it_refuses_someone_without_a_role_in_the_chain(world: World, client_for):
    stranger = PersonFactory(full_name="Vreemde", organisation=world.org_a)
    response = client_for(world.manager).post(CREATE, grant(world, person=stranger.pk))
    assert response.status_code == 422
    assert "Select a valid choice." in error_at(response, "person")
    assert not Mandate.objects.exists()


def test_it_refuses_another_chains_partner(world: World, client_for):
    holder_c = PersonFactory(organisation=world.org_c)
    data = grant(world, partnership=world.partner_c.pk, person=holder_c.pk)
    response = client_for(world.manager).post(CREATE, data)
    assert response.status_code == 422
    assert "Select a valid choice." in error_at(response, "partnership")
    assert not Mandate.objects.exists()


@pytest.mark.parametrize("scope", [MandateScope.CONSENT_INDICATORS, MandateScope.APPROVE_FIGURES])
def test_it_refuses_a_mandate_the_holders_role_could_never_use(world: World, client_for, scope):
    # A contributor holding a consent mandate used to be asked for consent and listed as "may
    # answer" — and then refused (403). The form says so at the scope and saves nothing.
    response = client_for(world.manager).post(CREATE, grant(world, person=world.contributor_a.pk, scope=scope))
    assert response.status_code == 422
    assert "Contributor is contributor in this chain and could never use a mandate to" in error_at(response, "scope")
    assert "that needs the role programme manager / partner lead." in error_at(response, "scope")
    assert not Mandate.objects.exists()


def test_it_lets_a_steering_group_member_hold_a_mandate_to_vote_but_not_to_consent(world: World, client_for):
    member = PersonFactory(full_name="Stuur", organisation=world.org_a)
    MembershipFactory(person=member, chain=world.chain, role=Role.STEERING_MEMBER)
    client = client_for(world.manager)
    refused = client.post(CREATE, grant(world, person=member.pk, scope=MandateScope.CONSENT_INDICATORS))
    assert refused.status_code == 422
    assert "Stuur is steering group member in this chain" in error_at(refused, "scope")
    assert client.post(CREATE, grant(world, person=member.pk, scope=MandateScope.VOTE_IN_BODY)).status_code == 302
    assert Mandate.objects.get().scope == MandateScope.VOTE_IN_BODY


def test_it_refuses_changing_a_mandate_to_a_scope_its_holders_role_could_never_use(world: World, client_for):
    member = PersonFactory(full_name="Stuur", organisation=world.org_a)
    MembershipFactory(person=member, chain=world.chain, role=Role.STEERING_MEMBER)
    mandate = MandateFactory(person=member, partnership=world.partner_a, scope=MandateScope.VOTE_IN_BODY)
    client = client_for(world.manager)
    response = client.post(edit(mandate), edit_data(client, mandate, scope=MandateScope.CONSENT_INDICATORS))
    assert response.status_code == 422
    assert "Stuur is steering group member in this chain and could never use" in error_at(response, "scope")
    mandate.refresh_from_db()
    assert mandate.scope == MandateScope.VOTE_IN_BODY


def test_it_answers_htmx_with_the_form_partial_or_a_redirect_header(world: World, client_for):
    client = client_for(world.manager)
    bad = client.post(CREATE, grant(world, valid_until="2025-01-01"), headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert bad.text.lstrip().startswith("<form")
    assert "<html" not in bad.text
    good = client.post(CREATE, grant(world), headers={"HX-Request": "true"})
    assert good["HX-Redirect"] == LIST


# --- editing ----------------------------------------------------------------------------------------


def test_it_lets_a_lead_end_their_own_partners_mandate_and_shows_the_history(world: World, client_for):
    mandate = MandateFactory(person=world.lead_a, partnership=world.partner_a, granted_by=world.manager)
    client = client_for(world.lead_a)
    page = client.get(edit(mandate))
    assert page.status_code == 200
    assert "Manager" in page.text.split("Granted by")[1]  # who granted it
    response = client.post(edit(mandate), edit_data(client, mandate, valid_until="2030-06-30"), follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "The mandate of Lead-A for Politie has been saved." in response.text
    mandate.refresh_from_db()
    assert mandate.valid_until.isoformat() == "2030-06-30"
    assert mandate.granted_by == world.manager  # still who granted it; the history tells who changed it
    history = client.get(edit(mandate)).text.split('id="history-heading"')[1]
    assert "30 Jun 2030" in history
    assert "Lead-A" in history


def test_it_refuses_a_lead_editing_another_partners_mandate(world: World, client_for):
    mandate = MandateFactory(person=world.lead_b, partnership=world.partner_b)
    client = client_for(world.lead_a)
    assert client.get(edit(mandate)).status_code == 403
    assert (
        client.post(edit(mandate), {"scope": MandateScope.SPEAK_FOR_CHAIN, "valid_from": "2020-01-01"}).status_code
        == 403
    )
    mandate.refresh_from_db()
    assert mandate.scope == MandateScope.CONSENT_INDICATORS


def test_it_does_not_find_another_chains_mandate(world: World, client_for):
    mandate = MandateFactory(person=PersonFactory(organisation=world.org_c), partnership=world.partner_c)
    client = client_for(world.manager)
    assert client.get(edit(mandate)).status_code == 404
    assert (
        client.post(edit(mandate), {"scope": MandateScope.SPEAK_FOR_CHAIN, "valid_from": "2020-01-01"}).status_code
        == 404
    )
    mandate.refresh_from_db()
    assert mandate.scope == MandateScope.CONSENT_INDICATORS


def test_it_refuses_an_edit_that_ends_before_it_starts(world: World, client_for):
    mandate = MandateFactory(person=world.lead_a, partnership=world.partner_a)
    client = client_for(world.manager)
    data = edit_data(client, mandate, valid_from="2026-05-01", valid_until="2026-04-30")
    response = client.post(edit(mandate), data)
    assert response.status_code == 422
    assert "A mandate cannot end before it starts." in error_at(response, "valid_until")
    mandate.refresh_from_db()
    assert mandate.valid_until is None


def test_it_explains_why_a_mandate_of_someone_who_moved_cannot_be_changed(world: World, client_for):
    mandate = MandateFactory(person=world.contributor_a, partnership=world.partner_a)
    client = client_for(world.manager)
    data = edit_data(client, mandate, note="Nog even")
    world.contributor_a.organisation = world.org_b
    world.contributor_a.save()
    response = client.post(edit(mandate), data)
    assert response.status_code == 422
    assert "Only someone from Politie can hold a mandate for it." in response.text.split('id="form-errors"')[1]
    mandate.refresh_from_db()
    assert mandate.note == ""


def test_it_refuses_a_stale_mandate_edit(world: World, client_for):
    mandate = MandateFactory(person=world.lead_a, partnership=world.partner_a)
    client = client_for(world.lead_a)
    stale = edit_data(client, mandate, note="Mijn versie")
    colleague = client_for(world.manager)
    colleague.post(edit(mandate), edit_data(colleague, mandate, scope=MandateScope.VOTE_IN_BODY))
    response = client.post(edit(mandate), stale)
    assert response.status_code == 422
    assert "Someone else changed this while you were editing" in response.text
    assert "Vote in a body" in response.text.split('id="conflict-heading"')[1].split("</section>")[0]
    mandate.refresh_from_db()
    assert (mandate.scope, mandate.note) == (MandateScope.VOTE_IN_BODY, "")
    again = dict(stale, version_token=response.context["form"]["version_token"].value())
    assert client.post(edit(mandate), again).status_code == 302
    mandate.refresh_from_db()
    assert (mandate.scope, mandate.note) == (MandateScope.CONSENT_INDICATORS, "Mijn versie")
