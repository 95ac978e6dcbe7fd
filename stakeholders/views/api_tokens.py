"""API connections: a partner's own system sends its figures through the API with a token.

A partner lead (for their own organisation, Action.EDIT_ORGANISATION) or the programme manager
creates a connection for a partner organisation of the chain. A connection is a system account —
a Person marked ``is_system`` that cannot sign in interactively (no usable password, an address in
a domain that receives no mail), of that organisation, with the CONTRIBUTOR role in the chain —
plus a token (``ApiToken``: only its hash is stored) with an expiry date, shown once on creation.
System accounts are never listed, reminded or mailed as people (Person.objects.humans()). Because
the account is a contributor of that organisation, the one policy (stakeholders/permissions.py)
limits the token to that organisation's units: no rule here is specific to tokens.

The connection's page lists every token it had (created, by whom, valid until, last used, rotated
or revoked). Rotating makes a new token, shown once, and lets the current one work for a grace
period the user chooses; revoking a token stops it at once. Revoking the connection revokes all its
tokens and deactivates the account; its figures keep naming it. Nothing is deleted.

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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ketenportaal.htmx import redirect_after_save
from stakeholders.forms.api_tokens import ApiConnectionForm, RotateTokenForm
from stakeholders.models import ApiToken, Chain, Membership, Organisation, Person, Role
from stakeholders.permissions import Action, allows, get_chain_or_404, require

# System accounts get an address in a reserved domain (RFC 2606 .invalid: mail can never arrive).
SYSTEM_DOMAIN = "api.ketenportaal.invalid"


def connections_in(chain: Chain) -> QuerySet:
    """The chain's API connections: system accounts with a role in it."""
    return (
        Person.objects.system_accounts()
        .filter(memberships__chain=chain)
        .select_related("organisation")
        .order_by("organisation__name", "full_name", "pk")
    )


def manageable_organisations(user, chain: Chain) -> QuerySet:
    """The partner organisations whose connections the user may manage (EDIT_ORGANISATION)."""
    partners = Organisation.objects.filter(partnerships__chain=chain).distinct().order_by("name")
    if allows(user, Action.MANAGE_CHAIN, chain):
        return partners
    return partners.filter(pk__in=[o.pk for o in partners if allows(user, Action.EDIT_ORGANISATION, chain, o)])


def create_connection(
    chain: Chain, organisation: Organisation, name: str, *, expires_at=None, by: Person | None = None
) -> tuple[Person, str]:
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
        _token, key = ApiToken.issue(person, expires_at=expires_at, by=by)
    return person, key


def revoke_connection(person: Person, by: Person | None = None) -> None:
    with transaction.atomic():
        for token in ApiToken.objects.select_for_update().filter(person=person, revoked_at__isnull=True):
            token.revoke(by=by)
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
        person, key = create_connection(
            chain,
            form.cleaned_data["organisation"],
            form.cleaned_data["name"],
            expires_at=form.expires_at,
            by=request.user,
        )
        return _show_key(request, chain, person, key)
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
    revoke_connection(person, by=request.user)
    messages.success(request, _("%(name)s can no longer use the API.") % {"name": person.full_name})
    return redirect_after_save(request, reverse("stakeholders:api_connection_list", args=[chain.slug]))


def _show_key(request: HttpRequest, chain: Chain, person: Person, key: str) -> HttpResponse:
    """The one time a key is shown: rendered into this answer, never stored in a message or session."""
    return render(
        request,
        "stakeholders/api_token_created.html",
        {
            "chain": chain,
            "connection": person,
            "key": key,
            "token": person.api_tokens.first(),
            "docs_url": request.build_absolute_uri(reverse("api_docs")),
        },
    )


def _manageable_connection(request: HttpRequest, slug: str, pk: int) -> tuple[Chain, Person]:
    chain = get_chain_or_404(request.user, slug)
    # Within the chain's connections: another chain's id, or an ordinary person's, is not found.
    person = get_object_or_404(connections_in(chain), pk=pk)
    require(request.user, Action.EDIT_ORGANISATION, chain, person.organisation)
    return chain, person


def api_connection_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A connection's tokens, newest first: its history, and the actions on the current ones."""
    chain, person = _manageable_connection(request, slug, pk)
    tokens = person.api_tokens.select_related("created_by", "revoked_by", "replaced_by")
    return render(
        request,
        "stakeholders/api_token_detail.html",
        {"chain": chain, "connection": person, "tokens": tokens, "now": timezone.now()},
    )


@never_cache
def api_connection_rotate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A new token for the connection; its current tokens keep working for the grace period."""
    chain, person = _manageable_connection(request, slug, pk)
    if not person.is_active:
        raise PermissionDenied  # a revoked connection stays revoked: create a new one
    form = RotateTokenForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        with transaction.atomic():
            current = list(ApiToken.objects.usable().select_for_update().filter(person=person))
            _token, key = ApiToken.issue(person, expires_at=form.expires_at, by=request.user)
            for token in current:
                token.retire(grace=form.grace, successor=_token)
        return _show_key(request, chain, person, key)
    return render(
        request,
        "stakeholders/api_token_rotate.html",
        {"chain": chain, "connection": person, "form": form},
        status=422 if form.errors else 200,
    )


@require_POST
def api_token_revoke(request: HttpRequest, slug: str, pk: int, token_pk: int) -> HttpResponse:
    """Stop one token at once (the connection stays, with its other tokens)."""
    chain, person = _manageable_connection(request, slug, pk)
    with transaction.atomic():
        token = get_object_or_404(ApiToken.objects.select_for_update().filter(person=person), pk=token_pk)
        token.revoke(by=request.user)
    messages.success(request, _("The token beginning with %(prefix)s no longer works.") % {"prefix": token.prefix})
    return redirect_after_save(request, reverse("stakeholders:api_connection_detail", args=[chain.slug, person.pk]))
