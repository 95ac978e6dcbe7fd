"""Decisions by consent: the register (besluitenlijst) and its export, a new proposal, a decision's
page with every partner's position, recording a position, amending, closing and withdrawing.

The rules are governance/services/decisions.py's (and register.py's for the register); who may
take a step is governance/policy.py's. Decisions are found inside the URL's chain only (another
chain's id is not found: 404). Someone with no seat for a partner in the body who posts a
position gets 403; anyone with a seat whose position is refused (no valid mandate, the closing
date has passed, the member is present, a reason missing, a block by a partner of the chain)
gets the page again with the message at the field (422), and nothing is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.forms.decisions import AmendForm, CloseForm, PositionForm, ProposalForm, WithdrawForm
from governance.models import Body, Decision, DecisionPosition
from governance.policy import may_propose, may_run_meetings, speakers_for
from governance.policy import require as require_in_body
from governance.services import decision_deadlines, governance_revision
from governance.services import decisions as services
from governance.services import register as registry
from ketenportaal import kept
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders import roster
from stakeholders.history import HistoryEntry, readable_history
from stakeholders.models import Chain, Partnership, Person, SilenceRule
from stakeholders.permissions import Action, get_chain_or_404, require

DETAIL = "governance/decisions/decision_detail.html"


def _decision(request: HttpRequest, chain: Chain, pk: int) -> Decision:
    # Scoped to the chain: another chain's decision id is simply not found.
    decision = get_object_or_404(
        Decision.objects.visible_to(request.user)
        .filter(chain=chain)
        .select_related("body", "meeting", "indicator", "indicator_version__indicator", "proposed_by"),
        pk=pk,
    )
    decision.body.chain = chain
    return decision


def _detail_url(chain: Chain, decision: Decision) -> str:
    return reverse("governance:decision_detail", args=[chain.slug, decision.pk])


# --- The register ------------------------------------------------------------------------------


# The register's own query parameters; anything else in the address changes nothing it shows.
REGISTER_PARAMS = ("gremium", "jaar", "uitkomst", "partner", "pagina")
KEPT_VALUE_LENGTH = 24  # longer values are never a body, year, outcome, partner or page: not kept


def decision_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The chain's decision register, filtered and paginated; a refused filter value is shown at its
    field (422, as every form's errors), with no decisions rather than the wrong ones.

    The filters and the table are the same for every member for the same filters and page: kept
    rendered under the chain's governance revision and the roster revision (ketenportaal/kept.py),
    with the answer's status, keyed by the register's own parameters only."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    known = {name: request.GET[name] for name in REGISTER_PARAMS if request.GET.get(name)}

    def build() -> tuple[int, str]:
        return _register_part(request, chain, known)

    if all(len(value) <= KEPT_VALUE_LENGTH for value in known.values()):
        tokens = [governance_revision.token(chain.pk), roster.token()]
        status, html = kept.fetch(["decision-register:1", chain.pk, *sorted(known.items())], tokens, build)
    else:
        status, html = build()
    context = {
        "chain": chain,
        "register_html": kept.personal(html, get_token(request), get_nonce(request)),
        "can_propose": services.proposes_anywhere(request.user, chain),
    }
    return render(request, "governance/decisions/decision_list.html", context, status=status)


def _register_part(request: HttpRequest, chain: Chain, known: dict[str, str]) -> tuple[int, str]:
    """The filters and the table rendered for ``known`` parameters, and the answer's status."""
    result = registry.register(chain, QueryDict(urlencode(known)))
    page = rows = None
    if result.decisions is not None:
        page = Paginator(result.decisions, registry.PER_PAGE).get_page(known.get("pagina"))
        rows = result.fill(page.object_list)
        for decision in rows:
            decision.positions_html = registry.positions_html(decision)
    context = {
        "chain": chain,
        "form": result.filters.form,
        "page": page,
        "rows": rows,
        # Each row's link, without a reverse() per row.
        "detail_prefix": reverse("governance:decision_list", args=[chain.slug]),
        "query": urlencode({name: value for name, value in known.items() if name != "pagina"}),
        "csrf_token": kept.CSRF_MARK,
        "csp_nonce": kept.NONCE_MARK,
    }
    html = render_to_string("governance/decisions/_register.html", context, request=request)
    return (422 if result.decisions is None else 200), html


def decision_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The filtered register (every page) as CSV or XLSX."""
    if fmt not in registry.FORMATS:
        raise Http404
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    result = registry.register(chain, request.GET)
    if result.decisions is None:
        # A download has no form to show the message at: say it plainly, with 400.
        problems = "; ".join(
            f"{result.filters.form[name].label}: {' '.join(errors)}" for name, errors in result.filters.errors.items()
        )
        return HttpResponseBadRequest(problems, content_type="text/plain; charset=utf-8")
    response = HttpResponse(registry.render(result, fmt), content_type=registry.CONTENT_TYPES[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{chain.slug}-besluitenlijst-{stamp}.{fmt}"'
    return response


# --- A new proposal ----------------------------------------------------------------------------


def decision_create(request: HttpRequest, slug: str) -> HttpResponse:
    """A proposal to one of the bodies the user may propose in (``?gremium=`` chooses one)."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    bodies = [body for body in Body.objects.filter(chain=chain, is_active=True) if may_propose(request.user, body)]
    if not bodies:
        raise PermissionDenied
    for body in bodies:
        body.chain = chain
    initial = {"body": request.GET.get("gremium")} if request.GET.get("gremium", "").isdigit() else {}
    form = ProposalForm(request.POST if request.method == "POST" else None, initial=initial, chain=chain, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        decision = form.save(commit=False)
        decision.body = next(body for body in bodies if body.pk == decision.body_id)
        try:
            services.propose(request.user, decision)
        except services.DecisionRefused as refused:
            form.add_error(refused.field, str(refused))
        else:
            messages.success(
                request, _("The proposal has been put to the partners in %(body)s.") % {"body": decision.body}
            )
            return redirect_after_save(request, _detail_url(chain, decision))
    return render_form_page(request, "governance/decisions/decision_create.html", {"chain": chain, "form": form}, form)


# --- A decision's page -------------------------------------------------------------------------


@dataclass
class Standing:
    """A represented partner's place in the decision: its position now, and who may record it."""

    partnership: Partnership
    counted: bool
    position: DecisionPosition | None
    speakers: list[Person] = field(default_factory=list)


def _standings(decision: Decision, partners: list[Partnership], current: dict[int, DecisionPosition]) -> list[Standing]:
    standings = [
        Standing(
            partnership,
            services.counts(partnership),
            current.get(partnership.pk),
            speakers_for(decision.body, partnership) if decision.is_open else [],
        )
        for partnership in partners
    ]
    # A partner that answered but no longer sits in the body: its answer stays on the record.
    shown = {partnership.pk for partnership in partners}
    standings += [
        Standing(position.partnership, services.counts(position.partnership), position)
        for position in current.values()
        if position.partnership_id not in shown
    ]
    return standings


def _history(decision: Decision, positions: list[DecisionPosition], chain: Chain) -> list[HistoryEntry]:
    """The decision's own changes and every change of position (who, when, from what to what)."""
    return readable_history(services.history_entries(decision, positions), 200, chain=chain)


def _detail_context(
    request: HttpRequest,
    chain: Chain,
    decision: Decision,
    *,
    position_form: PositionForm | None = None,
    withdraw_form: WithdrawForm | None = None,
) -> dict:
    user = request.user
    positions = list(
        decision.positions.select_related("partnership__organisation", "recorded_by", "for_person").order_by(
            "round", "partnership__organisation__name"
        )
    )
    current = {position.partnership_id: position for position in positions if position.round == decision.round}
    partners = services.represented(decision.body)
    me = services.speaker(user, decision)
    if position_form is None and me.partnership is not None and me.refusal is None:
        mine = current.get(me.partnership.pk)
        position_form = PositionForm(
            initial={
                "kind": mine.kind if mine else None,
                "reason": mine.reason if mine else "",
                "round": decision.round,
                "based_on": services.position_token(mine),
            },
            partnership=me.partnership,
        )
    can_amend = decision.is_open and services.may_amend(user, decision)
    earlier: dict[int, list[DecisionPosition]] = {}
    for position in positions:
        if position.round < decision.round:
            earlier.setdefault(position.round, []).append(position)
    return {
        "chain": chain,
        "decision": decision,
        "body": decision.body,
        "standings": _standings(decision, partners, current),
        "outcome": services.outcome(decision.body, partners, {pid: p.kind for pid, p in current.items()})
        if decision.is_open
        else None,
        "dissent": [position for position in current.values() if position.is_dissent],
        "earlier": sorted(earlier.items(), reverse=True),
        "me": me,
        "position_form": position_form,
        "can_amend": can_amend,
        "can_close": decision.is_open and may_run_meetings(user, decision.body),
        "withdraw_form": withdraw_form or (WithdrawForm() if can_amend else None),
        "history": _history(decision, positions, chain),
    }


def decision_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    decision = _decision(request, chain, pk)
    return render(request, DETAIL, _detail_context(request, chain, decision))


def _refused_page(
    request: HttpRequest, chain: Chain, decision: Decision, partial: str, **forms: BaseForm
) -> HttpResponse:
    """The decision's page again with a form's errors (422); htmx gets only that form's section."""
    template = f"{DETAIL}#{partial}" if getattr(request, "htmx", False) else DETAIL
    return render(request, template, _detail_context(request, chain, decision, **forms), status=422)


@require_POST
def decision_position(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record or change the position of the partner the user speaks for (member or alternate)."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    decision = _decision(request, chain, pk)
    me = services.speaker(request.user, decision)
    if me.partnership is None:
        raise PermissionDenied  # no seat for any partner in this body
    form = PositionForm(request.POST, partnership=me.partnership)
    if form.is_valid():
        data = form.cleaned_data
        try:
            position = services.record_position(
                request.user, decision, data["kind"], data["reason"], round_=data["round"], based_on=data["based_on"]
            )
        except services.DecisionRefused as refused:
            _refusal_into(form, refused, decision)
        else:
            messages.success(
                request,
                _("The position of %(org)s has been recorded: %(kind)s.")
                % {"org": me.partnership.organisation, "kind": position.get_kind_display()},
            )
            # No #fragment: with htmx the redirect would then only scroll the page it is on.
            return redirect_after_save(request, _detail_url(chain, decision))
    return _refused_page(request, chain, decision, "position", position_form=form)


def _refusal_into(form: PositionForm, refused: services.DecisionRefused, decision: Decision) -> None:
    """The refusal at its field; after a conflict the form is based on what is saved now, so that
    sending it again (on purpose) replaces it."""
    form.add_error(refused.field if refused.field in form.fields else None, str(refused))
    if refused.conflict:
        decision.refresh_from_db(fields=["round", "title", "text", "closes_on", "status"])
        current = DecisionPosition.objects.filter(
            decision=decision, round=decision.round, partnership=form.partnership
        ).first()
        form.data = form.data.copy()
        form.data["round"] = str(decision.round)
        form.data["based_on"] = services.position_token(current)


# --- Amending, closing and withdrawing ---------------------------------------------------------


def decision_amend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A new text for an open proposal: every partner is asked again (the proposer, or who runs
    the body's meetings)."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    decision = _decision(request, chain, pk)
    require_in_body(request.user, services.may_amend(request.user, decision), decision.body)
    if not decision.is_open:
        messages.error(request, _("This decision is no longer open; it cannot be amended."))
        return redirect_after_save(request, _detail_url(chain, decision))
    form = AmendForm(request.POST if request.method == "POST" else None, instance=decision)
    if request.method == "POST":
        with transaction.atomic():
            if form.is_valid():
                try:
                    amended = services.amend(
                        request.user,
                        decision,
                        title=form.cleaned_data["title"],
                        text=form.cleaned_data["text"],
                        closes_on=form.cleaned_data["closes_on"],
                    )
                except services.DecisionRefused as refused:
                    form.add_error(refused.field, str(refused))
                else:
                    messages.success(
                        request,
                        _("The proposal has been amended: every partner is asked again (round %(round)s).")
                        % {"round": amended.round},
                    )
                    return redirect_after_save(request, _detail_url(chain, decision))
    context = {"chain": chain, "decision": decision, "form": form}
    return render_form_page(request, "governance/decisions/decision_amend.html", context, form)


def decision_close(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record the outcome the body's rule gives, with the statement and a review date."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    decision = _decision(request, chain, pk)
    require_in_body(request.user, may_run_meetings(request.user, decision.body), decision.body)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if decision.is_open and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            closed = services.close(
                request.user,
                decision,
                statement=data["outcome_statement"],
                decided_on=data["decided_on"],
                review_on=data["review_on"],
            )
        except services.DecisionRefused as refused:
            form.add_error(refused.field, str(refused))
        else:
            messages.success(
                request, _("The decision is closed: %(status)s.") % {"status": closed.get_status_display()}
            )
            return redirect_after_save(request, _detail_url(chain, decision))
    if not decision.is_open and request.method == "POST":
        form.add_error(None, _("This decision is already closed."))
    partners = services.represented(decision.body)
    context = {
        "chain": chain,
        "decision": decision,
        "form": form,
        "outcome": services.outcome_of(decision, partners) if decision.is_open else None,
        "past_closing": decision.closes_on < timezone.localdate(),
        "silence": decision_deadlines.silence_preview(decision, timezone.localdate()),
        # Consent by silence is recorded before the rule counts: "closes as rejected" may not hold.
        "silence_counts": decision.body.chain.silence_rule == SilenceRule.CONSENT,
    }
    return render_form_page(request, "governance/decisions/decision_close.html", context, form)


@require_POST
def decision_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    decision = _decision(request, chain, pk)
    require_in_body(request.user, services.may_amend(request.user, decision), decision.body)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw(request.user, decision, form.cleaned_data["reason"])
        except services.DecisionRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, str(refused))
        else:
            messages.success(request, _("The proposal has been withdrawn."))
            return redirect_after_save(request, _detail_url(chain, decision))
    return _refused_page(request, chain, decision, "withdraw", withdraw_form=form)


routes = [
    path("besluiten/", decision_list, name="decision_list"),
    path("besluiten/export.<str:fmt>", decision_export, name="decision_export"),
    path("besluiten/nieuw/", decision_create, name="decision_create"),
    path("besluiten/<int:pk>/", decision_detail, name="decision_detail"),
    path("besluiten/<int:pk>/standpunt/", decision_position, name="decision_position"),
    path("besluiten/<int:pk>/wijzigen/", decision_amend, name="decision_amend"),
    path("besluiten/<int:pk>/afronden/", decision_close, name="decision_close"),
    path("besluiten/<int:pk>/intrekken/", decision_withdraw, name="decision_withdraw"),
]
