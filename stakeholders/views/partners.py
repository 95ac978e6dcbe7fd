"""Partners of a chain: the list, adding an organisation, a partner's page and editing it."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.forms.partners import DUPLICATE_MESSAGE, PartnershipCreateForm, PartnershipEditForm
from stakeholders.history import history_for
from stakeholders.models import Chain, Mandate, Partnership, PartnershipStatus
from stakeholders.permissions import Action, allows, get_chain_or_404, require
from stakeholders.views.mandates import grantable_ids
from stakeholders.views.stand_ins import stand_ins_of


def partnership_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Every partner with status, role, dates and interests; all members may read it."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    partnerships = Partnership.objects.filter(chain=chain).select_related("organisation")
    gaps = Mandate.objects.missing_for(Partnership.objects.filter(chain=chain))
    return render(
        request,
        "stakeholders/partnership_list.html",
        {
            "chain": chain,
            "partnerships": partnerships,
            "statuses": list(PartnershipStatus),
            "can_manage": allows(request.user, Action.MANAGE_CHAIN, chain),
            "mandate_gaps": gaps,
            "grantable": grantable_ids(request.user, chain, gaps),
        },
    )


def partnership_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Make an existing organisation a partner; programme managers and administrators only."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_CHAIN, chain)
    form = PartnershipCreateForm(request.POST if request.method == "POST" else None, chain=chain)
    if request.method == "POST" and form.is_valid():
        try:
            # A savepoint: if someone added the same organisation between validation and saving,
            # the unique constraint fires and the request's transaction must stay usable.
            with transaction.atomic():
                partnership = form.save()
        except IntegrityError:
            form.add_error("organisation", DUPLICATE_MESSAGE)
        else:
            messages.success(
                request, _("%(org)s is now a partner in %(chain)s.") % {"org": partnership.organisation, "chain": chain}
            )
            return redirect_after_save(request, partnership.get_absolute_url())
    return render_form_page(request, "stakeholders/partnership_create.html", {"chain": chain, "form": form}, form)


def _partnership(chain: Chain, pk: int) -> Partnership:
    # Scoped to the chain: another chain's partner id is simply not found.
    return get_object_or_404(Partnership.objects.select_related("organisation", "chain"), chain=chain, pk=pk)


def partnership_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One partner's place in the chain, with its history; all members may read it."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    partnership = _partnership(chain, pk)
    return render(
        request,
        "stakeholders/partnership_detail.html",
        {
            "chain": chain,
            "partnership": partnership,
            "history": history_for(partnership),
            "can_manage": allows(request.user, Action.MANAGE_CHAIN, chain),
            **stand_ins_of(request.user, partnership),
        },
    )


def partnership_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Status, role, dates and interests; refuses to overwrite a change made meanwhile."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_CHAIN, chain)
    partnership = _partnership(chain, pk)
    form = PartnershipEditForm(request.POST if request.method == "POST" else None, instance=partnership)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The partnership of %(org)s has been saved.") % {"org": partnership.organisation})
        return redirect_after_save(request, partnership.get_absolute_url())
    return render_form_page(
        request,
        "stakeholders/partnership_edit.html",
        {"chain": chain, "partnership": partnership, "form": form},
        form,
    )
