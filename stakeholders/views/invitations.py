"""Invitations: a programme manager invites someone into the chain with a role; the
invitee opens the single-use, expiring link and sets a password (or, with an existing
account, signs in and accepts).

The raw token lives only in the e-mail; the database holds its hash. Accepting locks
the invitation row, so two clicks on the same link can never both succeed.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from stakeholders.forms.invitations import InvitationAcceptForm, InvitationForm
from stakeholders.mail import send_invitation
from stakeholders.models import Invitation, Membership, Person
from stakeholders.models.people import InvitationError, InvitationStatus
from stakeholders.permissions import Action, get_chain_or_404, require

UNPROCESSABLE = 422
GONE = 410


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """Post/redirect/get, or tell htmx to navigate."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def invitation_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Invite someone into the chain by e-mail, with a role (programme manager only)."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_CHAIN, chain)
    form = InvitationForm(request.POST if request.method == "POST" else None, chain=chain)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        invitation, token = Invitation.issue(
            chain=chain,
            email=data["email"],
            full_name=data["full_name"],
            role=data["role"],
            organisation=data["organisation"],
            by=request.user,
        )
        # Only mail a link that works: after the invitation row is committed. robust=True so a
        # mail server hiccup does not turn a saved invitation into an error page.
        transaction.on_commit(partial(send_invitation, invitation, token, request), robust=True)
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return _redirect(request, reverse("stakeholders:membership_list", args=[chain.slug]))
    return render(
        request,
        "stakeholders/invitation_create.html",
        {"chain": chain, "form": form},
        status=UNPROCESSABLE if form.is_bound else 200,
    )


@require_POST
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Withdraw a pending invitation so its link stops working (programme manager only)."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_CHAIN, chain)
    try:
        with transaction.atomic():
            # Locked, so a revoke and an accept racing each other cannot both win.
            invitation = get_object_or_404(Invitation.objects.select_for_update(), chain=chain, pk=pk)
            invitation.revoke()
    except InvitationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The invitation to %(email)s has been withdrawn.") % {"email": invitation.email})
    return _redirect(request, reverse("stakeholders:membership_list", args=[chain.slug]))


def _accept(invitation_pk: int, person: Person, *, new_person: bool) -> Membership:
    """Turn the invitation into a membership, once. Raises InvitationError or ValidationError.

    Runs in one transaction with the invitation row locked: a second, concurrent
    accept waits, then sees the invitation already used.
    """
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation_pk)
        invitation.check_usable()
        if new_person:
            person.full_clean(exclude=["password"])
            person.save()
        elif person.organisation_id is None and invitation.organisation_id is not None:
            person.organisation = invitation.organisation
            person.save(update_fields=["organisation"])
        membership = Membership(person=person, chain=invitation.chain, role=invitation.role)
        membership.full_clean()
        membership.save()
        invitation.status = InvitationStatus.ACCEPTED
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["status", "answered_at"])
    return membership


def _gone(request: HttpRequest, invitation: Invitation, reason: str) -> HttpResponse:
    return render(
        request, "stakeholders/invitation_unusable.html", {"invitation": invitation, "reason": reason}, status=GONE
    )


@login_not_required
@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's page. The token in the link is the credential; unknown tokens are 404."""
    response = _answer_invitation(request, token)
    # Django logs every 4xx response with its path, and this path holds a token that may
    # still work (e.g. after a mistyped password): mark it logged so it stays out of the logs.
    response._has_been_logged = True
    return response


def _answer_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation.objects.select_related("chain", "organisation", "invited_by"),
        token_hash=Invitation.hash_token(token),
    )
    try:
        invitation.check_usable()
    except InvitationError as error:
        return _gone(request, invitation, error.messages[0])

    context: dict = {"invitation": invitation, "chain": invitation.chain}
    existing = Person.objects.filter(email__iexact=invitation.email).first()
    user = request.user

    if user.is_authenticated and (existing is None or existing.pk != user.pk):
        # Invitations are personal: whoever is signed in cannot take someone else's.
        context["state"] = "wrong_person"
        return render(request, "stakeholders/invitation_accept.html", context, status=403)

    if existing is None:
        return _new_account(request, invitation, context)

    if not user.is_authenticated:
        context.update(state="sign_in", login_url=f"{reverse('login')}?{urlencode({'next': request.path})}")
        return render(request, "stakeholders/invitation_accept.html", context)

    context["state"] = "confirm"
    if request.method == "POST":
        try:
            _accept(invitation.pk, user, new_person=False)
        except InvitationError as error:
            return _gone(request, invitation, error.messages[0])
        except ValidationError as error:
            context["errors"] = error.messages
            return render(request, "stakeholders/invitation_accept.html", context, status=UNPROCESSABLE)
        messages.success(request, _("You are now a member of %(chain)s.") % {"chain": invitation.chain.name})
        return _redirect(request, reverse("stakeholders:chain_detail", args=[invitation.chain.slug]))
    return render(request, "stakeholders/invitation_accept.html", context)


def _new_account(request: HttpRequest, invitation: Invitation, context: dict) -> HttpResponse:
    """An invitation for an address without an account: the form that creates it and accepts."""
    form = InvitationAcceptForm(request.POST if request.method == "POST" else None, invitation=invitation)
    if form.is_bound and form.is_valid():
        person = form.build_person()
        try:
            _accept(invitation.pk, person, new_person=True)
        except InvitationError as error:
            return _gone(request, invitation, error.messages[0])
        except (ValidationError, IntegrityError):
            # Someone created this account meanwhile (another invitation, same address).
            form.add_error(None, _("An account with this e-mail address exists already. Sign in instead."))
        else:
            auth_login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome! You are now a member of %(chain)s.") % {"chain": invitation.chain.name},
            )
            return _redirect(request, reverse("stakeholders:my_work"))
    context.update(state="new_account", form=form)
    return render(
        request,
        "stakeholders/invitation_accept.html",
        context,
        status=UNPROCESSABLE if form.is_bound else 200,
    )
