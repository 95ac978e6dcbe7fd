"""The demo's agreements (issue 11, point 8): the ZSM covenant 2025–2028 in force, signed by the
five core partners (the court only takes part), every fingerprint matching what is stored; a
commitment declaration waiting for the police's signature, in its lead's My work."""

import io

import pytest
from django.core.management import call_command

from governance.demo_agreements import COMMITMENT, COVENANT
from governance.models import Agreement, AgreementStatus, PartyRole, Signature
from governance.services import agreements as services
from stakeholders.models import Person


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())


def test_the_covenant_is_in_force_signed_by_five_partners_and_verifies(demo):
    covenant = Agreement.objects.get(title=COVENANT)
    assert covenant.status == AgreementStatus.IN_FORCE
    version = services.current_version(covenant)
    signatures = Signature.objects.filter(version=version).select_related("organisation")
    assert sorted(s.organisation.short_name for s in signatures) == ["OM", "Politie", "RN", "RvdK", "SHN"]
    assert services.verify(version).intact
    assert all(s.fingerprint == version.fingerprint for s in signatures)
    court = covenant.parties.get(partnership__organisation__short_name="Rechtspraak")
    assert court.role == PartyRole.PARTICIPATES


def test_the_commitment_declaration_waits_for_the_polices_signature(demo):
    commitment = Agreement.objects.get(title=COMMITMENT)
    assert commitment.status == AgreementStatus.FOR_SIGNATURE
    assert Signature.objects.filter(agreement=commitment).count() == 2
    police_lead = Person.objects.get(email="lead.politie@zsm.demo")
    assert [party.agreement for party in services.waiting_for_signature(police_lead)] == [commitment]


def test_loading_the_demo_again_changes_no_agreement(demo):
    before = (Agreement.objects.count(), Signature.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (Agreement.objects.count(), Signature.objects.count()) == before
