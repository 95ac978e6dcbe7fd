"""Agreements through their pages: drawing one up with parties and a first version (text and PDF,
fixed by a SHA-256 fingerprint of the stored content), sending it for signature, signing by
mandate (what a signature records), the last signature putting it in force, a new version voiding
the old signatures and asking again, verification, the PDF with its signature page, My work."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from governance.models import Agreement, AgreementStatus, AgreementVersion, PartyRole, Signature
from governance.models.agreements import fingerprint_of
from governance.services import agreements as services
from stakeholders.models import Notification
from tests.governance.agreement_fixtures import TEXT, build_parties, covenant, pdf, sign, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def _in_english():
    """The messages asserted are the English msgids; pages are read through english_client_for."""
    with translation.override("en"):
        yield


@pytest.fixture
def parties(world):
    return build_parties(world)


def detail_url(agreement: Agreement) -> str:
    return reverse("governance:agreement_detail", args=[agreement.chain.slug, agreement.pk])


def sign_url(agreement: Agreement) -> str:
    return reverse("governance:agreement_sign", args=[agreement.chain.slug, agreement.pk])


def sign_post(agreement: Agreement, version: AgreementVersion | None = None) -> dict:
    version = version or services.current_version(agreement)
    return {"version": version.pk, "fingerprint": version.fingerprint, "confirm": "on"}


def test_it_draws_up_an_agreement_with_parties_and_a_fingerprinted_first_version(parties, english_client_for):
    w = parties.world
    data = pdf()
    response = english_client_for(w.manager).post(
        reverse("governance:agreement_create", args=["zsm"]),
        {
            "kind": "covenant",
            "title": "Convenant ZSM 2025–2028",
            "valid_from": "2025-01-01",
            "valid_until": "2028-12-31",
            "evaluate_on": "2027-01-01",
            "text": TEXT,
            "attachment": upload(data),
            f"party_{w.partner_a.pk}": "signs",
            f"party_{w.partner_b.pk}": "signs",
            f"party_{parties.court.pk}": "participates",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agreement = Agreement.objects.get()
    assert agreement.status == AgreementStatus.DRAFT
    assert dict(agreement.parties.values_list("partnership_id", "role")) == {
        w.partner_a.pk: PartyRole.SIGNS,
        w.partner_b.pk: PartyRole.SIGNS,
        parties.court.pk: PartyRole.PARTICIPATES,
    }
    version = agreement.versions.get()
    # Computed from the stored bytes: the same bytes as uploaded, read back through the storage.
    assert version.attachment.read() == data
    assert version.fingerprint == fingerprint_of(TEXT, data)
    assert version.attachment_size == len(data)


def test_it_never_offers_or_takes_a_partner_of_the_chain_as_required_to_sign(parties, english_client_for):
    w = parties.world
    client = english_client_for(w.manager)
    page = client.get(reverse("governance:agreement_create", args=["zsm"])).content.decode()
    court_field = page.split(f'name="party_{parties.court.pk}"')[1].split("</select>")[0]
    assert 'value="signs"' not in court_field
    response = client.post(
        reverse("governance:agreement_create", args=["zsm"]),
        {
            "kind": "covenant",
            "title": "Convenant",
            "valid_from": "2025-01-01",
            "text": TEXT,
            f"party_{w.partner_a.pk}": "signs",
            f"party_{parties.court.pk}": "signs",  # forged
        },
    )
    assert response.status_code == 422
    assert not Agreement.objects.exists()


def test_it_sends_for_signature_and_tells_who_may_sign(parties, django_capture_on_commit_callbacks):
    w = parties.world
    agreement = covenant(parties, send=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_for_signature(w.manager, agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.FOR_SIGNATURE
    told = set(Notification.objects.filter(key__startswith="agreement-sign:").values_list("person_id", flat=True))
    assert told == {w.lead_a.pk, w.lead_b.pk}  # the court participates: its lead is not asked


def test_a_signature_records_person_organisation_mandate_fingerprint_time_ip_and_browser(parties, english_client_for):
    w = parties.world
    agreement = covenant(parties, attachment=pdf())
    client = english_client_for(w.lead_a)
    response = client.post(
        sign_url(agreement), sign_post(agreement), HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302
    signature = Signature.objects.get()
    mandate = w.lead_a.mandates.get(scope="sign_agreements")
    version = services.current_version(agreement)
    assert (signature.person, signature.organisation, signature.partnership) == (w.lead_a, w.org_a, w.partner_a)
    assert (signature.mandate, signature.mandate_valid_from, signature.mandate_valid_until) == (
        mandate,
        mandate.valid_from,
        mandate.valid_until,
    )
    assert signature.fingerprint == version.fingerprint
    assert signature.ip_address == "198.51.100.7"
    assert signature.user_agent == "Firefox/140"
    assert signature.signed_at is not None
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.FOR_SIGNATURE  # OM has not signed yet


def test_the_last_required_signature_puts_it_in_force_and_the_page_verifies_every_fingerprint(
    parties, english_client_for
):
    w = parties.world
    agreement = covenant(parties, attachment=pdf())
    sign(w.lead_a, agreement)
    response = english_client_for(w.lead_b).post(sign_url(agreement), sign_post(agreement))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE
    assert agreement.in_force_since is not None
    page = english_client_for(w.viewer).get(detail_url(agreement)).content.decode()
    assert page.count("Matches: what was signed is the stored content") == 2
    assert "Verified: the fingerprint of the stored content" in page


def test_verification_says_when_the_stored_content_no_longer_matches(parties, english_client_for, media_root):
    w = parties.world
    agreement = covenant(parties, attachment=pdf())
    sign(w.lead_a, agreement)
    version = services.current_version(agreement)
    # Someone swaps the stored file behind the portal's back.
    (media_root / version.attachment.name).write_bytes(pdf(padding=10))
    page = english_client_for(w.viewer).get(detail_url(agreement)).content.decode()
    assert "Not verified: the stored content no longer has the version" in page
    assert "Does not match: the stored content differs from what was signed" in page


def test_a_new_version_voids_the_old_signatures_keeps_them_and_asks_again(
    parties, english_client_for, django_capture_on_commit_callbacks
):
    w = parties.world
    agreement = covenant(parties)
    sign(w.lead_a, agreement)
    sign(w.lead_b, agreement)
    first = services.current_version(agreement)
    with django_capture_on_commit_callbacks(execute=True):
        response = english_client_for(w.manager).post(
            reverse("governance:agreement_version_create", args=["zsm", agreement.pk]),
            {"text": TEXT + "\n3. Reclassering\n", "note": "Reclassering erbij"},
        )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.FOR_SIGNATURE
    second = services.current_version(agreement)
    assert second.number == 2 and second.fingerprint != first.fingerprint
    assert Signature.objects.filter(version=first).count() == 2  # kept, in the history
    page = english_client_for(w.viewer).get(detail_url(agreement)).content.decode()
    assert page.count("Not yet signed") == 2
    assert "(void)" in page
    assert Notification.objects.filter(key=f"agreement-sign:{second.pk}").count() == 2


def test_the_text_is_rendered_safely(parties, english_client_for):
    w = parties.world
    text = '# Kop\n\n<script>alert(1)</script>\n\n[klik](javascript:alert(2)) <img src=x onerror="alert(3)">'
    agreement = covenant(parties, send=False, text=text)
    page = english_client_for(w.viewer).get(detail_url(agreement)).content.decode()
    body = page.split('class="kp-agreement-text"')[1].split("</div>")[0]
    assert "<h2>Kop</h2>" in body
    # Raw HTML stays text (escaped), a javascript: link is no link: nothing that runs.
    assert "<script" not in body and "<img" not in body and 'href="javascript' not in body


def test_the_pdf_ends_with_a_signature_page(parties, english_client_for):
    w = parties.world
    agreement = covenant(parties)
    sign(w.lead_a, agreement)
    response = english_client_for(w.viewer).get(reverse("governance:agreement_pdf", args=["zsm", agreement.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    last = reader.pages[-1].extract_text()
    assert "Signatures" in last
    assert "Lead-A" in last and "Not yet signed" in last


def test_the_attached_pdf_is_served_as_stored_and_never_inline(parties, english_client_for):
    w = parties.world
    data = pdf()
    agreement = covenant(parties, attachment=data)
    response = english_client_for(w.viewer).get(
        reverse("governance:agreement_attachment", args=["zsm", agreement.pk, 1])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_my_work_lists_the_signatures_waiting_for_my_mandate(parties, english_client_for):
    w = parties.world
    agreement = covenant(parties)
    assert [party.partnership for party in services.waiting_for_signature(w.lead_a)] == [w.partner_a]
    assert services.waiting_for_signature(w.contributor_a) == []
    assert services.waiting_for_signature(parties.judge) == []
    page = english_client_for(w.lead_a).get("/").content.decode()
    assert "Signatures waiting for my mandate" in page and agreement.title in page
    sign(w.lead_a, agreement)
    assert services.waiting_for_signature(w.lead_a) == []


def test_the_agreement_page_costs_the_same_queries_however_many_signatures(
    parties, english_client_for, max_page_queries
):
    w = parties.world
    agreement = covenant(parties, attachment=pdf())
    sign(w.lead_a, agreement)
    client = english_client_for(w.viewer)
    client.get(detail_url(agreement))
    with max_page_queries(30) as few:
        client.get(detail_url(agreement))
    sign(w.lead_b, agreement)
    services.add_version(w.manager, agreement, text="Nieuw", pdf=pdf())
    sign(w.lead_a, agreement)
    services.add_version(w.manager, agreement, text="Nieuwer", pdf=None)
    with max_page_queries(len(few.captured_queries)):
        assert client.get(detail_url(agreement)).status_code == 200


def test_the_history_shows_versions_and_signatures(parties, english_client_for):
    w = parties.world
    agreement = covenant(parties)
    sign(w.lead_a, agreement)
    entries = services.history_entries(agreement)
    kinds = {entry.content_type.model for entry in entries}
    assert {"agreement", "agreementparty", "agreementversion", "signature"} <= kinds


def test_a_version_without_a_pdf_is_fingerprinted_by_its_text_alone(parties):
    agreement = covenant(parties, send=False)
    version = services.current_version(agreement)
    assert version.fingerprint == fingerprint_of(TEXT, None)
    version.attachment.save("x.pdf", ContentFile(pdf()), save=False)
    assert services.verify(version).intact is False  # the content changed; the recorded fingerprint did not


def test_a_participating_partys_lead_is_neither_asked_nor_offered_to_sign(parties, english_client_for):
    agreement = covenant(parties)
    assert services.waiting_for_signature(parties.judge) == []
    page = english_client_for(parties.judge).get(detail_url(agreement)).content.decode()
    assert 'id="sign"' not in page
    assert "Participating (does not sign)" in page


def test_the_list_and_my_work_cost_the_same_queries_however_many_agreements(
    parties, english_client_for, max_page_queries, django_assert_num_queries
):
    w = parties.world
    covenant(parties)
    client = english_client_for(w.lead_a)
    list_url = reverse("governance:agreement_list", args=["zsm"])
    client.get(list_url)
    with max_page_queries(15) as few:
        client.get(list_url)
    for number in range(4):
        agreement = covenant(parties, title=f"Afspraak {number}")
        sign(w.lead_b, agreement)
    with max_page_queries(len(few.captured_queries)):
        assert client.get(list_url).status_code == 200
    with django_assert_num_queries(1):
        assert len(services.waiting_for_signature(w.lead_a)) == 5


def test_the_history_names_what_changed_and_keeps_the_signers_ip_address_to_the_signature(parties, english_client_for):
    w = parties.world
    agreement = covenant(parties)
    sign(w.lead_a, agreement, ip_address="198.51.100.77", user_agent="Geheime Browser/1.0")
    page = english_client_for(w.viewer).get(detail_url(agreement)).content.decode()
    assert "Politie under version 1: created" in page
    assert "198.51.100.77" not in page and "Geheime Browser" not in page
    assert Signature.objects.get().ip_address == "198.51.100.77"


def test_a_drafts_details_and_parties_change_and_a_sent_agreements_do_not(parties, english_client_for):
    w = parties.world
    draft = covenant(parties, send=False)
    client = english_client_for(w.manager)
    url = reverse("governance:agreement_edit", args=["zsm", draft.pk])
    form = client.get(url).context["form"]
    data = {
        **{name: field.value() or "" for name, field in ((f.name, f) for f in form)},
        "title": "Convenant (herzien)",
    }
    data[f"party_{w.partner_b.pk}"] = ""  # OM is no longer a party
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    draft.refresh_from_db()
    assert draft.title == "Convenant (herzien)"
    assert set(draft.parties.values_list("partnership_id", flat=True)) == {w.partner_a.pk, parties.court.pk}
    sent = covenant(parties, title="Verzonden")
    response = client.get(reverse("governance:agreement_edit", args=["zsm", sent.pk]))
    assert response.status_code == 302  # back to its page: a new version is the way
