from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = _("Stakeholders")

    def ready(self) -> None:
        from django.utils.translation import pgettext_lazy

        from . import (
            audit,  # noqa: F401  (registers models with the audit trail)
            roster,
        )

        roster.connect()  # pages that cache who-is-who see a change at once (roster.py)
        from .permissions import Action
        from .registry import NavGroup, NavSection, register_nav_group, register_nav_section

        # The chain menu's groups (NavGroup); the apps built on stakeholders add theirs.
        for group in (
            NavGroup("overview", pgettext_lazy("chain menu", "At a glance"), 10),
            NavGroup("collaboration", pgettext_lazy("chain menu", "Collaboration"), 40),
            NavGroup("admin", pgettext_lazy("chain menu", "Administration"), 90),
            NavGroup("more", pgettext_lazy("chain menu", "More"), 95),
        ):
            register_nav_group(group)

        # The chain menu's own sections; apps built on stakeholders add theirs in their ready().
        for section in (
            NavSection("home", _("Chain home"), "stakeholders:chain_detail", ("chain_detail",), 10, group="overview"),
            NavSection(
                "partners", _("Partners"), "stakeholders:partnership_list", ("partnership_",), 60, group="collaboration"
            ),
            NavSection(
                "organisations",
                _("Organisations"),
                "stakeholders:organisation_list",
                ("organisation_", "unit_"),
                70,
                group="admin",
            ),
            NavSection(
                "people",
                _("People and roles"),
                "stakeholders:membership_list",
                ("membership_", "invitation_"),
                80,
                group="admin",
            ),
            NavSection("mandates", _("Mandates"), "stakeholders:mandate_list", ("mandate_",), 90, group="admin"),
            NavSection(
                "settings",
                _("Settings"),
                "stakeholders:chain_settings",
                ("chain_settings",),
                100,
                Action.MANAGE_CHAIN,
                group="admin",
            ),
        ):
            register_nav_section(section)
        # Capacity self-assessments (views/capacity.py, my_work_capacity.py): a chain-menu section
        # and the assessments waiting for a core partner's lead.
        from . import my_work_capacity
        from .registry import MyWorkFragment, register_my_work

        register_nav_section(
            NavSection(
                "capacity",
                _("Capacity"),
                "stakeholders:capacity_overview",
                ("capacity_",),
                65,
                home_link=_("Capacity: can each core partner still deliver its part?"),
                group="collaboration",
            )
        )
        register_my_work(MyWorkFragment("capacity", "stakeholders/_my_work_capacity.html", my_work_capacity.items, 40))
        # The stakeholder register (views/register.py): the chain menu's "Omgeving".
        from django.utils.translation import pgettext_lazy

        register_nav_section(
            NavSection(
                "stakeholder_register",
                pgettext_lazy("chain menu", "Stakeholders"),
                "stakeholders:stakeholder_list",
                ("stakeholder_",),
                62,
                home_link=_("Stakeholders: the parties around the chain, their influence and interest, our contacts"),
                group="collaboration",
            )
        )
        # Contributions (views/contributions.py): a chain-menu section, the deliveries overdue in
        # My work, and the beat task that flags them (contribution_tasks.py, imported to register it).
        from . import contribution_tasks, my_work_contributions  # noqa: F401
        from .registry import MyWorkFragment, register_my_work

        register_nav_section(
            NavSection(
                "contributions",
                _("Contributions"),
                "stakeholders:contribution_list",
                ("contribution_", "delivery_"),
                66,
                home_link=_("Contributions: what each partner puts in, committed against delivered"),
                group="collaboration",
            )
        )
        register_my_work(
            MyWorkFragment("contributions", "stakeholders/_my_work_contributions.html", my_work_contributions.items, 45)
        )
