"""Capacity self-assessments: the chain's partners × dimensions with trend, a partner's history,
assessing.

Every member reads the pages. A core partner's own lead assesses for it, and the programme manager
for any core partner (Action.ASSESS_CAPACITY); a partner of the chain or an observer is not asked
(stakeholders/models/capacity.py). Assessing a period that has an assessment already changes it,
refusing to overwrite a change made meanwhile (VersionedFormMixin).
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders import capacity_board
from stakeholders.forms.capacity import CapacityAssessmentForm, parse_window
from stakeholders.history import readable_history
from stakeholders.models import Partnership
from stakeholders.models.capacity import DIMENSIONS, SCORE_FIELDS, CapacityAssessment, window_label
from stakeholders.permissions import Action, allows, get_chain_or_404, require


def capacity_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """The chain's core partners × the five dimensions: latest score, trend, flags."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    found = capacity_board.board(chain, request.user, timezone.localdate())
    return render(
        request,
        "stakeholders/capacity_overview.html",
        {"chain": chain, "board": found, "dimensions": [str(label) for _name, label in DIMENSIONS]},
    )


def capacity_partner(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One partner's assessments over time, each against the one before, and their history."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    partnership = get_object_or_404(Partnership.objects.select_related("organisation", "chain"), chain=chain, pk=pk)
    assessments = capacity_board.history(partnership)
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(CapacityAssessment),
        object_id__in=[a.assessment.pk for a in assessments],
    )
    return render(
        request,
        "stakeholders/capacity_partner.html",
        {
            "chain": chain,
            "partnership": partnership,
            "assessments": assessments,
            "dimensions": [str(label) for _name, label in DIMENSIONS],
            "can_assess": partnership.is_bound
            and allows(request.user, Action.ASSESS_CAPACITY, chain, partnership.organisation),
            "history": readable_history(entries, chain=chain) if assessments else [],
        },
    )


def capacity_assess(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Assess a core partner's capacity for the current period (or the one before), prefilled with
    its previous assessment; in a period assessed already, change that assessment."""
    chain = get_chain_or_404(request.user, slug)
    partnership = get_object_or_404(Partnership.objects.bound().select_related("organisation"), chain=chain, pk=pk)
    require(request.user, Action.ASSESS_CAPACITY, chain, partnership.organisation)
    today = timezone.localdate()
    months = chain.capacity_cadence_months
    windows = capacity_board.assessable_windows(chain, today)
    data = request.POST if request.method == "POST" else None
    chosen = parse_window((data or request.GET).get("period_start"), windows)
    window = chosen or windows[0]
    existing = CapacityAssessment.objects.filter(partnership=partnership, period_start=window).first()
    initial = None
    if existing is None:
        # Prefilled with the partner's previous assessment: usually little changes in half a year.
        previous = (
            CapacityAssessment.objects.filter(partnership=partnership, period_start__lt=window)
            .order_by("-period_start")
            .first()
        )
        initial = {"period_start": window.isoformat()}
        if previous is not None:
            initial |= {name: getattr(previous, name) for name in SCORE_FIELDS}
            initial |= {f"{name}_note": getattr(previous, f"{name}_note") for name in SCORE_FIELDS}
    instance = existing or CapacityAssessment(chain=chain, partnership=partnership)
    if data is not None and chosen is None:
        instance = CapacityAssessment(chain=chain, partnership=partnership)  # the field says what is wrong
    form = CapacityAssessmentForm(data, instance=instance, initial=initial, windows=windows, months=months)
    if request.method == "POST" and form.is_valid():
        form.instance.assessed_by = request.user
        form.instance.assessed_at = timezone.now()
        try:
            with transaction.atomic():
                saved = form.save()
        except IntegrityError:
            # Someone else assessed this period for the partner a moment ago: theirs stays.
            form.add_error(
                None,
                _(
                    "Someone else has just assessed this period for this partner. Nothing was saved: "
                    "open the form again to see their assessment and change it."
                ),
            )
        else:
            messages.success(
                request,
                _("The capacity of %(org)s for %(period)s has been saved.")
                % {"org": partnership.organisation.name, "period": window_label(saved.period_start, months)},
            )
            return redirect_after_save(request, reverse("stakeholders:capacity_partner", args=[chain.slug, pk]))
    return render_form_page(
        request,
        "stakeholders/capacity_assess.html",
        {
            "chain": chain,
            "partnership": partnership,
            "form": form,
            "existing": existing,
            "window_label": window_label(window, months),
            "other_window": next(w for w in windows if w != window).isoformat(),
            "other_window_label": window_label(next(w for w in windows if w != window), months),
        },
        form,
    )


routes: list = [
    path("ketens/<slug:slug>/capaciteit/", capacity_overview, name="capacity_overview"),
    path("ketens/<slug:slug>/capaciteit/<int:pk>/", capacity_partner, name="capacity_partner"),
    path("ketens/<slug:slug>/capaciteit/<int:pk>/beoordelen/", capacity_assess, name="capacity_assess"),
]
