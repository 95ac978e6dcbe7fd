"""Bottlenecks (knelpunten): the chain's board, reporting one (also from an indicator's page), a
bottleneck's page with its clock, escalations, comments and history, editing, its status, the
body's response and escalating by hand.

Who may do what (governance/policy.py): every member of the chain reads; every member but a viewer
reports and comments; the owner and who runs the current body's meetings edit and move the status;
the owner and the current body's chair escalate; who runs the current body's meetings records its
response. A refused escalation (a closed bottleneck, the top of the ladder, moved meanwhile) is a
message on the form with 409 and changes nothing.

Routes are joined in governance/urls.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from governance import policy
from governance.forms.bottlenecks import (
    BottleneckEditForm,
    BottleneckFilterForm,
    BottleneckForm,
    BottleneckStatusForm,
    CommentForm,
    EscalateForm,
    ResponseForm,
    chain_indicators,
)
from governance.models import Body, Bottleneck
from governance.sections import BodySection, register_body_section
from governance.services import bottleneck_board as board
from governance.services import bottlenecks as service
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.history import history_for
from stakeholders.models import Chain
from stakeholders.permissions import get_chain_or_404


def _bottleneck(request: HttpRequest, chain: Chain, pk: int) -> Bottleneck:
    """The chain's bottleneck (another chain's id is not found), with what its page shows."""
    rows = Bottleneck.objects.visible_to(request.user).filter(chain=chain)
    bottleneck = get_object_or_404(
        rows.select_related("body__escalates_to", "owner__organisation", "reported_by"), pk=pk
    )
    bottleneck.chain = bottleneck.body.chain = chain
    return bottleneck


def _require(request: HttpRequest, allowed: bool, bottleneck: Bottleneck) -> None:
    policy.require(request.user, allowed, bottleneck.body)


# --- The board -----------------------------------------------------------------------------------


def bottleneck_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The chain's bottlenecks by level with their clock; filters partner, indicator and status."""
    chain = get_chain_or_404(request.user, slug)
    filters = BottleneckFilterForm(request.GET or None, chain=chain)
    rows = board.with_board_columns(board.by_level(filters.filter(Bottleneck.objects.filter(chain=chain))))
    page = Paginator(rows, board.PER_PAGE).get_page(request.GET.get("pagina"))
    query = urlencode([(key, value) for key, value in request.GET.items() if key != "pagina"])
    now = timezone.now()
    return render(
        request,
        "governance/bottlenecks/bottleneck_list.html",
        {
            "chain": chain,
            "filters": filters,
            "page": page,
            "rows": board.rows_html(page.object_list, chain, timezone.localdate(now), now),
            "query": query,
            "counts": board.counts(chain),
            "can_report": policy.may_report_bottleneck(request.user, chain),
        },
        status=422 if filters.errors else 200,
    )


# --- Reporting and editing -------------------------------------------------------------------------


def bottleneck_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Report a bottleneck; ``?indicator=<pk>`` (the offer on an off-track indicator's page) links it."""
    chain = get_chain_or_404(request.user, slug)
    if not policy.may_report_bottleneck(request.user, chain):
        raise PermissionDenied
    instance = Bottleneck(chain=chain, owner=request.user, reported_by=request.user)
    initial = {}
    indicator = _indicator_from_query(request, chain)
    if indicator is not None:
        initial = {"indicators": [indicator.pk], "title": _("%(indicator)s is off track") % {"indicator": indicator}}
    form = BottleneckForm(
        request.POST if request.method == "POST" else None, instance=instance, chain=chain, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        bottleneck = form.save()
        messages.success(request, _("The bottleneck has been reported to %(body)s.") % {"body": bottleneck.body})
        return redirect_after_save(request, reverse("governance:bottleneck_detail", args=[chain.slug, bottleneck.pk]))
    context = {"chain": chain, "form": form, "indicator": indicator}
    return render_form_page(request, "governance/bottlenecks/bottleneck_create.html", context, form)


def _indicator_from_query(request: HttpRequest, chain: Chain):
    value = request.GET.get("indicator", "")
    if not value.isdigit() or len(value) > 18:
        return None
    return chain_indicators(chain).filter(pk=int(value)).first()


def bottleneck_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    bottleneck = _bottleneck(request, chain, pk)
    _require(request, policy.may_handle_bottleneck(request.user, bottleneck), bottleneck)
    form = BottleneckEditForm(request.POST if request.method == "POST" else None, instance=bottleneck, chain=chain)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The bottleneck has been saved."))
        return redirect_after_save(request, bottleneck.get_absolute_url())
    context = {"chain": chain, "bottleneck": bottleneck, "form": form}
    return render_form_page(request, "governance/bottlenecks/bottleneck_edit.html", context, form)


def bottleneck_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    bottleneck = _bottleneck(request, chain, pk)
    _require(request, policy.may_handle_bottleneck(request.user, bottleneck), bottleneck)
    form = BottleneckStatusForm(request.POST if request.method == "POST" else None, instance=bottleneck)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, _("The bottleneck is now “%(status)s”.") % {"status": bottleneck.get_status_display().lower()}
        )
        return redirect_after_save(request, bottleneck.get_absolute_url())
    context = {"chain": chain, "bottleneck": bottleneck, "form": form}
    return render_form_page(request, "governance/bottlenecks/bottleneck_status.html", context, form)


# --- One bottleneck ---------------------------------------------------------------------------------


def bottleneck_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The bottleneck with its clock, its escalations, its comments (and the comment form) and its history."""
    chain = get_chain_or_404(request.user, slug)
    bottleneck = _bottleneck(request, chain, pk)
    return render(request, "governance/bottlenecks/bottleneck_detail.html", _detail_context(request, bottleneck))


def _detail_context(request: HttpRequest, bottleneck: Bottleneck, **forms) -> dict:
    user, chain = request.user, bottleneck.chain
    can_comment = policy.may_report_bottleneck(user, chain)
    can_escalate = (
        bottleneck.is_open and bottleneck.body.escalates_to_id and policy.may_escalate_bottleneck(user, bottleneck)
    )
    can_respond = (
        bottleneck.is_open and not bottleneck.responded_at and policy.may_respond_to_bottleneck(user, bottleneck)
    )
    escalations = bottleneck.escalations.select_related("from_body", "to_body", "by", "responded_by")
    return {
        "chain": chain,
        "bottleneck": bottleneck,
        "clock": bottleneck.clock(),
        "partners": bottleneck.partners.select_related("organisation").order_by("organisation__name"),
        "indicators": bottleneck.indicators.select_related("ambition").order_by("name"),
        "escalations": escalations,
        "comments": bottleneck.comments.select_related("author"),
        "can_handle": policy.may_handle_bottleneck(user, bottleneck),
        "can_escalate": can_escalate,
        "can_respond": can_respond,
        "comment_form": forms.get("comment_form") or (CommentForm() if can_comment else None),
        "escalate_form": forms.get("escalate_form") or (EscalateForm() if can_escalate else None),
        "response_form": forms.get("response_form") or (ResponseForm() if can_respond else None),
        "history": history_for(bottleneck, chain=chain),
    }


def _step(request: HttpRequest, slug: str, pk: int, allowed, form_class, name: str, act, done: str) -> HttpResponse:
    """A POST step on the bottleneck page (escalate, respond): the form's errors or the refusal on
    the page (422 / 409), else back to the page with ``done``."""
    chain = get_chain_or_404(request.user, slug)
    bottleneck = _bottleneck(request, chain, pk)
    _require(request, allowed(request.user, bottleneck), bottleneck)
    form = form_class(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            act(bottleneck, request.user, form.cleaned_data)
        except service.EscalationRefused as refused:
            form.add_error(None, refused.message)
            status = 409
        except ValidationError as error:
            form.add_error(None, error)
            status = 422
        else:
            messages.success(request, done)
            return redirect_after_save(request, bottleneck.get_absolute_url())
    elif form.errors:
        status = 422
    context = {**_detail_context(request, bottleneck, **{name: form}), "focus_form": name}
    return render(request, "governance/bottlenecks/bottleneck_detail.html", context, status=status)


def bottleneck_escalate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Escalate by hand to the next level, with a reason: the owner or the current body's chair."""
    return _step(
        request,
        slug,
        pk,
        policy.may_escalate_bottleneck,
        EscalateForm,
        "escalate_form",
        lambda bottleneck, user, data: service.escalate(bottleneck, user, data["reason"]),
        _("The bottleneck has been escalated; the receiving body's chair and secretary are told."),
    )


def bottleneck_respond(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The current body's response (who runs its meetings): it stops the clock at this level."""
    return _step(
        request,
        slug,
        pk,
        policy.may_respond_to_bottleneck,
        ResponseForm,
        "response_form",
        lambda bottleneck, user, data: service.record_response(bottleneck, user, data["response"]),
        _("The response has been recorded."),
    )


def bottleneck_comment(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Add a comment to the thread: every member of the chain but a viewer."""
    chain = get_chain_or_404(request.user, slug)
    bottleneck = _bottleneck(request, chain, pk)
    policy.require(request.user, policy.may_report_bottleneck(request.user, chain), bottleneck.body)
    form = CommentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        form.instance.bottleneck, form.instance.author = bottleneck, request.user
        form.save()
        messages.success(request, _("Your comment has been added."))
        return redirect_after_save(request, bottleneck.get_absolute_url() + "#comments")
    context = {**_detail_context(request, bottleneck, comment_form=form), "focus_form": "comment_form"}
    return render(request, "governance/bottlenecks/bottleneck_detail.html", context, status=422 if form.errors else 200)


def _body_section(request: HttpRequest, body: Body) -> dict:
    shown, count = board.at_body(body)
    return {"body_bottlenecks": shown, "body_bottleneck_count": count, "today": timezone.localdate()}


register_body_section(BodySection("bottlenecks", "governance/bottlenecks/_body_bottlenecks.html", 40, _body_section))


routes = [
    path("knelpunten/", bottleneck_list, name="bottleneck_list"),
    path("knelpunten/nieuw/", bottleneck_create, name="bottleneck_create"),
    path("knelpunten/<int:pk>/", bottleneck_detail, name="bottleneck_detail"),
    path("knelpunten/<int:pk>/bewerken/", bottleneck_edit, name="bottleneck_edit"),
    path("knelpunten/<int:pk>/status/", bottleneck_status, name="bottleneck_status"),
    path("knelpunten/<int:pk>/escaleren/", bottleneck_escalate, name="bottleneck_escalate"),
    path("knelpunten/<int:pk>/reactie/", bottleneck_respond, name="bottleneck_respond"),
    path("knelpunten/<int:pk>/opmerkingen/", bottleneck_comment, name="bottleneck_comment"),
]
