from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbitionsConfig(AppConfig):
    name = "ambitions"
    verbose_name = _("Ambitions")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from stakeholders.permissions import Action
        from stakeholders.registry import (
            MyWorkFragment,
            NavGroup,
            NavSection,
            register_my_work,
            register_nav_group,
            register_nav_section,
        )

        # audit registers models with the audit trail
        from . import audit, my_work, revision_signals  # noqa: F401

        revision_signals.connect()  # the dashboard's cache follows the data (services/data_revision.py)

        register_nav_group(NavGroup("goals", pgettext_lazy("chain menu", "Goals and progress"), 20))

        # What ambitions adds to stakeholders' chain menu and My work page (stakeholders/registry.py).
        for section in (
            NavSection(
                "dashboard",
                _("Dashboard"),
                "ambitions:chain_dashboard",
                ("chain_dashboard", "indicator_detail", "indicator_export"),
                20,
                home_link=_("Dashboard: where the chain stands on its ambitions"),
                group="overview",
            ),
            NavSection(
                "ambitions",
                _("Ambitions"),
                "ambitions:ambition_list",
                ("ambition_", "indicator_create", "version_"),
                30,
                group="goals",
            ),
            NavSection(
                "entry",
                _("Figures"),
                "ambitions:entry_index",
                ("entry_", "period_", "figure_", "import_"),
                40,
                Action.ENTER_FIGURES,
                group="goals",
            ),
            NavSection("reports", _("Reports"), "ambitions:report_list", ("report_",), 50, group="goals"),
            NavSection(
                "benefits",
                _("What each partner gains"),
                "ambitions:benefit_overview",
                ("benefit_",),
                67,
                home_link=_("What each partner gains: benefits from start to end picture, beside contributions"),
                group="collaboration",
            ),
            NavSection(
                "chain_map",
                _("Chain map"),
                "ambitions:chain_map",
                ("chain_map",),
                25,
                home_link=_("Chain map: the steps in which the partners hand the case on, and where it pinches"),
                group="overview",
            ),
        ):
            register_nav_section(section)
        register_my_work(MyWorkFragment("ambitions", "ambitions/_my_work.html", my_work.items, 20))
