"""Organisations of a chain and their unit trees.

Organisations are shared between chains, so they are reached through a chain in which they
are a partner: an organisation that is not a partner here is not found (404). Its details and
units are one directory entry for every chain, so editing them is for the organisation's own
partner leads and administrators, and for a programme manager only while the organisation is a
partner in their chain alone (Action.MAINTAIN_ORGANISATION, stakeholders/permissions.py). The
history shows this chain the changes, but names only people it knows (history_for(chain=...)).
"""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.forms.organisations import OrganisationCreateForm, OrganisationForm, UnitForm
from stakeholders.history import history_for
from stakeholders.models import Chain, Organisation, Partnership, Unit
from stakeholders.permissions import Action, allows, get_chain_or_404, maintainable_organisation_ids, require

DUPLICATE_NAME = _("An organisation with this name already exists.")


def _organisation(chain: Chain, pk: int) -> Organisation:
    return get_object_or_404(Organisation.objects.filter(partnerships__chain=chain).distinct(), pk=pk)


def _unit(chain: Chain, pk: int) -> Unit:
    return get_object_or_404(
        Unit.objects.select_related("organisation").filter(organisation__partnerships__chain=chain).distinct(), pk=pk
    )


def organisation_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Every partner organisation with its unit tree: two queries, however many units."""
    chain = get_chain_or_404(request.user, slug)
    partnerships = list(Partnership.objects.filter(chain=chain).select_related("organisation"))
    organisations = [p.organisation for p in partnerships]
    trees = Unit.objects.filter(organisation__in=organisations).as_trees()
    maintainable = maintainable_organisation_ids(request.user, chain, organisations)
    rows = [
        {"organisation": org, "tree": trees.get(org.pk, []), "can_edit": org.pk in maintainable}
        for org in organisations
    ]
    return render(
        request,
        "stakeholders/organisation_list.html",
        {"chain": chain, "rows": rows, "can_manage": allows(request.user, Action.MANAGE_CHAIN, chain)},
    )


def organisation_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A new organisation, by default made a partner of this chain at once."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_CHAIN, chain)
    form = OrganisationCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            # A savepoint: a duplicate created meanwhile trips the database constraint and the
            # request's transaction must stay usable to show the form again.
            with transaction.atomic():
                organisation = form.save()
                if form.cleaned_data["add_as_partner"]:
                    Partnership.objects.create(
                        chain=chain, organisation=organisation, status=form.cleaned_data["partner_status"]
                    )
        except IntegrityError:
            form.add_error("name", DUPLICATE_NAME)
        else:
            messages.success(request, _("%(org)s has been added.") % {"org": organisation})
            if form.cleaned_data["add_as_partner"]:
                return redirect_after_save(request, _detail_url(chain, organisation))
            return redirect_after_save(request, _list_url(chain))
    return render_form_page(request, "stakeholders/organisation_create.html", {"chain": chain, "form": form}, form)


def organisation_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An organisation's details, its unit tree and its history."""
    chain = get_chain_or_404(request.user, slug)
    organisation = _organisation(chain, pk)
    return render(
        request,
        "stakeholders/organisation_detail.html",
        {
            "chain": chain,
            "organisation": organisation,
            "tree": Unit.objects.filter(organisation=organisation).as_trees().get(organisation.pk, []),
            "can_edit": allows(request.user, Action.MAINTAIN_ORGANISATION, chain, organisation),
            "history": history_for(organisation, chain=chain),
        },
    )


def organisation_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    organisation = _organisation(chain, pk)
    require(request.user, Action.MAINTAIN_ORGANISATION, chain, organisation)
    form = OrganisationForm(request.POST if request.method == "POST" else None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.save()
        except IntegrityError:
            form.add_error("name", DUPLICATE_NAME)
        else:
            messages.success(request, _("%(org)s has been saved.") % {"org": organisation})
            return redirect_after_save(request, _detail_url(chain, organisation))
    context = {"chain": chain, "organisation": organisation, "form": form}
    return render_form_page(request, "stakeholders/organisation_edit.html", context, form)


def unit_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    organisation = _organisation(chain, pk)
    require(request.user, Action.MAINTAIN_ORGANISATION, chain, organisation)
    initial_parent = request.GET.get("parent")
    form = UnitForm(
        request.POST if request.method == "POST" else None,
        organisation=organisation,
        initial={"parent": initial_parent} if initial_parent and initial_parent.isdigit() else None,
    )
    if request.method == "POST" and form.is_valid():
        unit = _save_unit(form)
        if unit is not None:
            messages.success(request, _("Unit %(unit)s has been added.") % {"unit": unit})
            return redirect_after_save(request, _detail_url(chain, organisation))
    context = {"chain": chain, "organisation": organisation, "form": form}
    return render_form_page(request, "stakeholders/unit_create.html", context, form)


def unit_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    unit = _unit(chain, pk)
    require(request.user, Action.MAINTAIN_ORGANISATION, chain, unit.organisation)
    form = UnitForm(request.POST if request.method == "POST" else None, instance=unit, organisation=unit.organisation)
    if request.method == "POST" and form.is_valid() and _save_unit(form) is not None:
        messages.success(request, _("Unit %(unit)s has been saved.") % {"unit": unit})
        return redirect_after_save(request, _detail_url(chain, unit.organisation))
    context = {
        "chain": chain,
        "unit": unit,
        "organisation": unit.organisation,
        "form": form,
        "history": history_for(unit, chain=chain),
    }
    return render_form_page(request, "stakeholders/unit_edit.html", context, form)


def _save_unit(form: UnitForm) -> Unit | None:
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        # Two people adding the same name under the same parent at once.
        form.add_error("name", _("This organisation already has a unit with this name here."))
        return None


def _detail_url(chain: Chain, organisation: Organisation) -> str:
    return reverse("stakeholders:organisation_detail", args=[chain.slug, organisation.pk])


def _list_url(chain: Chain) -> str:
    return reverse("stakeholders:organisation_list", args=[chain.slug])
