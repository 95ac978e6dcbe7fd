from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from stakeholders.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load (or refresh) the demo chains, partners, people and mandates. Safe to run again."

    def handle(self, *args, **options) -> None:
        logins = load_demo()
        # The other apps' demo data builds on these chains and people; the apps depend on
        # stakeholders, never the other way round, so they are named in settings.
        for loader in settings.DEMO_LOADERS:
            import_string(loader)()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email.ljust(width)}  {login.name} — {login.organisation} — {login.roles}")
