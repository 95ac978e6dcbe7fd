"""Importing figures from a file (issue 12): the template, the preview, the all-or-nothing write,
the optimistic check against changes since the preview, cancelling, and the audit trail."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.utils import translation
from openpyxl import load_workbook

from ambitions.models import ChainAggregate, Figure, FigureChange, FigureSource, ImportJob, ImportStatus
from ambitions.periods import Period
from ambitions.services import export, submissions
from ambitions.services.entry import CellConflict, CellInput, save_cell
from ambitions.services.imports import run, template
from stakeholders.models import Notification
from tests.ambitions.import_helpers import checked_job, errors_by_row, statuses
from tests.measures import enter_count

pytestmark = pytest.mark.django_db
MARCH = Period.from_slug("2025-03")
APRIL = Period.from_slug("2025-04")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def csv_of(*lines: str) -> bytes:
    return (
        "Onderdeel;Indicator;Periode;Waarde;Teller;Noemer;Toelichting\r\n" + "".join(f"{line}\r\n" for line in lines)
    ).encode()


def written(job: ImportJob) -> ImportJob:
    assert run.confirm(job)
    return run.write(job.pk)


def test_it_previews_new_changed_and_unchanged_rows_with_old_and_new_values(measures):
    m, w = measures, measures.world
    enter_count(m, w.unit_a, MARCH, "10")
    enter_count(m, w.unit_a, APRIL, "7")
    job = checked_job(
        m,
        csv_of(
            "Eenheid Amsterdam;Zaken in voorraad;2025-03;12;;;",
            "Eenheid Amsterdam;Zaken in voorraad;2025-04;7;;;",
            "Eenheid Amsterdam;Binnen 24 uur afgedaan;2025-03;;3;4;",
        ),
    )
    assert [entry[:7] for entry in job.preview] == [
        [2, "changed", "Eenheid Amsterdam", "Zaken in voorraad", "2025-03-01", "10", "12"],
        [3, "unchanged", "Eenheid Amsterdam", "Zaken in voorraad", "2025-04-01", "7", "7"],
        [4, "new", "Eenheid Amsterdam", "Binnen 24 uur afgedaan", "2025-03-01", "", "3 / 4"],
    ]
    assert (job.new, job.changed, job.unchanged, job.error_count) == (1, 1, 1, 0)
    assert Figure.objects.get(indicator=m.count, period=MARCH.start).value == 10, "the preview wrote nothing"


def test_confirming_writes_every_row_with_history_roll_ups_and_the_file_in_the_audit_trail(
    measures, django_capture_on_commit_callbacks
):
    m, w = measures, measures.world
    data = csv_of(
        "Eenheid Amsterdam;Zaken in voorraad;2025-03;12;;;",
        "Eenheid Amsterdam;Binnen 24 uur afgedaan;2025-03;;3;4;",
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = written(checked_job(m, data, "maart.csv"))
    assert job.status == ImportStatus.DONE and (job.new, job.changed) == (2, 0)
    figure = Figure.objects.get(indicator=m.count, unit=w.unit_a, period=MARCH.start)
    assert (figure.value, figure.source, figure.entered_by) == (12, FigureSource.IMPORT, w.contributor_a)
    change = FigureChange.objects.get(figure=figure)
    assert (change.source, change.import_job_id) == (FigureSource.IMPORT, job.pk)
    assert job.sha256 == run.sha256_of(data) and job.file_name == "maart.csv"
    trail = str([entry.changes for entry in LogEntry.objects.get_for_object(job)])
    assert "maart.csv" in trail and job.sha256 in trail and "'done'" in trail
    assert ChainAggregate.objects.get(indicator=m.count, period=MARCH.start).value_sum == 12
    assert Notification.objects.filter(person=w.contributor_a, key=f"import-{job.pk}-done").exists()


def test_a_file_with_errors_cannot_be_confirmed(measures):
    job = checked_job(measures, csv_of("Eenheid Amsterdam;Zaken in voorraad;2025-03;twaalf;;;"))
    assert job.error_count == 1
    assert not run.confirm(job)
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.CHECKED


def test_it_writes_nothing_when_a_figure_changed_since_the_preview_and_says_why(measures):
    m, w = measures, measures.world
    enter_count(m, w.unit_a, MARCH, "10")
    job = checked_job(
        m,
        csv_of(
            "Eenheid Amsterdam;Zaken in voorraad;2025-03;12;;;",
            "Eenheid Amsterdam;Zaken in voorraad;2025-04;5;;;",
        ),
    )
    enter_count(m, w.unit_a, MARCH, "11")  # someone else, in the grid, after the preview
    job = written(job)
    assert job.status == ImportStatus.STALE
    assert job.message.startswith("Nothing was written: row 2 changed since the preview")
    assert Figure.objects.get(indicator=m.count, period=MARCH.start).value == 11
    assert not Figure.objects.filter(indicator=m.count, period=APRIL.start).exists()
    # Checked again, the preview shows the figure as it is now, and confirming writes it.
    assert run.recheck(job)
    run.check(job)
    job.refresh_from_db()
    assert job.preview[0][5:7] == ["11", "12"]
    assert written(job).status == ImportStatus.DONE


def test_an_unchanged_row_is_held_to_its_revision_too(measures):
    m, w = measures, measures.world
    enter_count(m, w.unit_a, MARCH, "10")
    job = checked_job(m, csv_of("Eenheid Amsterdam;Zaken in voorraad;2025-03;10;;;"))
    assert statuses(job) == {2: "unchanged"}
    enter_count(m, w.unit_a, MARCH, "9")
    assert written(job).status == ImportStatus.STALE


def test_it_writes_nothing_when_the_period_was_approved_since_the_preview(measures):
    m, w = measures, measures.world
    enter_count(m, w.unit_a, MARCH, "10")
    job = checked_job(m, csv_of("Eenheid Amsterdam;Zaken in voorraad;2025-03;12;;;"))
    assert statuses(job) == {2: "changed"}
    submissions.submit(w.lead_a, w.chain, w.org_a, MARCH, missing_reason="test")
    submissions.approve(w.lead_a, w.chain, w.org_a, MARCH, missing_reason="test")
    job = written(job)
    assert job.status == ImportStatus.STALE and "row 2" in job.message
    assert Figure.objects.get(indicator=m.count, period=MARCH.start).value == 10


def test_an_import_and_a_grid_edit_of_the_same_cell_never_lose_either(measures):
    m, w = measures, measures.world
    enter_count(m, w.unit_a, MARCH, "10")
    figure = Figure.objects.get(indicator=m.count, period=MARCH.start)
    grid_revision = figure.revision  # the grid was loaded here
    job = written(checked_job(m, csv_of("Eenheid Amsterdam;Zaken in voorraad;2025-03;12;;;")))
    assert job.status == ImportStatus.DONE
    with pytest.raises(CellConflict):  # the later one conflicts visibly
        save_cell(w.contributor_a, m.count, w.unit_a, MARCH, CellInput(value="13", revision=grid_revision))
    assert Figure.objects.get(pk=figure.pk).value == 12


def test_cancelling_before_the_write_writes_nothing_and_after_is_refused(measures):
    m = measures
    job = checked_job(m, csv_of("Eenheid Amsterdam;Zaken in voorraad;2025-03;12;;;"))
    assert run.confirm(job)
    assert run.cancel(job)
    assert run.write(job.pk).status == ImportStatus.CANCELLED
    assert not Figure.objects.exists()
    done = written(checked_job(m, csv_of("Eenheid Amsterdam;Zaken in voorraad;2025-03;12;;;")))
    assert not run.cancel(done)


def test_a_second_write_of_the_same_job_writes_nothing_twice(measures):
    job = written(checked_job(measures, csv_of("Eenheid Amsterdam;Zaken in voorraad;2025-03;12;;;")))
    again = run.write(job.pk)
    assert again.status == ImportStatus.DONE
    assert FigureChange.objects.count() == 1


def test_it_refuses_a_person_who_may_not_enter_for_the_organisation(measures):
    m, w = measures, measures.world
    job = checked_job(m, csv_of("Eenheid Amsterdam;Zaken in voorraad;2025-03;12;;;"), person=w.lead_b)
    assert errors_by_row(job) == {2: {"Onderdeel": "You may not enter figures for Politie in this chain."}}


def test_a_checked_job_in_dutch_speaks_dutch(measures):
    with translation.override("nl"):
        job = checked_job(measures, csv_of("Eenheid Amsterdam;Zaken in voorraad;2025-03;twaalf;;;"))
    assert job.errors == [[2, "Waarde", "Vul een getal in, bijvoorbeeld 12 of 12,5."]]


# --- The template --------------------------------------------------------------------------------


def test_the_template_has_a_row_per_unit_indicator_and_period_and_reads_back_unchanged(measures):
    m, w = measures, measures.world
    enter_count(m, w.unit_a, MARCH, "10")
    Figure.objects.filter(indicator=m.count, period=MARCH.start).update(comment='=HYPERLINK("x")')
    rows = template.collect(w.chain, w.org_a, [MARCH, APRIL])
    assert len(rows) == 4  # one unit × two indicators × two months
    data = template.to_xlsx(rows)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]][:4] == ["Onderdeel-id", "Indicator-id", "Organisatie", "Onderdeel"]
    assert sheet.column_dimensions["A"].hidden and sheet.column_dimensions["B"].hidden
    assert sheet.data_validations.dataValidation, "numbers only, and the plausible ranges"
    comments = [row[12].value for row in sheet.iter_rows(min_row=2) if row[12].value]
    assert comments == ['\'=HYPERLINK("x")'], "neutralised in the export"
    for name, payload in (("t.xlsx", data), ("t.csv", template.to_csv(rows))):
        job = checked_job(m, payload, name)
        assert job.errors == [], name
        assert (job.new, job.changed) == (0, 0), "the template as downloaded changes nothing"


def test_an_imported_formula_comment_is_neutralised_on_every_export(measures):
    m, w = measures, measures.world
    job = written(checked_job(m, csv_of('Eenheid Amsterdam;Zaken in voorraad;2025-03;12;;;"=HYPERLINK(""x"")"')))
    assert job.status == ImportStatus.DONE
    assert Figure.objects.get(indicator=m.count).comment == '=HYPERLINK("x")'
    assert b"'=HYPERLINK" in export.to_csv(export.collect(m.count))
    assert b"'=HYPERLINK" in template.to_csv(template.collect(w.chain, w.org_a, [MARCH]))
    assert Decimal(12) == Figure.objects.get(indicator=m.count).value
