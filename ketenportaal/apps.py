from django.apps import AppConfig


class KetenportaalConfig(AppConfig):
    name = "ketenportaal"
    verbose_name = "Ketenportaal"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers system checks)
