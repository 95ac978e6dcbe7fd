"""Template helpers for pages inside a chain. Templates only hide links; views enforce."""

from dataclasses import dataclass

from django import template
from django.urls import reverse

from stakeholders.models import Organisation
from stakeholders.permissions import Action, allows
from stakeholders.registry import nav_groups, nav_sections

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def _own_organisation(user, action: Action) -> Organisation | None:
    """Entering figures is for one's own organisation. allows() compares ids only, so a stand-in
    with the user's organisation id saves a query on every chain page."""
    if action != Action.ENTER_FIGURES or not getattr(user, "organisation_id", None):
        return None
    return Organisation(pk=user.organisation_id)


@dataclass(frozen=True)
class NavGroupItem:
    key: str
    label: str
    url: str  # its first section the user may open
    current: bool  # the current page is one of its sections
    items: list[NavItem]


@dataclass(frozen=True)
class ChainNav:
    groups: list[NavGroupItem]
    expanded: bool  # on the chain home every group shows its sections

    @property
    def shown_group(self) -> NavGroupItem | None:
        """The group whose sections show under the row: the current page's, else the first."""
        return next((group for group in self.groups if group.current), self.groups[0] if self.groups else None)


MORE = "more"  # sections registered without a group (NavSection.group) are listed here


@register.simple_tag(takes_context=True)
def chain_nav(context, chain) -> ChainNav:
    """The chain's sections the user may open, in their groups, the current one marked (for
    aria-current). On the chain home every group is expanded; elsewhere the row of groups and the
    current group's sections (the home's group when no section is current)."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    by_group: dict[str, list[NavItem]] = {}
    # Each app registers its own sections (stakeholders/registry.py), so this menu names no app.
    for section in nav_sections():
        if not allows(request.user, section.action, chain, _own_organisation(request.user, section.action)):
            continue
        current = bool(
            match and match.namespace == section.namespace and (match.url_name or "").startswith(section.prefixes)
        )
        url = reverse(section.url_name, args=[chain.slug])
        by_group.setdefault(section.group or MORE, []).append(NavItem(str(section.label), url, current))
    groups = [
        NavGroupItem(group.key, str(group.label), items[0].url, any(item.current for item in items), items)
        for group in nav_groups()
        if (items := by_group.get(group.key))
    ]
    at_home = bool(match and match.url_name == "chain_detail" and match.namespace == "stakeholders")
    return ChainNav(groups, expanded=at_home)


@register.simple_tag(takes_context=True)
def chain_home_links(context, chain) -> list[NavItem]:
    """The sections other apps offer on the chain home (NavSection.home_link) that the user may open."""
    user = context["request"].user
    return [
        NavItem(label=str(section.home_link), url=reverse(section.url_name, args=[chain.slug]), current=False)
        for section in nav_sections()
        if section.home_link and allows(user, section.action, chain, _own_organisation(user, section.action))
    ]


@register.simple_tag(takes_context=True)
def chain_allows(context, chain, action: str, organisation=None) -> bool:
    """``{% chain_allows chain "manage_chain" as can_manage %}``: whether to show a link or button."""
    return allows(context["request"].user, Action(action), chain, organisation)
