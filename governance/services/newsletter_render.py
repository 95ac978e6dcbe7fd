"""An edition as the reader sees it: the web page, the PDF and the e-mail all read ``edition()``.

``render_edition(newsletter, unsubscribe_url) -> (subject, text, html)`` is what the send task
(governance/services/newsletter_send.py) mails: an HTML body with inline styles only (mail clients
drop <style> and classes) in the chain's colour with its logo, and a plain-text part with the same
content. Every text of the edition is stored as plain text and escaped by the templates' autoescape
(the HTML part) or left as text (the plain part, ``autoescape off`` in its template); links are the
portal's own paths made absolute, or the unsubscribe address the caller gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from governance.models.newsletters import ItemKind, Newsletter, NewsletterItem
from ketenportaal.links import site_url


@dataclass(frozen=True)
class ShownItem:
    kind: str
    kind_label: str
    title: str
    text: str
    url: str  # absolute, or empty


@dataclass(frozen=True)
class Edition:
    newsletter: Newsletter
    title: str
    paragraphs: list[str]
    items: list[ShownItem]
    logo_url: str  # absolute, or empty
    web_url: str
    pdf_url: str


def _absolute(base: str, link: str) -> str:
    if not link:
        return ""
    return base + link if link.startswith("/") else ""  # only the portal's own paths are ever linked


def edition(newsletter: Newsletter, items: list[NewsletterItem] | None = None, base: str | None = None) -> Edition:
    """The included items in their order, the introduction in paragraphs, the absolute links."""
    base = site_url() if base is None else base
    chain = newsletter.chain
    if items is None:
        items = list(newsletter.items.included().order_by("position", "pk"))
    labels = {kind.value: str(kind.label) for kind in ItemKind}
    shown = [
        ShownItem(item.kind, labels.get(item.kind, ""), item.title, item.text, _absolute(base, item.link))
        for item in items
        if item.included
    ]
    paragraphs = [p.strip() for p in newsletter.introduction.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Edition(
        newsletter=newsletter,
        title=gettext("Newsletter %(chain)s, %(quarter)s") % {"chain": chain.name, "quarter": newsletter.quarter_label},
        paragraphs=paragraphs,
        items=shown,
        logo_url=base + reverse("governance-newsletters-public:newsletter_public_logo", args=[newsletter.public_token])
        if chain.logo
        else "",
        web_url=base + newsletter.get_public_url(),
        pdf_url=base + newsletter.get_pdf_url(),
    )


def render_edition(newsletter: Newsletter, unsubscribe_url: str) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the e-mail, in the portal's language."""
    with translation.override(settings.LANGUAGE_CODE):
        shown = edition(newsletter)
        context = {"edition": shown, "chain": newsletter.chain, "unsubscribe_url": unsubscribe_url}
        subject = shown.title
        text = render_to_string("emails/newsletter_body.txt", context)
        html = render_to_string("emails/newsletter_body.html", context)
    return subject, text, html
