"""The one logging set-up for web, worker and beat (ketenportaal/settings.py ``LOGGING``; the
Celery app hands it on too): everything to the console at ``level``; errors of requests and tasks
also mailed to ADMINS, without the request's path (ketenportaal/errors.py)."""

from __future__ import annotations


def logging_config(level: str) -> dict:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "filters": {
            "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
            "hide_request_path": {"()": "ketenportaal.errors.HideRequestPath"},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "plain"},
            "mail_admins": {
                "class": "django.utils.log.AdminEmailHandler",
                "level": "ERROR",
                "filters": ["require_debug_false", "hide_request_path"],
                "include_html": False,
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "axes": {"level": "WARNING"},
            # Django's defaults would add their own console and mail handlers: everything goes one way.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.request": {"handlers": ["mail_admins"], "propagate": True},
            "celery.app.trace": {"handlers": ["mail_admins"], "propagate": True},
        },
    }
