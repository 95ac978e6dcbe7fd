"""What agreements refuse, with a clear message and nothing saved: signing without a valid mandate
(none, expired, not yet valid, another scope, another chain's partner, a role that cannot use it),
for a party that does not sign, a version that is not the one for signature, a second signature
for a party; attachments that are not a PDF, too large (the limit said), a PDF under another name,
an SVG with a script dressed up as a PDF, a PDF carrying JavaScript. And what nobody can do: change
or delete a signature, or change a signed version's content — not the model, the queryset, the
admin, nor plain SQL (the database trigger)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from governance.models import (
    AgreementParty,
    AgreementStatus,
    AgreementVersion,
    PartyRole,
    Signature,
    SignatureLockedError,
    VersionSignedError,
)
from governance.policy import sign_refusal
from governance.services import agreements as services
from governance.services.agreement_content import check_pdf
from stakeholders.models import Mandate, MandateScope, Role
from tests.factories import MandateFactory, MembershipFactory, PartnershipFactory
from tests.governance.agreement_fixtures import TEXT, build_parties, covenant, pdf, sign, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The messages asserted are the English msgids (pages through english_client_for)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def parties(world):
    return build_parties(world)


def sign_url(agreement) -> str:
    return reverse("governance:agreement_sign", args=[agreement.chain.slug, agreement.pk])


def post_sign(client, agreement, version=None):
    version = version or services.current_version(agreement)
    return client.post(
        sign_url(agreement), {"version": version.pk, "fingerprint": version.fingerprint, "confirm": "on"}
    )


def party_a(agreement) -> AgreementParty:
    return agreement.parties.select_related("partnership__organisation").get(partnership__organisation__name="Politie")


# --- Mandates ---------------------------------------------------------------------------------


def _only_mandate(w, **fields) -> Mandate:
    Mandate.objects.filter(person=w.lead_a).delete()
    return MandateFactory(person=w.lead_a, partnership=w.partner_a, **fields)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"scope": MandateScope.SIGN_AGREEMENTS, "valid_from": "2020-01-01", "valid_until": "2021-06-30"},
            "Your mandate to “Sign agreements” for Politie ended on 30-06-2021.",
        ),
        (
            {"scope": MandateScope.SIGN_AGREEMENTS, "valid_from": timezone.localdate() + timedelta(days=3)},
            "Your mandate to “Sign agreements” for Politie is valid only from",
        ),
        (
            {"scope": MandateScope.VOTE_IN_BODY},
            "You have no mandate to “Sign agreements” for Politie; yours for it: “Vote in a body”.",
        ),
    ],
    ids=["expired", "not-yet-valid", "another-scope"],
)
def test_signing_without_a_valid_mandate_is_refused_and_says_which(parties, english_client_for, fields, message):
    w = parties.world
    agreement = covenant(parties)
    _only_mandate(w, **fields)
    response = post_sign(english_client_for(w.lead_a), agreement)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Signature.objects.exists()


def test_a_mandate_for_the_partner_in_another_chain_is_not_one_for_this_chain(parties, english_client_for):
    w = parties.world
    agreement = covenant(parties)
    Mandate.objects.filter(person=w.lead_a).delete()
    elsewhere = PartnershipFactory(chain=w.other_chain, organisation=w.org_a)
    MembershipFactory(person=w.lead_a, chain=w.other_chain, role=Role.PARTNER_LEAD)
    MandateFactory(person=w.lead_a, partnership=elsewhere, scope=MandateScope.SIGN_AGREEMENTS)
    response = post_sign(english_client_for(w.lead_a), agreement)
    assert response.status_code == 422
    assert (
        "is for Politie in the chain Jeugdzorg Regio Noord, not for Politie in this chain" in response.content.decode()
    )
    assert not Signature.objects.exists()


def test_a_role_that_cannot_use_the_mandate_is_refused(parties, english_client_for):
    w = parties.world
    agreement = covenant(parties)
    MandateFactory(person=w.contributor_a, partnership=w.partner_a, scope=MandateScope.SIGN_AGREEMENTS)
    response = post_sign(english_client_for(w.contributor_a), agreement)
    assert response.status_code == 422
    assert (
        "Your role in this chain cannot use your mandate to “Sign agreements” for Politie." in response.content.decode()
    )
    assert not Signature.objects.exists()


def test_someone_of_no_party_gets_403_and_a_participating_party_cannot_sign(parties, english_client_for):
    w = parties.world
    agreement = covenant(parties)
    assert post_sign(english_client_for(w.viewer), agreement).status_code == 403
    court = agreement.parties.get(partnership=parties.court)
    assert sign_refusal(parties.judge, court) == "Rechtspraak participates in this agreement and does not sign it."
    response = post_sign(english_client_for(parties.judge), agreement)
    assert response.status_code == 422
    assert not Signature.objects.exists()


def test_signing_a_version_that_is_not_the_one_for_signature_is_refused(parties, english_client_for):
    w = parties.world
    agreement = covenant(parties)
    first = services.current_version(agreement)
    services.add_version(w.manager, agreement, text=TEXT + "\nMet bijlage.\n", pdf=None)
    response = post_sign(english_client_for(w.lead_a), agreement, version=first)
    assert response.status_code == 422
    assert "You are signing a version that is not the one for signature: version 2 is." in response.content.decode()
    assert not Signature.objects.exists()


def test_signing_a_draft_is_refused(parties):
    w = parties.world
    agreement = covenant(parties, send=False)
    with pytest.raises(services.AgreementRefused, match="not for signature"):
        sign(w.lead_a, agreement)


def test_a_second_signature_for_a_party_that_signed_is_refused(parties, english_client_for):
    w = parties.world
    agreement = covenant(parties)
    second = MembershipFactory(
        person__organisation=w.org_a, person__full_name="Tweede", chain=w.chain, role=Role.PARTNER_LEAD
    ).person
    MandateFactory(person=second, partnership=w.partner_a, scope=MandateScope.SIGN_AGREEMENTS)
    sign(w.lead_a, agreement)
    response = post_sign(english_client_for(second), agreement)
    assert response.status_code == 422
    assert "Politie has already signed version 1: Lead-A did, on" in response.content.decode()
    assert Signature.objects.count() == 1


def test_a_changed_fingerprint_is_refused(parties):
    w = parties.world
    agreement = covenant(parties)
    with pytest.raises(services.AgreementRefused, match="changed since you opened it"):
        sign(w.lead_a, agreement, fingerprint="0" * 64)


# --- Attachments --------------------------------------------------------------------------------


def _post_version(client, agreement, attachment):
    url = reverse("governance:agreement_version_create", args=["zsm", agreement.pk])
    return client.post(url, {"text": "", "note": "", "attachment": attachment})


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("attachment", "message"),
    [
        (upload(b"Gewoon tekst, geen PDF.", "afspraak.pdf"), "This file is not a PDF (whatever its name says)"),
        (upload(SVG, "afspraak.pdf", "application/pdf"), "This file is not a PDF (whatever its name says)"),
        (upload(b"%PDF-1.7\n<svg onload=alert(1)>", "afspraak.pdf"), "cannot be read as one"),
        (upload(pdf(), "afspraak.docx", "application/msword"), "does not end in .pdf"),
    ],
    ids=["text", "svg-as-pdf", "broken", "wrong-extension"],
)
def test_an_attachment_that_is_not_an_acceptable_pdf_is_refused_at_the_field(
    parties, english_client_for, attachment, message
):
    w = parties.world
    agreement = covenant(parties, send=False)
    response = _post_version(english_client_for(w.manager), agreement, attachment)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


def test_a_pdf_larger_than_the_limit_is_refused_and_the_limit_is_said(parties, english_client_for, settings):
    settings.AGREEMENT_PDF_MAX_BYTES = 2048
    w = parties.world
    agreement = covenant(parties, send=False)
    response = _post_version(english_client_for(w.manager), agreement, upload(pdf(padding=4000)))
    assert response.status_code == 422
    page = response.content.decode()
    assert "an attached PDF can be at most 2,0\xa0KB" in page or "an attached PDF can be at most 2.0\xa0KB" in page
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


def test_a_pdf_with_javascript_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hi');")}
    )
    stream = io.BytesIO()
    writer.write(stream)
    with pytest.raises(ValidationError, match="JavaScript"):
        check_pdf(upload(stream.getvalue()))


# --- Nobody changes a signature or a signed version ---------------------------------------------


@pytest.fixture
def signed(parties):
    agreement = covenant(parties, attachment=pdf())
    return sign(parties.world.lead_a, agreement)


def test_the_model_refuses_to_change_or_delete_a_signature(signed):
    signed.user_agent = "vervalst"
    with pytest.raises(SignatureLockedError):
        signed.save()
    with pytest.raises(SignatureLockedError):
        signed.delete()
    with pytest.raises(SignatureLockedError):
        Signature.objects.filter(pk=signed.pk).update(user_agent="vervalst")
    with pytest.raises(SignatureLockedError):
        Signature.objects.filter(pk=signed.pk).delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE governance_signature SET fingerprint = 'x' WHERE id = %s",
        "DELETE FROM governance_signature WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_signature(signed, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [signed.pk])
    assert Signature.objects.get(pk=signed.pk).fingerprint == signed.fingerprint


def test_a_signed_versions_content_cannot_change_in_the_model_or_the_database(signed):
    version = AgreementVersion.objects.get(pk=signed.version_id)
    version.text = "Andere tekst"
    with pytest.raises(ValidationError, match="its content is fixed"):
        version.full_clean()
    with pytest.raises(VersionSignedError):
        version.save()
    with pytest.raises(VersionSignedError):
        version.delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE governance_agreementversion SET text = 'x' WHERE id = %s", [version.pk])
    version.refresh_from_db()
    assert version.text == TEXT
    # What is not content may still change in SQL (the note): the guard is about the content only.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE governance_agreementversion SET note = 'toelichting' WHERE id = %s", [version.pk])


def test_the_admin_offers_no_change_or_deletion_of_a_signature(signed, english_client_for, parties):
    client = english_client_for(parties.world.admin)
    change = reverse("admin:governance_signature_change", args=[signed.pk])
    page = client.get(change)
    assert page.status_code == 200 and b'type="submit"' not in page.content.split(b'id="content"')[1]
    assert client.post(change, {"user_agent": "vervalst"}).status_code == 403
    assert (
        client.post(reverse("admin:governance_signature_delete", args=[signed.pk]), {"post": "yes"}).status_code == 403
    )
    assert Signature.objects.get(pk=signed.pk).user_agent == "pytest"


def test_a_partner_of_the_chain_can_never_be_required_to_sign(parties):
    agreement = covenant(parties, send=False)
    party = AgreementParty(agreement=agreement, partnership=parties.court, role=PartyRole.SIGNS)
    with pytest.raises(ValidationError, match="can never be required to sign"):
        party.full_clean()
    assert agreement.status == AgreementStatus.DRAFT


def test_the_admin_shows_a_versions_content_read_only_and_a_forged_change_changes_nothing(
    signed, english_client_for, parties
):
    client = english_client_for(parties.world.admin)
    change = reverse("admin:governance_agreement_change", args=[signed.agreement_id])
    page = client.get(change).content.decode()
    assert 'name="versions-0-text"' not in page  # shown, not offered for change
    version = AgreementVersion.objects.get(pk=signed.version_id)
    client.post(change, {"versions-0-id": version.pk, "versions-0-text": "Vervalst", "title": "x"})
    version.refresh_from_db()
    assert version.text == TEXT
