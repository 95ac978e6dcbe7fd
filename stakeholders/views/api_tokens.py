"""API connections: a partner's own system sends its figures through the API with a token.

A partner lead (for their own organisation, Action.EDIT_ORGANISATION) or the programme manager
creates a connection for a partner organisation of the chain. A connection is a system account —
a Person marked ``is_system`` that cannot sign in interactively (no usable password, an address in
a domain that receives no mail), of that organisation, with the CONTRIBUTOR role in the chain —
plus a REST framework token, shown once on creation. System accounts are never listed, reminded
or mailed as people (Person.objects.humans()). Because the
account is a contributor of that organisation, the one policy (stakeholders/permissions.py) limits
the token to that organisation's units: no rule here is specific to tokens.

Revoking deletes the token and deactivates the account; its figures keep naming it.

Token authentication does not ask for a second factor. That is intended for these system accounts,
which only ever hold the contributor role. A token of an ordinary person (made by an administrator)
works only within that person's own roles, like their session would.
"""

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from ketenportaal.htmx import redirect_after_save
from stakeholders.forms.api_tokens import ApiConnectionForm
from stakeholders.models import Chain, Membership, Organisation, Person, Role
from stakeholders.permissions import Action, allows, get_chain_or_404, require

# System accounts get an address in a reserved domain (RFC 2606 .invalid: mail can never arrive).
SYSTEM_DOMAIN = "api.ketenportaal.invalid"


def connections_in(chain: Chain) -> QuerySet:
    """The chain's API connections: system accounts with a role in it."""
    return (
        Person.objects.system_accounts()
        .filter(memberships__chain=chain)
        .select_related("organisation", "auth_token")
        .order_by("organisation__name", "full_name", "pk")
    )


def manageable_organisations(user, chain: Chain) -> QuerySet:
    """The partner organisations whose connections the user may manage (EDIT_ORGANISATION)."""
    partners = Organisation.objects.filter(partnerships__chain=chain).distinct().order_by("name")
    if allows(user, Action.MANAGE_CHAIN, chain):
        return partners
    return partners.filter(pk__in=[o.pk for o in partners if allows(user, Action.EDIT_ORGANISATION, chain, o)])


def create_connection(chain: Chain, organisation: Organisation, name: str) -> tuple[Person, str]:
    """The system account and its token; the caller shows the key once and never again."""
    with transaction.atomic():
        person = Person(
            email=f"api-{secrets.token_hex(8)}@{SYSTEM_DOMAIN}",
            full_name=f"API: {organisation} – {name}"[:200],
            organisation=organisation,
            is_system=True,
        )
        person.set_unusable_password()
        person.save()
        Membership.objects.create(person=person, chain=chain, role=Role.CONTRIBUTOR)
        token = Token.objects.create(user=person)
    return person, token.key


def revoke_connection(person: Person) -> None:
    with transaction.atomic():
        Token.objects.filter(user=person).delete()
        person.is_active = False
        person.save(update_fields=["is_active"])


def _require_some(user, chain: Chain) -> QuerySet:
    require(user, Action.VIEW, chain)
    organisations = manageable_organisations(user, chain)
    if not allows(user, Action.MANAGE_CHAIN, chain) and not organisations.exists():
        raise PermissionDenied
    return organisations


def api_connection_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The connections of the organisations the user may manage (all of them for the programme manager)."""
    chain = get_chain_or_404(request.user, slug)
    organisations = _require_some(request.user, chain)
    connections = connections_in(chain).filter(organisation__in=organisations)
    return render(
        request,
        "stakeholders/api_token_list.html",
        {"chain": chain, "connections": connections, "can_create": organisations.exists()},
    )


@never_cache
def api_connection_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Create a connection; the answer shows its token once (never stored in a message or session)."""
    chain = get_chain_or_404(request.user, slug)
    organisations = _require_some(request.user, chain)
    form = ApiConnectionForm(request.POST if request.method == "POST" else None, organisations=organisations)
    if form.is_bound and form.is_valid():
        person, key = create_connection(chain, form.cleaned_data["organisation"], form.cleaned_data["name"])
        return render(
            request,
            "stakeholders/api_token_created.html",
            {
                "chain": chain,
                "connection": person,
                "key": key,
                "docs_url": request.build_absolute_uri(reverse("api_docs")),
            },
        )
    return render(
        request,
        "stakeholders/api_token_create.html",
        {"chain": chain, "form": form},
        status=422 if form.errors else 200,
    )


@require_POST
def api_connection_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Delete the token and deactivate the account: the partner lead of its organisation, or the programme manager."""
    chain = get_chain_or_404(request.user, slug)
    # Looked up within the chain's connections first: another chain's id, or an ordinary person's, is not found.
    person = get_object_or_404(connections_in(chain), pk=pk)
    require(request.user, Action.EDIT_ORGANISATION, chain, person.organisation)
    revoke_connection(person)
    messages.success(request, _("%(name)s can no longer use the API.") % {"name": person.full_name})
    return redirect_after_save(request, reverse("stakeholders:api_connection_list", args=[chain.slug]))
