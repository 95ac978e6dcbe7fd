"""A lead's mandate cut short cuts the copies their stand-in holds (issue 15, stand-ins): ended
earlier, narrowed or deleted, through the mandate page or anywhere else; the past is never
rewritten, a copy not yet begun without cover is removed, and a mandate that grows never makes
a copy grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stakeholders.models import Mandate, MandateScope, StandIn
from stakeholders.models.stand_ins import follow_lead_mandates, name_stand_in
from stakeholders.permissions import acting_for, has_mandate
from tests.conftest import World
from tests.factories import MandateFactory
from tests.stakeholders.stand_in_fixtures import day, lead_and_colleague

pytestmark = pytest.mark.django_db

CONSENT = MandateScope.CONSENT_INDICATORS
VOTE = MandateScope.VOTE_IN_BODY


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


@pytest.fixture
def setting(world: World):
    """lead_a holds a consent mandate until day 30 and an open-ended vote for partner_a; a colleague
    of the same organisation, partner lead in the chain, can stand in."""
    return lead_and_colleague(world, 30, "collega@example.nl")


def stand_in_for(world: World, colleague, first: int, last: int) -> StandIn:
    # Through name_stand_in without full_clean, so a stand-in can have begun already.
    record = StandIn(
        partnership=world.partner_a, lead=world.lead_a, stand_in=colleague, starts_on=day(first), ends_on=day(last)
    )
    return name_stand_in(record)


def copies(stand_in: StandIn) -> dict[str, tuple]:
    return {m.scope: (m.valid_from, m.valid_until) for m in Mandate.objects.filter(stand_in=stand_in)}


def test_cutting_the_leads_mandate_on_its_page_cuts_the_stand_ins_copy(world: World, setting, client_for):
    consent, colleague = setting
    stand_in = stand_in_for(world, colleague, 1, 20)
    assert copies(stand_in) == {CONSENT: (day(1), day(20)), VOTE: (day(1), day(20))}
    client = client_for(world.manager)
    url = f"/ketens/zsm/mandaten/{consent.pk}/bewerken/"
    form = client.get(url).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(valid_until=day(8), version_token=form["version_token"].value())
    assert client.post(url, data).status_code == 302

    assert copies(stand_in) == {CONSENT: (day(1), day(8)), VOTE: (day(1), day(20))}
    assert has_mandate(colleague, world.partner_a, CONSENT, on=day(8))
    assert not has_mandate(colleague, world.partner_a, CONSENT, on=day(9))
    assert has_mandate(colleague, world.partner_a, VOTE, on=day(9))  # the other scope is untouched


def test_a_current_stand_in_stops_acting_today_when_the_leads_mandate_ended_yesterday(world: World, setting):
    consent, colleague = setting
    stand_in = stand_in_for(world, colleague, -5, 10)
    assert acting_for(colleague, world.partner_a, CONSENT) == world.lead_a
    consent.valid_until = day(-1)
    consent.save()
    assert copies(stand_in)[CONSENT] == (day(-5), day(-1))  # what it did stays: only the future is cut
    assert not has_mandate(colleague, world.partner_a, CONSENT)
    assert acting_for(colleague, world.partner_a, CONSENT) is None


def test_a_coming_copy_without_cover_is_removed_and_a_deleted_mandate_cuts_too(world: World, setting):
    consent, colleague = setting
    stand_in = stand_in_for(world, colleague, 5, 20)
    consent.valid_until = day(3)  # ends before the stand-in begins
    consent.save()
    assert copies(stand_in) == {VOTE: (day(5), day(20))}

    vote = Mandate.objects.get(person=world.lead_a, scope=VOTE)
    vote.delete()
    assert copies(stand_in) == {}
    assert StandIn.objects.filter(pk=stand_in.pk).exists()  # the stand-in itself is the lead's to end


def test_a_narrowed_scope_and_a_later_start_cut_as_well(world: World, setting):
    consent, colleague = setting
    stand_in = stand_in_for(world, colleague, -2, 12)
    Mandate.objects.filter(person=world.lead_a, scope=VOTE).delete()  # a queryset delete counts too
    consent.scope = VOTE  # the consent mandate now only lets the lead vote
    consent.save()
    assert copies(stand_in) == {CONSENT: (day(-2), day(-1)), VOTE: (day(-2), day(-1))}


def test_a_mandate_that_grows_leaves_the_copies_as_they_are(world: World, setting):
    consent, colleague = setting
    stand_in = stand_in_for(world, colleague, 1, 20)
    consent.valid_until = day(25)
    consent.save()
    consent.valid_until = None
    consent.save()
    assert copies(stand_in) == {CONSENT: (day(1), day(20)), VOTE: (day(1), day(20))}


def test_past_stand_ins_and_other_leads_are_untouched(world: World, setting):
    consent, colleague = setting
    past = stand_in_for(world, colleague, -20, -10)
    MandateFactory(person=world.lead_b, partnership=world.partner_b, valid_from=day(-30), valid_until=day(30))
    consent.valid_until = day(-15)
    consent.save()
    assert copies(past) == {CONSENT: (day(-20), day(-10)), VOTE: (day(-20), day(-10))}
    assert follow_lead_mandates(world.partner_b.pk, world.lead_b.pk) == 0


def test_saving_a_mandate_without_stand_ins_costs_one_query_more(world: World, setting):
    with CaptureQueriesContext(connection) as queries:
        assert follow_lead_mandates(world.partner_a.pk, world.lead_a.pk) == 0
    assert len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]) == 1
