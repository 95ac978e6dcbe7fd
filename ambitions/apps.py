from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbitionsConfig(AppConfig):
    name = "ambitions"
    verbose_name = _("Ambitions")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (registers models with the audit trail)
