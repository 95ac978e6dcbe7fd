"""Pages of the stakeholders app. Everything about a chain lives under /ketens/<slug>/.

Names follow <model>_<action>; every name here needs a row in
tests/test_authorisation_matrix.py.
"""

from django.urls import path

from .views import (
    api_tokens,
    capacity,
    chains,
    contributions,
    invitations,
    mandates,
    my_work,
    notifications,
    organisations,
    partners,
    people,
    register,
    stand_ins,
)

app_name = "stakeholders"

chain = "ketens/<slug:slug>/"

urlpatterns = [
    path("", my_work.my_work, name="my_work"),
    # My notifications and how I hear about them
    path("meldingen/", notifications.notification_list, name="notification_list"),
    path("meldingen/<int:pk>/gelezen/", notifications.notification_read, name="notification_read"),
    path("meldingen/alles-gelezen/", notifications.notifications_read_all, name="notifications_read_all"),
    path("mijn-instellingen/meldingen/", notifications.notification_settings, name="notification_settings"),
    # Chain home and settings
    path(chain, chains.chain_detail, name="chain_detail"),
    path(chain + "instellingen/", chains.chain_settings, name="chain_settings"),
    path(chain + "logo/", chains.chain_logo, name="chain_logo"),
    # Partners
    path(chain + "partners/", partners.partnership_list, name="partnership_list"),
    path(chain + "partners/nieuw/", partners.partnership_create, name="partnership_create"),
    path(chain + "partners/<int:pk>/", partners.partnership_detail, name="partnership_detail"),
    path(chain + "partners/<int:pk>/bewerken/", partners.partnership_edit, name="partnership_edit"),
    # Organisations and their unit trees
    path(chain + "organisaties/", organisations.organisation_list, name="organisation_list"),
    path(chain + "organisaties/nieuw/", organisations.organisation_create, name="organisation_create"),
    path(chain + "organisaties/<int:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path(chain + "organisaties/<int:pk>/bewerken/", organisations.organisation_edit, name="organisation_edit"),
    path(chain + "organisaties/<int:pk>/onderdelen/nieuw/", organisations.unit_create, name="unit_create"),
    path(chain + "onderdelen/<int:pk>/bewerken/", organisations.unit_edit, name="unit_edit"),
    # People and roles
    path(chain + "mensen/", people.membership_list, name="membership_list"),
    path(chain + "mensen/<int:pk>/rol/", people.membership_edit, name="membership_edit"),
    path(chain + "mensen/<int:pk>/intrekken/", people.membership_revoke, name="membership_revoke"),
    path(chain + "mensen/uitnodigen/", invitations.invitation_create, name="invitation_create"),
    path(chain + "uitnodigingen/<int:pk>/intrekken/", invitations.invitation_revoke, name="invitation_revoke"),
    # Mandates
    path(chain + "mandaten/", mandates.mandate_list, name="mandate_list"),
    path(chain + "mandaten/nieuw/", mandates.mandate_create, name="mandate_create"),
    path(chain + "mandaten/<int:pk>/bewerken/", mandates.mandate_edit, name="mandate_edit"),
    # API connections: a partner's own system and its token
    path(chain + "api-koppelingen/", api_tokens.api_connection_list, name="api_connection_list"),
    path(chain + "api-koppelingen/nieuw/", api_tokens.api_connection_create, name="api_connection_create"),
    path(chain + "api-koppelingen/<int:pk>/", api_tokens.api_connection_detail, name="api_connection_detail"),
    path(
        chain + "api-koppelingen/<int:pk>/vernieuwen/", api_tokens.api_connection_rotate, name="api_connection_rotate"
    ),
    path(chain + "api-koppelingen/<int:pk>/intrekken/", api_tokens.api_connection_revoke, name="api_connection_revoke"),
    path(
        chain + "api-koppelingen/<int:pk>/sleutels/<int:token_pk>/intrekken/",
        api_tokens.api_token_revoke,
        name="api_token_revoke",
    ),
    # The invitee's side: public, the token is the credential
    path("uitnodiging/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    # Keeping every partner on board: each module declares its routes beside its views.
    *register.routes,
    *capacity.routes,
    *contributions.routes,
    *stand_ins.routes,
]
