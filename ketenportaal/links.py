"""The portal's own address, for links that leave the browser: in e-mails.

One rule for every mail (invitations, password resets, the daily digest, mandate warnings):

1. ``SITE_URL`` when it is set: the address people are meant to use, whatever host a request
   came in on. Set it in production.
2. Otherwise the address the request came in on, so that a link in a mail sent from a page
   leads back to where that page was served (the demo on another host or port). Django checks
   the request's host against ``ALLOWED_HOSTS`` before any view runs, so a forged Host header
   is refused (400) rather than mailed out.
3. Mails sent without a request (background jobs): the first host name in ``ALLOWED_HOSTS``
   over HTTPS in production, ``http://localhost:8000`` in development. The demo's worker is
   given the address the demo listens on (scripts/run-demo).
"""

from django.conf import settings
from django.http import HttpRequest

DEVELOPMENT_ADDRESS = "http://localhost:8000"


def site_url(request: HttpRequest | None = None) -> str:
    """The portal's address without a trailing slash, e.g. ``https://ketenportaal.example.nl``."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    host = first_host_name()
    if settings.PRODUCTION and host:
        return f"https://{host}"
    return DEVELOPMENT_ADDRESS


def first_host_name() -> str | None:
    """The first entry of ALLOWED_HOSTS that names one host (not ``*`` or ``.example.nl``)."""
    return next((host for host in settings.ALLOWED_HOSTS if host != "*" and not host.startswith(".")), None)
