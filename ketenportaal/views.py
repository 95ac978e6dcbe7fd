"""Project-wide views: the health check (database and Redis, each on its own) and the error pages.

The error pages are the portal's own, in its layout and language, with a way back: a person
who mistypes an address, follows a stale link or is refused an action must never see a bare
"403 Forbidden" or Django's debug page. 400 and 500 render without context processors, so
that a broken database, session or template context cannot break the page that reports it.
The API answers its errors in its own JSON shape (ketenportaal/api.py).
"""

import logging

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError, connection, transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
    JsonResponse,
)
from django.middleware.csrf import REASON_NO_CSRF_COOKIE, get_token
from django.shortcuts import render
from django.template import loader
from django.template.context_processors import csp
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# If even the layout cannot be rendered: a page that needs no template, database or session.
_BARE_PAGE = (
    '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{title} · Ketenportaal</title></head>'
    '<body><h1>{title}</h1><p>{text}</p><p><a href="/">{back}</a></p></body></html>'
)


HEALTH_TIMEOUT_SECONDS = 2


@login_not_required
@require_GET
@transaction.non_atomic_requests  # ATOMIC_REQUESTS would need the database before the check runs
def health(request: HttpRequest) -> JsonResponse:
    """Whether this process reaches the database and Redis, each on its own, for load balancers,
    docker-compose and monitoring: ``{"status": "ok", "database": "ok", "redis": "ok"}``, or HTTP
    503 with ``"unavailable"`` for what does not answer. Redis is "not used" in the embedded
    default (no REDIS_URL). Nothing else: no versions or addresses for a stranger to read."""
    checks = {"database": _database_state(), "redis": _redis_state()}
    healthy = "unavailable" not in checks.values()
    response = JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)
    # Logged above as a warning, once per check: not also as a server error mailed to ADMINS every
    # time a load balancer asks while the database is down (monitoring watches this answer).
    response._has_been_logged = True
    return response


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.warning("health: the database does not answer (%s)", type(error).__name__)
        return "unavailable"
    return "ok"


def _redis_state() -> str:
    if not settings.REDIS_URL:
        return "not used"
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=HEALTH_TIMEOUT_SECONDS, socket_timeout=HEALTH_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        logger.warning("health: Redis does not answer (%s)", type(error).__name__)
        return "unavailable"
    finally:
        client.close()
    return "ok"


def _back_url(request: HttpRequest) -> str:
    """The page the person came from, if it is one of ours and not this one: their way back."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        ours = url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()})
    except DisallowedHost:
        return ""
    if not ours or referer.endswith(request.get_full_path()):
        return ""
    return referer


def _render_without_context(request: HttpRequest, template_name: str, response_class: type[HttpResponse]):
    """Render an error page with the least that can fail: no context processors (no database,
    no session), only what the layout needs without them: the CSRF token for the language
    switch and the CSP nonce for htmx."""
    try:
        context = {"request": request, "csrf_token": get_token(request), **csp(request)}
        return response_class(loader.get_template(template_name).render(context))
    except Exception:
        logger.exception("Error page %s could not be rendered", template_name)
        title, text = (
            (_("Something went wrong"), _("The portal could not complete your request. Try again in a moment."))
            if response_class is HttpResponseServerError
            else (_("Bad request"), _("The portal could not understand this request."))
        )
        return response_class(_BARE_PAGE.format(title=title, text=text, back=_("Go to My work")))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render_without_context(request, "400.html", HttpResponseBadRequest)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", {"back_url": _back_url(request)}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", {"back_url": _back_url(request)}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _render_without_context(request, "500.html", HttpResponseServerError)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a form that could not be sent safely (expired, or no cookie)."""
    context = {"back_url": _back_url(request), "no_cookie": reason == REASON_NO_CSRF_COOKIE}
    return render(request, "403_csrf.html", context, status=403)
