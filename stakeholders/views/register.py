"""The stakeholder register: list, power/interest grid, a stakeholder's page, its contact log.

Every member of the chain reads; the programme manager keeps the register
(Action.MANAGE_STAKEHOLDERS: adding, editing, making inactive and active again); a contact is
logged by the programme manager or the stakeholder's owner (permissions.may_log_stakeholder_contact).
A stakeholder is never deleted. Routes are joined in stakeholders/urls.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders import register_grid
from stakeholders.forms.register import ContactForm, StakeholderFilterForm, StakeholderForm
from stakeholders.history import history_for
from stakeholders.models import Chain
from stakeholders.models.register import Quadrant, Stakeholder
from stakeholders.permissions import Action, allows, get_chain_or_404, may_log_stakeholder_contact, require

PER_PAGE = 50


def _stakeholder(request: HttpRequest, chain: Chain, pk: int) -> Stakeholder:
    """The chain's stakeholder (another chain's id is not found)."""
    rows = Stakeholder.objects.visible_to(request.user).filter(chain=chain).select_related("owner__organisation")
    stakeholder = get_object_or_404(rows, pk=pk)
    stakeholder.chain = chain
    return stakeholder


def _saved(form: StakeholderForm) -> Stakeholder | None:
    """Save the form; None (with the message at the name) when another stakeholder of the same name
    was saved between the form's check and this save (the database's constraint caught it)."""
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        form.add_error("name", _("This chain already has a stakeholder with this name."))
        return None


def _list_url(chain: Chain) -> str:
    return reverse("stakeholders:stakeholder_list", args=[chain.slug])


def stakeholder_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The register as a list: type, scores, engagement and its gap, owner, contacts; filters type,
    active or inactive, and engagement gap."""
    chain = get_chain_or_404(request.user, slug)
    filters = StakeholderFilterForm(request.GET or None)
    rows = (
        filters.filter(Stakeholder.objects.filter(chain=chain))
        .with_contact_summary()
        .select_related("owner__organisation")
        .order_by("name", "pk")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("pagina"))
    query = urlencode([(key, value) for key, value in request.GET.items() if key != "pagina"])
    return render(
        request,
        "stakeholders/register/stakeholder_list.html",
        {
            "chain": chain,
            "filters": filters,
            "page": page,
            "query": query,
            "can_manage": allows(request.user, Action.MANAGE_STAKEHOLDERS, chain),
        },
        status=422 if filters.errors else 200,
    )


def stakeholder_grid(request: HttpRequest, slug: str) -> HttpResponse:
    """The active stakeholders on the power/interest grid, and the same data as a table."""
    chain = get_chain_or_404(request.user, slug)
    stakeholders = list(Stakeholder.objects.filter(chain=chain).active().select_related("owner").order_by("name", "pk"))
    grid = register_grid.build(stakeholders)
    return render(
        request,
        "stakeholders/register/stakeholder_grid.html",
        {"chain": chain, "grid": grid, "quadrants": Quadrant},
    )


def stakeholder_create(request: HttpRequest, slug: str) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_STAKEHOLDERS, chain)
    form = StakeholderForm(request.POST if request.method == "POST" else None, chain=chain)
    if request.method == "POST" and form.is_valid() and (stakeholder := _saved(form)) is not None:
        messages.success(request, _("%(name)s has been added to the register.") % {"name": stakeholder.name})
        return redirect_after_save(request, stakeholder.get_absolute_url())
    return render_form_page(
        request, "stakeholders/register/stakeholder_create.html", {"chain": chain, "form": form}, form
    )


def stakeholder_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change a stakeholder; refuses to overwrite a change made meanwhile."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_STAKEHOLDERS, chain)
    stakeholder = _stakeholder(request, chain, pk)
    form = StakeholderForm(request.POST if request.method == "POST" else None, instance=stakeholder, chain=chain)
    if request.method == "POST" and form.is_valid() and _saved(form) is not None:
        messages.success(request, _("%(name)s has been saved.") % {"name": stakeholder.name})
        return redirect_after_save(request, stakeholder.get_absolute_url())
    context = {"chain": chain, "stakeholder": stakeholder, "form": form}
    return render_form_page(request, "stakeholders/register/stakeholder_edit.html", context, form)


def stakeholder_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    stakeholder = _stakeholder(request, chain, pk)
    return render(request, "stakeholders/register/stakeholder_detail.html", _detail_context(request, stakeholder))


def _detail_context(request: HttpRequest, stakeholder: Stakeholder, contact_form: ContactForm | None = None) -> dict:
    can_log = may_log_stakeholder_contact(request.user, stakeholder)
    return {
        "chain": stakeholder.chain,
        "stakeholder": stakeholder,
        "contacts": stakeholder.contacts.select_related("by"),
        "can_manage": allows(request.user, Action.MANAGE_STAKEHOLDERS, stakeholder.chain),
        "contact_form": contact_form or (ContactForm() if can_log else None),
        "history": history_for(stakeholder, chain=stakeholder.chain),
    }


def stakeholder_log_contact(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Log a contact: the programme manager or the stakeholder's owner. GET shows the form on the page."""
    chain = get_chain_or_404(request.user, slug)
    stakeholder = _stakeholder(request, chain, pk)
    if not may_log_stakeholder_contact(request.user, stakeholder):
        raise PermissionDenied
    form = ContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.instance.stakeholder, form.instance.by = stakeholder, request.user
        form.save()
        messages.success(request, _("The contact has been logged."))
        # No "#contacts": htmx would take a redirect to the same page and another fragment as a scroll.
        return redirect_after_save(request, stakeholder.get_absolute_url())
    context = {**_detail_context(request, stakeholder, form), "focus_form": True}
    template = "stakeholders/register/stakeholder_detail.html"
    if getattr(request, "htmx", False) and request.method == "POST":
        template += "#contact-form"
    return render(request, template, context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def stakeholder_deactivate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Make a stakeholder inactive (GET asks to confirm): it leaves the grid, keeps its log and history."""
    return _set_active(request, slug, pk, active=False)


@require_http_methods(["GET", "POST"])
def stakeholder_reactivate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Make an inactive stakeholder active again (GET asks to confirm)."""
    return _set_active(request, slug, pk, active=True)


def _set_active(request: HttpRequest, slug: str, pk: int, *, active: bool) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_STAKEHOLDERS, chain)
    stakeholder = _stakeholder(request, chain, pk)
    if request.method == "POST":
        if stakeholder.set_active(active):
            done = _("%(name)s is active again.") if active else _("%(name)s is now inactive.")
        else:
            done = _("%(name)s was active already.") if active else _("%(name)s was inactive already.")
        messages.success(request, done % {"name": stakeholder.name})
        return redirect_after_save(request, stakeholder.get_absolute_url())
    return render(
        request,
        "stakeholders/register/stakeholder_active.html",
        {"chain": chain, "stakeholder": stakeholder, "active": active},
    )


omgeving = "ketens/<slug:slug>/omgeving/"

routes = [
    path(omgeving, stakeholder_list, name="stakeholder_list"),
    path(omgeving + "krachtenveld/", stakeholder_grid, name="stakeholder_grid"),
    path(omgeving + "nieuw/", stakeholder_create, name="stakeholder_create"),
    path(omgeving + "<int:pk>/", stakeholder_detail, name="stakeholder_detail"),
    path(omgeving + "<int:pk>/bewerken/", stakeholder_edit, name="stakeholder_edit"),
    path(omgeving + "<int:pk>/contact/", stakeholder_log_contact, name="stakeholder_log_contact"),
    path(omgeving + "<int:pk>/inactief-maken/", stakeholder_deactivate, name="stakeholder_deactivate"),
    path(omgeving + "<int:pk>/heractiveren/", stakeholder_reactivate, name="stakeholder_reactivate"),
]
