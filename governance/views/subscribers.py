"""The public pages of a chain's newsletter: signing up (double opt-in), confirming, unsubscribing.

All three are login-free (``login_not_required``): whoever holds the link is the credential, and
the sign-up form is for people outside the portal. Under ``/ketens/<slug>/nieuwsbrief/``:

- ``aanmelden/``: the form. A valid address always leads to the same page (``aanmelden/verzonden/``),
  whether it was new, waiting for confirmation, confirmed already or throttled: the page never
  tells who is subscribed (governance/services/subscribers.py). An invalid address is refused at
  the field (422) and nothing is saved.
- ``bevestigen/<token>/``: a page with a button; only the POST confirms, so that a mail scanner
  that opens every link cannot subscribe someone.
- ``afmelden/<token>/``: the link in every edition (and its ``List-Unsubscribe`` header). The page
  has a button; the POST unsubscribes. A mail client's RFC 8058 one-click POST
  (``List-Unsubscribe=One-Click``, no cookies, no CSRF token) is answered 200 directly.

A link that is forged, expired, or of another chain is not found (404), and kept out of the logs.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from governance.forms.subscribers import SignupForm
from governance.services import subscribers as service
from ketenportaal.htmx import redirect_after_save, render_form_page
from stakeholders.models import Chain

TEMPLATES = "governance/newsletter_mailing/"
ONE_CLICK = "List-Unsubscribe=One-Click"


def _chain(slug: str) -> Chain:
    return get_object_or_404(Chain, slug=slug)


def _unlogged(response: HttpResponse) -> HttpResponse:
    # Django logs every 4xx with its path, and these paths hold a token: keep them out of the logs.
    response._has_been_logged = True
    return response


@login_not_required
def subscriber_signup(request: HttpRequest, slug: str) -> HttpResponse:
    chain = _chain(slug)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service.sign_up(chain, form.cleaned_data["email"], request)
        return redirect_after_save(request, reverse("mailing:subscriber_signup_sent", args=[chain.slug]))
    return render_form_page(request, f"{TEMPLATES}subscriber_signup.html", {"chain": chain, "form": form}, form)


@login_not_required
def subscriber_signup_sent(request: HttpRequest, slug: str) -> HttpResponse:
    chain = _chain(slug)
    context = {"chain": chain, "valid_days": service.CONFIRM_DAYS}
    return render(request, f"{TEMPLATES}subscriber_signup_sent.html", context)


@login_not_required
@never_cache
def subscriber_confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    chain = _chain(slug)
    subscriber = service.subscriber_from_confirm_token(chain, token)
    if subscriber is None:
        return _unlogged(render(request, f"{TEMPLATES}link_unusable.html", {"chain": chain}, status=404))
    if request.method == "POST":
        service.confirm(subscriber)
        return redirect(request.path)
    return render(request, f"{TEMPLATES}subscriber_confirm.html", {"chain": chain, "subscriber": subscriber})


@login_not_required
@never_cache
@csrf_exempt  # RFC 8058: the mail client's one-click POST carries no cookie and no CSRF token
def unsubscribe(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    chain = _chain(slug)
    who = service.unsubscriber_from_token(chain, token)
    if who is None:
        return _unlogged(render(request, f"{TEMPLATES}link_unusable.html", {"chain": chain}, status=404))
    context = {"chain": chain, "who": who, "signup_url": reverse("mailing:subscriber_signup", args=[chain.slug])}
    if request.method == "POST":
        if request.POST.get("action") == "resubscribe" and who.is_member:
            who.resubscribe()
            return redirect(request.path)
        who.unsubscribe()
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return render(request, f"{TEMPLATES}unsubscribe.html", {**context, "subscribed": False})
        return redirect(request.path)
    return render(request, f"{TEMPLATES}unsubscribe.html", {**context, "subscribed": who.is_subscribed()})


routes = [
    path("aanmelden/", subscriber_signup, name="subscriber_signup"),
    path("aanmelden/verzonden/", subscriber_signup_sent, name="subscriber_signup_sent"),
    path("bevestigen/<str:token>/", subscriber_confirm, name="subscriber_confirm"),
    path("afmelden/<str:token>/", unsubscribe, name="unsubscribe"),
]
