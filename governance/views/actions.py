"""Actions (actiepunten): the lists per chain and per body, an action's page with its history,
creating one (from an agenda item, a decision or on a body's list), editing, its status and
closing note, and deleting.

Who may do what (governance/policy.py): every member of the chain reads; who may run the body's
meetings creates, edits and deletes; the owner, too, changes the status and closing note of their
own action. An action that carried over to a later meeting is never deleted, only closed: the page
offers no delete button and a forged POST is refused with a message (409).

Routes are joined in governance/urls.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models.deletion import ProtectedError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance import policy
from governance.forms.actions import ActionFilterForm, ActionForm, ActionStatusForm
from governance.models import ActionItem, AgendaItem, Body, Decision, Meeting
from governance.sections import BodySection, register_body_section
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.history import history_for
from stakeholders.models import Chain
from stakeholders.permissions import get_chain_or_404

PER_PAGE = 50
ON_BODY_PAGE = 10
CARRIED_OVER_REFUSAL = gettext_lazy("This action carried over to a later meeting: it cannot be deleted, only closed.")


def _body(request: HttpRequest, chain: Chain, pk: int) -> Body:
    body = get_object_or_404(Body.objects.visible_to(request.user).filter(chain=chain), pk=pk)
    body.chain = chain
    return body


def _action(request: HttpRequest, chain: Chain, pk: int) -> ActionItem:
    """The chain's action (another chain's id is not found), with what its page shows."""
    actions = ActionItem.objects.visible_to(request.user).filter(body__chain=chain)
    action = get_object_or_404(
        actions.select_related("body", "owner__organisation", "created_by", "meeting", "agenda_item", "decision"),
        pk=pk,
    )
    action.body.chain = chain
    return action


# --- Lists ---------------------------------------------------------------------------------------


def _list_page(request: HttpRequest, chain: Chain, body: Body | None) -> HttpResponse:
    filters = ActionFilterForm(request.GET or None, chain=chain, body=body)
    actions = ActionItem.objects.filter(body__chain=chain) if body is None else body.actions.all()
    actions = filters.filter(actions).select_related("body", "owner__organisation").order_by("due_on", "pk")
    page = Paginator(actions, PER_PAGE).get_page(request.GET.get("pagina"))
    # The filters stay on the links to other pages.
    query = urlencode([(key, value) for key, value in request.GET.items() if key != "pagina"])
    return render(
        request,
        "governance/actions/action_list.html",
        {
            "chain": chain,
            "body": body,
            "filters": filters,
            "page": page,
            "query": query,
            "today": timezone.localdate(),
            "can_create": body is not None and policy.may_run_meetings(request.user, body),
        },
        status=422 if filters.errors else 200,
    )


def action_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The chain's actions over all its bodies; every member reads it. Filters: status, owner, body, overdue."""
    chain = get_chain_or_404(request.user, slug)
    return _list_page(request, chain, None)


def action_body_list(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One body's actions, with the button to add one for who may run its meetings."""
    chain = get_chain_or_404(request.user, slug)
    return _list_page(request, chain, _body(request, chain, pk))


# --- Creating --------------------------------------------------------------------------------------


def _create_page(request: HttpRequest, chain: Chain, body: Body, origin: dict, back: str) -> HttpResponse:
    """The form for a new action of ``body``; ``origin`` holds the meeting, agenda item or decision
    it comes from (set on the instance, checked by ActionItem.clean)."""
    policy.require(request.user, policy.may_run_meetings(request.user, body), body)
    instance = ActionItem(body=body, created_by=request.user, **origin)
    form = ActionForm(request.POST if request.method == "POST" else None, instance=instance, chain=chain, body=body)
    if request.method == "POST" and form.is_valid():
        action = form.save()
        messages.success(request, _("The action has been added."))
        return redirect_after_save(request, reverse("governance:action_detail", args=[chain.slug, action.pk]))
    context = {"chain": chain, "body": body, "form": form, "back": back, "post_to": request.path, **origin}
    return render_form_page(request, "governance/actions/action_create.html", context, form)


def action_create(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A new action on the body's action list."""
    chain = get_chain_or_404(request.user, slug)
    body = _body(request, chain, pk)
    return _create_page(request, chain, body, {}, reverse("governance:action_body_list", args=[chain.slug, body.pk]))


def action_create_from_agenda_item(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A new action agreed on an agenda item (part of that item's minutes)."""
    chain = get_chain_or_404(request.user, slug)
    item = get_object_or_404(
        AgendaItem.objects.filter(
            meeting__in=Meeting.objects.visible_to(request.user).filter(body__chain=chain)
        ).select_related("meeting__body"),
        pk=pk,
    )
    body = item.meeting.body
    body.chain = chain
    origin = {"meeting": item.meeting, "agenda_item": item}
    return _create_page(
        request, chain, body, origin, reverse("governance:meeting_detail", args=[chain.slug, item.meeting_id])
    )


def action_create_from_decision(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A new action that follows from a decision."""
    chain = get_chain_or_404(request.user, slug)
    decision = get_object_or_404(
        Decision.objects.visible_to(request.user).filter(body__chain=chain).select_related("body", "meeting"), pk=pk
    )
    body = decision.body
    body.chain = chain
    origin = {"decision": decision, "meeting": decision.meeting}
    return _create_page(
        request, chain, body, origin, reverse("governance:decision_detail", args=[chain.slug, decision.pk])
    )


# --- One action --------------------------------------------------------------------------------------


def action_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The action with what it comes from, its status form (owner and meeting runners) and its history."""
    chain = get_chain_or_404(request.user, slug)
    action = _action(request, chain, pk)
    can_run = policy.may_run_meetings(request.user, action.body)
    can_update = policy.may_update_action(request.user, action)
    return render(
        request,
        "governance/actions/action_detail.html",
        {
            "chain": chain,
            "action": action,
            "can_run": can_run,
            "can_update": can_update,
            "form": ActionStatusForm(instance=action) if can_update else None,
            "history": history_for(action, chain=chain),
        },
    )


def action_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Description, owner, due date, status and closing note: who may run the body's meetings."""
    chain = get_chain_or_404(request.user, slug)
    action = _action(request, chain, pk)
    policy.require(request.user, policy.may_run_meetings(request.user, action.body), action.body)
    form = ActionForm(
        request.POST if request.method == "POST" else None, instance=action, chain=chain, body=action.body
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The action has been saved."))
        return redirect_after_save(request, reverse("governance:action_detail", args=[chain.slug, action.pk]))
    return render_form_page(
        request, "governance/actions/action_edit.html", {"chain": chain, "action": action, "form": form}, form
    )


def action_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Status and closing note: the owner of the action, and who may run the body's meetings."""
    chain = get_chain_or_404(request.user, slug)
    action = _action(request, chain, pk)
    policy.require(request.user, policy.may_update_action(request.user, action), action.body)
    form = ActionStatusForm(request.POST if request.method == "POST" else None, instance=action)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, _("The action is now “%(status)s”.") % {"status": action.get_status_display().lower()}
        )
        return redirect_after_save(request, reverse("governance:action_detail", args=[chain.slug, action.pk]))
    return render_form_page(
        request, "governance/actions/action_status.html", {"chain": chain, "action": action, "form": form}, form
    )


def action_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Delete an action made by mistake: who may run the body's meetings; never one that carried over."""
    chain = get_chain_or_404(request.user, slug)
    action = _action(request, chain, pk)
    policy.require(request.user, policy.may_run_meetings(request.user, action.body), action.body)
    context = {"chain": chain, "action": action}
    if action.carried_over:
        return _refused(request, context)
    if request.method == "POST":
        try:
            with transaction.atomic():
                ActionItem.objects.select_for_update().get(pk=action.pk).delete()
        except ProtectedError:  # it carried over meanwhile
            return _refused(request, context)
        messages.success(request, _("The action has been deleted."))
        return redirect_after_save(request, reverse("governance:action_body_list", args=[chain.slug, action.body_id]))
    return render(request, "governance/actions/action_delete.html", context)


def _refused(request: HttpRequest, context: dict) -> HttpResponse:
    context = {**context, "refusal": CARRIED_OVER_REFUSAL}
    return render(request, "governance/actions/action_delete.html", context, status=409)


def _body_section(request: HttpRequest, body: Body) -> dict:
    """The body page's part: its open actions, earliest due first (one query, two with more than shown)."""
    open_actions = body.actions.still_open()
    shown = list(open_actions.select_related("owner").order_by("due_on", "pk")[:ON_BODY_PAGE])
    count = len(shown) if len(shown) < ON_BODY_PAGE else open_actions.count()
    return {"body_open_actions": shown, "body_open_action_count": count}


register_body_section(BodySection("actions", "governance/actions/_body_actions.html", 30, _body_section))


routes = [
    path("actiepunten/", action_list, name="action_list"),
    path("actiepunten/<int:pk>/", action_detail, name="action_detail"),
    path("actiepunten/<int:pk>/bewerken/", action_edit, name="action_edit"),
    path("actiepunten/<int:pk>/status/", action_status, name="action_status"),
    path("actiepunten/<int:pk>/verwijderen/", action_delete, name="action_delete"),
    path("gremia/<int:pk>/actiepunten/", action_body_list, name="action_body_list"),
    path("gremia/<int:pk>/actiepunten/nieuw/", action_create, name="action_create"),
    path(
        "agendapunten/<int:pk>/actiepunten/nieuw/",
        action_create_from_agenda_item,
        name="action_create_from_agenda_item",
    ),
    path("besluiten/<int:pk>/actiepunten/nieuw/", action_create_from_decision, name="action_create_from_decision"),
]
