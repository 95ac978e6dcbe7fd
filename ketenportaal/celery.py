"""The Celery app. Settings come from Django's (CELERY_* names); see settings.py."""

import os
from logging.config import dictConfig

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketenportaal.settings")

app = Celery("ketenportaal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _log_as_the_portal(**kwargs) -> None:
    """Worker and beat log as the web processes do: settings.LOGGING, at LOG_LEVEL, with errors
    mailed to ADMINS. A receiver of this signal also keeps Celery from replacing the root logger's
    handlers with its own at ``--loglevel`` (which therefore changes nothing)."""
    from django.conf import settings

    dictConfig(settings.LOGGING)


@app.on_after_configure.connect
def _make_filesystem_broker_folders(sender: Celery, **kwargs) -> None:
    # The embedded broker needs its folders before the first message.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
