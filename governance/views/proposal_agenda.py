"""Putting a stalled indicator proposal on the agenda of the body that decides, in one click
(governance/services/proposal_agenda.py; the button is a part of the proposal's page,
governance/proposal_parts.py).

POST only. The proposal is found inside the URL's chain only (another chain's: 404); who may is
governance/policy.py's ``may_put_proposal_on_agenda`` (else 403). A refusal (not stalled, on an
agenda already, no body to decide) comes back on the proposal's page as a message, nothing saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambitions.models import IndicatorVersion
from governance.forms.proposal_agenda import DecidingBodyForm
from governance.policy import may_put_proposal_on_agenda
from governance.services import proposal_agenda
from stakeholders.permissions import Action, get_chain_or_404, require


@require_POST
def decision_from_proposal(request: HttpRequest, slug: str, version_pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    version = get_object_or_404(
        IndicatorVersion.objects.filter(indicator__ambition__chain=chain).select_related("indicator__ambition"),
        pk=version_pk,
    )
    version.indicator.ambition.chain = chain
    if not may_put_proposal_on_agenda(request.user, version):
        raise PermissionDenied
    back = proposal_agenda.version_url(version)
    bodies = proposal_agenda.deciding_bodies(chain)
    form = DecidingBodyForm(request.POST, bodies=bodies)
    body_id = None
    if len(bodies) > 1 or request.POST.get("body"):
        if not form.is_valid():
            for error in form.errors.get("body", []):
                messages.error(request, error)
            return redirect(back)
        body_id = form.cleaned_data["body"]
    try:
        placed = proposal_agenda.put_on_agenda(request.user, version, body_id)
    except proposal_agenda.AgendaRefused as refused:
        messages.error(request, str(refused))
        return redirect(back)
    decision = placed.decision
    if placed.item is not None:
        messages.success(
            request,
            _("The proposal is on the agenda of %(body)s for its meeting of %(date)s.")
            % {"body": decision.body, "date": decision.closes_on.strftime("%d-%m-%Y")},
        )
    else:
        messages.success(
            request,
            _("The proposal is before %(body)s; it has no meeting planned yet, so it waits for the next one.")
            % {"body": decision.body},
        )
    return redirect(decision.get_absolute_url())


routes = [
    path("besluiten/voorstel/<int:version_pk>/agenderen/", decision_from_proposal, name="decision_from_proposal"),
]
