"""Missing mandates are visible: the chain home, the partners page and a programme manager's My
work name every core partner that nobody can act for in a scope it needs (consent, approve
figures, vote, sign), with a link to grant one; the mandate rule counts only people whose role can
use the scope (Mandate.objects.usable_on)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from stakeholders.models import Mandate, MandateScope, Membership, Partnership, PartnershipStatus, Role
from stakeholders.permissions import has_mandate
from tests.factories import MandateFactory, MembershipFactory, PersonFactory

NEEDED = (
    MandateScope.CONSENT_INDICATORS,
    MandateScope.APPROVE_FIGURES,
    MandateScope.VOTE_IN_BODY,
    MandateScope.SIGN_AGREEMENTS,
)


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def grant_all(person, partnership) -> None:
    for scope in NEEDED:
        MandateFactory(person=person, partnership=partnership, scope=scope, valid_from=date(2024, 1, 1))


def grant_url(chain, partnership, scope) -> str:
    return f"{reverse('stakeholders:mandate_create', args=[chain.slug])}?partner={partnership.pk}&amp;scope={scope}"


# --- The rule ------------------------------------------------------------------------------------


def test_it_finds_core_partners_without_a_usable_mandate_per_scope(world):
    w = world
    grant_all(w.lead_a, w.partner_a)
    # OM: a contributor holds every mandate, which a contributor can never use; the lead only
    # one, that has expired.
    om_contributor = PersonFactory(organisation=w.org_b)
    MembershipFactory(person=om_contributor, chain=w.chain, role=Role.CONTRIBUTOR)
    grant_all(om_contributor, w.partner_b)
    MandateFactory(
        person=w.lead_b,
        partnership=w.partner_b,
        scope=MandateScope.APPROVE_FIGURES,
        valid_from=date(2024, 1, 1),
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    gaps = Mandate.objects.missing_for(Partnership.objects.filter(chain=w.chain))
    assert [(gap.partnership, gap.scopes) for gap in gaps] == [(w.partner_b, NEEDED)]
    assert not has_mandate(om_contributor, w.partner_b, MandateScope.APPROVE_FIGURES)
    assert has_mandate(w.lead_a, w.partner_a, MandateScope.APPROVE_FIGURES)

    # A steering group member may vote and sign for their partner, not consent or approve.
    steering = PersonFactory(organisation=w.org_b)
    MembershipFactory(person=steering, chain=w.chain, role=Role.STEERING_MEMBER)
    grant_all(steering, w.partner_b)
    gaps = Mandate.objects.missing_for(Partnership.objects.filter(chain=w.chain))
    assert [gap.scopes for gap in gaps] == [(MandateScope.CONSENT_INDICATORS, MandateScope.APPROVE_FIGURES)]

    # Partners of the chain and observers need no mandate of their own.
    w.partner_b.status = PartnershipStatus.PARTNER_OF_CHAIN
    w.partner_b.save()
    assert Mandate.objects.missing_for(Partnership.objects.filter(chain=w.chain)) == []


# --- The pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["stakeholders:chain_detail", "stakeholders:partnership_list"])
def test_the_chain_home_and_partners_page_name_partners_without_mandates(world, client_for, page):
    w = world
    grant_all(w.lead_a, w.partner_a)
    url = reverse(page, args=[w.chain.slug])

    html = client_for(w.manager).get(url).text
    assert "Mandates missing" in html
    # OM has nobody for any needed scope; each is a link to grant it, prefilled.
    for scope in NEEDED:
        assert grant_url(w.chain, w.partner_b, scope) in html
        assert grant_url(w.chain, w.partner_a, scope) not in html
    assert "grant a mandate for Openbaar Ministerie" in html

    # Every member reads it; only who may grant gets the links (lead A may grant for Politie only).
    html = client_for(w.viewer).get(url).text
    assert "Mandates missing" in html and "Openbaar Ministerie" in html and "Approve figures" in html
    assert "?partner=" not in html

    grant_all(w.lead_b, w.partner_b)
    assert "Mandates missing" not in client_for(w.manager).get(url).text


def test_the_grant_link_prefills_partner_and_scope(world, client_for):
    w = world
    url = reverse("stakeholders:mandate_create", args=[w.chain.slug])
    html = client_for(w.manager).get(f"{url}?partner={w.partner_b.pk}&scope=vote_in_body").text
    assert f'<option value="{w.partner_b.pk}" selected>' in html
    assert '<option value="vote_in_body" selected>' in html
    # Lead A may not grant for OM: the form does not take that partner from the link.
    html = client_for(w.lead_a).get(f"{url}?partner={w.partner_b.pk}&scope=nonsense").text
    assert f'<option value="{w.partner_b.pk}" selected>' not in html
    assert client_for(w.manager).get(f"{url}?partner=x&scope=").status_code == 200


# --- My work ---------------------------------------------------------------------------------------


def test_a_programme_managers_my_work_lists_what_is_stuck(measures, client_for):
    from ambitions.models import PeriodSubmission
    from ambitions.services import consensus, submissions
    from tests.measures import MISSING

    m, w = measures, measures.world
    my_work = reverse("stakeholders:my_work")
    before = client_for(w.manager).get(my_work).text
    assert "Proposals stopped by an objection" not in before

    # A proposal stopped by OM's objection.
    draft = consensus.new_draft(w.manager, m.count_v1)
    draft.effective_from = m.period.shifted(2).start
    draft.save()
    consensus.propose(w.manager, draft)
    consensus.respond(w.lead_b, draft, w.partner_b, "objection", "Definitie onduidelijk")
    # Two months ago: Politie submitted, but its lead's approve mandate is gone; OM never reported.
    two_back = m.period.shifted(-1)
    submissions.submit(w.contributor_a, w.chain, w.org_a, two_back, MISSING)
    Mandate.objects.filter(person=w.lead_a, scope=MandateScope.APPROVE_FIGURES).delete()
    # Three months ago: OM submitted ten days ago and nobody approved it yet.
    three_back = m.period.shifted(-2)
    submissions.submit(w.lead_b, w.chain, w.org_b, three_back, MISSING)
    PeriodSubmission.objects.filter(organisation=w.org_b).update(submitted_at=timezone.now() - timedelta(days=10))

    html = client_for(w.manager).get(my_work).text
    assert "Nothing is waiting for you." not in html
    assert "Proposals stopped by an objection" in html
    assert f"Version {draft.number} of Zaken in voorraad in ZSM" in html and "Definitie onduidelijk" in html
    assert "Partners that have not reported" in html
    assert f"Openbaar Ministerie: figures for {two_back.label()} in ZSM" in html
    assert "Submitted figures that are stuck" in html
    assert f"Figures of Politie for {two_back.label()} in ZSM" in html
    assert "nobody holds a mandate to approve them" in html
    assert f"Figures of Openbaar Ministerie for {three_back.label()} in ZSM" in html
    assert "waiting for approval since" in html
    # The missing mandates: Politie can no longer approve; nobody may vote or sign for anyone.
    assert "Mandates missing" in html and grant_url(w.chain, w.partner_a, MandateScope.APPROVE_FIGURES) in html

    # None of it is a contributor's business.
    html = client_for(w.contributor_a).get(my_work).text
    assert "Proposals stopped" not in html and "Mandates missing" not in html and "stuck" not in html


def test_the_demo_gives_every_core_partner_the_mandates_it_needs(db):
    call_command("load_demo", stdout=io.StringIO())
    assert Mandate.objects.missing_for(Partnership.objects.all()) == []
    # The police's lead can approve its figures.
    politie = Partnership.objects.get(chain__slug="zsm", organisation__short_name="Politie")
    lead = Membership.objects.get(chain__slug="zsm", person__email="lead.politie@zsm.demo").person
    assert has_mandate(lead, politie, MandateScope.APPROVE_FIGURES)
