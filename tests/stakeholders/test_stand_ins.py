"""Stand-ins (issue 15): a lead names someone with the same mandate for a period of absence."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stakeholders.models import Mandate, MandateScope, Notification, Person, Role, StandIn
from stakeholders.models.stand_ins import end_stand_in, name_stand_in
from stakeholders.permissions import acting_for, has_mandate
from tests.conftest import World
from tests.factories import MandateFactory, MembershipFactory, PersonFactory
from tests.stakeholders.stand_in_fixtures import day, lead_and_colleague

TODAY = timezone.localdate()
CONSENT = MandateScope.CONSENT_INDICATORS


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture
def setting(world: World):
    """lead_a holds consent (ends in 10 days) and vote (open-ended) mandates for partner_a;
    a colleague of the same organisation, also partner lead in the chain, can stand in."""
    return lead_and_colleague(world, 10, "colleague@example.nl")[1]


def create_url(world: World) -> str:
    return f"/ketens/zsm/partners/{world.partner_a.pk}/vervanging/nieuw/"


def data(stand_in: Person, first: int = 1, last: int = 20, **extra) -> dict:
    return {"stand_in": stand_in.pk, "starts_on": day(first), "ends_on": day(last), "reason": "vakantie", **extra}


def error_at(response, field: str) -> str:
    assert response.status_code == 422, response.status_code
    return response.text.split(f'id="id_{field}_error"')[1].split("</div>")[0]


def named(world: World, stand_in: Person, first: int = 1, last: int = 20) -> StandIn:
    record = StandIn(
        partnership=world.partner_a, lead=world.lead_a, stand_in=stand_in, starts_on=day(first), ends_on=day(last)
    )
    record.full_clean()
    return name_stand_in(record)


# --- naming, and what the stand-in may then do --------------------------------------------------------


def test_a_lead_names_a_stand_in_who_receives_the_leads_mandates_clipped(world: World, setting, client_for):
    response = client_for(world.lead_a).post(create_url(world), data(setting))
    assert response.status_code == 302
    stand_in = StandIn.objects.get()
    assert (stand_in.lead, stand_in.stand_in, stand_in.created_by) == (world.lead_a, setting, world.lead_a)
    copies = {m.scope: (m.valid_from, m.valid_until) for m in Mandate.objects.filter(stand_in=stand_in)}
    # Consent ends with the lead's own mandate (day 10); the open-ended vote with the period.
    assert copies == {CONSENT: (day(1), day(10)), MandateScope.VOTE_IN_BODY: (day(1), day(20))}
    assert all(m.person == setting for m in stand_in.mandates.all())
    texts = set(Notification.objects.filter(person=setting).values_list("text", flat=True))
    assert any("You stand in for Lead-A" in text for text in texts)


def test_the_stand_in_has_the_mandate_only_during_the_period(world: World, setting):
    named(world, setting)
    partner = world.partner_a
    assert not has_mandate(setting, partner, CONSENT, on=TODAY)
    assert has_mandate(setting, partner, CONSENT, on=day(5))
    assert not has_mandate(setting, partner, CONSENT, on=day(11))  # the lead's own consent mandate has ended
    assert has_mandate(setting, partner, MandateScope.VOTE_IN_BODY, on=day(20))
    assert not has_mandate(setting, partner, MandateScope.VOTE_IN_BODY, on=day(21))
    assert has_mandate(world.lead_a, partner, CONSENT, on=day(5))  # the lead keeps their own


def test_acting_for_names_the_lead_only_for_a_stand_ins_mandate(world: World, setting, django_assert_num_queries):
    named(world, setting)
    with django_assert_num_queries(1):
        assert acting_for(setting, world.partner_a, CONSENT, on=day(5)) == world.lead_a
    assert acting_for(setting, world.partner_a, CONSENT, on=TODAY) is None  # no mandate at all
    assert acting_for(world.lead_a, world.partner_a, CONSENT, on=day(5)) is None  # their own
    MandateFactory(person=setting, partnership=world.partner_a, valid_from=TODAY)
    assert acting_for(setting, world.partner_a, CONSENT, on=day(5)) is None  # now acts on their own mandate


def test_a_programme_manager_names_a_stand_in_for_a_lead(world: World, setting, client_for):
    response = client_for(world.manager).post(create_url(world), data(setting, lead=world.lead_a.pk))
    assert response.status_code == 302
    assert StandIn.objects.get().created_by == world.manager
    assert Notification.objects.filter(person=world.lead_a, text__contains="stands in for you").exists()


def test_the_mandate_list_shows_stand_in_mandates_and_does_not_let_them_be_edited(world: World, setting, client_for):
    stand_in = named(world, setting)
    client = client_for(world.manager)
    response = client.get("/ketens/zsm/mandaten/")
    assert "Stand-in for Lead-A until" in response.text
    copy = stand_in.mandates.first()
    assert f"/mandaten/{copy.pk}/bewerken/" not in response.text
    response = client.get(f"/ketens/zsm/mandaten/{copy.pk}/bewerken/")
    assert response.status_code == 302 and response.url == world.partner_a.get_absolute_url()


# --- refusals: a clear message at the field, nothing saved ---------------------------------------------


def assert_nothing_saved():
    assert not StandIn.objects.exists()
    assert not Mandate.objects.filter(stand_in__isnull=False).exists()


def test_a_lead_without_the_mandate_is_refused(world: World, setting, client_for):
    Mandate.objects.filter(person=world.lead_a).update(valid_until=TODAY)
    response = client_for(world.lead_a).post(create_url(world), data(setting))
    assert "holds no mandate for Politie during this period" in error_at(response, "starts_on")
    response = client_for(world.manager).post(create_url(world), data(setting, lead=world.lead_a.pk))
    assert "holds no mandate" in error_at(response, "lead")
    assert_nothing_saved()


def test_a_stand_in_from_another_organisation_is_refused(world: World, setting, client_for):
    response = client_for(world.lead_a).post(create_url(world), data(world.lead_b))
    assert "only someone from Politie can stand in for it" in error_at(response, "stand_in")
    assert_nothing_saved()


@pytest.mark.parametrize("role", [Role.CONTRIBUTOR, Role.STEERING_MEMBER])
def test_a_stand_in_whose_role_cannot_use_the_mandate_is_refused(world: World, setting, client_for, role):
    setting.memberships.update(role=role)
    response = client_for(world.lead_a).post(create_url(world), data(setting))
    assert "could not use the mandate to “Consent to indicators”" in error_at(response, "stand_in")
    assert_nothing_saved()


def test_an_inactive_stand_in_and_the_lead_themselves_are_refused(world: World, setting, client_for):
    client = client_for(world.lead_a)
    response = client.post(create_url(world), data(world.lead_a))
    assert "Name someone else than the lead" in error_at(response, "stand_in")
    Person.objects.filter(pk=setting.pk).update(is_active=False)
    response = client.post(create_url(world), data(setting))
    assert "cannot sign in, so cannot stand in" in error_at(response, "stand_in")
    assert_nothing_saved()


def test_a_period_in_the_past_or_ending_before_it_starts_is_refused(world: World, setting, client_for):
    client = client_for(world.lead_a)
    response = client.post(create_url(world), data(setting, first=-1, last=5))
    assert "cannot start in the past" in error_at(response, "starts_on")
    response = client.post(create_url(world), data(setting, first=5, last=3))
    assert "cannot end before it starts" in error_at(response, "ends_on")
    assert_nothing_saved()


def test_an_overlapping_period_is_refused(world: World, setting, client_for):
    other = PersonFactory(full_name="Ander", organisation=world.org_a)
    MembershipFactory(person=other, chain=world.chain, role=Role.PROGRAMME_MANAGER)
    first = named(world, setting, 1, 10)
    response = client_for(world.lead_a).post(create_url(world), data(other, first=10, last=15))
    assert "Collega already stands in for Lead-A" in error_at(response, "starts_on")
    assert list(StandIn.objects.all()) == [first]
    assert not Mandate.objects.filter(person=other).exists()
    # Adjacent is fine.
    assert client_for(world.lead_a).post(create_url(world), data(other, first=11, last=15)).status_code == 302


def test_the_locked_check_refuses_an_overlap_the_form_did_not_see(world: World, setting):
    """Two requests validated the same free period; the second to save is refused under the lock."""
    first = StandIn(partnership=world.partner_a, lead=world.lead_a, stand_in=setting, starts_on=day(1), ends_on=day(9))
    second = StandIn(partnership=world.partner_a, lead=world.lead_a, stand_in=setting, starts_on=day(5), ends_on=day(6))
    first.full_clean()
    second.full_clean()
    name_stand_in(first)
    with pytest.raises(ValidationError) as refused:
        name_stand_in(second)
    assert "starts_on" in refused.value.error_dict
    assert StandIn.objects.count() == 1 and Mandate.objects.filter(stand_in__isnull=False).count() == 2


# --- who may name one ------------------------------------------------------------------------------------


def test_only_the_lead_and_the_programme_manager_may_name_a_stand_in(world: World, setting, client_for):
    assert client_for(world.lead_b).get(create_url(world)).status_code == 403
    assert client_for(world.contributor_a).get(create_url(world)).status_code == 403
    assert client_for(world.outsider).get(create_url(world)).status_code == 404
    page = client_for(world.lead_a).get(create_url(world))
    assert page.status_code == 200 and 'name="lead"' not in page.text
    assert 'name="lead"' in client_for(world.manager).get(create_url(world)).text


# --- ending early --------------------------------------------------------------------------------------


def test_ending_a_current_stand_in_takes_the_rights_away_from_today(world: World, setting):
    stand_in = named(world, setting, 1, 20)
    assert end_stand_in(stand_in, today=day(4)) is False
    stand_in.refresh_from_db()
    assert stand_in.ends_on == day(3)
    assert set(stand_in.mandates.values_list("valid_until", flat=True)) == {day(3)}
    assert has_mandate(setting, world.partner_a, CONSENT, on=day(3))
    assert not has_mandate(setting, world.partner_a, CONSENT, on=day(4))


def test_ending_a_coming_stand_in_on_its_page_removes_it(world: World, setting, client_for):
    stand_in = named(world, setting, 2, 20)
    url = f"/ketens/zsm/partners/{world.partner_a.pk}/vervanging/{stand_in.pk}/beeindigen/"
    assert client_for(world.lead_b).post(url).status_code == 403
    client = client_for(world.lead_a)
    assert "has not begun yet" in client.get(url).text
    assert client.post(url).status_code == 302
    assert_nothing_saved()
    assert Notification.objects.filter(person=setting, text__contains="has ended").exists()


# --- the partner page ----------------------------------------------------------------------------------


def test_the_partner_page_lists_stand_ins_in_constant_queries(world: World, setting, client_for):
    client = client_for(world.lead_a)
    url = world.partner_a.get_absolute_url()
    named(world, setting, 1, 5)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(4):
        named(world, setting, 6 + 2 * n, 7 + 2 * n)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.text.count("Collega for Lead-A") == 5
    assert response.text.count("End early") == 5
    assert "Name a stand-in" in response.text
    assert len(many) == len(few)
    assert "Name a stand-in" not in client_for(world.lead_b).get(url).text


def test_the_audit_trail_records_the_stand_in_and_its_mandates(world: World, setting):
    from auditlog.models import LogEntry

    stand_in = named(world, setting)
    assert LogEntry.objects.get_for_object(stand_in).exists()
    assert all(LogEntry.objects.get_for_object(m).exists() for m in stand_in.mandates.all())


def test_housekeeping_does_not_warn_a_stand_in_that_their_mandate_ends(world: World, setting, mailoutbox):
    from stakeholders import tasks

    named(world, setting, 0, 5)
    assert tasks.run_housekeeping()["mandates_flagged"] == 1  # the lead's consent mandate (day 10) only
    assert [message.to for message in mailoutbox] == [[world.lead_a.email]]


def test_the_partner_page_and_form_speak_dutch(world: World, setting):
    from django.test import Client

    from tests.conftest import sign_in

    named(world, setting, 1, 5)
    client = sign_in(Client(), world.lead_a)
    page = client.get(world.partner_a.get_absolute_url()).text
    assert "Collega voor Lead-A, van" in page and "Vervanger aanwijzen" in page and "Eerder beëindigen" in page
    response = client.post(create_url(world), data(setting, first=2, last=3))
    assert "Collega vervangt Lead-A al van" in error_at(response, "starts_on")
