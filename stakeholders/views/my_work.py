from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.module_loading import module_has_submodule

from stakeholders.models import Chain, Invitation, Mandate, Membership, Partnership, Role


def _from_other_apps(user) -> dict:
    """Apps that build on stakeholders add their own items (figures due, approvals, consents…):
    each may have a ``my_work`` module with ``items(user) -> dict`` of template context.
    stakeholders imports none of them; dependencies point one way (docs/architecture.md)."""
    context: dict = {}
    for config in apps.get_app_configs():
        if config.name != "stakeholders" and module_has_submodule(config.module, "my_work"):
            context.update(import_module(f"{config.name}.my_work").items(user))
    return context


def my_work(request) -> HttpResponse:
    """The start page: my chains and what waits for me."""
    user = request.user
    # With the person's role in each, so that a programme manager's chains need no query of their own.
    role = Membership.objects.filter(person=user, chain=OuterRef("pk")).values("role")[:1]
    chains = list(Chain.objects.visible_to(user).annotate(my_role=Subquery(role)))
    invitations = Invitation.objects.pending().filter(email__iexact=user.email).select_related("chain")
    expiring = (
        Mandate.objects.filter(person=user)
        .expiring_within(settings.MANDATE_EXPIRY_WARNING_DAYS)
        .select_related("partnership__chain", "partnership__organisation")
    )
    # A programme manager sees every core partner of their chains that nobody can act for.
    managed = [chain for chain in chains if chain.my_role == Role.PROGRAMME_MANAGER]
    gaps = Mandate.objects.missing_for(Partnership.objects.filter(chain__in=managed)) if managed else []
    return render(
        request,
        "stakeholders/my_work.html",
        {
            "chains": chains,
            "invitations": invitations,
            "expiring_mandates": expiring,
            "mandate_gaps": gaps,
            "grantable": {gap.partnership.pk for gap in gaps},  # a programme manager may grant them all
            **_from_other_apps(user),
        },
    )
