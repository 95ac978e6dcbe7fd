"""Contributions: committed against delivered, per chain and per partner.

Every member reads them. Committing (and changing a commitment) is the programme manager's
(Action.MANAGE_CONTRIBUTIONS); reporting what a partner delivered in a quarter is its own lead's
and the programme manager's (Action.REPORT_DELIVERIES for that organisation).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.dates import FIRST_YEAR, LAST_YEAR
from stakeholders.forms.contributions import ContributionForm, DeliveryReportForm, contributing_partners
from stakeholders.history import entries_of, readable_history
from stakeholders.models import Chain, Partnership
from stakeholders.models.contributions import (
    Contribution,
    ContributionKind,
    Delivery,
    column_totals,
    totals,
)
from stakeholders.permissions import Action, allows, get_chain_or_404, require


def chosen_year(request: HttpRequest) -> int:
    """``?jaar=`` when it is a year the portal holds, else this year."""
    year = request.GET.get("jaar", "")
    if year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR:
        return int(year)
    return timezone.localdate().year


def contribution_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The chain's partners × kinds for one year: committed against delivered, with totals."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    year = chosen_year(request)
    rows = totals(list(contributing_partners(chain)), year)
    return render(
        request,
        "stakeholders/contribution_list.html",
        {
            "chain": chain,
            "year": year,
            "previous_year": year - 1 if year > FIRST_YEAR else None,
            "next_year": year + 1 if year < LAST_YEAR else None,
            "kinds": list(ContributionKind),
            "rows": rows,
            "totals": column_totals(rows),
            "can_commit": allows(request.user, Action.MANAGE_CONTRIBUTIONS, chain),
        },
    )


def _partnership(chain: Chain, pk: int) -> Partnership:
    return get_object_or_404(Partnership.objects.select_related("organisation"), chain=chain, pk=pk)


def contribution_partner(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One partner's commitments, every year, each with its quarters."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    partnership = _partnership(chain, pk)
    contributions = list(
        Contribution.objects.filter(partnership=partnership).prefetch_related("deliveries").order_by("-year", "kind")
    )
    return render(
        request,
        "stakeholders/contribution_partner.html",
        {
            "chain": chain,
            "partnership": partnership,
            "contributions": contributions,
            "today": timezone.localdate(),
            "can_commit": allows(request.user, Action.MANAGE_CONTRIBUTIONS, chain),
            "can_report": allows(request.user, Action.REPORT_DELIVERIES, chain, partnership.organisation),
        },
    )


def _contribution(chain: Chain, pk: int) -> Contribution:
    # Scoped to the chain: another chain's commitment is simply not found.
    return get_object_or_404(
        Contribution.objects.select_related("partnership__organisation", "partnership__chain", "committed_by"),
        partnership__chain=chain,
        pk=pk,
    )


def contribution_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    contribution = _contribution(chain, pk)
    deliveries = list(contribution.deliveries.select_related("reported_by"))
    organisation = contribution.partnership.organisation
    return render(
        request,
        "stakeholders/contribution_detail.html",
        {
            "chain": chain,
            "contribution": contribution,
            "deliveries": deliveries,
            "today": timezone.localdate(),
            "can_commit": allows(request.user, Action.MANAGE_CONTRIBUTIONS, chain),
            "can_report": allows(request.user, Action.REPORT_DELIVERIES, chain, organisation),
            "history": readable_history(entries_of(contribution, deliveries), 100, chain=chain),
        },
    )


def contribution_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Commit a partner's contribution for a year; its four quarters are planned with it."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_CONTRIBUTIONS, chain)
    initial = {}
    partner = request.GET.get("partner", "")
    if request.method == "GET" and partner.isdigit():
        initial["partnership"] = int(partner)
    form = ContributionForm(request.POST if request.method == "POST" else None, chain=chain, initial=initial)
    if request.method == "POST" and form.is_valid():
        form.instance.committed_by = request.user
        contribution = form.save()
        contribution.plan_deliveries()
        messages.success(
            request,
            _("The contribution of %(org)s for %(year)s has been saved.")
            % {"org": contribution.partnership.organisation, "year": contribution.year},
        )
        return redirect_after_save(request, contribution.get_absolute_url())
    return render_form_page(request, "stakeholders/contribution_form.html", {"chain": chain, "form": form}, form)


def contribution_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change a commitment's amount, what and note; the quarters not yet reported are re-planned."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_CONTRIBUTIONS, chain)
    contribution = _contribution(chain, pk)
    form = ContributionForm(request.POST if request.method == "POST" else None, chain=chain, instance=contribution)
    if request.method == "POST" and form.is_valid():
        contribution = form.save()
        contribution.plan_deliveries()
        messages.success(request, _("The contribution has been saved."))
        return redirect_after_save(request, contribution.get_absolute_url())
    return render_form_page(
        request,
        "stakeholders/contribution_form.html",
        {"chain": chain, "form": form, "contribution": contribution},
        form,
    )


def _delivery(contribution: Contribution, period: str) -> Delivery:
    """The commitment's quarter named ``<year>-<quarter>``; an unsaved one for any other period
    (the form refuses it at the field)."""
    for delivery in contribution.deliveries.all():
        if delivery.slug == period:
            return delivery
    return Delivery(contribution=contribution)


def _first_open(contribution: Contribution) -> str:
    """The quarter a report is most likely about: the first one not yet reported, else the last."""
    deliveries = list(contribution.deliveries.all())
    open_ones = [d for d in deliveries if d.reported_at is None]
    return (open_ones or deliveries)[0].slug if deliveries else ""


def delivery_report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Report what the partner delivered in one quarter (``?periode=<year>-<quarter>`` preselects it)."""
    chain = get_chain_or_404(request.user, slug)
    contribution = _contribution(chain, pk)
    require(request.user, Action.REPORT_DELIVERIES, chain, contribution.partnership.organisation)
    if request.method == "POST":
        period = request.POST.get("period", "")
    else:
        period = request.GET.get("periode", "") or _first_open(contribution)
    delivery = _delivery(contribution, period)
    if request.method == "GET" and delivery.pk is None:
        delivery = _delivery(contribution, _first_open(contribution))
    form = DeliveryReportForm(
        request.POST if request.method == "POST" else None, contribution=contribution, instance=delivery
    )
    if request.method == "POST" and form.is_valid():
        form.save(by=request.user)
        messages.success(
            request,
            _("The delivery of %(org)s for %(period)s has been saved.")
            % {"org": contribution.partnership.organisation, "period": delivery.period},
        )
        return redirect_after_save(request, contribution.get_absolute_url())
    return render_form_page(
        request,
        "stakeholders/delivery_report.html",
        {"chain": chain, "contribution": contribution, "delivery": delivery, "form": form},
        form,
    )


def contributions_url(chain: Chain) -> str:
    return reverse("stakeholders:contribution_list", args=[chain.slug])


chain = "ketens/<slug:slug>/"

routes: list = [
    path(chain + "bijdragen/", contribution_list, name="contribution_list"),
    path(chain + "bijdragen/nieuw/", contribution_create, name="contribution_create"),
    path(chain + "bijdragen/partner/<int:pk>/", contribution_partner, name="contribution_partner"),
    path(chain + "bijdragen/<int:pk>/", contribution_detail, name="contribution_detail"),
    path(chain + "bijdragen/<int:pk>/bewerken/", contribution_edit, name="contribution_edit"),
    path(chain + "bijdragen/<int:pk>/levering/", delivery_report, name="delivery_report"),
]
