"""Course checks (koerschecks): the chain's list, a check's page (dates, status, the response per
partner — counts only — and D2's results), answering it, and the programme manager's statements.

Every member of the chain reads the list and the pages. Only a respondent (asked when the check
opened) answers, while it is open: someone else gets 403 with a page that says why, an answer
after the close 422 with the reason, and nothing is saved. Nobody's individual answer is shown to
anyone but themselves (their own form, filled in). The statements change (Action.MANAGE_COURSE_CHECKS)
only while no answer is in. Rules: governance/services/course_checks.py.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from governance.forms.course_checks import AnswerForm, StatementsForm
from governance.models.course_checks import CourseCheck, CourseCheckStatement
from governance.services import course_checks as services
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.history import readable_history
from stakeholders.models import Chain
from stakeholders.permissions import Action, allows, get_chain_or_404, require

TEMPLATES = "governance/course_checks/"


def _check(request: HttpRequest, slug: str, pk: int) -> tuple[Chain, CourseCheck]:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    check = get_object_or_404(CourseCheck.objects.filter(chain=chain), pk=pk)
    check.chain = chain
    return chain, check


def _detail_url(chain: Chain, check: CourseCheck) -> str:
    return reverse("governance:course_check_detail", args=[chain.slug, check.pk])


def course_check_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The chain's checks, latest first: open or closed, the dates and the response rate."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    checks = services.listed(chain)
    for check in checks:
        check.rate = round(100 * check.answered / check.asked) if check.asked else 0
    waiting = {r.course_check_id for r in services.waiting_for(request.user) if r.course_check.chain_id == chain.pk}
    context = {"chain": chain, "checks": checks, "waiting": waiting, "cadence": chain.course_check_cadence_months}
    return render(request, f"{TEMPLATES}course_check_list.html", context)


def _history(check: CourseCheck, chain: Chain) -> list:
    """The audit trail of the check and its statements (answers are not in the trail at all)."""
    types = ContentType.objects.get_for_models(CourseCheck, CourseCheckStatement)
    statement_ids = list(check.statements.values_list("pk", flat=True))
    entries = LogEntry.objects.filter(
        Q(content_type=types[CourseCheck], object_id=check.pk)
        | Q(content_type=types[CourseCheckStatement], object_id__in=statement_ids)
    )
    return readable_history(entries, 100, chain=chain)


def _results(check: CourseCheck):
    """D2's results (governance/services/course_check_results.py), for the include on the page."""
    try:
        from governance.services.course_check_results import results_for
    except ImportError:  # pragma: no cover - until D2's module is in
        return None
    return results_for(check)


def course_check_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain, check = _check(request, slug, pk)
    respondent = services.respondent_of(request.user, check)
    response = services.response_by_partner(check)
    context = {
        "chain": chain,
        "check": check,
        "respondent": respondent,
        "answerable": services.is_answerable(check),
        "response": response,
        "asked": sum(p.asked for p in response),
        "answered": sum(p.answered for p in response),
        "can_manage": allows(request.user, Action.MANAGE_COURSE_CHECKS, chain),
        "statements": services.statements_of(check),
        "results": _results(check),
        "history": _history(check, chain),
    }
    context["rate"] = round(100 * context["answered"] / context["asked"]) if context["asked"] else 0
    return render(request, f"{TEMPLATES}course_check_detail.html", context)


def _refused(request, chain, check, message: str, status: int) -> HttpResponse:
    context = {"chain": chain, "check": check, "message": message}
    return render(request, f"{TEMPLATES}course_check_refused.html", context, status=status)


def course_check_answer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The respondent's answer: a score 1–5 per statement with an optional comment, and the open
    question; a second answer replaces the first until the check closes."""
    chain, check = _check(request, slug, pk)
    respondent = services.respondent_of(request.user, check)
    if respondent is None:
        return _refused(request, chain, check, str(services.NOT_ASKED), 403)
    if not services.is_answerable(check):
        return _refused(request, chain, check, str(services.CLOSED), 422 if request.method == "POST" else 200)
    statements = services.statements_of(check)
    earlier = {s.statement_id: (s.score, s.comment) for s in respondent.scores.all()}
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        check=check,
        statements=statements,
        initial_scores=earlier,
        initial={"open_answer": respondent.open_answer},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.answer(
                check, request.user, form.scores(), form.comments(), form.cleaned_data["open_answer"].strip()
            )
        except services.CourseCheckRefused as refused:
            if refused.field and refused.field in form.fields:
                form.add_error(refused.field, str(refused))
            else:
                return _refused(request, chain, check, str(refused), 422)
        else:
            messages.success(
                request,
                _("Thank you: your answer is saved. You can change it until %(day)s.")
                % {"day": check.closes_on.strftime("%d-%m-%Y")},
            )
            return redirect_after_save(request, _detail_url(chain, check))
    context = {"chain": chain, "check": check, "form": form, "respondent": respondent}
    return render_form_page(request, f"{TEMPLATES}course_check_answer.html", context, form)


def course_check_statements(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The programme manager changes the statements and the open question while no answer is in."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_COURSE_CHECKS, chain)  # before the check is looked up
    check = get_object_or_404(CourseCheck.objects.filter(chain=chain), pk=pk)
    check.chain = chain
    statements = services.statements_of(check)
    locked_reason = None
    if not services.is_answerable(check):
        locked_reason = _("This course check has closed: its statements can no longer change.")
    elif services.has_answers(check):
        locked_reason = _(
            "Answers are already in: the statements can no longer change, so every answer means the same."
        )
    form = StatementsForm(
        request.POST if request.method == "POST" and locked_reason is None else None,
        check=check,
        statements=statements,
    )
    if request.method == "POST" and locked_reason is not None:
        return _refused(request, chain, check, locked_reason, 422)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_statements(
                check, form.texts(), form.cleaned_data["question"].strip(), form.cleaned_data["version"]
            )
        except services.CourseCheckRefused as refused:
            form.add_error(None, str(refused))
            fresh = CourseCheck.objects.get(pk=check.pk)
            form.data = form.data.copy()
            form.data["version"] = fresh.version  # the user reviews the current texts, then saves on purpose
            form.current = services.statements_of(fresh)
        else:
            messages.success(request, _("The statements are saved."))
            return redirect_after_save(request, _detail_url(chain, check))
    context = {"chain": chain, "check": check, "form": form, "locked_reason": locked_reason}
    return render_form_page(request, f"{TEMPLATES}course_check_statements.html", context, form)


routes = [
    path("koerschecks/", course_check_list, name="course_check_list"),
    path("koerschecks/<int:pk>/", course_check_detail, name="course_check_detail"),
    path("koerschecks/<int:pk>/antwoorden/", course_check_answer, name="course_check_answer"),
    path("koerschecks/<int:pk>/stellingen/", course_check_statements, name="course_check_statements"),
]
