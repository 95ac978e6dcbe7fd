"""Signing in, password reset and the second factor (TOTP).

Throttling of failed sign-ins is django-axes' job (settings.AXES_*): its backend
refuses a locked address+IP and its middleware turns that into
registration/lockout.html with HTTP 429. Reset mails are limited per address and
per IP (stakeholders/throttles.py). Which roles need a second factor is
decided in stakeholders.permissions.requires_two_factor and enforced by
ketenportaal.middleware.TwoFactorRequiredMiddleware; these views only let a
person set one up or enter it.
"""

import base64
from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketenportaal.links import site_url
from stakeholders import throttles
from stakeholders.forms.auth import LoginForm, PasswordResetForm, SetPasswordForm, TokenForm

UNPROCESSABLE = 422


class _LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=UNPROCESSABLE)


class _PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def get_extra_email_context(self) -> dict:
        # The one rule for links in mails (ketenportaal/links.py): SITE_URL, else this request's
        # host, which Django has checked against ALLOWED_HOSTS (a forged Host gets a 400, no mail).
        return {"site_url": site_url(self.request)}

    def form_valid(self, form):
        if not throttles.allow_password_reset(self.request, form.cleaned_data["email"]):
            # The same answer as when a mail goes out: the limit must not tell whether the
            # address has an account.
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = self.get_extra_email_context()
        return super().form_valid(form)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=UNPROCESSABLE)


class _PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=UNPROCESSABLE)


_login_view = _LoginView.as_view()
_password_reset_view = _PasswordResetView.as_view()
_password_reset_done_view = auth_views.PasswordResetDoneView.as_view(
    template_name="registration/password_reset_done.html"
)
_password_reset_confirm_view = _PasswordResetConfirmView.as_view()
_password_reset_complete_view = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)


@login_not_required
def login(request: HttpRequest) -> HttpResponse:
    """Sign in with e-mail address and password (throttled by django-axes)."""
    return _login_view(request)


@login_not_required
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. Unknown addresses get the same answer, so nobody can probe for accounts."""
    return _password_reset_view(request)


@login_not_required
def password_reset_done(request: HttpRequest) -> HttpResponse:
    return _password_reset_done_view(request)


@login_not_required
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    return _password_reset_confirm_view(request, uidb64=uidb64, token=token)


@login_not_required
def password_reset_complete(request: HttpRequest) -> HttpResponse:
    return _password_reset_complete_view(request)


def _safe_next(request: HttpRequest) -> str:
    """Where to go after the second factor: the requested page if it is ours, else My work."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _qr_code_data_uri(text: str) -> str:
    # An SVG with a white background (scans on any theme) as a data: URI: no extra request,
    # no file on disk, and allowed by our CSP (img-src data:).
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


@never_cache
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Link an authenticator app: show a QR code and the secret, confirm with a first code."""
    user = request.user
    next_url = _safe_next(request)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        # A second device may only be added by someone who proved the first: otherwise a
        # stolen password would be enough to replace the second factor.
        if not user.is_verified():
            return redirect(_with_next("otp_verify", next_url))
        return HttpResponseRedirect(next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    form = TokenForm(request.POST if request.method == "POST" else None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        django_otp.login(request, device)
        return HttpResponseRedirect(next_url)
    secret = b32encode(device.bin_key).decode("ascii")
    context = {
        "form": form,
        "next": next_url,
        "qr_code": _qr_code_data_uri(device.config_url),
        # Groups of four are easier to type over into an app by hand.
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "registration/otp_setup.html", context, status=UNPROCESSABLE if form.is_bound else 200)


@never_cache
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Enter the code from the authenticator app to finish signing in."""
    user = request.user
    next_url = _safe_next(request)
    if user.is_verified():
        return HttpResponseRedirect(next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        return redirect(_with_next("otp_setup", next_url))
    form = TokenForm(request.POST if request.method == "POST" else None, device=device)
    if request.method == "POST" and form.is_valid():
        django_otp.login(request, device)
        return HttpResponseRedirect(next_url)
    return render(
        request,
        "registration/otp_verify.html",
        {"form": form, "next": next_url},
        status=UNPROCESSABLE if form.is_bound else 200,
    )
