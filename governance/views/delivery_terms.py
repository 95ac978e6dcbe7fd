"""A service agreement's delivery terms (issue 15 point 3): set or changed on the agreement's own
page while it is a draft; signed with the agreement (views/agreements.py), then they apply
(ambitions' reporting calendar, the entry page, the reminders).

Who may: the agreement managers (governance/policy.py ``may_manage_agreements``), the same as
for changing the draft. Another chain's agreement: 404; an agreement of another kind, or no longer
a draft: back to its page with the reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from ambitions.models import DeliveryTerms
from governance.forms.delivery_terms import DeliveryTermsForm
from governance.services import delivery
from governance.views.agreements import _agreement, _require_manager
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.permissions import Action, get_chain_or_404, require


def agreement_terms(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    _require_manager(request, chain)  # before the lookup: a forged id tells a non-manager nothing
    agreement = _agreement(request, chain, pk)
    detail = reverse("governance:agreement_detail", args=[chain.slug, agreement.pk])
    if not delivery.may_change_terms(agreement):
        messages.error(
            request,
            _("Only a draft service agreement's delivery terms can be changed.")
            if delivery.may_have_terms(agreement)
            else _("Delivery terms belong to a service agreement."),
        )
        return redirect_after_save(request, detail)
    terms = agreement.delivery_terms or DeliveryTerms(chain=chain)
    form = DeliveryTermsForm(request.POST if request.method == "POST" else None, instance=terms, agreement=agreement)
    if request.method == "POST":
        with transaction.atomic():
            if form.is_valid():
                try:
                    delivery.save_terms(agreement, form.instance, list(form.cleaned_data["indicators"]))
                except ValidationError as refused:  # a concurrent save of the same partner's terms won
                    for field, errors in refused.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    messages.success(request, _("The delivery terms have been saved."))
                    return redirect_after_save(request, detail)
    context = {"chain": chain, "agreement": agreement, "form": form}
    return render_form_page(request, "governance/agreements/agreement_terms.html", context, form)


routes = [
    path("afspraken/<int:pk>/leverafspraken/", agreement_terms, name="agreement_terms"),
]
