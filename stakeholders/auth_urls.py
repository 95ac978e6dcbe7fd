"""Sign-in, sign-out, password reset and two-factor pages. No namespace: Django's
auth views reverse these names (login, logout, password_reset_*)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import auth

urlpatterns = [
    path("inloggen/", auth.login, name="login"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("wachtwoord-vergeten/", auth.password_reset, name="password_reset"),
    path("wachtwoord-vergeten/verstuurd/", auth.password_reset_done, name="password_reset_done"),
    path("wachtwoord-instellen/<uidb64>/<token>/", auth.password_reset_confirm, name="password_reset_confirm"),
    path("wachtwoord-instellen/klaar/", auth.password_reset_complete, name="password_reset_complete"),
    path("tweestaps/instellen/", auth.otp_setup, name="otp_setup"),
    path("tweestaps/controleren/", auth.otp_verify, name="otp_verify"),
]
