"""Sending the portal's e-mails: one helper renders subject, plain text and HTML from templates.

Links in e-mails start with the portal's address by one rule (ketenportaal/links.py):
SITE_URL when set, else the host the request came in on (checked against ALLOWED_HOSTS, so a
forged Host is refused before any mail goes out), else the first allowed host name.
Nothing here logs a token or a link that contains one.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ketenportaal.links import site_url

if TYPE_CHECKING:
    from stakeholders.models import Invitation

logger = logging.getLogger(__name__)


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    return site_url(request) + path


def send_templated_mail(
    template_prefix: str, to: list[str], context: dict[str, Any], request: HttpRequest | None = None
) -> None:
    """Render ``<prefix>_subject.txt``, ``<prefix>_body.txt`` and (if present) ``<prefix>_body.html`` and send.

    Mails are written in the portal's default language (Dutch): we do not know the
    recipient's preference, and the portal is Dutch first.
    """
    context = {"site_url": site_url(request), **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = "".join(render_to_string(f"{template_prefix}_subject.txt", context).splitlines()).strip()
        body = render_to_string(f"{template_prefix}_body.txt", context)
        try:
            html = render_to_string(f"{template_prefix}_body.html", context)
        except TemplateDoesNotExist:
            html = None
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html is not None:
        message.attach_alternative(html, "text/html")
    message.send()


def send_invitation(invitation: Invitation, token: str, request: HttpRequest | None = None) -> None:
    """Mail the invitation link. The raw token exists only here and in the e-mail."""
    link = absolute_url(reverse("stakeholders:invitation_accept", args=[token]), request)
    send_templated_mail(
        "emails/invitation",
        [invitation.email],
        {"invitation": invitation, "link": link, "valid_days": settings.INVITATION_VALID_DAYS},
        request,
    )
    logger.info("Invitation %s mailed", invitation.pk)
