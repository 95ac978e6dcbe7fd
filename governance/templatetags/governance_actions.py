"""The actions that follow from a decision, on the decision's page (one include:
templates/governance/actions/_for_decision.html). Templates only hide the button; the view
(governance/views/actions.py) enforces the policy."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from governance import policy
from governance.models import ActionItem, Decision

register = template.Library()


@dataclass(frozen=True)
class DecisionActions:
    actions: list[ActionItem]
    can_add: bool


@register.simple_tag(takes_context=True)
def decision_actions(context, decision: Decision) -> DecisionActions:
    """``{% decision_actions decision as found %}``: its actions (one query) and whether the user
    may add one (who runs the body's meetings)."""
    actions = list(decision.actions.select_related("owner").order_by("due_on", "pk"))
    return DecisionActions(actions, policy.may_run_meetings(context["request"].user, decision.body))
