"""Template helpers for pages inside a chain. Templates only hide links; views enforce."""

from dataclasses import dataclass

from django import template
from django.urls import reverse
from django.utils.translation import get_language

from stakeholders.models import Organisation
from stakeholders.permissions import Action, _is_admin, allows, role_in
from stakeholders.registry import NavSection, nav_groups, nav_sections

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


# The sections each kind of member may open, with their addresses and labels, per chain and
# language: what allows() answers for the menu depends on nothing else (the role in the chain,
# being an administrator, having an organisation; MAINTAIN_ORGANISATION, which reads the database,
# is never memoised). Worked out once per worker instead of ~30 permission checks and reverse()
# calls on every chain page. Bounded: cleared when full.
_PERMITTED: dict[tuple, list[tuple[NavSection, str, str]]] = {}
_PERMITTED_MAX = 4096


def _permitted(user, chain) -> list[tuple[NavSection, str, str]]:
    """(section, label, url) of the sections the user may open, in the registry's order."""
    sections = nav_sections()
    memo_key = None
    if all(section.action != Action.MAINTAIN_ORGANISATION for section in sections):
        memo_key = (
            chain.pk,
            chain.slug,
            _is_admin(user),
            role_in(user, chain),
            bool(getattr(user, "organisation_id", None)),
            get_language(),
        )
        found = _PERMITTED.get(memo_key)
        if found is not None:
            return found
    found = [
        (section, str(section.label), reverse(section.url_name, args=[chain.slug]))
        for section in sections
        if allows(user, section.action, chain, _own_organisation(user, section.action))
    ]
    if memo_key is not None:
        if len(_PERMITTED) >= _PERMITTED_MAX:
            _PERMITTED.clear()
        _PERMITTED[memo_key] = found
    return found


@register.simple_tag(takes_context=True)
def chain_nav(context, chain) -> ChainNav:
    """The chain's sections the user may open, in their groups, the current one marked (for
    aria-current). On the chain home every group is expanded; elsewhere the row of groups and the
    current group's sections (the home's group when no section is current)."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    by_group: dict[str, list[NavItem]] = {}
    # Each app registers its own sections (stakeholders/registry.py), so this menu names no app.
    for section, label, url in _permitted(request.user, chain):
        current = bool(
            match and match.namespace == section.namespace and (match.url_name or "").startswith(section.prefixes)
        )
        by_group.setdefault(section.group or MORE, []).append(NavItem(label, url, current))
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
