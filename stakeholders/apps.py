from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = _("Stakeholders")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (registers models with the audit trail)
        from .permissions import Action
        from .registry import NavSection, register_nav_section

        # The chain menu's own sections; apps built on stakeholders add theirs in their ready().
        for section in (
            NavSection("home", _("Chain home"), "stakeholders:chain_detail", ("chain_detail",), 10),
            NavSection("partners", _("Partners"), "stakeholders:partnership_list", ("partnership_",), 60),
            NavSection(
                "organisations",
                _("Organisations"),
                "stakeholders:organisation_list",
                ("organisation_", "unit_"),
                70,
            ),
            NavSection(
                "people", _("People and roles"), "stakeholders:membership_list", ("membership_", "invitation_"), 80
            ),
            NavSection("mandates", _("Mandates"), "stakeholders:mandate_list", ("mandate_",), 90),
            NavSection(
                "settings", _("Settings"), "stakeholders:chain_settings", ("chain_settings",), 100, Action.MANAGE_CHAIN
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
            )
        )
        register_my_work(
            MyWorkFragment("contributions", "stakeholders/_my_work_contributions.html", my_work_contributions.items, 45)
        )
