"""The period's steps on the entry grid: submit (contributor), approve and approve a late delivery
(partner lead with an approve mandate), reopen (programme manager, with a reason); see ambitions/urls.py.

The rules are services.submissions' (the submission rule in docs/architecture.md); these views
turn its refusals into a message on the grid (StepRefused) or, with figures missing and no reason
given, a page listing the empty cells with a field for the reason (MissingFigures, 422).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ambitions.forms.entry import MissingReasonForm, ReopenForm
from ambitions.periods import Period
from ambitions.services import delivery, grid, submissions
from ambitions.views.entry import (
    ORGANISATION_PARAM,
    _chosen_organisation,
    _organisation_to_enter,
    _period,
    _query,
    grid_url,
)
from stakeholders.history import history_for
from stakeholders.models import Chain, Organisation, Role
from stakeholders.permissions import Action, allows, get_chain_or_404, require, role_in


@require_POST
def period_submit(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """The contributor submits the organisation's figures for the period to the partner lead."""
    return _period_step(
        request,
        slug,
        period,
        submissions.submit,
        _organisation_to_enter,
        _("The figures of %(org)s for %(period)s have been submitted for approval."),
        "submit",
    )


@require_POST
def period_approve(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """The partner lead with an approve mandate approves, which locks the figures."""
    return _period_step(
        request,
        slug,
        period,
        submissions.approve,
        _chosen_organisation,
        _("The figures of %(org)s for %(period)s are approved and locked."),
        "approve",
    )


def _period_step(request, slug, period, step, organisation_of, success: str, kind: str) -> HttpResponse:
    """Submit or approve: the service decides who may (403) and whether the status allows it
    (a message, back to the grid). With figures missing and no reason, the page that lists them
    and asks for one (422), whose form posts here again."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    the_period = _period(period)
    organisation = organisation_of(request, chain)
    if organisation is None:
        raise PermissionDenied
    form = MissingReasonForm(request.POST)
    reason = form.cleaned_data["missing_reason"] if form.is_valid() else ""
    try:
        step(request.user, chain, organisation, the_period, reason)
    except submissions.MissingFigures as refused:
        if form.is_valid() and "missing_reason" in request.POST:
            form.add_error("missing_reason", _("Give a reason to go ahead with these figures missing."))
        return _confirm_missing(request, chain, organisation, the_period, kind, form, refused.missing)
    except submissions.StepRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, success % {"org": organisation, "period": the_period})
    return redirect(grid_url(request, chain, the_period, organisation))


def _confirm_missing(
    request: HttpRequest,
    chain: Chain,
    organisation: Organisation,
    period: Period,
    kind: str,
    form: MissingReasonForm,
    missing: list[grid.GridCell],
) -> HttpResponse:
    """The cells still empty and the reason field: submitting or approving needs the reason."""
    submission = (
        submissions.PeriodSubmission.objects.filter(
            chain=chain, organisation=organisation, frequency=period.frequency, period=period.start
        )
        .select_related("submitted_by")
        .first()
    )
    form.fields["missing_reason"].required = True  # on this page it is (the label says so)
    step_url = "ambitions:period_submit" if kind == "submit" else "ambitions:period_approve"
    template = "ambitions/entry_confirm.html"
    return render(
        request,
        f"{template}#confirm" if getattr(request, "htmx", False) else template,
        {
            "chain": chain,
            "organisation": organisation,
            "period": period,
            "kind": kind,
            "form": form,
            "missing": missing,
            "submission": submission,
            "grid_url": grid_url(request, chain, period, organisation),
            "action_url": reverse(step_url, args=[chain.slug, period.slug]) + _query(request, organisation),
        },
        status=422,
    )


@require_POST
def period_approve_late(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """The partner lead approves the figures delivered after the period's approval, locking them."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    the_period = _period(period)
    organisation = _chosen_organisation(request, chain)
    if organisation is None:
        raise PermissionDenied
    try:
        approved = submissions.approve_late(request.user, chain, organisation, the_period)
    except submissions.StepRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d figure delivered late is approved and locked.",
                "%(count)d figures delivered late are approved and locked.",
                approved,
            )
            % {"count": approved},
        )
    return redirect(grid_url(request, chain, the_period, organisation))


def period_reopen(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """A programme manager reopens a submitted or approved period, with a reason; under a partner's
    delivery terms, the role they name (a partner lead its own), until the day they agree."""
    chain = get_chain_or_404(request.user, slug)
    if allows(request.user, Action.REOPEN_FIGURES, chain):
        the_period = _period(period)
        organisation = _chosen_organisation(request, chain)
    else:
        # Only a partner lead the delivery terms name, for its own organisation.
        require(request.user, Action.VIEW, chain)
        organisation = request.user.organisation if role_in(request.user, chain) == Role.PARTNER_LEAD else None
        the_period = _period(period)
        if organisation is None or not delivery.agreed_reopener(request.user, chain, organisation, the_period):
            raise PermissionDenied
    if organisation is None:
        raise Http404
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            submissions.reopen(request.user, chain, organisation, the_period, form.cleaned_data["reason"])
        except submissions.StepRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("The figures of %(org)s for %(period)s are open for changes again.")
                % {"org": organisation, "period": the_period},
            )
            return redirect(grid_url(request, chain, the_period, organisation))
    submission = (
        submissions.PeriodSubmission.objects.filter(
            chain=chain, organisation=organisation, frequency=the_period.frequency, period=the_period.start
        )
        .select_related("submitted_by", "approved_by")
        .first()
    )
    return render(
        request,
        "ambitions/entry_reopen.html",
        {
            "chain": chain,
            "organisation": organisation,
            "period": the_period,
            "form": form,
            "submission": submission,
            # Every step of the period with its reasons (for missing figures, for reopening).
            "history": history_for(submission) if submission is not None else [],
            "grid_url": grid_url(request, chain, the_period, organisation),
            "action_url": reverse("ambitions:period_reopen", args=[chain.slug, the_period.slug])
            + f"?{ORGANISATION_PARAM}={organisation.pk}",
        },
        status=422 if form.errors else 200,
    )


routes = [
    path("invoer/<str:period>/indienen/", period_submit, name="period_submit"),
    path("invoer/<str:period>/goedkeuren/", period_approve, name="period_approve"),
    path("invoer/<str:period>/nalevering-goedkeuren/", period_approve_late, name="period_approve_late"),
    path("invoer/<str:period>/heropenen/", period_reopen, name="period_reopen"),
]
