"""Setting up ambitions and indicators: the list every member reads, and the programme manager's forms.

An indicator is created together with its first (draft) version in one form; the version is then
proposed to the core partners from its own page (views/versions.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambitions.forms.setup import DUPLICATE_INDICATOR_MESSAGE, AmbitionForm, IndicatorForm
from ambitions.forms.versions import IndicatorVersionForm
from ambitions.models import Ambition, ConsentPosition, Indicator, IndicatorVersion, VersionStatus
from ambitions.periods import Frequency, Period
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.history import history_for
from stakeholders.models import Chain
from stakeholders.permissions import Action, allows, get_chain_or_404, require


def _list_url(chain: Chain, ambition: Ambition | None = None) -> str:
    url = reverse("ambitions:ambition_list", args=[chain.slug])
    return f"{url}#ambition-{ambition.pk}" if ambition is not None else url


def ambition_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Every ambition with its indicators and where each indicator's definition stands; all members read it."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    versions = IndicatorVersion.objects.only(
        "pk", "indicator_id", "number", "status", "effective_from", "frequency"
    ).annotate(
        # The current round's answers: an amended proposal is asked again.
        consent_count=Count(
            "consents", filter=Q(consents__position=ConsentPosition.CONSENT, consents__round=F("round"))
        ),
        objection_count=Count(
            "consents", filter=Q(consents__position=ConsentPosition.OBJECTION, consents__round=F("round"))
        ),
    )
    ambitions = Ambition.objects.filter(chain=chain).prefetch_related(
        Prefetch(
            "indicators",
            queryset=Indicator.objects.prefetch_related(Prefetch("versions", queryset=versions.order_by("-number"))),
        )
    )
    rows = []
    for ambition in ambitions:
        indicators = []
        for indicator in ambition.indicators.all():
            all_versions = list(indicator.versions.all())
            indicators.append(
                {
                    "indicator": indicator,
                    "latest": all_versions[0] if all_versions else None,
                    "current": next((v for v in all_versions if v.status == VersionStatus.ADOPTED), None),
                }
            )
        rows.append({"ambition": ambition, "indicators": indicators})
    return render(
        request,
        "ambitions/ambition_list.html",
        {"chain": chain, "rows": rows, "can_manage": allows(request.user, Action.MANAGE_INDICATORS, chain)},
    )


def ambition_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A new ambition: statement, societal interest and horizon; programme managers and administrators."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_INDICATORS, chain)
    form = AmbitionForm(request.POST if request.method == "POST" else None, chain=chain)
    if request.method == "POST" and form.is_valid():
        ambition = form.save()
        messages.success(request, _("The ambition has been added. Add its indicators next."))
        return redirect_after_save(request, _list_url(chain, ambition))
    return render_form_page(request, "ambitions/ambition_create.html", {"chain": chain, "form": form}, form)


def _ambition(chain: Chain, pk: int) -> Ambition:
    # Scoped to the chain: another chain's ambition id is simply not found.
    ambition = get_object_or_404(Ambition, chain=chain, pk=pk)
    ambition.chain = chain
    return ambition


def ambition_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Edit an ambition, refusing to overwrite a change made meanwhile; with its history."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_INDICATORS, chain)
    ambition = _ambition(chain, pk)
    form = AmbitionForm(request.POST if request.method == "POST" else None, instance=ambition, chain=chain)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The ambition has been saved."))
        return redirect_after_save(request, _list_url(chain, ambition))
    return render_form_page(
        request,
        "ambitions/ambition_edit.html",
        {"chain": chain, "ambition": ambition, "form": form, "history": history_for(ambition)},
        form,
    )


def indicator_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A new indicator and its first, draft version in one form: nothing is saved unless all of it is valid."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_INDICATORS, chain)
    ambition = _ambition(chain, pk)
    data = request.POST if request.method == "POST" else None
    this_month = Period.containing(timezone.localdate(), Frequency.MONTH).start
    indicator_form = IndicatorForm(data, ambition=ambition)
    version_form = IndicatorVersionForm(
        data,
        chain=chain,
        instance=IndicatorVersion(number=1, status=VersionStatus.DRAFT),
        initial={"effective_from": this_month},
    )
    # Both forms are checked, so that every mistake shows at once.
    if request.method == "POST" and all([indicator_form.is_valid(), version_form.is_valid()]):
        try:
            # A savepoint: if someone added an indicator of the same name meanwhile, the unique
            # constraint fires, nothing of this form is kept and the request stays usable.
            with transaction.atomic():
                indicator = indicator_form.save()
                version = version_form.save(commit=False)
                version.indicator = indicator
                version.save()
                version_form.save_m2m()
        except IntegrityError:
            indicator_form.add_error("name", DUPLICATE_INDICATOR_MESSAGE)
        else:
            messages.success(
                request,
                _(
                    "The indicator has been added with a draft of version 1. "
                    "Propose it to the core partners when it is ready."
                ),
            )
            return redirect_after_save(
                request, reverse("ambitions:version_detail", args=[chain.slug, indicator.pk, version.number])
            )
    # Both forms' errors count for the status (and for which partial htmx swaps in).
    form = indicator_form if indicator_form.errors else version_form
    return render_form_page(
        request,
        "ambitions/indicator_create.html",
        {"chain": chain, "ambition": ambition, "indicator_form": indicator_form, "form": version_form},
        form,
    )


routes = [
    path("ambities/", ambition_list, name="ambition_list"),
    path("ambities/nieuw/", ambition_create, name="ambition_create"),
    path("ambities/<int:pk>/bewerken/", ambition_edit, name="ambition_edit"),
    path("ambities/<int:pk>/indicatoren/nieuw/", indicator_create, name="indicator_create"),
]
