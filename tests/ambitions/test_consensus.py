"""Fixing an indicator's definition by consensus, through the pages: propose, consent or object,
comment, the lock on a proposed or adopted definition, and a new version from a later period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambitions.forms.versions import IndicatorVersionEditForm
from ambitions.models import (
    Consent,
    ConsentPosition,
    Indicator,
    IndicatorVersion,
    LockedVersionError,
    VersionComment,
    VersionStatus,
)
from ambitions.services import consensus
from ambitions.services.versions import version_for
from stakeholders.digest import send_daily_digests
from stakeholders.models import Mandate, MandateScope, Notification, PartnershipStatus, Role
from tests.ambitions.test_setup import in_english, version_data
from tests.conftest import recount_unread, sign_in
from tests.factories import MandateFactory, MembershipFactory, PartnershipFactory, PersonFactory, UnitFactory
from tests.measures import Measures, adopted_version

pytestmark = pytest.mark.django_db


def draft(m: Measures, name: str = "Binnen 48 uur afgedaan", **fields) -> IndicatorVersion:
    """A new indicator of the zsm ambition with a draft version 1, reported by units A and B."""
    indicator = Indicator.objects.create(ambition=m.ambition, name=name)
    fields = {"status": VersionStatus.DRAFT, "effective_from": date(2026, 1, 1), **fields}
    return adopted_version(indicator, [m.world.unit_a, m.world.unit_b], **fields)


def url(name: str, version: IndicatorVersion, slug: str = "zsm") -> str:
    return reverse(f"ambitions:{name}", args=[slug, version.indicator_id, version.number])


def status_of(version: IndicatorVersion) -> str:
    return IndicatorVersion.objects.values_list("status", flat=True).get(pk=version.pk)


def propose(m: Measures, version: IndicatorVersion):
    """Through the page, as the programme manager."""
    return sign_in(Client(), m.world.manager).post(url("version_propose", version))


# --- From draft to adopted ----------------------------------------------------------------------


def test_it_adopts_a_version_when_every_core_partner_consents_and_locks_it(
    measures: Measures, client_for, django_capture_on_commit_callbacks
):
    w = measures.world
    manager = client_for(w.manager)
    created = manager.post(
        reverse("ambitions:indicator_create", args=["zsm", measures.ambition.pk]),
        {"name": "Binnen 48 uur", **version_data(w)},
    )
    version = IndicatorVersion.objects.get(indicator__name="Binnen 48 uur")
    assert created["Location"] == url("version_detail", version)
    page = manager.get(url("version_detail", version))
    assert url("version_propose", version) in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(url("version_propose", version))
    assert response.status_code == 302
    assert status_of(version) == VersionStatus.PROPOSED

    # Both mandated leads are asked in the portal, with a link to the version's page, and by e-mail
    # in their daily digest.
    notified = Notification.objects.filter(key=f"consent-asked:{version.pk}:1")
    assert {n.person for n in notified} == {w.lead_a, w.lead_b}
    assert all(n.url == url("version_detail", version) for n in notified)
    assert mail.outbox == []
    send_daily_digests()
    assert sorted(message.to[0] for message in mail.outbox) == ["lead-a@example.nl", "lead-b@example.nl"]
    assert all(url("version_detail", version) in message.body for message in mail.outbox)

    lead_a, lead_b = client_for(w.lead_a), client_for(w.lead_b)
    detail = lead_a.get(url("version_detail", version))
    assert url("version_respond", version) in detail.text
    assert "Lead-B" in detail.text  # still to answer, named

    assert lead_a.post(url("version_respond", version), {"position": "consent"}).status_code == 302
    assert status_of(version) == VersionStatus.PROPOSED
    assert lead_b.post(url("version_respond", version), {"position": "consent"}).status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.ADOPTED and version.decided_at is not None

    # The page shows who consented, and offers nobody an answer any more.
    detail = lead_b.get(url("version_detail", version))
    assert "Lead-A" in detail.text and "Lead-B" in detail.text
    assert url("version_respond", version) not in detail.text

    # Locked: the edit page refuses, the form refuses, the model refuses.
    refused = manager.get(url("version_edit", version))
    assert refused.status_code == 409
    posted = manager.post(url("version_edit", version), version_data(w, unit_label="zaken"))
    assert posted.status_code == 409
    version.refresh_from_db()
    assert version.unit_label == "%"
    form = IndicatorVersionEditForm(version_data(w, unit_label="zaken"), instance=version, chain=w.chain)
    assert not form.is_valid() and form.is_locked
    version.unit_label = "zaken"
    with pytest.raises(LockedVersionError):
        version.save()


def test_it_stops_a_version_on_an_objection_with_its_reason(measures: Measures, client_for):
    w = measures.world
    version = draft(measures)
    assert propose(measures, version).status_code == 302
    response = client_for(w.lead_a).post(
        url("version_respond", version), {"position": "objection", "reason": "De noemer telt ook sepots mee."}
    )
    assert response.status_code == 302
    assert status_of(version) == VersionStatus.STOPPED
    page = client_for(w.viewer).get(url("version_detail", version))
    assert "De noemer telt ook sepots mee." in page.text and "Lead-A" in page.text
    # Lead B can no longer answer: no form, and a post changes nothing.
    lead_b = client_for(w.lead_b)
    assert url("version_respond", version) not in lead_b.get(url("version_detail", version)).text
    lead_b.post(url("version_respond", version), {"position": "consent"})
    assert Consent.objects.filter(version=version).count() == 1


def test_it_refuses_an_objection_without_reason_at_the_reason_field(measures: Measures, client_for):
    w = measures.world
    version = draft(measures)
    propose(measures, version)
    response = client_for(w.lead_a).post(url("version_respond", version), {"position": "objection", "reason": "  "})
    assert response.status_code == 422
    assert 'id="id_reason_error"' in response.text
    assert response.context["respond_form"].errors["reason"]
    assert not Consent.objects.filter(version=version).exists()
    assert status_of(version) == VersionStatus.PROPOSED


def test_it_refuses_an_answer_without_a_choice(measures: Measures, client_for):
    version = draft(measures)
    propose(measures, version)
    response = client_for(measures.world.lead_a).post(url("version_respond", version), {"reason": "Hm"})
    assert response.status_code == 422
    assert 'id="id_position_error"' in response.text
    assert not Consent.objects.exists()


def test_it_answers_htmx_with_the_answer_section(measures: Measures, client_for):
    version = draft(measures)
    propose(measures, version)
    response = client_for(measures.world.lead_a).post(
        url("version_respond", version), {"position": "objection"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<section id="respond"')


# --- Partners of the chain, and who may answer --------------------------------------------------------


def test_a_partner_of_the_chain_comments_but_is_not_asked_and_does_not_block(
    measures: Measures, client_for, django_capture_on_commit_callbacks
):
    w = measures.world
    w.partner_b.status = PartnershipStatus.PARTNER_OF_CHAIN
    w.partner_b.save()
    version = draft(measures)
    with django_capture_on_commit_callbacks(execute=True):
        propose(measures, version)
    send_daily_digests()
    assert [m.to for m in mail.outbox] == [["lead-a@example.nl"]]
    assert not Notification.objects.filter(person=w.lead_b).exists()

    lead_b = client_for(w.lead_b)
    page = lead_b.get(url("version_detail", version))
    assert url("version_comment", version) in page.text
    assert url("version_respond", version) not in page.text
    assert lead_b.post(url("version_comment", version), {"text": "Wij leveren de noemer aan."}).status_code == 302
    comment = VersionComment.objects.get(version=version)
    assert comment.partnership == w.partner_b and comment.person == w.lead_b
    assert lead_b.post(url("version_respond", version), {"position": "objection", "reason": "Nee"}).status_code == 403
    assert not Consent.objects.exists()

    client_for(w.lead_a).post(url("version_respond", version), {"position": "consent"})
    assert status_of(version) == VersionStatus.ADOPTED
    assert "Wij leveren de noemer aan." in client_for(w.viewer).get(url("version_detail", version)).text


def test_it_refuses_an_answer_from_a_lead_without_mandate(measures: Measures, client_for):
    w = measures.world
    version = draft(measures)
    propose(measures, version)
    deputy = PersonFactory(email="deputy-a@example.nl", organisation=w.org_a)
    MembershipFactory(person=deputy, chain=w.chain, role=Role.PARTNER_LEAD)
    client = client_for(deputy)
    assert url("version_respond", version) not in client.get(url("version_detail", version)).text
    assert client.post(url("version_respond", version), {"position": "consent"}).status_code == 403
    # An expired mandate is no mandate.
    MandateFactory(
        person=deputy,
        partnership=w.partner_a,
        scope=MandateScope.CONSENT_INDICATORS,
        valid_from=date(2024, 1, 1),
        valid_until=date(2024, 12, 31),
    )
    assert client.post(url("version_respond", version), {"position": "consent"}).status_code == 403
    for persona in ("viewer", "contributor_a", "manager", "admin"):
        assert (
            client_for(getattr(w, persona)).post(url("version_respond", version), {"position": "consent"}).status_code
            == 403
        )
    assert not Consent.objects.exists()


def test_it_warns_when_a_core_partner_has_nobody_to_consent(measures: Measures, client_for):
    w = measures.world
    Mandate.objects.filter(person=w.lead_b, scope=MandateScope.CONSENT_INDICATORS).delete()
    version = draft(measures)
    manager = in_english(client_for(w.manager))
    page = manager.get(url("version_detail", version))
    assert "<strong>Nobody with a consent mandate</strong>" in page.text
    assert "Nobody may consent for these core partners yet" in page.text
    response = manager.post(url("version_propose", version), follow=True)
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == ["Nobody may consent for OM yet: a partner lead needs a mandate to consent to indicators."]


def test_it_refuses_other_chains_versions_as_not_found(measures: Measures, client_for):
    w = measures.world
    other = IndicatorVersion.objects.get(indicator=measures.other_indicator)
    forged = reverse("ambitions:version_detail", args=["zsm", other.indicator_id, other.number])
    assert client_for(w.manager).get(forged).status_code == 404
    for name, persona, data in (
        ("version_edit", "manager", None),
        ("version_propose", "manager", {}),
        ("version_respond", "lead_a", {"position": "consent"}),
        ("version_comment", "lead_a", {"text": "x"}),
    ):
        client = client_for(getattr(w, persona))
        address = reverse(f"ambitions:{name}", args=["zsm", other.indicator_id, other.number])
        response = client.get(address) if data is None else client.post(address, data)
        assert response.status_code == 404, name
    create = reverse("ambitions:version_create", args=["zsm", measures.other_indicator.pk])
    assert client_for(w.manager).post(create).status_code == 404
    assert IndicatorVersion.objects.filter(indicator=measures.other_indicator).count() == 1
    assert not VersionComment.objects.exists()


@pytest.mark.parametrize("name", ["version_propose", "version_comment"])
def test_it_refuses_managing_steps_to_others(measures: Measures, client_for, name):
    w = measures.world
    version = draft(measures)
    if name == "version_propose":
        for persona in ("viewer", "contributor_a", "lead_a"):
            assert client_for(getattr(w, persona)).post(url(name, version)).status_code == 403
        assert status_of(version) == VersionStatus.DRAFT
    else:
        assert client_for(w.viewer).post(url(name, version), {"text": "Ik lees mee"}).status_code == 403
        assert not VersionComment.objects.exists()


def test_it_refuses_an_empty_comment_at_the_field(measures: Measures, client_for):
    version = draft(measures)
    response = client_for(measures.world.contributor_a).post(url("version_comment", version), {"text": " "})
    assert response.status_code == 422
    assert 'id="id_text_error"' in response.text
    assert not VersionComment.objects.exists()


# --- Proposing: what has to be right first ------------------------------------------------------------


def test_it_refuses_to_propose_without_reporting_units_at_that_field(measures: Measures, client_for):
    version = draft(measures)
    version.reporting_units.clear()
    response = client_for(measures.world.manager).post(url("version_propose", version))
    assert response.status_code == 422
    assert 'id="id_reporting_units_error"' in response.text
    assert status_of(version) == VersionStatus.DRAFT


def test_it_edits_a_draft(measures: Measures, client_for):
    w = measures.world
    version = draft(measures)
    client = client_for(w.manager)
    token = client.get(url("version_edit", version)).context["form"]["version_token"].value()
    response = client.post(
        url("version_edit", version),
        {**version_data(w, reporting_units=[w.unit_b.pk], target_value="75,5"), "version_token": token},
    )
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.target_value == Decimal("75.5")
    assert list(version.reporting_units.all()) == [w.unit_b]


def test_it_refuses_to_overwrite_a_draft_changed_meanwhile(measures: Measures, client_for):
    w = measures.world
    version = draft(measures)
    client = client_for(w.manager)
    token = client.get(url("version_edit", version)).context["form"]["version_token"].value()
    IndicatorVersion.objects.filter(pk=version.pk).update(unit_label="dossiers")
    response = client.post(url("version_edit", version), {**version_data(w), "version_token": token})
    assert response.status_code == 422
    assert "dossiers" in response.text
    assert IndicatorVersion.objects.get(pk=version.pk).unit_label == "dossiers"


def test_it_refuses_to_edit_a_proposed_version(measures: Measures, client_for):
    w = measures.world
    version = draft(measures)
    propose(measures, version)
    response = client_for(w.manager).post(url("version_edit", version), version_data(w, unit_label="dossiers"))
    assert response.status_code == 409
    assert IndicatorVersion.objects.get(pk=version.pk).unit_label == "zaken"
    # With htmx, which does not swap a 409 in, the refusal is loaded as a page.
    response = client_for(w.manager).post(
        url("version_edit", version), version_data(w, unit_label="dossiers"), headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == url("version_edit", version)
    assert IndicatorVersion.objects.get(pk=version.pk).unit_label == "zaken"


def test_the_list_shows_where_each_definition_stands(measures: Measures, client_for):
    w = measures.world
    version = draft(measures)
    propose(measures, version)
    client_for(w.lead_a).post(url("version_respond", version), {"position": "consent"})
    page = in_english(client_for(w.viewer)).get(reverse("ambitions:ambition_list", args=["zsm"])).text
    assert f'{url("version_detail", version)}">Version 1</a>: Proposed' in page
    assert "1 consent<" in page
    assert "None adopted yet" in page


# --- A new version from a later period ------------------------------------------------------------------


def test_a_new_version_supersedes_the_old_one_from_its_period_on_only(measures: Measures, client_for):
    w = measures.world
    manager = client_for(w.manager)
    v1 = measures.share_v1
    page = manager.get(url("version_detail", v1))
    create = reverse("ambitions:version_create", args=["zsm", measures.share.pk])
    assert create in page.text

    response = manager.post(create)
    v2 = IndicatorVersion.objects.get(indicator=measures.share, number=2)
    assert response["Location"] == url("version_edit", v2)
    assert v2.status == VersionStatus.DRAFT and v2.effective_from > v1.effective_from
    assert set(v2.reporting_units.all()) == {w.unit_a, w.unit_b}

    # Taking effect no later than version 1: refused at the field, in the form and when proposing.
    IndicatorVersion.objects.filter(pk=v2.pk).update(effective_from=v1.effective_from)
    token = manager.get(url("version_edit", v2)).context["form"]["version_token"].value()
    edit = manager.post(url("version_edit", v2), {**version_data(w, effective_from="2023-06"), "version_token": token})
    assert edit.status_code == 422
    assert 'id="id_effective_from_error"' in edit.text
    refused = manager.post(url("version_propose", v2))
    assert refused.status_code == 422 and 'id="id_effective_from_error"' in refused.text
    assert status_of(v2) == VersionStatus.DRAFT

    token = manager.get(url("version_edit", v2)).context["form"]["version_token"].value()
    saved = manager.post(
        url("version_edit", v2),
        {**version_data(w, effective_from="2026-01", target_value="85"), "version_token": token},
    )
    assert saved.status_code == 302
    assert manager.post(url("version_propose", v2)).status_code == 302
    for lead in (w.lead_a, w.lead_b):
        client_for(lead).post(url("version_respond", v2), {"position": "consent"})
    assert status_of(v2) == VersionStatus.ADOPTED
    assert status_of(v1) == VersionStatus.SUPERSEDED
    assert version_for(measures.share, date(2025, 12, 1)).pk == v1.pk
    assert version_for(measures.share, date(2026, 1, 1)).pk == v2.pk
    assert version_for(measures.share, date(2026, 3, 1)).pk == v2.pk


def test_it_does_not_start_a_second_open_version(measures: Measures, client_for):
    manager = client_for(measures.world.manager)
    create = reverse("ambitions:version_create", args=["zsm", measures.share.pk])
    manager.post(create)
    again = manager.post(create)
    v2 = IndicatorVersion.objects.get(indicator=measures.share, number=2)
    assert again["Location"] == url("version_edit", v2)
    assert measures.share.versions.count() == 2


# --- My work and query counts ---------------------------------------------------------------------------


def test_my_work_lists_the_consents_requested_of_me(measures: Measures, client_for, django_assert_max_num_queries):
    w = measures.world
    versions = [draft(measures, name=f"Indicator {n}") for n in range(3)]
    for version in versions:
        consensus.propose(w.manager, version)
    lead_a = client_for(w.lead_a)
    # Incl. the session reads, one more on SQLite; My work also asks for delivery terms and early warnings.
    with django_assert_max_num_queries(25):
        page = lead_a.get(reverse("stakeholders:my_work"))
    assert all(url("version_detail", v) in page.text for v in versions)
    lead_a.post(url("version_respond", versions[0]), {"position": "consent"})
    page = lead_a.get(reverse("stakeholders:my_work"))
    assert url("version_detail", versions[0]) not in page.text
    assert url("version_detail", versions[1]) in page.text
    # Neither the deputy without mandate nor a contributor is asked.
    for persona in ("contributor_a", "viewer", "manager"):
        assert (
            url("version_detail", versions[1])
            not in client_for(getattr(w, persona)).get(reverse("stakeholders:my_work")).text
        )


def test_my_work_asks_in_a_constant_number_of_queries(measures: Measures, client_for, django_assert_num_queries):
    w = measures.world
    lead_a = client_for(w.lead_a)
    consensus.propose(w.manager, draft(measures, name="Eerste"))
    lead_a.get(reverse("stakeholders:my_work"))
    recount_unread()
    with CaptureQueriesContext(connection) as one:
        lead_a.get(reverse("stakeholders:my_work"))
    for n in range(4):
        consensus.propose(w.manager, draft(measures, name=f"Meer {n}"))
    recount_unread()
    with CaptureQueriesContext(connection) as five:
        page = lead_a.get(reverse("stakeholders:my_work"))
    assert page.text.count("#respond") == 5
    assert len(five) == len(one)


def test_the_version_page_takes_a_constant_number_of_queries(
    measures: Measures, client_for, django_assert_max_num_queries
):
    w = measures.world
    version = draft(measures)
    consensus.propose(w.manager, version)
    consensus.comment(w.lead_a, version, "Eerste opmerking")
    client = client_for(w.lead_b)
    with django_assert_max_num_queries(25):  # incl. the session reads, one more on SQLite; rounds and timeline 2 more
        client.get(url("version_detail", version))
    # Both measured with nothing kept in the cache (the proposal's history and audit trail are
    # kept there until their next step or entry): the cost of rendering them, every time.
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(url("version_detail", version))
    for n in range(4):
        organisation = PartnershipFactory(chain=w.chain).organisation
        UnitFactory(organisation=organisation, name=f"Eenheid {n}")
        lead = PersonFactory(organisation=organisation)
        MembershipFactory(person=lead, chain=w.chain, role=Role.PARTNER_LEAD)
        partnership = organisation.partnerships.get()
        MandateFactory(person=lead, partnership=partnership, scope=MandateScope.CONSENT_INDICATORS)
        Consent.objects.create(version=version, partnership=partnership, person=lead, position=ConsentPosition.CONSENT)
        consensus.comment(lead, version, f"Opmerking {n}")
    version.reporting_units.add(*UnitFactory.create_batch(3, organisation=w.org_a))
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        page = client.get(url("version_detail", version))
    assert page.status_code == 200 and "Opmerking 3" in page.text
    assert len(many) == len(few)
