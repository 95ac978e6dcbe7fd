from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from governance.views import calendar as governance_calendar
from governance.views import meetups as governance_meetups
from governance.views import newsletters as governance_newsletters
from governance.views import public_page as governance_public_page
from governance.views import stories as governance_stories

from . import views

urlpatterns = [
    path("", include("stakeholders.urls")),
    path("ketens/<slug:slug>/", include("ambitions.urls")),
    path("ketens/<slug:slug>/overleg/", include("governance.urls")),
    # Success stories (governance/views/stories.py): the chain's, not one body's, so not under /overleg/.
    path("ketens/<slug:slug>/verhalen/", include((governance_stories.routes, "governance-stories"))),
    # The newsletter's mailing: public sign-up, confirm and unsubscribe pages, the programme manager's send
    # step (governance/urls_mailing.py), beside the newsletter's own pages under the same prefix.
    path("ketens/<slug:slug>/nieuwsbrief/", include("governance.urls_mailing")),
    # A person's calendar feed: the token in its address is the credential (governance/views/calendar.py).
    path("agenda/", include((governance_calendar.feed_routes, "governance-feed"))),
    # The quarterly newsletter (governance/views/newsletters.py): the chain's archive and the programme
    # manager's edit page; each sent edition's web page, PDF and logo for anyone with its random token.
    path("ketens/<slug:slug>/nieuwsbrief/", include((governance_newsletters.chain_routes, "governance-newsletters"))),
    path("nieuwsbrief/", include((governance_newsletters.public_routes, "governance-newsletters-public"))),
    # Relationship events (governance/views/meetups.py): the chain's, not one body's, so not under /overleg/.
    path("ketens/<slug:slug>/ontmoetingen/", include((governance_meetups.routes, "governance-meetups"))),
    # A chain's public page and its embeddable version: no sign-in (governance/views/public_page.py).
    path("openbaar/", include((governance_public_page.public_routes, "public"))),
    path("", include("stakeholders.auth_urls")),
    path("api/", include("ketenportaal.api_urls")),
    # Public: the language switch is on the sign-in page too (LoginRequiredMiddleware would redirect it).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("health/", views.health, name="health"),
    path("beheer/", admin.site.urls),
]

# The portal's own error pages (ketenportaal/views.py), in its layout and language.
handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
