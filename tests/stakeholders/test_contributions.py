"""Contributions: the model's rules (quarters planned, amounts bounded, constraints), committing and
reporting a delivery through the pages (every bad input, concurrency, who may), the chain's and a
partner's pages with their query counts (stakeholders/models/contributions.py,
stakeholders/views/contributions.py)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from stakeholders.models import PartnershipStatus
from stakeholders.models.contributions import Contribution, ContributionKind, Delivery, quarter_end, totals
from tests.conftest import World, sign_in
from tests.factories import OrganisationFactory, PartnershipFactory

YEAR = timezone.localdate().year
LIST = "/ketens/zsm/bijdragen/"


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def commit(partnership, kind=ContributionKind.MONEY, amount="100000", year=YEAR, **fields) -> Contribution:
    contribution = Contribution.objects.create(
        partnership=partnership, kind=kind, amount=None if amount is None else Decimal(amount), year=year, **fields
    )
    contribution.plan_deliveries()
    return contribution


def error_at(response, field: str) -> str:
    return response.text.split(f'id="id_{field}_error"')[1].split("</div>")[0]


# --- the model -----------------------------------------------------------------------------------


def test_a_commitment_is_spread_over_four_quarters_due_on_their_last_day(world: World):
    contribution = commit(world.partner_a, amount="100000.01", year=2026)
    quarters = list(contribution.deliveries.order_by("quarter"))
    assert [d.expected_amount for d in quarters] == [Decimal("25000.00")] * 3 + [Decimal("25000.01")]
    assert [d.due_on for d in quarters] == [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]
    assert sum(d.expected_amount for d in quarters) == contribution.amount


def test_replanning_keeps_reported_quarters_and_changes_the_others(world: World):
    contribution = commit(world.partner_a, amount="400", year=2026)
    Delivery.objects.filter(contribution=contribution, quarter=1).update(
        delivered_amount=90, reported_at=timezone.now()
    )
    contribution.amount = Decimal("800")
    contribution.save()
    contribution.plan_deliveries()
    assert contribution.deliveries.count() == 4
    first = contribution.deliveries.get(quarter=1)
    assert first.delivered_amount == 90 and first.reported_at is not None
    assert contribution.deliveries.get(quarter=2).expected_amount == 200


def test_data_and_facilities_need_a_description_money_and_people_an_amount(world: World):
    with pytest.raises(ValidationError) as refused:
        Contribution(partnership=world.partner_a, year=YEAR, kind=ContributionKind.DATA).full_clean()
    assert "description" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        Contribution(partnership=world.partner_a, year=YEAR, kind=ContributionKind.PEOPLE).full_clean()
    assert "amount" in refused.value.message_dict


@pytest.mark.parametrize(
    ("kind", "amount"),
    [("money", "-1"), ("money", "1000000000.01"), ("people", "10000.5"), ("people", "-0.5")],
)
def test_negative_and_absurd_amounts_are_refused_by_the_model(world: World, kind, amount):
    with pytest.raises(ValidationError) as refused:
        Contribution(partnership=world.partner_a, year=YEAR, kind=kind, amount=Decimal(amount)).full_clean()
    assert "amount" in refused.value.message_dict


def test_the_database_refuses_a_negative_amount_and_a_second_delivery_for_a_quarter(world: World):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(partnership=world.partner_a, year=YEAR, kind="money", amount=-5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(partnership=world.partner_a, year=YEAR, kind="people", amount=None)
    contribution = commit(world.partner_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(contribution=contribution, quarter=1, due_on=quarter_end(YEAR, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(contribution=contribution, quarter=5, due_on=quarter_end(YEAR, 4))


def test_totals_sum_committed_and_delivered_per_partner_and_kind_and_count_overdue(world: World):
    money = commit(world.partner_a, amount="1000", year=2025)
    commit(world.partner_a, ContributionKind.PEOPLE, amount="2.5", year=2025)
    commit(world.partner_a, ContributionKind.DATA, amount=None, year=2025, description="Zaakgegevens")
    Delivery.objects.filter(contribution=money, quarter__in=(1, 2)).update(
        delivered_amount=200, reported_at=timezone.now()
    )
    rows = totals([world.partner_a, world.partner_b], 2025, today=date(2025, 10, 1))
    a, b = rows
    assert a.of("money").committed == 1000 and a.of("money").delivered == 400 and a.of("money").share == 40
    assert a.of("money").overdue == 1  # Q3 was due 30 September; Q1 and Q2 were reported
    assert a.of("people").committed == Decimal("2.5") and a.of("people").overdue == 3
    assert a.of("data").count == 1
    assert b.kinds == {}


# --- committing ----------------------------------------------------------------------------------


def commit_data(world: World, **fields) -> dict:
    return {
        "partnership": world.partner_a.pk,
        "year": YEAR,
        "kind": "money",
        "amount": "250000",
        "description": "",
        "note": "Voor de ketenregie",
        **fields,
    }


def test_the_programme_manager_commits_a_contribution_typed_the_dutch_way(world: World, client_for):
    client = sign_in(Client(), world.manager)  # the default language: Dutch
    response = client.post("/ketens/zsm/bijdragen/nieuw/", commit_data(world, amount="1.250.000,50"))
    assert response.status_code == 302
    contribution = Contribution.objects.get()
    assert contribution.amount == Decimal("1250000.50") and contribution.committed_by == world.manager
    assert contribution.deliveries.count() == 4
    assert response["Location"] == f"/ketens/zsm/bijdragen/{contribution.pk}/"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": "-100"}, "amount", "An amount cannot be negative."),
        ({"amount": "2000000000"}, "amount", "At most € 1.000.000.000"),
        ({"amount": "99999999999999"}, "amount", "This number is too large"),
        ({"kind": "people", "amount": "20000"}, "amount", "At most 10.000 FTE"),
        ({"kind": "people", "amount": "1,2555"}, "amount", "Use at most 2 decimals."),
        ({"kind": "people", "amount": "-1"}, "amount", "An amount cannot be negative."),
        ({"amount": "veel"}, "amount", "Enter a number"),
        ({"amount": ""}, "amount", "Enter the amount committed"),
        ({"kind": "data", "amount": ""}, "description", "Describe what is put in."),
        ({"year": "1999"}, "year", "greater than or equal to 2000"),
    ],
)
def test_bad_commitments_are_refused_at_the_field_and_nothing_is_saved(
    world: World, client_for, fields, field, message
):
    response = client_for(world.manager).post("/ketens/zsm/bijdragen/nieuw/", commit_data(world, **fields))
    assert response.status_code == 422
    assert message in error_at(response, field)
    assert not Contribution.objects.exists() and not Delivery.objects.exists()


def test_an_organisation_that_is_not_a_partner_of_the_chain_is_refused(world: World, client_for):
    observer = PartnershipFactory(
        chain=world.chain, organisation=OrganisationFactory(name="Inspectie"), status=PartnershipStatus.OBSERVER
    )
    for partnership in (world.partner_c, observer):
        response = client_for(world.manager).post(
            "/ketens/zsm/bijdragen/nieuw/", commit_data(world, partnership=partnership.pk)
        )
        assert response.status_code == 422
        assert "not a partner of this chain" in error_at(response, "partnership")
    assert not Contribution.objects.exists()


def test_a_lead_may_not_commit(world: World, client_for):
    assert client_for(world.lead_a).post("/ketens/zsm/bijdragen/nieuw/", commit_data(world)).status_code == 403
    assert not Contribution.objects.exists()


def test_editing_a_commitment_refuses_to_overwrite_a_change_made_meanwhile(world: World, client_for):
    contribution = commit(world.partner_a, amount="400")
    url = f"/ketens/zsm/bijdragen/{contribution.pk}/bewerken/"
    client = client_for(world.manager)
    token = client.get(url).context["form"]["version_token"].value()
    saved = {"amount": "450", "description": "", "note": "", "version_token": token}
    assert client.post(url, saved).status_code == 302  # nobody changed it meanwhile: saved at once
    token = client.get(url).context["form"]["version_token"].value()
    Contribution.objects.filter(pk=contribution.pk).update(amount=500)
    data = {"amount": "800", "description": "", "note": "", "version_token": token}
    response = client.post(url, data)
    assert response.status_code == 422 and "Someone else changed this" in response.text
    contribution.refresh_from_db()
    assert contribution.amount == 500
    data["version_token"] = response.context["form"]["version_token"].value()
    assert client.post(url, data).status_code == 302
    assert contribution.deliveries.get(quarter=2).expected_amount == 200


# --- reporting a delivery ------------------------------------------------------------------------


def report_url(contribution) -> str:
    return f"/ketens/zsm/bijdragen/{contribution.pk}/levering/"


def report(client, contribution, period, **fields):
    url = report_url(contribution)
    token = client.get(url, {"periode": period}).context["form"]["version_token"].value()
    data = {"period": period, "delivered_amount": "100", "delivered_note": "", "version_token": token, **fields}
    return client.post(url, data)


def test_the_partners_lead_reports_a_delivery(world: World, client_for):
    contribution = commit(world.partner_a, amount="400", year=2026)
    response = report(client_for(world.lead_a), contribution, "2026-2", delivered_amount="90,5", delivered_note="Later")
    assert response.status_code == 302
    delivery = contribution.deliveries.get(quarter=2)
    assert delivery.delivered_amount == Decimal("90.5") and delivery.delivered_note == "Later"
    assert delivery.reported_by == world.lead_a and delivery.reported_at is not None


def test_the_report_form_preselects_the_first_quarter_not_reported(world: World, client_for):
    contribution = commit(world.partner_a, amount="400", year=2026)
    Delivery.objects.filter(contribution=contribution, quarter=1).update(reported_at=timezone.now(), delivered_amount=1)
    response = client_for(world.lead_a).get(report_url(contribution))
    assert response.context["form"]["period"].value() == "2026-2"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"period": "2027-1"}, "period", "Q1 2027 is outside this commitment, which runs through 2026"),
        ({"period": "2026-5"}, "period", "outside this commitment"),
        ({"period": "zomer"}, "period", "outside this commitment"),
        ({"delivered_amount": "-5"}, "delivered_amount", "An amount cannot be negative."),
        ({"delivered_amount": "5000000000"}, "delivered_amount", "At most € 1.000.000.000"),
        ({"delivered_amount": ""}, "delivered_amount", "Enter the amount delivered"),
        ({"delivered_amount": "1.5"}, "delivered_amount", "Use a comma before the decimals"),
    ],
)
def test_bad_deliveries_are_refused_at_the_field_and_nothing_is_saved(world: World, client_for, fields, field, message):
    contribution = commit(world.partner_a, amount="400", year=2026)
    client = client_for(world.lead_a)
    url = report_url(contribution)
    token = client.get(url, {"periode": "2026-1"}).context["form"]["version_token"].value()
    data = {"period": "2026-1", "delivered_amount": "100", "delivered_note": "", "version_token": token, **fields}
    response = client.post(url, data)
    assert response.status_code == 422
    assert message in error_at(response, field)
    assert not Delivery.objects.filter(reported_at__isnull=False).exists()


def test_fte_beyond_the_maximum_is_refused_for_a_delivery(world: World, client_for):
    contribution = commit(world.partner_a, ContributionKind.PEOPLE, amount="4", year=2026)
    response = report(client_for(world.lead_a), contribution, "2026-1", delivered_amount="10001")
    assert response.status_code == 422 and "At most 10.000 FTE" in error_at(response, "delivered_amount")


def test_a_data_delivery_needs_a_note_or_an_amount(world: World, client_for):
    contribution = commit(world.partner_a, ContributionKind.DATA, amount=None, year=2026, description="Zaakdata")
    response = report(client_for(world.lead_a), contribution, "2026-1", delivered_amount="")
    assert response.status_code == 422 and "Say what was delivered" in error_at(response, "delivered_note")
    response = report(client_for(world.lead_a), contribution, "2026-1", delivered_amount="", delivered_note="Geleverd")
    assert response.status_code == 302


def test_a_report_made_meanwhile_is_not_overwritten(world: World, client_for):
    contribution = commit(world.partner_a, amount="400", year=2026)
    client = client_for(world.lead_a)
    url = report_url(contribution)
    token = client.get(url, {"periode": "2026-1"}).context["form"]["version_token"].value()
    Delivery.objects.filter(contribution=contribution, quarter=1).update(
        delivered_amount=70, reported_at=timezone.now()
    )
    response = client.post(
        url, {"period": "2026-1", "delivered_amount": "100", "delivered_note": "", "version_token": token}
    )
    assert response.status_code == 422 and "Someone else changed this" in response.text
    assert contribution.deliveries.get(quarter=1).delivered_amount == 70


def test_only_the_partners_own_lead_and_the_manager_report(world: World, client_for):
    contribution = commit(world.partner_a, amount="400", year=2026)
    assert report(client_for(world.manager), contribution, "2026-1").status_code == 302
    for person in (world.lead_b, world.contributor_a, world.viewer):
        assert client_for(person).get(report_url(contribution)).status_code == 403
    assert client_for(world.outsider).get(report_url(contribution)).status_code == 404


# --- the pages -----------------------------------------------------------------------------------


def test_the_chain_page_shows_committed_against_delivered_with_totals(world: World, client_for):
    money = commit(world.partner_a, amount="1000")
    commit(world.partner_b, amount="3000")
    commit(world.partner_b, ContributionKind.PEOPLE, amount="1.5")
    Delivery.objects.filter(contribution=money, quarter=1).update(delivered_amount=250, reported_at=timezone.now())
    response = client_for(world.viewer).get(LIST)
    assert response.status_code == 200
    text = " ".join(response.text.split())
    politie = text.split("Politie")[1].split("</tr>")[0]
    assert "€ 250 of € 1,000 (25%)" in politie
    total = text.split("<tfoot>")[1]
    assert "€ 250 of € 4,000 (6%)" in total and "0 FTE of 1.50 FTE (0%)" in total
    assert "Commit a contribution" not in response.text


def test_the_chain_page_costs_the_same_queries_for_more_partners_and_commitments(
    world: World, client_for, django_assert_max_num_queries
):
    client = client_for(world.manager)
    commit(world.partner_a)
    client.get(LIST)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for n in range(5):
        partner = PartnershipFactory(chain=world.chain, organisation=OrganisationFactory(name=f"Partner {n}"))
        for kind in ("money", "people"):
            commit(partner, kind, amount="10")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Partner 4" in client.get(LIST).text


def test_the_partner_page_lists_every_year_with_its_quarters_and_flags_overdue(world: World, client_for):
    commit(world.partner_a, amount="400", year=YEAR - 1)
    commit(world.partner_a, ContributionKind.FACILITIES, amount=None, year=YEAR, description="Vergaderzaal")
    response = client_for(world.lead_a).get(f"/ketens/zsm/bijdragen/partner/{world.partner_a.pk}/")
    assert response.status_code == 200
    assert f"{YEAR - 1}: Money (€)" in response.text and "Vergaderzaal" in response.text
    assert response.text.count("Overdue") >= 4  # last year's four quarters, none reported
    assert "the delivery of Q1" in response.text  # the lead may report


def test_the_detail_page_shows_the_history_of_the_commitment_and_its_deliveries(world: World, client_for):
    contribution = commit(world.partner_a, amount="400", year=2026)
    report(client_for(world.lead_a), contribution, "2026-1", delivered_amount="80")
    response = client_for(world.viewer).get(f"/ketens/zsm/bijdragen/{contribution.pk}/")
    history = response.text.split('id="history-heading"')[1]
    assert "amount delivered" in history.lower() and "Lead-A" in history
    assert "Report a delivery" not in response.text


def test_another_chains_contribution_is_not_found(world: World, client_for):
    other = commit(world.partner_c, amount="10")
    assert client_for(world.manager).get(f"/ketens/zsm/bijdragen/{other.pk}/").status_code == 404
    assert client_for(world.manager).get(f"/ketens/zsm/bijdragen/partner/{world.partner_c.pk}/").status_code == 404
