"""A proposal that cannot stall, on the version's page (issue 15): the answer deadline, the chain's
rule for silence, each core partner's answer in the current round (by a stand-in "for" the lead,
or by silence, never as an active yes), earlier rounds "to the previous text", the timeline of
every step, and the proposer's ways forward after an objection: amend (a new round) or withdraw.

The steps are services/consensus.py's (helper of issue 15); what the page reads is
services/proposal_reads.py's, each a fixed number of queries so the page costs the same for 3
partners in one round as for 30 in five.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambitions.forms.proposals import AmendForm, ProposeForm, WithdrawForm
from ambitions.models import Consent, ConsentPosition, EventKind, IndicatorVersion, VersionStatus
from ambitions.services import consensus
from ambitions.services.proposal_reads import RoundAnswers, answers_by_round, timeline
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.models import Chain, SilenceRule
from stakeholders.permissions import Action, get_chain_or_404, require
from stakeholders.working_days import working_days_between

STEERABLE = (VersionStatus.PROPOSED, VersionStatus.STOPPED)


@dataclass(frozen=True)
class Deadline:
    """The day the current round is answered by, as everyone asked reads it."""

    day: object
    working_days_left: int
    passed: bool
    today: bool


def deadline_of(version: IndicatorVersion, day=None) -> Deadline | None:
    if version.answer_by is None:
        return None
    today = timezone.localdate()
    return Deadline(
        day=version.answer_by,
        working_days_left=working_days_between(today, version.answer_by),
        passed=version.answer_by < today,
        today=version.answer_by == today,
    )


@dataclass(frozen=True)
class Step:
    """One line of the timeline: the event and, for an answer, the answer it recorded."""

    event: object
    answer: Consent | None
    who: str = ""


def _describe(consent: Consent) -> None:
    """The answer as the page shows it, set on the answer once (the page lists up to a few hundred:
    a template include per answer cost more than the rest of the page)."""
    if consent.by_silence:
        consent.answer_kind, consent.answer_label, consent.who_text = (
            "silence",
            _("Consent by silence after the deadline"),
            "",
        )
        return
    consent.answer_kind, consent.answer_label = consent.position, consent.get_position_display()
    consent.who_text = _who(consent.person, consent.for_person if consent.for_person_id else None)


def _steps(events, rounds) -> list[Step]:
    # An ANSWERED event names its partner and round; the answer (consent or objection) is that
    # round's Consent, read with the rounds already: no query per step.
    given = {(c.round, c.partnership_id): c for r in rounds for c in r.answers}
    return [
        Step(
            e,
            given.get((e.round, e.partnership_id)) if e.kind in (EventKind.ANSWERED, EventKind.SILENCE) else None,
            _who(e.person, e.for_person) if e.person_id else "",
        )
        for e in events
    ]


def _who(person, lead) -> str:
    if lead is not None:
        return _("by %(name)s for %(lead)s") % {"name": person.full_name, "lead": lead.full_name}
    return _("by %(name)s") % {"name": person.full_name}


def proposal_context(chain: Chain, version: IndicatorVersion, current: RoundAnswers | None, can_manage: bool) -> dict:
    """What the version page shows of the proposal's life besides its history (which comes with the
    page's standing: views/version_standing.py). No queries."""
    current_answers = {c.partnership_id: c for c in (current.answers if current else [])}
    rule = (current.round.silence_rule if current and current.round else "") or chain.silence_rule
    can_steer = can_manage and version.status in STEERABLE
    context = {
        "current_answers": current_answers,
        "current_round": current,
        "objections": [c for c in current_answers.values() if c.position == ConsentPosition.OBJECTION],
        "deadline": deadline_of(version) if version.status == VersionStatus.PROPOSED else None,
        "silence_meaning": SilenceRule(rule).meaning,
        "can_steer": can_steer,
        "can_amend": can_steer and version.status == VersionStatus.STOPPED,
        "withdraw_form": WithdrawForm() if can_steer else None,
        "propose_form": None,
    }
    if can_manage and version.status == VersionStatus.DRAFT:
        context["propose_form"] = ProposeForm(initial={"answer_by": consensus.default_answer_by(version)})
    return context


# How long a proposal's rendered history may be reused at most: it changes only by a new step
# (which changes its key), but names of people and organisations in it may change without one.
HISTORY_SECONDS = 600


def proposal_history(request: HttpRequest, version: IndicatorVersion):
    """The proposal's rounds to show (all of them, or only the current one when the history comes
    from the cache) and its history — the earlier rounds' answers and the timeline, rendered.

    The history only grows: every answer, reminder, silence, amendment and decision adds a step
    (ProposalEvent), and earlier rounds never change. So the rendered history is kept in the cache
    under the newest step's id (one small query) with the round, language and time zone: a new step
    is on the page at once. A proposal with 30 partners in five rounds has some 150 steps and 150
    earlier answers, whose rendering cost most of the page (docs/benchmarks-consent.md)."""
    if version.status == VersionStatus.DRAFT:
        return [], ""
    # The newest step's time too: SQLite hands out the id of a deleted last row again.
    newest = version.events.order_by("-pk").values_list("pk", "at").first()
    stamp = f"{newest[0]}:{newest[1].timestamp()}" if newest else "none"
    key = (
        f"proposal-history:1:{version.pk}:{version.round}:{stamp}:"
        f"{translation.get_language()}:{timezone.get_current_timezone_name()}"
    )
    history = cache.get(key)
    rounds = answers_by_round(version, current_only=history is not None)
    for r in rounds:
        for consent in r.answers:
            _describe(consent)
    if history is not None:
        return rounds, history
    context = {
        "earlier_rounds": [r for r in rounds if not r.is_current],
        "current_round": next((r for r in rounds if r.is_current), None),
        "steps": _steps(timeline(version), rounds),
    }
    history = render_to_string("ambitions/version_history.html", context, request=request)
    cache.set(key, history, HISTORY_SECONDS)
    return rounds, history


def _amend_url(chain: Chain, version: IndicatorVersion) -> str:
    return reverse("ambitions:version_amend", args=[chain.slug, version.indicator_id, version.number])


def _steered_version(request: HttpRequest, slug: str, pk: int, number: int) -> tuple[Chain, IndicatorVersion]:
    from ambitions.views.versions import _version  # the one lookup, scoped to the chain

    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_INDICATORS, chain)
    return chain, _version(chain, pk, number)


def version_amend(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    """The stopped proposal's definition to change, with what changed and a new answer deadline:
    saving asks every core partner again in a new round. Anything but a stopped proposal is
    refused (409) with a way back to its page."""
    from ambitions.views.versions import _detail_url

    chain, version = _steered_version(request, slug, pk, number)
    context = {"chain": chain, "indicator": version.indicator, "version": version}
    if version.status != VersionStatus.STOPPED:
        return render(request, "ambitions/version_amend.html", {**context, "not_stopped": True}, status=409)
    initial = {"answer_by": consensus.default_answer_by(version)}
    form = AmendForm(request.POST if request.method == "POST" else None, instance=version, chain=chain, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            consensus.amend(
                request.user, version, form.changes(), form.cleaned_data["note"], form.cleaned_data["answer_by"]
            )
        except consensus.ConsensusRefused as refused:
            _add_refusal(form, refused)
        else:
            messages.success(
                request, _("The proposal has been amended: every core partner is asked again, in a new round.")
            )
            return redirect_after_save(request, _detail_url(chain, version))
    return render_form_page(request, "ambitions/version_amend.html", {**context, "form": form}, form)


def _add_refusal(form, refused: consensus.ConsensusRefused) -> None:
    errors = getattr(refused, "errors", None) or {refused.field: [str(refused)]}
    for name, texts in errors.items():
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


@require_POST
def version_withdraw(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    """The proposer (or another programme manager) ends an open or stopped proposal, with a reason."""
    from ambitions.views.versions import _detail_context, _detail_url, _render_detail

    chain, version = _steered_version(request, slug, pk, number)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            consensus.withdraw(request.user, version, form.cleaned_data["reason"])
        except consensus.ConsensusRefused as refused:
            if refused.field not in form.fields:
                messages.error(request, str(refused))
                return redirect_after_save(request, _detail_url(chain, version))
            form.add_error(refused.field, str(refused))
        else:
            messages.success(request, _("The proposal has been withdrawn."))
            return redirect_after_save(request, _detail_url(chain, version))
    if getattr(request, "htmx", False):
        # The form lives in version_steer.html (included by the page): htmx gets only the form back.
        context = _detail_context(request, chain, version, withdraw_form=form)
        return render(request, "ambitions/version_steer.html#withdraw", context, status=422)
    return _render_detail(request, chain, version, "withdraw", withdraw_form=form)


routes = [
    path("indicatoren/<int:pk>/versies/<int:number>/aanpassen/", version_amend, name="version_amend"),
    path("indicatoren/<int:pk>/versies/<int:number>/intrekken/", version_withdraw, name="version_withdraw"),
]
