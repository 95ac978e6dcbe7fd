"""Benefits: a partner's start and end picture (every bad input, concurrency, who may), assessments
(the newest one's status is the benefit's), the page "What each partner gains" with its warning and
query count, and the detail page's history (ambitions/models/benefits.py, ambitions/views/benefits.py)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ambitions.models.benefits import Benefit, BenefitAssessment, BenefitStatus
from stakeholders.models import PartnershipStatus
from stakeholders.models.contributions import Contribution
from tests.conftest import World
from tests.factories import OrganisationFactory, PartnershipFactory, PersonFactory

OVERVIEW = "/ketens/zsm/opbrengsten/"
CREATE = "/ketens/zsm/opbrengsten/nieuw/"


@pytest.fixture
def client_for(english_client_for):
    return english_client_for


def error_at(response, field: str) -> str:
    return response.text.split(f'id="id_{field}_error"')[1].split("</div>")[0]


def make_benefit(world: World, partnership=None, **fields) -> Benefit:
    partnership = partnership or world.partner_a
    values = {
        "title": "Minder uren per zaak",
        "start_picture": "Nu 6 uur per zaak.",
        "end_picture": "Straks 4 uur per zaak.",
        "target_date": date(2027, 12, 31),
        **fields,
    }
    return Benefit.objects.create(chain=partnership.chain, partnership=partnership, **values)


def form_data(world: World, **fields) -> dict:
    return {
        "partnership": world.partner_a.pk,
        "title": "Minder uren per zaak",
        "owner": world.lead_a.pk,
        "start_picture": "Nu 6 uur per zaak.",
        "start_indicator": "",
        "start_value": "",
        "start_date": "2026-01-01",
        "end_picture": "Straks 4 uur per zaak.",
        "target_value": "",
        "target_date": "2027-12-31",
        **fields,
    }


# --- creating and its bad input ------------------------------------------------------------------


def test_the_partners_lead_adds_a_benefit_with_an_indicator_value(world: World, client_for, measures):
    response = client_for(world.lead_a).post(
        CREATE, form_data(world, start_indicator=measures.count.pk, start_value="6,5", target_value="4")
    )
    assert response.status_code == 302
    benefit = Benefit.objects.get()
    assert benefit.chain == world.chain and benefit.start_value == Decimal("6.5")
    assert benefit.status == BenefitStatus.EXPECTED and benefit.owner == world.lead_a
    assert response["Location"] == f"/ketens/zsm/opbrengsten/{benefit.pk}/"


def test_a_lead_is_offered_only_their_own_partner_and_may_not_add_for_another(world: World, client_for):
    client = client_for(world.lead_a)
    page = client.get(CREATE).text
    select = page.split('name="partnership"')[1].split("</select>")[0]
    assert "Politie" in select and "Openbaar Ministerie" not in select
    assert client.post(CREATE, form_data(world, partnership=world.partner_b.pk, owner="")).status_code == 403
    for person in (world.contributor_a, world.viewer):
        assert client_for(person).get(CREATE).status_code == 403
    assert not Benefit.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"start_date": "2028-01-01"}, "target_date", "cannot be before the start picture"),
        ({"start_value": "5", "start_date": ""}, "start_date", "Give the date of the value at the start."),
        ({"start_value": "5.5"}, "start_value", "Use a comma before the decimals"),
        ({"target_value": "veel"}, "target_value", "Enter a number"),
        ({"target_date": "3000-01-01"}, "target_date", "between 2000 and 2100"),
        ({"target_date": ""}, "target_date", "This field is required."),
        ({"start_picture": ""}, "start_picture", "This field is required."),
        ({"title": ""}, "title", "This field is required."),
    ],
)
def test_bad_benefits_are_refused_at_the_field_and_nothing_is_saved(world: World, client_for, fields, field, message):
    response = client_for(world.manager).post(CREATE, form_data(world, **fields))
    assert response.status_code == 422
    assert message in error_at(response, field)
    assert not Benefit.objects.exists()


def test_a_benefit_for_an_organisation_that_is_not_a_partner_is_refused(world: World, client_for):
    observer = PartnershipFactory(
        chain=world.chain, organisation=OrganisationFactory(name="Inspectie"), status=PartnershipStatus.OBSERVER
    )
    for partnership in (world.partner_c, observer):
        response = client_for(world.manager).post(CREATE, form_data(world, partnership=partnership.pk, owner=""))
        assert response.status_code == 422
        assert "not a partner of this chain" in error_at(response, "partnership")
    assert not Benefit.objects.exists()


def test_an_indicator_of_another_chain_is_refused(world: World, client_for, measures):
    response = client_for(world.manager).post(CREATE, form_data(world, start_indicator=measures.other_indicator.pk))
    assert response.status_code == 422
    assert "Choose one of this chain&#x27;s indicators." in error_at(response, "start_indicator")
    assert not Benefit.objects.exists()


def test_the_owner_must_work_for_the_partner(world: World, client_for):
    response = client_for(world.manager).post(CREATE, form_data(world, owner=world.lead_b.pk))
    assert response.status_code == 422
    assert "someone of the partner&#x27;s own organisation" in error_at(response, "owner")
    stranger = PersonFactory(email="stranger@example.nl")
    response = client_for(world.manager).post(CREATE, form_data(world, owner=stranger.pk))
    assert response.status_code == 422 and "own organisation" in error_at(response, "owner")
    assert not Benefit.objects.exists()


def test_the_model_and_the_database_refuse_dates_in_the_wrong_order(world: World):
    with pytest.raises(ValidationError) as refused:
        Benefit(
            chain=world.chain,
            partnership=world.partner_c,
            title="x",
            start_picture="x",
            end_picture="x",
            target_date=date(2027, 1, 1),
        ).full_clean()
    assert "partnership" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        make_benefit(world, start_date=date(2028, 1, 1), target_date=date(2027, 1, 1))


def test_editing_refuses_to_overwrite_a_change_made_meanwhile(world: World, client_for):
    benefit = make_benefit(world)
    url = f"/ketens/zsm/opbrengsten/{benefit.pk}/bewerken/"
    client = client_for(world.lead_a)
    token = client.get(url).context["form"]["version_token"].value()
    saved = {**form_data(world, title="Eerst"), "version_token": token}
    del saved["partnership"]
    assert client.post(url, saved).status_code == 302  # nobody changed it meanwhile: saved at once
    token = client.get(url).context["form"]["version_token"].value()
    Benefit.objects.filter(pk=benefit.pk).update(title="Door een ander")
    data = {**form_data(world, title="Van mij"), "version_token": token}
    del data["partnership"]
    response = client.post(url, data)
    assert response.status_code == 422 and "Someone else changed this" in response.text
    benefit.refresh_from_db()
    assert benefit.title == "Door een ander"
    assert client_for(world.lead_b).get(url).status_code == 403


# --- assessing ---------------------------------------------------------------------------------


def assess(client, benefit, status, on, note=""):
    return client.post(
        f"/ketens/zsm/opbrengsten/{benefit.pk}/beoordelen/", {"status": status, "assessed_on": on, "note": note}
    )


def test_the_newest_assessment_sets_the_benefits_status(world: World, client_for):
    benefit = make_benefit(world)
    client = client_for(world.lead_a)
    today = timezone.localdate()
    assert assess(client, benefit, "on_track", today.isoformat(), "Loopt").status_code == 302
    assert assess(client, benefit, "not_realised", (today - timedelta(days=30)).isoformat()).status_code == 302
    benefit.refresh_from_db()
    assert benefit.status == BenefitStatus.ON_TRACK  # the older assessment does not overrule the newer
    assert BenefitAssessment.objects.filter(benefit=benefit).count() == 2
    assert BenefitAssessment.objects.filter(assessed_by=world.lead_a).count() == 2


def test_bad_assessments_are_refused(world: World, client_for):
    benefit = make_benefit(world)
    client = client_for(world.manager)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = assess(client, benefit, "on_track", tomorrow)
    assert response.status_code == 422 and "cannot be dated in the future" in error_at(response, "assessed_on")
    response = assess(client, benefit, "perfect", timezone.localdate().isoformat())
    assert response.status_code == 422 and "Select a valid choice" in error_at(response, "status")
    assert not BenefitAssessment.objects.exists()
    assert assess(client_for(world.lead_b), benefit, "on_track", "2026-01-01").status_code == 403


def test_the_detail_page_shows_assessments_and_history(world: World, client_for):
    benefit = make_benefit(world)
    assess(client_for(world.lead_a), benefit, "partly_realised", timezone.localdate().isoformat(), "Half")
    response = client_for(world.viewer).get(f"/ketens/zsm/opbrengsten/{benefit.pk}/")
    assert response.status_code == 200
    table = response.text.split('id="assessments-caption"')[1].split("</table>")[0]
    assert "Partly realised" in table and "Half" in table and "Lead-A" in table
    history = response.text.split('id="history-heading"')[1]
    assert "Lead-A" in history and "Partly realised" in history
    assert "Assess the benefit" not in response.text


# --- what each partner gains -------------------------------------------------------------------


def test_the_overview_shows_benefits_beside_contributions_and_warns_of_a_core_partner_without(world: World, client_for):
    make_benefit(world, title="Minder uren per zaak")
    contribution = Contribution.objects.create(
        partnership=world.partner_a, year=timezone.localdate().year, kind="money", amount=1000
    )
    contribution.plan_deliveries()
    court = PartnershipFactory(
        chain=world.chain,
        organisation=OrganisationFactory(name="Rechtspraak"),
        status=PartnershipStatus.PARTNER_OF_CHAIN,
    )
    response = client_for(world.viewer).get(OVERVIEW)
    assert response.status_code == 200
    text = " ".join(response.text.split())
    politie = text.split(f'id="partner-{world.partner_a.pk}"')[1].split("</section>")[0]
    assert "Minder uren per zaak" in politie and "Nu 6 uur per zaak." in politie and "€ 0 of € 1,000" in politie
    warning = text.split('id="lacking-benefits"')[1].split("</div>")[0]
    assert "Openbaar Ministerie is a core partner but has no benefit yet" in warning
    assert "Rechtspraak" not in warning and "Politie" not in warning  # not core; has one
    assert court.organisation.name in text
    assert "Add a benefit" not in text


def test_the_overview_costs_the_same_queries_for_more_partners_and_benefits(
    world: World, client_for, django_assert_max_num_queries
):
    client = client_for(world.manager)
    make_benefit(world)
    client.get(OVERVIEW)
    with django_assert_max_num_queries(13) as few:
        client.get(OVERVIEW)
    for n in range(6):
        partner = PartnershipFactory(chain=world.chain, organisation=OrganisationFactory(name=f"Partner {n}"))
        for m in range(3):
            make_benefit(world, partner, title=f"Baat {m}")
        Contribution.objects.create(partnership=partner, year=timezone.localdate().year, kind="people", amount=2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Partner 5" in client.get(OVERVIEW).text


def test_another_chains_benefit_is_not_found(world: World, client_for):
    other = make_benefit(world, world.partner_c)
    assert client_for(world.manager).get(f"/ketens/zsm/opbrengsten/{other.pk}/").status_code == 404
    assert client_for(world.outsider).get(f"/ketens/jeugd/opbrengsten/{other.pk}/").status_code == 200
