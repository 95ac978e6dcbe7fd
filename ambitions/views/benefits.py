"""What each partner gains: benefits (start picture → end picture) beside contributions.

Every member reads them. A partner's benefits and their assessments are its own lead's and the
programme manager's (Action.MANAGE_BENEFITS for that organisation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _

from ambitions.forms.benefits import AssessmentForm, BenefitForm
from ambitions.models.benefits import Benefit
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.forms.contributions import contributing_partners
from stakeholders.history import entries_of, readable_history
from stakeholders.models import Chain, Partnership
from stakeholders.models.contributions import PartnerTotals, totals
from stakeholders.permissions import Action, allows, get_chain_or_404, require
from stakeholders.views.contributions import chosen_year


@dataclass
class PartnerBalance:
    """One partner's give and take: its benefits and its contributions of the year."""

    partnership: Partnership
    contributions: PartnerTotals
    benefits: list[Benefit] = field(default_factory=list)
    can_manage: bool = False

    @property
    def lacks_benefit(self) -> bool:
        """A core partner that gains nothing (that the chain knows of) is at risk of leaving."""
        return self.partnership.is_bound and not self.benefits


def balances(user, chain: Chain, year: int) -> list[PartnerBalance]:
    """Every contributing partner with its benefits and contributions: four queries for any
    number of partners and benefits."""
    partnerships = list(contributing_partners(chain))
    by_partner = {row.partnership.pk: row for row in totals(partnerships, year)}
    rows = {
        p.pk: PartnerBalance(
            p, by_partner[p.pk], can_manage=allows(user, Action.MANAGE_BENEFITS, chain, p.organisation)
        )
        for p in partnerships
    }
    for benefit in Benefit.objects.filter(chain=chain, partnership__in=rows).select_related("owner", "start_indicator"):
        rows[benefit.partnership_id].benefits.append(benefit)
    return list(rows.values())


def benefit_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """ "What each partner gains": every partner's benefits side by side with its contributions."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    year = chosen_year(request)
    rows = balances(request.user, chain, year)
    return render(
        request,
        "ambitions/benefit_overview.html",
        {
            "chain": chain,
            "year": year,
            "rows": rows,
            "lacking": [row.partnership for row in rows if row.lacks_benefit],
            "can_create": any(row.can_manage for row in rows),
            "start_label": _("Start picture"),
            "end_label": _("End picture"),
        },
    )


def _offered(user, chain: Chain) -> list[Partnership]:
    """The partners the user may add benefits for: all for a manager, their own for a lead."""
    return [p for p in contributing_partners(chain) if allows(user, Action.MANAGE_BENEFITS, chain, p.organisation)]


def benefit_create(request: HttpRequest, slug: str) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    offered = _offered(request.user, chain)
    if not offered:
        require(request.user, Action.MANAGE_BENEFITS, chain)  # 403 for anyone who may add none
    form = BenefitForm(request.POST if request.method == "POST" else None, chain=chain, offered=offered)
    if request.method == "POST":
        valid = form.is_valid()
        partnership = form.cleaned_data.get("partnership")
        if partnership is not None:
            require(request.user, Action.MANAGE_BENEFITS, chain, partnership.organisation)
        if valid:
            benefit = form.save()
            messages.success(
                request,
                _("The benefit of %(org)s has been saved.") % {"org": benefit.partnership.organisation},
            )
            return redirect_after_save(request, benefit.get_absolute_url())
    return render_form_page(request, "ambitions/benefit_form.html", {"chain": chain, "form": form}, form)


def _benefit(chain: Chain, pk: int) -> Benefit:
    # Scoped to the chain: another chain's benefit is simply not found.
    return get_object_or_404(
        Benefit.objects.select_related("partnership__organisation", "owner", "start_indicator", "chain"),
        chain=chain,
        pk=pk,
    )


def benefit_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    benefit = _benefit(chain, pk)
    assessments = list(benefit.assessments.select_related("assessed_by"))
    return render(
        request,
        "ambitions/benefit_detail.html",
        {
            "chain": chain,
            "benefit": benefit,
            "assessments": assessments,
            "can_manage": allows(request.user, Action.MANAGE_BENEFITS, chain, benefit.partnership.organisation),
            "history": readable_history(entries_of(benefit, assessments), 100, chain=chain),
        },
    )


def benefit_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    benefit = _benefit(chain, pk)
    require(request.user, Action.MANAGE_BENEFITS, chain, benefit.partnership.organisation)
    form = BenefitForm(request.POST if request.method == "POST" else None, chain=chain, instance=benefit)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The benefit has been saved."))
        return redirect_after_save(request, benefit.get_absolute_url())
    return render_form_page(
        request, "ambitions/benefit_form.html", {"chain": chain, "form": form, "benefit": benefit}, form
    )


def benefit_assess(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Assess how far the benefit is realised; the newest assessment's status is the benefit's."""
    chain = get_chain_or_404(request.user, slug)
    benefit = _benefit(chain, pk)
    require(request.user, Action.MANAGE_BENEFITS, chain, benefit.partnership.organisation)
    form = AssessmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            assessment = form.save(commit=False)
            assessment.benefit = benefit
            assessment.assessed_by = request.user
            assessment.save()
            newest = benefit.assessments.order_by("-assessed_on", "-pk").values_list("status", flat=True).first()
            if newest != benefit.status:
                benefit.status = newest
                benefit.save(update_fields=["status", "updated_at"])
        messages.success(request, _("The assessment has been saved."))
        return redirect_after_save(request, benefit.get_absolute_url())
    return render_form_page(
        request, "ambitions/benefit_assess.html", {"chain": chain, "form": form, "benefit": benefit}, form
    )


routes: list = [
    path("opbrengsten/", benefit_overview, name="benefit_overview"),
    path("opbrengsten/nieuw/", benefit_create, name="benefit_create"),
    path("opbrengsten/<int:pk>/", benefit_detail, name="benefit_detail"),
    path("opbrengsten/<int:pk>/bewerken/", benefit_edit, name="benefit_edit"),
    path("opbrengsten/<int:pk>/beoordelen/", benefit_assess, name="benefit_assess"),
]
