"""An indicator version's page and its consensus steps: edit a draft, propose it, consent or object,
comment, and start a new version of an adopted (or stopped) definition.

The rules live in services/consensus.py; these views check who may take a step before they read
the form (403), find versions only inside the chain (404 for another chain's ids) and put a
refusal's message at the field it concerns.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from ambitions.forms.proposals import ProposeForm, WithdrawForm
from ambitions.forms.versions import (
    LOCKED_MESSAGE,
    CommentForm,
    IndicatorVersionEditForm,
    ResponseForm,
)
from ambitions.models import Consent, Indicator, IndicatorVersion, LockedVersionError, VersionStatus
from ambitions.periods import Period
from ambitions.proposal_parts import rendered_parts
from ambitions.services import consensus
from ambitions.services.numbers import show
from ambitions.views import proposals, version_standing
from ambitions.views.proposals import proposal_context
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.models import Chain, MandateScope, Partnership, Person
from stakeholders.permissions import Action, allows, get_chain_or_404, has_mandate, require

OPEN_FOR_COMMENTS = (VersionStatus.DRAFT, VersionStatus.PROPOSED)


def _version(chain: Chain, pk: int, number: int) -> IndicatorVersion:
    # Scoped to the chain: another chain's indicator id is simply not found.
    version = get_object_or_404(
        IndicatorVersion.objects.select_related("indicator__ambition", "proposed_by"),
        indicator__ambition__chain=chain,
        indicator_id=pk,
        number=number,
    )
    version.indicator.ambition.chain = chain
    return version


def _detail_url(chain: Chain, version: IndicatorVersion) -> str:
    return reverse("ambitions:version_detail", args=[chain.slug, version.indicator_id, version.number])


def _edit_url(chain: Chain, version: IndicatorVersion) -> str:
    return reverse("ambitions:version_edit", args=[chain.slug, version.indicator_id, version.number])


def _own_partnership(user, chain: Chain) -> Partnership | None:
    if not getattr(user, "organisation_id", None):
        return None
    return Partnership.objects.current().filter(chain=chain, organisation_id=user.organisation_id).first()


def _detail_context(
    request: HttpRequest,
    chain: Chain,
    version: IndicatorVersion,
    respond_form: ResponseForm | None = None,
    comment_form: CommentForm | None = None,
    withdraw_form: WithdrawForm | None = None,
    propose_form: ProposeForm | None = None,
) -> dict:
    user = request.user
    can_manage = allows(user, Action.MANAGE_INDICATORS, chain)
    # What everyone who may read the page sees alike, from the cache while nothing changed.
    found = version_standing.standing(request, chain, version)
    decision = version_standing.decision(found)
    proposal = proposal_context(chain, version, decision.current_round, can_manage)
    # Answers in the current round count; earlier rounds' were given to the previous text.
    answered = decision.current_answers
    own = next(
        (p for p in found.partnerships if user.organisation_id and p.organisation_id == user.organisation_id), None
    )
    can_respond = (
        version.status == VersionStatus.PROPOSED
        and own is not None
        and own.is_bound
        and own.pk not in answered
        and any(person.pk == user.pk for person in found.leads[own.pk])
        and allows(user, Action.CONSENT_INDICATORS, chain, own.organisation)
    )
    can_comment = version.status in OPEN_FOR_COMMENTS and (own is not None or can_manage)
    siblings = list(version.indicator.versions.order_by("-number").values("number", "status"))
    open_version = next((v for v in siblings if v["status"] in OPEN_FOR_COMMENTS), None)
    return {
        "chain": chain,
        "indicator": version.indicator,
        "version": version,
        **decision.as_context(),
        "answers_html": found.answers_html
        or render_to_string(
            "ambitions/version_answers.html", {"version": version, **decision.as_context()}, request=request
        ),
        "proposal_history": found.history,
        "comments": found.comments,
        "units": found.units,
        "milestones": [
            (Period.containing(day, version.frequency).label(), show(value, version.decimals))
            for day, value in _milestones(version)
        ],
        "siblings": siblings,
        "open_version": open_version,
        "own": own,
        "can_manage": can_manage,
        "can_respond": can_respond,
        "can_comment": can_comment,
        "respond_form": respond_form or (ResponseForm() if can_respond else None),
        "comment_form": comment_form or (CommentForm() if can_comment else None),
        "audit_history": found.audit,
        # What apps built on ambitions add (governance's "put on the agenda"): ambitions/proposal_parts.py.
        "proposal_parts": rendered_parts(request, version),
        **proposal,
        **({"withdraw_form": withdraw_form} if withdraw_form else {}),
        **({"propose_form": propose_form} if propose_form else {}),
    }


def _milestones(version: IndicatorVersion) -> list[tuple[date, Decimal]]:
    return sorted((date.fromisoformat(m["period"]), Decimal(str(m["value"]))) for m in version.milestones or [])


def version_detail(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    """The definition, where the decision stands per core partner, the comments, and the next step."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    version = _version(chain, pk, number)
    return render(request, "ambitions/version_detail.html", _detail_context(request, chain, version))


def _render_detail(
    request: HttpRequest, chain: Chain, version: IndicatorVersion, partial: str, **forms
) -> HttpResponse:
    """The page again with a form's errors (422); htmx gets only that form's section."""
    template = "ambitions/version_detail.html"
    if getattr(request, "htmx", False):
        template = f"{template}#{partial}"
    return render(request, template, _detail_context(request, chain, version, **forms), status=422)


def _locked(request: HttpRequest, chain: Chain, version: IndicatorVersion) -> HttpResponse:
    if getattr(request, "htmx", False) and request.method == "POST":
        # htmx does not swap a 409 in; load the refusal as a page instead.
        return HttpResponseClientRedirect(_edit_url(chain, version))
    return render(
        request,
        "ambitions/version_locked.html",
        {
            "chain": chain,
            "indicator": version.indicator,
            "version": version,
            "message": LOCKED_MESSAGE,
            "can_start_new": version.status in (VersionStatus.ADOPTED, VersionStatus.STOPPED),
        },
        status=409,
    )


def version_edit(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    """Edit a draft's definition; a proposed or decided version is refused (409) and stays as it is."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_INDICATORS, chain)
    version = _version(chain, pk, number)
    if version.status != VersionStatus.DRAFT:
        return _locked(request, chain, version)
    form = IndicatorVersionEditForm(request.POST if request.method == "POST" else None, instance=version, chain=chain)
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    form.save()
            except LockedVersionError:
                return _locked(request, chain, version)
            messages.success(request, _("The draft has been saved."))
            return redirect_after_save(request, _detail_url(chain, version))
        if form.is_locked:
            return _locked(request, chain, version)
    return render_form_page(
        request,
        "ambitions/version_edit.html",
        {"chain": chain, "indicator": version.indicator, "version": version, "form": form},
        form,
    )


@require_POST
def version_propose(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    """Ask every core partner's mandated lead to consent; a refusal names the field to fix."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_INDICATORS, chain)
    version = _version(chain, pk, number)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, chain, version, "propose", propose_form=form)
    try:
        consensus.propose(request.user, version, answer_by=form.cleaned_data["answer_by"])
    except consensus.ConsensusRefused as refused:
        if refused.field == "answer_by":
            form.add_error("answer_by", str(refused))
            return _render_detail(request, chain, version, "propose", propose_form=form)
        if refused.field and version.status == VersionStatus.DRAFT:
            # Show the draft's form with the message at the field that has to change.
            form = IndicatorVersionEditForm(instance=version, chain=chain)
            form.cleaned_data = {}
            form.add_error(refused.field if refused.field in form.fields else None, str(refused))
            return render(
                request,
                "ambitions/version_edit.html",
                {
                    "chain": chain,
                    "indicator": version.indicator,
                    "version": version,
                    "form": form,
                    "not_proposed": True,
                },
                status=422,
            )
        messages.error(request, str(refused))
        return redirect(_detail_url(chain, version))
    missing = [p for p, people in _leads_by_partner(version).items() if not people]
    messages.success(request, _("Version %(number)s has been proposed to the core partners.") % {"number": number})
    if missing:
        messages.warning(
            request,
            _("Nobody may consent for %(partners)s yet: a partner lead needs a mandate to consent to indicators.")
            % {"partners": ", ".join(p.organisation.display_name for p in missing)},
        )
    return redirect(_detail_url(chain, version))


def _leads_by_partner(version: IndicatorVersion) -> dict[Partnership, list[Person]]:
    core = consensus.core_partnerships(version)
    people = consensus.mandated_people(core)
    return {p: people[p.pk] for p in core}


@require_POST
def version_respond(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    """A core partner's mandated lead consents or objects (with a reason); anyone else is refused (403)."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    version = _version(chain, pk, number)
    partnership = _own_partnership(request.user, chain)
    # Who answers is decided by the person's own organisation, never by a posted partner id.
    if (
        partnership is None
        or not partnership.is_bound
        or not allows(request.user, Action.CONSENT_INDICATORS, chain, partnership.organisation)
        or not has_mandate(request.user, partnership, MandateScope.CONSENT_INDICATORS)
    ):
        raise PermissionDenied
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            consent = consensus.respond(
                request.user, version, partnership, form.cleaned_data["position"], form.cleaned_data["reason"]
            )
        except consensus.ConsensusRefused as refused:
            if refused.field not in form.fields:
                messages.error(request, str(refused))
                return redirect_after_save(request, _detail_url(chain, version))
            form.add_error(refused.field, str(refused))
        else:
            version.refresh_from_db(fields=["status", "decided_at"])
            messages.success(request, _answered_message(consent, version))
            return redirect_after_save(request, _detail_url(chain, version))
    return _render_detail(request, chain, version, "respond", respond_form=form)


def _answered_message(consent: Consent, version: IndicatorVersion) -> str:
    if version.status == VersionStatus.ADOPTED:
        return _("Your consent has been recorded. Every core partner has consented: version %(number)s is adopted.") % {
            "number": version.number
        }
    if version.status == VersionStatus.STOPPED:
        return _("Your objection has been recorded; version %(number)s is stopped.") % {"number": version.number}
    return _("Your consent has been recorded.")


@require_POST
def version_comment(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    """A remark by someone of a partner organisation (or a programme manager); it does not block."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    version = _version(chain, pk, number)
    if _own_partnership(request.user, chain) is None and not allows(request.user, Action.MANAGE_INDICATORS, chain):
        raise PermissionDenied
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            consensus.comment(request.user, version, form.cleaned_data["text"])
        except consensus.ConsensusRefused as refused:
            if refused.field not in form.fields:
                messages.error(request, str(refused))
                return redirect_after_save(request, _detail_url(chain, version))
            form.add_error(refused.field, str(refused))
        else:
            messages.success(request, _("Your comment has been added."))
            return redirect_after_save(request, f"{_detail_url(chain, version)}#comments")
    return _render_detail(request, chain, version, "comment", comment_form=form)


@require_POST
def version_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A new draft, copied from the indicator's latest version, to change and propose."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_INDICATORS, chain)
    indicator = get_object_or_404(Indicator.objects.select_related("ambition"), ambition__chain=chain, pk=pk)
    indicator.ambition.chain = chain
    latest = indicator.versions.order_by("-number").first()
    if latest is None:
        raise Http404
    latest.indicator = indicator
    if latest.status == VersionStatus.DRAFT:
        messages.info(request, _("Version %(number)s is a draft already; change that one.") % {"number": latest.number})
        return redirect(_edit_url(chain, latest))
    if latest.status == VersionStatus.PROPOSED:
        messages.error(
            request,
            _("Version %(number)s is waiting for consent; a new version can start once it is decided.")
            % {"number": latest.number},
        )
        return redirect(_detail_url(chain, latest))
    draft = consensus.new_draft(request.user, latest)
    start = _first_free_period(indicator, draft)
    if start != draft.effective_from:
        draft.effective_from = start
        draft.save(update_fields=["effective_from"])
    messages.success(
        request,
        _("Version %(number)s has been started as a copy of version %(from)s. Set from which period it takes effect.")
        % {"number": draft.number, "from": latest.number},
    )
    return redirect(_edit_url(chain, draft))


def _first_free_period(indicator: Indicator, draft: IndicatorVersion) -> date:
    """The draft's start, moved to no earlier than the current period and after every version in force."""
    start = Period.containing(timezone.localdate(), draft.frequency)
    latest = indicator.versions.in_force().order_by("-effective_from").values_list("effective_from", flat=True).first()
    if latest is not None:
        start = max(start, Period.containing(latest, draft.frequency).next)
    return max(start.start, draft.effective_from)


routes = [
    path("indicatoren/<int:pk>/versies/nieuw/", version_create, name="version_create"),
    path("indicatoren/<int:pk>/versies/<int:number>/", version_detail, name="version_detail"),
    path("indicatoren/<int:pk>/versies/<int:number>/bewerken/", version_edit, name="version_edit"),
    path("indicatoren/<int:pk>/versies/<int:number>/voorstellen/", version_propose, name="version_propose"),
    path("indicatoren/<int:pk>/versies/<int:number>/reageren/", version_respond, name="version_respond"),
    path("indicatoren/<int:pk>/versies/<int:number>/opmerking/", version_comment, name="version_comment"),
    *proposals.routes,
]
