"""Mandates: who may act for which partner, in which scope, from when until when.

Every member may read the list. Granting and changing a mandate is for programme managers
(any partner) and for a partner's own lead (Action.MANAGE_MANDATES for that organisation).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.forms.mandates import MandateCreateForm, MandateEditForm
from stakeholders.history import history_for
from stakeholders.models import Chain, Mandate, MandateGap, MandateScope, Partnership
from stakeholders.permissions import Action, allows, get_chain_or_404, require


@dataclass(frozen=True)
class MandateRow:
    mandate: Mandate
    status: str  # "future", "valid", "expiring" (valid, ends soon) or "expired"
    can_edit: bool


def status_of(mandate: Mandate, today: date) -> str:
    if mandate.valid_from > today:
        return "future"
    if mandate.valid_until is not None and mandate.valid_until < today:
        return "expired"
    if mandate.valid_until is not None and mandate.valid_until <= today + timedelta(
        days=settings.MANDATE_EXPIRY_WARNING_DAYS
    ):
        return "expiring"
    return "valid"


def _grantable_partnerships(user, chain: Chain) -> list[Partnership]:
    """The partners the user may grant mandates for: all for managers, their own for a partner lead."""
    partnerships = Partnership.objects.filter(chain=chain).select_related("organisation").order_by("organisation__name")
    return [p for p in partnerships if allows(user, Action.MANAGE_MANDATES, chain, p.organisation)]


def grantable_ids(user, chain: Chain, gaps: list[MandateGap]) -> set[int]:
    """The partnerships among ``gaps`` the user may grant mandates for (a link to do so is shown)."""
    return {
        gap.partnership.pk for gap in gaps if allows(user, Action.MANAGE_MANDATES, chain, gap.partnership.organisation)
    }


def _prefilled(request: HttpRequest, offered: list[Partnership]) -> dict:
    """The partner, scope and person named by ``?partner=&scope=&person=`` (links from the
    missing-mandate warnings and a body's mandate flags), when the user may grant for that partner
    and the scope exists; else nothing. A person the form does not offer is simply not chosen."""
    initial = {}
    partner = request.GET.get("partner", "")
    if partner.isdigit() and int(partner) in {p.pk for p in offered}:
        initial["partnership"] = int(partner)
        person = request.GET.get("person", "")
        if person.isdigit():
            initial["person"] = int(person)
    if request.GET.get("scope") in MandateScope.values:
        initial["scope"] = request.GET["scope"]
    return initial


def _list_url(chain: Chain) -> str:
    return reverse("stakeholders:mandate_list", args=[chain.slug])


def mandate_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Every mandate for the chain's partners with its status; all members may read it."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    today = timezone.localdate()
    mandates = Mandate.objects.filter(partnership__chain=chain).select_related(
        "person", "partnership__organisation", "stand_in__lead"
    )
    rows = [
        MandateRow(
            mandate=m,
            status=status_of(m, today),
            # A stand-in's mandate follows its stand-in (views/stand_ins.py), never edited on its own.
            can_edit=m.stand_in_id is None
            and allows(request.user, Action.MANAGE_MANDATES, chain, m.partnership.organisation),
        )
        for m in mandates
    ]
    return render(
        request,
        "stakeholders/mandate_list.html",
        {
            "chain": chain,
            "rows": rows,
            "can_create": bool(_grantable_partnerships(request.user, chain)),
            "can_edit_any": any(row.can_edit for row in rows),
            "warning_days": settings.MANDATE_EXPIRY_WARNING_DAYS,
        },
    )


def mandate_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Grant a mandate: managers for any partner, a partner lead for their own organisation."""
    chain = get_chain_or_404(request.user, slug)
    offered = _grantable_partnerships(request.user, chain)
    if not offered:
        require(request.user, Action.MANAGE_MANDATES, chain)  # 403 for anyone who may grant for no partner
    form = MandateCreateForm(
        request.POST if request.method == "POST" else None,
        chain=chain,
        offered=offered,
        initial=_prefilled(request, offered) if request.method == "GET" else None,
    )
    if request.method == "POST":
        valid = form.is_valid()
        partnership = form.cleaned_data.get("partnership")
        if partnership is not None:
            # The form accepts every partner of the chain; the policy decides for which one this user may grant.
            require(request.user, Action.MANAGE_MANDATES, chain, partnership.organisation)
        if valid:
            form.instance.granted_by = request.user
            mandate = form.save()
            messages.success(
                request,
                _("%(person)s now holds a mandate for %(org)s: %(scope)s.")
                % {"person": mandate.person, "org": partnership.organisation, "scope": mandate.get_scope_display()},
            )
            return redirect_after_save(request, _list_url(chain))
    return render_form_page(request, "stakeholders/mandate_create.html", {"chain": chain, "form": form}, form)


def mandate_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change a mandate's scope, term or note; refuses to overwrite a change made meanwhile."""
    chain = get_chain_or_404(request.user, slug)
    # Scoped to the chain (another chain's id is not found), then its partner decides who may edit.
    mandate = get_object_or_404(
        Mandate.objects.select_related("person__organisation", "partnership__organisation", "granted_by"),
        partnership__chain=chain,
        pk=pk,
    )
    require(request.user, Action.MANAGE_MANDATES, chain, mandate.partnership.organisation)
    if mandate.stand_in_id is not None:
        messages.info(
            request,
            _("This mandate belongs to a stand-in and follows it: change or end the stand-in on the partner's page."),
        )
        return redirect(mandate.partnership.get_absolute_url())
    form = MandateEditForm(request.POST if request.method == "POST" else None, instance=mandate)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request,
            _("The mandate of %(person)s for %(org)s has been saved.")
            % {"person": mandate.person, "org": mandate.partnership.organisation},
        )
        return redirect_after_save(request, _list_url(chain))
    return render_form_page(
        request,
        "stakeholders/mandate_edit.html",
        {"chain": chain, "mandate": mandate, "form": form, "history": history_for(mandate)},
        form,
    )
