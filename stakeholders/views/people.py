"""People and roles in a chain: who takes part, changing someone's role, removing someone.

Every member may read the list; changing roles, removing people and the pending invitations
are for programme managers (Action.MANAGE_CHAIN), checked on the chain before any person is
looked up. A chain never loses its last programme manager.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.forms.people import MembershipRoleForm, keeps_a_programme_manager
from stakeholders.history import history_for
from stakeholders.models import Chain, Invitation, Membership, Role
from stakeholders.permissions import Action, allows, get_chain_or_404, require

LAST_MANAGER_REMOVAL = gettext_lazy(
    "%(person)s is the last programme manager of %(chain)s and cannot be removed. "
    "Make someone else programme manager first."
)


def _list_url(chain: Chain) -> str:
    return reverse("stakeholders:membership_list", args=[chain.slug])


def _membership(chain: Chain, pk: int, *, lock: bool = False) -> Membership:
    # Scoped to the chain: another chain's membership id is simply not found.
    # People only: an API connection's role is managed on its own page (views/api_tokens.py).
    memberships = Membership.objects.of_humans().select_related("person__organisation", "chain")
    if lock:
        memberships = memberships.select_for_update(of=("self",))
    return get_object_or_404(memberships, chain=chain, pk=pk)


def membership_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Everyone with a role in the chain; managers also see the invitations still waiting."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    can_manage = allows(request.user, Action.MANAGE_CHAIN, chain)
    memberships = (
        Membership.objects.of_humans()
        .filter(chain=chain)
        .select_related("person__organisation")
        .order_by("person__full_name")
    )
    invitations = (
        Invitation.objects.pending().filter(chain=chain).select_related("organisation", "invited_by")
        if can_manage
        else Invitation.objects.none()
    )
    return render(
        request,
        "stakeholders/membership_list.html",
        {"chain": chain, "memberships": memberships, "invitations": invitations, "can_manage": can_manage},
    )


def membership_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Change someone's role; refuses to overwrite a change made meanwhile or to drop the last manager."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_CHAIN, chain)
    membership = _membership(chain, pk)
    form = MembershipRoleForm(request.POST if request.method == "POST" else None, instance=membership)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request,
            _("%(person)s is now %(role)s in %(chain)s.")
            % {"person": membership.person, "role": membership.get_role_display().lower(), "chain": chain},
        )
        return redirect_after_save(request, _list_url(chain))
    return render_form_page(
        request,
        "stakeholders/membership_edit.html",
        {"chain": chain, "membership": membership, "form": form, "history": history_for(membership)},
        form,
    )


@require_POST
def membership_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Take someone's role in the chain away (the membership is deleted); never the last manager's."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_CHAIN, chain)
    membership = _membership(chain, pk)
    # The chain's manager rows first, then this one: the same order as when a role is changed.
    keeps_a_manager = keeps_a_programme_manager(membership)
    membership = _membership(chain, pk, lock=True)
    if membership.role == Role.PROGRAMME_MANAGER and not keeps_a_manager:
        messages.error(request, LAST_MANAGER_REMOVAL % {"person": membership.person, "chain": chain})
        return redirect_after_save(request, reverse("stakeholders:membership_edit", args=[chain.slug, membership.pk]))
    removed_self = membership.person_id == request.user.pk
    membership.delete()
    messages.success(
        request, _("%(person)s no longer has a role in %(chain)s.") % {"person": membership.person, "chain": chain}
    )
    # Someone who removed themselves can no longer open the chain's pages.
    return redirect_after_save(request, reverse("stakeholders:my_work") if removed_self else _list_url(chain))
