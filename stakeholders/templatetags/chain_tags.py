"""Template helpers for pages inside a chain. Templates only hide links; views enforce."""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Organisation
from stakeholders.permissions import Action, allows

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# (section, label, URL name, the URL-name prefixes of the pages that belong to the section, action needed).
# A name without a namespace is in "stakeholders"; other apps' sections give the full name.
_SECTIONS = [
    ("home", _("Chain home"), "chain_detail", ("chain_detail",), Action.VIEW),
    (
        "dashboard",
        _("Dashboard"),
        "ambitions:chain_dashboard",
        ("chain_dashboard", "indicator_detail", "indicator_export"),
        Action.VIEW,
    ),
    (
        "ambitions",
        _("Ambitions"),
        "ambitions:ambition_list",
        ("ambition_", "indicator_create", "version_"),
        Action.VIEW,
    ),
    ("entry", _("Figures"), "ambitions:entry_index", ("entry_", "period_", "figure_"), Action.ENTER_FIGURES),
    ("reports", _("Reports"), "ambitions:report_list", ("report_",), Action.VIEW),
    ("partners", _("Partners"), "partnership_list", ("partnership_",), Action.VIEW),
    ("organisations", _("Organisations"), "organisation_list", ("organisation_", "unit_"), Action.VIEW),
    ("people", _("People and roles"), "membership_list", ("membership_", "invitation_"), Action.VIEW),
    ("mandates", _("Mandates"), "mandate_list", ("mandate_",), Action.VIEW),
    ("settings", _("Settings"), "chain_settings", ("chain_settings",), Action.MANAGE_CHAIN),
]


def _own_organisation(user, action: Action) -> Organisation | None:
    """Entering figures is for one's own organisation. allows() compares ids only, so a stand-in
    with the user's organisation id saves a query on every chain page."""
    if action != Action.ENTER_FIGURES or not getattr(user, "organisation_id", None):
        return None
    return Organisation(pk=user.organisation_id)


@register.simple_tag(takes_context=True)
def chain_nav(context, chain) -> list[NavItem]:
    """The chain's sections the user may open, the current one marked (for aria-current)."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    items = []
    for _section, label, name, prefixes, action in _SECTIONS:
        if not allows(request.user, action, chain, _own_organisation(request.user, action)):
            continue
        namespace, _colon, url_name = name.rpartition(":")
        namespace = namespace or "stakeholders"
        current = bool(match and match.namespace == namespace and (match.url_name or "").startswith(prefixes))
        url = reverse(f"{namespace}:{url_name}", args=[chain.slug])
        items.append(NavItem(label=str(label), url=url, current=current))
    return items


@register.simple_tag(takes_context=True)
def chain_allows(context, chain, action: str, organisation=None) -> bool:
    """``{% chain_allows chain "manage_chain" as can_manage %}``: whether to show a link or button."""
    return allows(context["request"].user, Action(action), chain, organisation)
