"""Meetings in people's own calendars: one meeting as an .ics download, and a person's calendar
feed — a page with their secret ``webcal://`` address (made and renewed there) and the feed
itself, which a calendar application reads without signing in.

The feed's address carries its token, so it is public (``login_not_required``) and answers 404 to
any token that opens no feed: unknown, renewed, or of a deactivated person. It is private to whoever
holds the address: ``Cache-Control: private, no-store``, no referrer. See
governance/services/calendar_feeds.py for what it holds and governance/services/ical.py for the
iCalendar.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance import policy
from governance.models import CalendarFeed, Meeting
from governance.services import calendar_feeds, ical
from ketenportaal.links import site_url
from stakeholders.permissions import Action, get_chain_or_404, require

ICS = "text/calendar; charset=utf-8"


def meeting_ics(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The meeting as an .ics file (METHOD:PUBLISH), for every member of the chain."""
    chain = get_chain_or_404(request.user, slug)
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).filter(body__chain=chain).select_related("body", "host__organisation"),
        pk=pk,
    )
    meeting.body.chain = chain
    policy.require(request.user, policy.may_view(request.user, meeting.body), meeting.body)
    page_url = site_url(request) + meeting.get_absolute_url()
    response = HttpResponse(ical.meeting_file(meeting, page_url), content_type=ICS)
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    name = f"vergadering-{slugify(meeting.body.name)}-{day}.ics"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _addresses(request: HttpRequest, token: str) -> dict[str, str]:
    https = site_url(request) + reverse("governance-feed:calendar_feed_ics", args=[token])
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def calendar_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The person's calendar address: made or renewed with a POST, and shown only then (200)."""
    chain = get_chain_or_404(request.user, slug)
    require(request.user, Action.VIEW, chain)
    address = None
    if request.method == "POST":
        address = _addresses(request, calendar_feeds.renew(request.user))
    feed = CalendarFeed.objects.filter(person=request.user).first()
    return render(request, "governance/calendar/calendar_feed.html", {"chain": chain, "feed": feed, "address": address})


@login_not_required
@require_GET
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed: every meeting of every body the token's person sits in. 404 for any other token."""
    person = calendar_feeds.person_for(token)
    if person is None:
        raise Http404
    meetings = list(calendar_feeds.meetings_for(person))
    base = site_url(request)
    with translation.override(settings.LANGUAGE_CODE):
        name = _("Meetings of %(name)s (Ketenportaal)") % {"name": person.full_name or person.email}
        content = ical.feed_file(meetings, lambda m: base + m.get_absolute_url(), name)
    response = HttpResponse(content, content_type=ICS)
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


routes = [
    path("vergaderingen/<int:pk>/vergadering.ics", meeting_ics, name="meeting_ics"),
    path("mijn-agenda/", calendar_feed, name="calendar_feed"),
]

# Outside any chain (the feed holds the meetings of all the person's chains): mounted at /agenda/
# by ketenportaal/urls.py, namespace governance-feed.
feed_routes = [
    path("<slug:token>.ics", calendar_feed_ics, name="calendar_feed_ics"),
]
