"""Matrix rows of the import of figures from a file (ambitions/views/imports.py): the template of
the entry page, the upload, an import's page, its steps and its errors sheet. Everything follows
Action.ENTER_FIGURES for the import's organisation (ENTER), as the entry grid does.

Objects: ``import_job``, one checked import per target (partner A's by contributor A, partner B's
by lead B, the other chain's by its lead), each one row for an open cell without errors; and
``stale_import_job``, the same gone stale (to check again).
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from ambitions.models import ImportJob, ImportStatus
from ambitions.services.imports import run
from tests.matrix.objects import ORGANISATION_OF, Objects, Url, in_period, of
from tests.matrix.policy import ENTER, FORGED, OTHER, PARTNER_A, PARTNER_B
from tests.matrix.rows import Row

TARGETS = (PARTNER_A, PARTNER_B, OTHER, FORGED)


def _csv(o: Objects, target: str) -> bytes:
    w = o.world
    unit, indicator = {
        PARTNER_A: (w.unit_a, "Zaken in voorraad"),
        PARTNER_B: (w.unit_b, "Zaken in voorraad"),
        OTHER: (w.unit_c, "Aanmeldingen"),
        FORGED: (w.unit_c, "Aanmeldingen"),
    }[target]
    return f"Onderdeel;Indicator;Periode;Waarde\r\n{unit.name};{indicator};{o.period.slug};5\r\n".encode()


def for_organisation(with_file: bool = False) -> Url:
    """The upload page of the target's organisation (``?organisatie=``; forged: the other chain's
    organisation in this chain's URL), with a file to post."""

    def kwargs(o: Objects, target: str) -> dict:
        organisation = getattr(o.world, ORGANISATION_OF[target])
        found = {"slug": o.slug(target), "_query": {"organisatie": organisation.pk}}
        if with_file:
            found["_data"] = {"bestand": SimpleUploadedFile("cijfers.csv", _csv(o, target))}
        return found

    return Url(TARGETS, kwargs)


def errors_sheet() -> Url:
    return Url(TARGETS, lambda o, t: {"slug": o.slug(t), "pk": o.get("import_job", t).pk, "fmt": "xlsx"})


def template_xlsx() -> Url:
    base = in_period(0)

    def kwargs(o: Objects, target: str) -> dict:
        found = base.kwargs(o, target)
        found["_query"] = {**found["_query"], "formaat": "xlsx"}
        return found

    return Url(TARGETS, kwargs)


def job_count(o: Objects, target: str) -> int:
    return ImportJob.objects.filter(organisation=getattr(o.world, ORGANISATION_OF[target])).count()


def job_status(o: Objects, target: str) -> str:
    return ImportJob.objects.values_list("status", flat=True).get(pk=o.get("import_job", target).pk)


def stale_status(o: Objects, target: str) -> str:
    return ImportJob.objects.values_list("status", flat=True).get(pk=o.get("stale_import_job", target).pk)


ROWS: list = [
    Row("ambitions:entry_template", template_xlsx(), ENTER),
    Row("ambitions:import_upload", for_organisation(), ENTER),
    Row("ambitions:import_upload", for_organisation(with_file=True), ENTER, method="post", state=job_count),
    Row("ambitions:import_detail", of("import_job"), ENTER),
    Row("ambitions:import_errors", errors_sheet(), ENTER),
    Row("ambitions:import_confirm", of("import_job"), ENTER, method="post", state=job_status),
    Row("ambitions:import_cancel", of("import_job"), ENTER, method="post", state=job_status),
    Row("ambitions:import_recheck", of("stale_import_job"), ENTER, method="post", state=stale_status),
]


def add_objects(w, found: Objects) -> None:
    people = {PARTNER_A: w.contributor_a, PARTNER_B: w.lead_b, OTHER: found.lead_c}
    for kind in ("import_job", "stale_import_job"):
        found.by_kind[kind] = {}
        for target, person in people.items():
            organisation = getattr(w, ORGANISATION_OF[target])
            chain = w.other_chain if target == OTHER else w.chain
            job = run.start(chain, organisation, person, "cijfers.csv", _csv(found, target))
            run.check(job)
            job.refresh_from_db()
            assert job.status == ImportStatus.CHECKED and not job.errors, (target, job.message, job.errors)
            if kind == "stale_import_job":  # as if a figure changed after its preview
                ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.STALE)
            found.by_kind[kind][target] = job
