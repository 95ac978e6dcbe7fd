"""Figures from a file: the template to fill in (from the entry grid), the upload, the preview with
its progress, confirming, cancelling, checking again, and the errors as a sheet (issue 12).

Who may: whoever may enter the organisation's figures (Action.ENTER_FIGURES), as on the grid; an
import of another chain is 404. The work is in services/imports (run.py: check and write); a file
larger than ``run.INLINE_MAX_BYTES`` is checked and written by a Celery task while the page shows
its progress (htmx polls the status part; without JavaScript the page has a link to refresh it).
The job is stored, so closing the browser loses nothing: the upload page lists recent imports.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ambitions import tasks
from ambitions.models import ImportJob
from ambitions.periods import Period
from ambitions.services.export import CONTENT_TYPES
from ambitions.services.imports import error_sheet, files, run, template
from ketenportaal.forms import PortalFormMixin
from stakeholders.models import Chain
from stakeholders.permissions import Action, get_chain_or_404, require

from .entry import ORGANISATION_PARAM, _organisation_to_enter, _period, _query

PAGE_SIZE = 100
ERRORS_SHOWN = 1000


class UploadForm(PortalFormMixin, forms.Form):
    bestand = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy("At most 20 MB and 100,000 rows. Start from the template of the entry page."),
    )

    def clean_bestand(self):
        upload = self.cleaned_data["bestand"]
        if upload.size > files.MAX_FILE_BYTES:  # before reading it
            raise forms.ValidationError(files.too_large())
        return upload


def _job(request: HttpRequest, slug: str, pk: int) -> tuple[Chain, ImportJob]:
    chain = get_chain_or_404(request.user, slug)
    job = get_object_or_404(
        ImportJob.objects.filter(chain=chain).without_file().select_related("organisation", "created_by"), pk=pk
    )
    require(request.user, Action.ENTER_FIGURES, chain, job.organisation)
    job.chain = chain
    return chain, job


def entry_template(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """The organisation's template for ``period`` (up to ``?tot=``) as ``?formaat=xlsx`` or csv."""
    chain = get_chain_or_404(request.user, slug)
    organisation = _organisation_to_enter(request, chain)
    fmt = request.GET.get("formaat", "xlsx")
    if fmt not in CONTENT_TYPES:
        raise Http404
    first = _period(period)
    last = first
    if request.GET.get("tot"):
        try:
            last = Period.from_slug(request.GET["tot"])
        except ValueError:
            last = None
        if last is None or last.frequency != first.frequency or last < first:
            return HttpResponseBadRequest(
                _("Give the last period as a period of the same kind, after the first."),
                content_type="text/plain; charset=utf-8",
            )
    periods = [first]
    while periods[-1] < last and len(periods) < template.MAX_PERIODS:
        periods.append(periods[-1].next)
    if periods[-1] != last:
        return HttpResponseBadRequest(
            _("A template spans at most %(max)s periods.") % {"max": template.MAX_PERIODS},
            content_type="text/plain; charset=utf-8",
        )
    rows = template.collect(chain, organisation, periods)
    data = template.to_xlsx(rows) if fmt == "xlsx" else template.to_csv(rows)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    name = template.filename(chain, organisation, first, last, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def import_upload(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a file for the organisation; lists its recent imports, so none is ever lost."""
    chain = get_chain_or_404(request.user, slug)
    organisation = _organisation_to_enter(request, chain)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["bestand"]
        job = run.start(chain, organisation, request.user, upload.name, upload.read())
        if job.size <= run.INLINE_MAX_BYTES:
            run.check(job)
        else:
            tasks.check_import.delay_on_commit(job.pk)
        job.chain = chain
        return redirect(job.get_absolute_url())
    recent = ImportJob.objects.filter(chain=chain, organisation=organisation).without_file()[:10]
    return render(
        request,
        "ambitions/import_upload.html",
        {
            "chain": chain,
            "organisation": organisation,
            "form": form,
            "recent": recent,
            "query": _query(request, organisation),
            "organisation_param": ORGANISATION_PARAM,
        },
        status=422 if form.errors else 200,
    )


def import_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Progress while the file is checked or written; then the preview, the errors and the steps."""
    chain, job = _job(request, slug, pk)
    context = {"chain": chain, "job": job, "query": _query(request, job.organisation)}
    if getattr(request, "htmx", False) and job.is_running:
        return render(request, "ambitions/import_detail.html#status", context)
    if not job.is_running:
        preview = ImportJob.objects.values_list("preview", flat=True).get(pk=job.pk)
        everything = request.GET.get("alles") == "1"
        shown = preview if everything else [entry for entry in preview if entry[1] != run.UNCHANGED]
        page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("pagina"))
        page.object_list = [entry[:7] for entry in page.object_list]  # what the table shows
        context |= {"page": page, "everything": everything, "errors_shown": job.errors[:ERRORS_SHOWN]}
    return render(request, "ambitions/import_detail.html", context)


@require_POST
def import_confirm(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain, job = _job(request, slug, pk)
    if not run.confirm(job):
        messages.error(request, _("This import cannot be confirmed: it has errors, or it is no longer waiting."))
    elif job.size <= run.INLINE_MAX_BYTES:
        run.write(job.pk)
    else:
        tasks.write_import.delay_on_commit(job.pk)
    return redirect(job.get_absolute_url())


@require_POST
def import_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain, job = _job(request, slug, pk)
    if run.cancel(job):
        messages.success(request, _("The import is cancelled; nothing of it was written."))
    else:
        messages.error(request, _("Too late to cancel: this import is being written or is finished."))
    return redirect(job.get_absolute_url())


@require_POST
def import_recheck(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain, job = _job(request, slug, pk)
    if run.recheck(job):
        if job.size <= run.INLINE_MAX_BYTES:
            run.check(ImportJob.objects.select_related("chain", "organisation", "created_by").get(pk=job.pk))
        else:
            tasks.check_import.delay_on_commit(job.pk)
    else:
        messages.error(request, _("This import cannot be checked again now."))
    return redirect(job.get_absolute_url())


def import_errors(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    """Every error of the preview as a sheet: row, column, reason."""
    if fmt not in CONTENT_TYPES:
        raise Http404
    chain, job = _job(request, slug, pk)
    data = error_sheet.to_xlsx(job.errors) if fmt == "xlsx" else error_sheet.to_csv(job.errors)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="fouten-import-{job.pk}.{fmt}"'
    return response


def upload_url(chain: Chain, query: str) -> str:
    return reverse("ambitions:import_upload", args=[chain.slug]) + query


routes = [
    path("invoer/<str:period>/sjabloon/", entry_template, name="entry_template"),
    path("importeren/", import_upload, name="import_upload"),
    path("importeren/<int:pk>/", import_detail, name="import_detail"),
    path("importeren/<int:pk>/bevestigen/", import_confirm, name="import_confirm"),
    path("importeren/<int:pk>/annuleren/", import_cancel, name="import_cancel"),
    path("importeren/<int:pk>/opnieuw/", import_recheck, name="import_recheck"),
    path("importeren/<int:pk>/fouten.<str:fmt>", import_errors, name="import_errors"),
]
