"""Delivery terms per partner (issue 15 point 3): refused when the day falls outside the entry
window or overlaps other terms; once the service agreement is in force, the grid, My work, the
reminders, the partners-behind list and reopening follow the agreed day and role."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format

from ambitions import reminders
from ambitions.models import DeliveryTerms, IndicatorVersion, PeriodSubmission, ReopenBy, SubmissionStatus, TermsState
from ambitions.services import delivery, grid, submissions
from ambitions.services.oversight import late_partners
from ambitions.services.work import figures_work
from governance.models import Agreement, AgreementKind, AgreementParty, AgreementStatus, AgreementVersion, PartyRole
from governance.models.agreements import fingerprint_of
from governance.services import agreements as agreement_services
from governance.services import delivery as governance_delivery
from stakeholders.working_days import add_working_days

AGREED_DAY = 20  # working days: about four weeks after the period, later than the version's 10 days


def service_agreement(m) -> Agreement:
    w = m.world
    agreement = Agreement.objects.create(
        chain=w.chain, kind=AgreementKind.SERVICE, title="DVO OM", valid_from=date(2020, 1, 1), created_by=w.manager
    )
    AgreementParty.objects.create(agreement=agreement, partnership=w.partner_a, role=PartyRole.SIGNS)
    AgreementVersion.objects.create(
        agreement=agreement,
        number=1,
        text="Levering.",
        fingerprint=fingerprint_of("Levering.", None),
        created_by=w.manager,
    )
    return agreement


def terms_for(m, agreement=None, **fields) -> DeliveryTerms:
    w = m.world
    values = {
        "partnership": w.partner_a,
        "source_system": "BVH",
        "deliverer_role": "Informatiemanager",
        "delivery_working_day": AGREED_DAY,
        "channel": "grid",
        "reopen_by": ReopenBy.PARTNER_LEAD,
        "reopen_until_working_days": 250,
        **fields,
    }
    return governance_delivery.save_terms(agreement or service_agreement(m), DeliveryTerms(**values), [m.count])


def in_force(agreement: Agreement) -> None:
    agreement.status = AgreementStatus.IN_FORCE
    agreement.save(update_fields=["status"])
    governance_delivery.follow(agreement)


def test_a_delivery_day_past_the_entry_window_is_refused_at_the_field(measures):
    m = measures
    IndicatorVersion.objects.filter(pk=m.count_v1.pk).update(entry_window_days=20)  # past the frozen definition
    with pytest.raises(ValidationError) as refused:
        terms_for(m, delivery_working_day=25)
    assert "delivery_working_day" in refused.value.message_dict
    assert "Kies een eerdere werkdag" in refused.value.message_dict["delivery_working_day"][0]
    assert not DeliveryTerms.objects.exists()


def test_two_terms_for_the_same_partner_and_indicator_at_once_are_refused(measures):
    m = measures
    terms_for(m)
    with pytest.raises(ValidationError) as refused:
        terms_for(m, source_system="Tweede")
    assert "heeft in deze periode al leverafspraken" in refused.value.message_dict["indicators"][0]
    assert DeliveryTerms.objects.count() == 1
    # Another partner, or the same partner once the first terms ended: allowed.
    terms_for(m, partnership=m.world.partner_b)
    DeliveryTerms.objects.filter(partnership=m.world.partner_a).update(state=TermsState.ENDED)
    terms_for(m, source_system="Opvolger")
    assert DeliveryTerms.objects.count() == 3


def test_terms_follow_the_agreement_from_draft_to_in_force_to_ended(measures):
    m = measures
    agreement = service_agreement(m)
    terms = terms_for(m, agreement)
    assert terms.state == TermsState.DRAFT
    in_force(agreement)
    terms.refresh_from_db()
    assert terms.state == TermsState.IN_FORCE
    agreement_services.end(m.world.manager, agreement, "Nieuwe DVO")
    terms.refresh_from_db()
    assert terms.state == TermsState.ENDED


def test_the_calendar_follows_the_agreed_day_only_while_in_force(measures):
    m, w = measures, measures.world
    agreement = service_agreement(m)
    terms_for(m, agreement)
    agreed = add_working_days(m.period.end, AGREED_DAY)
    chain_wide = m.count_v1.deadline_of(m.period)
    today = m.period.end + timedelta(days=20)  # past the version's deadline, before the agreed day
    count_deadline = {s.indicator.pk: s.deadline for s in grid.build(w.chain, w.org_a, m.period, today=today).sections}
    assert count_deadline[m.count.pk] == chain_wide  # a draft agreement's terms do not apply

    in_force(agreement)
    sections = {s.indicator.pk: s.deadline for s in grid.build(w.chain, w.org_a, m.period, today=today).sections}
    assert sections == {m.count.pk: agreed, m.share.pk: chain_wide}
    # Partner B has no terms: its grid keeps the version's deadline.
    assert {s.deadline for s in grid.build(w.chain, w.org_b, m.period, today=today).sections} == {chain_wide}
    # The partners behind: B (past the chain-wide deadline), not A (share is due, count agreed later:
    # the first deadline of the period counts, so A is behind on the share).
    behind = {(p.organisation, p.period): p.deadline for p in late_partners([w.chain], today)}
    assert behind[(w.org_b, m.period)] == chain_wide
    # My work: A's contributor sees the period due on the first deadline of its indicators.
    work = figures_work(w.contributor_a, today)
    assert [d.deadline for d in work.overdue + work.due if d.period == m.period] == [chain_wide]


def test_an_agreed_day_for_every_indicator_moves_reminders_and_the_behind_list(measures):
    m, w = measures, measures.world
    agreement = service_agreement(m)
    terms = terms_for(m, agreement)
    terms.indicators.add(m.share)
    in_force(agreement)
    agreed = add_working_days(m.period.end, AGREED_DAY)
    today = m.period.end + timedelta(days=20)
    behind = {p.organisation for p in late_partners([w.chain], today) if p.period == m.period}
    assert w.org_b in behind and w.org_a not in behind
    texts = {
        r.key.split(":")[0]: r.text
        for r in reminders.figure_reminders(today)
        if r.key.endswith(f":{w.org_a.pk}:{m.period.slug}")
    }
    assert "overdue" not in texts
    if "due" in texts:  # within REMINDER_DUE_DAYS of the agreed day
        assert date_format(agreed, "DATE_FORMAT") in texts["due"]
    work = figures_work(w.contributor_a, today)
    assert all(d.deadline == agreed for d in work.overdue + work.due if d.period == m.period)


def test_the_entry_page_shows_the_agreement_that_applies(measures, client_for):
    m, w = measures, measures.world
    agreement = service_agreement(m)
    terms_for(m, agreement)
    in_force(agreement)
    response = client_for(w.contributor_a).get(reverse("ambitions:entry_grid", args=[w.chain.slug, m.period.slug]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="delivery-agreement"' in body and "BVH" in body and "Informatiemanager" in body
    assert reverse("governance:agreement_detail", args=[w.chain.slug, agreement.pk]) in body


def test_reopening_follows_the_agreed_role_and_day(measures):
    m, w = measures, measures.world
    agreement = service_agreement(m)
    terms_for(m, agreement, reopen_until_working_days=5)
    in_force(agreement)
    PeriodSubmission.objects.create(
        chain=w.chain,
        organisation=w.org_a,
        frequency=m.period.frequency,
        period=m.period.start,
        status=SubmissionStatus.APPROVED,
    )
    early = m.period.end + timedelta(days=1)
    with pytest.raises(submissions.StepRefused, match="mag alleen de partnerleider"):
        submissions.reopen(w.manager, w.chain, w.org_a, m.period, "Correctie", today=early)
    late = add_working_days(m.period.end, 6)
    with pytest.raises(submissions.StepRefused, match="mochten deze cijfers tot"):
        submissions.reopen(w.lead_a, w.chain, w.org_a, m.period, "Correctie", today=late)
    assert delivery.agreed_reopener(w.lead_a, w.chain, w.org_a, m.period)
    assert not delivery.agreed_reopener(w.lead_b, w.chain, w.org_a, m.period)
    submissions.reopen(w.lead_a, w.chain, w.org_a, m.period, "Correctie", today=early)
    assert PeriodSubmission.objects.get(organisation=w.org_a).status == SubmissionStatus.OPEN


def test_the_api_shows_the_terms_in_force_with_the_indicator(measures, client_for):
    m, w = measures, measures.world
    agreement = service_agreement(m)
    terms_for(m, agreement)
    in_force(agreement)
    rows = client_for(w.viewer).get(f"/api/indicators/{m.count.pk}/").json()["delivery_terms"]
    assert rows == [
        {
            "organisation": w.org_a.pk,
            "organisation_name": w.org_a.name,
            "source_system": "BVH",
            "delivered_by": "Informatiemanager",
            "delivery_working_day": AGREED_DAY,
            "channel": "grid",
            "reopen_by": "partner_lead",
            "reopen_until_working_days": 250,
            "valid_from": "2020-01-01",
            "valid_until": None,
        }
    ]
    assert client_for(w.viewer).get(f"/api/indicators/{m.share.pk}/").json()["delivery_terms"] == []


def test_the_terms_page_refuses_bad_input_at_the_field(measures, client_for):
    m, w = measures, measures.world
    agreement = service_agreement(m)
    url = reverse("governance:agreement_terms", args=[w.chain.slug, agreement.pk])
    client = client_for(w.manager)
    assert client.get(url).status_code == 200
    IndicatorVersion.objects.filter(pk=m.count_v1.pk).update(entry_window_days=10)
    post = {
        "partnership": w.partner_a.pk,
        "indicators": [m.count.pk],
        "source_system": "BVH",
        "deliverer_role": "Informatiemanager",
        "delivery_working_day": 30,
        "channel": "grid",
        "reopen_by": "both",
        "reopen_until_working_days": 5,
    }
    response = client.post(url, post)
    assert response.status_code == 422
    assert "Kies een eerdere werkdag" in response.content.decode()
    assert not DeliveryTerms.objects.exists()
    post["delivery_working_day"] = 3
    assert client.post(url, post).status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).delivery_terms.delivery_working_day == 3
