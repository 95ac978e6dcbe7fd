from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from stakeholders import my_work_roles
from stakeholders.models import Chain, Invitation, Mandate, Partnership, Role
from stakeholders.registry import my_work_fragments


def _from_other_apps(user, roles: dict[int, str]) -> tuple[dict, list[str]]:
    """What apps built on stakeholders add (figures due, approvals, consents…): each registers a
    fragment in its AppConfig.ready() (stakeholders/registry.py). Their context joins the page's;
    a fragment is rendered only when it holds something. stakeholders imports none of them.
    The person's roles and mandates are read once and lent to the fragments (my_work_roles), so a
    fragment that cannot hold anything for this person costs no query."""
    context: dict = {}
    templates = []
    with my_work_roles.shared_for(user, roles):
        for fragment in my_work_fragments():
            items = fragment.items(user)
            context.update(items)
            if any(items.values()):
                templates.append(fragment.template)
    return context, templates


def my_work(request) -> HttpResponse:
    """The start page: my chains and what waits for me."""
    user = request.user
    # With the person's role in each, so that a programme manager's chains need no query of their own.
    chains = Chain.objects.with_viewer_role(user)
    invitations = Invitation.objects.pending().filter(email__iexact=user.email).select_related("chain")
    expiring = (
        Mandate.objects.filter(person=user)
        .expiring_within(settings.MANDATE_EXPIRY_WARNING_DAYS)
        .select_related("partnership__chain", "partnership__organisation")
    )
    # A programme manager sees every core partner of their chains that nobody can act for.
    managed = [chain for chain in chains if chain.viewer_role == Role.PROGRAMME_MANAGER]
    gaps = Mandate.objects.missing_for(Partnership.objects.filter(chain__in=managed)) if managed else []
    # Every chain where the person has a role is among them (Membership: one per person and chain).
    roles = {chain.pk: chain.viewer_role for chain in chains if chain.viewer_role}
    contributed, fragments = _from_other_apps(user, roles)
    return render(
        request,
        "stakeholders/my_work.html",
        {
            "chains": chains,
            "invitations": invitations,
            "expiring_mandates": expiring,
            "mandate_gaps": gaps,
            "grantable": {gap.partnership.pk for gap in gaps},  # a programme manager may grant them all
            **contributed,
            "fragments": fragments,
        },
    )
