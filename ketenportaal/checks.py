"""System checks that refuse configurations we know to be wrong.

Settings import already refuses a production start without the shared services' addresses
(settings.REQUIRED_IN_PRODUCTION); these checks refuse addresses of the wrong kind. They run with
every management command that checks (``migrate`` in docker-compose included), not only with
``check --deploy``.
"""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security)
def check_production_services(app_configs, **kwargs) -> list[Error]:
    errors = []
    if not settings.PRODUCTION:
        return errors
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        errors.append(Error("Production needs PostgreSQL: set DATABASE_URL=postgres://…", id="ketenportaal.E001"))
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        errors.append(Error("Production needs Redis for Celery: set REDIS_URL.", id="ketenportaal.E002"))
    if settings.MAILERS["default"]["BACKEND"].endswith("console.EmailBackend"):
        errors.append(Error("Production needs a mail server: set EMAIL_URL=smtp+tls://…", id="ketenportaal.E003"))
    return errors


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs) -> list[Error]:
    """Mails sent by background jobs have no request to take the portal's address from."""
    from .links import first_host_name

    if settings.PRODUCTION and not settings.SITE_URL and first_host_name() is None:
        return [
            Error(
                "Links in e-mails need the portal's address: set SITE_URL=https://… "
                "(or name one host in ALLOWED_HOSTS).",
                id="ketenportaal.E004",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_error_reports(app_configs, **kwargs) -> list[Warning]:
    """A server error nobody hears of is a fault nobody fixes."""
    if settings.PRODUCTION and not settings.ADMINS and not settings.SENTRY_DSN:
        return [
            Warning(
                "Errors reach nobody: set ADMINS=ops@example.nl (mail) and/or SENTRY_DSN.",
                id="ketenportaal.W001",
            )
        ]
    return []
