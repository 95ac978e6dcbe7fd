import io

from django.core.management import call_command

from stakeholders.models import Chain, Invitation, Mandate, Membership, Organisation, Partnership, Role, Unit


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Chain, Organisation, Unit, Partnership, Membership, Mandate, Invitation))


def test_it_loads_the_zsm_chain_with_its_partners_and_regions(db):
    call_command("load_demo", stdout=io.StringIO())
    zsm = Chain.objects.get(slug="zsm")
    core = set(zsm.partnerships.filter(status="core").values_list("organisation__name", flat=True))
    assert core == {
        "Politie",
        "Openbaar Ministerie",
        "Reclassering Nederland",
        "Slachtofferhulp Nederland",
        "Raad voor de Kinderbescherming",
    }
    assert zsm.partnerships.get(organisation__name="Rechtspraak").status == "partner_of_chain"
    assert Unit.objects.filter(organisation__short_name="OM", parent=None).count() == 10
    assert Unit.objects.filter(organisation__short_name="Politie", parent__isnull=False).exists()


def test_it_has_a_person_for_every_role_and_a_second_chain_that_shares_organisations(db):
    call_command("load_demo", stdout=io.StringIO())
    zsm, jeugd = Chain.objects.get(slug="zsm"), Chain.objects.get(slug="jeugdzorg-utrecht")
    assert set(Membership.objects.filter(chain=zsm).values_list("role", flat=True)) == set(Role.values)
    shared = set(zsm.partnerships.values_list("organisation", flat=True)) & set(
        jeugd.partnerships.values_list("organisation", flat=True)
    )
    assert len(shared) >= 2
    zsm_people = set(Membership.objects.filter(chain=zsm).values_list("person", flat=True))
    jeugd_people = set(Membership.objects.filter(chain=jeugd).values_list("person", flat=True))
    assert zsm_people - jeugd_people and jeugd_people - zsm_people and zsm_people & jeugd_people


def test_it_can_be_loaded_again_without_duplicates(db):
    call_command("load_demo", stdout=io.StringIO())
    before = _counts()
    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == before
