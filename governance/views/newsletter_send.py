"""The programme manager sends an edition (Action.MANAGE_NEWSLETTERS), under
``/ketens/<slug>/nieuwsbrief/<pk>/versturen/``.

GET on a draft is the confirm step: whom it goes to (members and subscribers, counted) and a button
that posts with the version of the edition the page showed. POST starts the sending
(governance/services/newsletter_send.py): refused with 409 and nothing changed when the edition is
no longer a draft (sent, being sent, or a second click) or changed since the page was read. GET on
an edition that is sending or sent shows the progress counted from its deliveries; with htmx the
``progress`` part refreshes itself while rows are waiting (without JavaScript: reload).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from governance.models.newsletters import Newsletter
from governance.services import newsletter_send as sending
from stakeholders.permissions import Action, get_chain_or_404, require

TEMPLATE = "governance/newsletter_mailing/newsletter_send.html"
CONFLICT = 409


def newsletter_send(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.MANAGE_NEWSLETTERS, chain)  # before the edition is looked up
    newsletter = get_object_or_404(Newsletter.objects.filter(chain=chain), pk=pk)
    newsletter.chain = chain
    refused = ""
    if request.method == "POST":
        version = request.POST.get("version", "")
        started = sending.start(newsletter, int(version) if version.isdigit() else -1)
        if started is not None:
            messages.success(request, _("Sending has started: %(n)d recipient(s).") % {"n": started})
            return redirect(request.path)
        newsletter.refresh_from_db()
        refused = (
            _("This edition was changed since you opened this page. Check it and send again.")
            if newsletter.is_draft
            else _("This edition has been sent already; it is not sent twice.")
        )
    context = {"chain": chain, "newsletter": newsletter, "refused": refused}
    if newsletter.is_draft:
        found = sending.recipients(newsletter)
        context["members"] = sum(1 for r in found if r.person_id is not None)
        context["subscribers"] = sum(1 for r in found if r.subscriber_id is not None)
        context["total"] = len(found)
    else:
        context["progress"] = sending.progress(newsletter)
    template = f"{TEMPLATE}#progress" if getattr(request, "htmx", False) and request.method == "GET" else TEMPLATE
    return render(request, template, context, status=CONFLICT if refused else 200)


routes = [
    path("<int:pk>/versturen/", newsletter_send, name="newsletter_send"),
]
