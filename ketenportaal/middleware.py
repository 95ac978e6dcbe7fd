"""Middleware that enforces two-factor sign-in for the roles that require it, keeps private
answers out of shared caches, and keeps the portal Dutch unless chosen otherwise."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

from ketenportaal import api
from stakeholders import permissions

# Pages a person must reach to finish signing in (or to leave).
_EXEMPT_URL_NAMES = {"otp_setup", "otp_verify", "logout", "set_language", "health"}


def _url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


class TwoFactorRequiredMiddleware:
    """Sends a signed-in person who needs a second factor to set one up or to enter it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and _url_name(request) not in _EXEMPT_URL_NAMES
            and not request.path_info.startswith("/static/")
            and permissions.requires_two_factor(user)
        ):
            if request.path_info.startswith("/api/"):
                # In the API's one error shape (ketenportaal/api.py): problem details.
                body = api.error_body("Two-factor authentication required.", "two_factor_required", 403)
                return JsonResponse(body, status=403, content_type=api.PROBLEM_JSON)
            from django_otp.plugins.otp_totp.models import TOTPDevice

            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            target = reverse("otp_verify" if has_device else "otp_setup")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class DutchUnlessChosenMiddleware:
    """Show Dutch unless the person chose English with the language switch.

    The portal is Dutch first: a browser's Accept-Language (often English on office
    machines) must not switch the language; only the language cookie set by the
    switch in the header does. Runs before django.middleware.locale.LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """``Cache-Control: private, no-store`` on everything a signed-in person gets, and on the API.

    Pages, figures and exports (CSV, XLSX, PDF) of a chain are for its members only: no proxy may
    keep them, and a shared office computer's browser must not keep them on disk after signing
    out. The API is included whoever calls it: a token's caller is only known inside DRF. A view
    that chose a *private* caching rule itself (the chain logo, kept an hour) keeps it.
    Runs after AuthenticationMiddleware (it reads request.user).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path_info.startswith("/api/"):
            chosen = {part.strip().lower() for part in response.get("Cache-Control", "").split(",")}
            if "private" not in chosen:
                response["Cache-Control"] = "private, no-store"
        return response
