"""The import's pages: template download, upload, preview, confirm, cancel, errors sheet, progress."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from ambitions import tasks
from ambitions.models import Figure, ImportJob, ImportStatus
from ambitions.services.imports import files, run
from tests.conftest import in_english

pytestmark = pytest.mark.django_db
CSV = (
    b"Onderdeel;Indicator;Periode;Waarde;Teller;Noemer\r\n"
    b"Eenheid Amsterdam;Zaken in voorraad;2025-03;12;;\r\n"
    b"Eenheid Amsterdam;Binnen 24 uur afgedaan;2025-03;;3;4\r\n"
)


def upload(client, chain, data: bytes, name: str = "maart.csv"):
    url = reverse("ambitions:import_upload", args=[chain.slug])
    return client.post(url, {"bestand": SimpleUploadedFile(name, data)})


def test_it_uploads_previews_and_confirms(measures, client_for):
    w = measures.world
    client = in_english(client_for(w.contributor_a))
    response = upload(client, w.chain, CSV)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200
    assert b"Save 2 figures" in page.content and not Figure.objects.exists()
    client.post(reverse("ambitions:import_confirm", args=[w.chain.slug, job.pk]))
    assert ImportJob.objects.get().status == ImportStatus.DONE
    assert Figure.objects.count() == 2
    assert b"What was written" in client.get(job.get_absolute_url()).content


def test_the_preview_page_lists_every_error_and_offers_them_as_a_sheet(measures, client_for, max_page_queries):
    w = measures.world
    client = in_english(client_for(w.contributor_a))
    bad = CSV.replace(b";12;", b";twaalf;").replace(b";3;4", b";5;4")
    upload(client, w.chain, bad)
    job = ImportJob.objects.get()
    with max_page_queries(12):
        page = client.get(job.get_absolute_url())
    assert b"2 errors in the file" in page.content
    assert "Row 2, column “Waarde”".encode() in page.content and b"Save" not in page.content
    sheet = client.get(reverse("ambitions:import_errors", args=[w.chain.slug, job.pk, "xlsx"]))
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.values)
    assert rows[0] == ("Row", "Column", "Reason") and len(rows) == 3
    confirm = client.post(reverse("ambitions:import_confirm", args=[w.chain.slug, job.pk]))
    assert confirm.status_code == 302 and not Figure.objects.exists()


def test_a_large_file_is_checked_by_the_task_and_the_page_polls(measures, client_for, monkeypatch):
    w = measures.world
    queued = []
    monkeypatch.setattr(tasks.check_import, "delay_on_commit", queued.append)
    client = in_english(client_for(w.contributor_a))
    data = CSV + b"\r\n" * (run.INLINE_MAX_BYTES // 2)  # empty lines: large, and still three rows
    upload(client, w.chain, data)
    job = ImportJob.objects.get()
    assert queued == [job.pk] and job.status == ImportStatus.CHECKING
    page = client.get(job.get_absolute_url())
    assert b'hx-trigger="every 2s"' in page.content and b"Refresh" in page.content
    partial = client.get(job.get_absolute_url(), headers={"HX-Request": "true"})
    assert partial.content.lstrip().startswith(b'<section id="import-status"')
    tasks.check_import(job.pk)  # what the worker runs
    assert ImportJob.objects.get().status == ImportStatus.CHECKED


def test_an_upload_over_the_limit_is_refused_at_the_field(measures, client_for, monkeypatch):
    w = measures.world
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 100)
    response = upload(in_english(client_for(w.contributor_a)), w.chain, CSV)
    assert response.status_code == 422
    assert b"larger than" in response.content and not ImportJob.objects.exists()


def test_the_template_downloads_for_a_range_of_periods(measures, client_for):
    w = measures.world
    client = client_for(w.contributor_a)
    url = reverse("ambitions:entry_template", args=[w.chain.slug, "2025-01"])
    response = client.get(url, {"formaat": "csv", "tot": "2025-03"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").count("\r\n") == 1 + 3 * 2
    assert client.get(url, {"tot": "2024-12"}).status_code == 400
    assert client.get(url, {"tot": "2027-12"}).status_code == 400
    assert client.get(url, {"formaat": "pdf"}).status_code == 404


def test_a_job_of_another_organisation_is_forbidden_and_of_another_chain_not_found(measures, client_for):
    w = measures.world
    job = run.start(w.chain, w.org_a, w.contributor_a, "a.csv", CSV)
    assert client_for(w.lead_b).get(job.get_absolute_url()).status_code == 403
    assert client_for(w.outsider).get(job.get_absolute_url()).status_code == 404


def test_a_file_name_with_control_characters_is_stored_without_them(measures, client_for):
    w = measures.world
    upload(client_for(w.contributor_a), w.chain, CSV, name="maart\x00\x1b.csv")
    assert ImportJob.objects.get().file_name == "maart.csv"
