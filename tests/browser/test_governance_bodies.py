"""The bodies pages in a real browser: every page scanned (axe WCAG 2.1 A/AA, no CSP violation or
script error, no sideways scrolling on a phone), a form's errors at the field scanned too, the
member form used with the keyboard alone, and without JavaScript."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Body, BodyLevel, BodyMember, DecisionRule, Meeting, MemberPosition
from stakeholders.models import MandateScope
from tests.conftest import World
from tests.factories import MandateFactory

from .conftest import use_english
from .test_pages_axe import assert_no_horizontal_scroll, sign_in_context

pytestmark = pytest.mark.browser


def bodies_of(w: World) -> tuple[Body, BodyMember]:
    """A steering group with a chair for the police (mandated), a member for the OM whose mandate
    lapsed, a former secretary and a meeting next week; a tactical body escalating to it; an inactive one."""
    steering = Body.objects.create(
        chain=w.chain,
        name="Landelijke Stuurgroep ZSM",
        level=BodyLevel.STRATEGIC,
        purpose="Kaders stellen voor de ZSM-werkwijze.",
        decision_rule=DecisionRule.QUALIFIED_MAJORITY,
    )
    Body.objects.create(
        chain=w.chain, name="Tactisch ketenoverleg Noord", level=BodyLevel.TACTICAL, escalates_to=steering
    )
    Body.objects.create(chain=w.chain, name="Oud locatieoverleg", level=BodyLevel.OPERATIONAL, is_active=False)
    chair = BodyMember.objects.create(
        body=steering,
        person=w.lead_a,
        partnership=w.partner_a,
        position=MemberPosition.CHAIR,
        alternate=w.contributor_a,
    )
    BodyMember.objects.create(body=steering, person=w.lead_b, partnership=w.partner_b)
    today = timezone.localdate()
    # A former member: the body page's second table.
    BodyMember.objects.create(
        body=steering, person=w.manager, position=MemberPosition.SECRETARY, ended_on=today - timedelta(days=30)
    )
    MandateFactory(person=w.lead_a, partnership=w.partner_a, scope=MandateScope.VOTE_IN_BODY)
    MandateFactory(
        person=w.lead_b,
        partnership=w.partner_b,
        scope=MandateScope.VOTE_IN_BODY,
        valid_from=today - timedelta(days=100),
        valid_until=today - timedelta(days=2),
    )
    start = timezone.now() + timedelta(days=7)
    Meeting.objects.create(body=steering, starts_at=start, ends_at=start + timedelta(hours=2), place="Utrecht")
    return steering, chair


def governance(name: str, of: Callable[[Body, BodyMember], int] | None = None) -> Callable[[World], str]:
    def url(w: World) -> str:
        body, seat = bodies_of(w)
        return reverse(f"governance:{name}", args=[w.chain.slug, *([of(body, seat)] if of else [])])

    return url


def body(b: Body, s: BodyMember) -> int:
    return b.pk


def seat(b: Body, s: BodyMember) -> int:
    return s.pk


PAGES = {
    "body_list": governance("body_list"),
    "body_detail": governance("body_detail", body),
    "body_create": governance("body_create"),
    "body_edit": governance("body_edit", body),
    "body_deactivate": governance("body_deactivate", body),
    "body_member_create": governance("body_member_create", body),
    "body_member_edit": governance("body_member_edit", seat),
    "body_member_remove": governance("body_member_remove", seat),
}


@pytest.mark.parametrize("name", PAGES)
def test_it_passes_axe_and_the_csp_on_desktop_and_phone(name: str, world: World, page, visit, live_server):
    sign_in_context(page, live_server, world, "manager")
    visit(page, PAGES[name](world))
    assert_no_horizontal_scroll(page)
    page.watcher.assert_clean()


def test_it_passes_axe_on_the_body_page_as_a_member_who_may_not_change_it(world: World, page, visit, live_server):
    sign_in_context(page, live_server, world, "viewer")
    visit(page, PAGES["body_detail"](world))
    assert page.get_by_role("heading", name="Landelijke Stuurgroep ZSM").is_visible()
    assert page.locator("#mandate-flags").is_visible()
    assert page.locator("a[href*='/leden/nieuw/']").count() == 0


def test_it_shows_the_errors_at_the_fields_and_still_passes_axe(world: World, page, visit, live_server):
    url = PAGES["body_member_create"](world)
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "manager")
    visit(page, url)
    # Lead A and contributor A (both police) for the OM: refused at the person and at the alternate.
    page.get_by_label("Person").select_option(label="Lead-A (Politie)")
    page.get_by_label("Represents").select_option(label="Openbaar Ministerie (Core partner)")
    page.get_by_label("Alternate").select_option(label="Contributor (Politie)")
    page.get_by_role("button", name="Add member").click()
    person_error = page.locator("#id_person_error")
    person_error.wait_for()
    assert "Only someone from Openbaar Ministerie can represent it." in person_error.inner_text()
    assert "The alternate must also be from Openbaar Ministerie." in page.locator("#id_alternate_error").inner_text()
    visit.scan(page)
    assert not BodyMember.objects.filter(partnership=world.partner_b, person=world.lead_a).exists()


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def test_it_adds_a_member_with_the_keyboard_alone(world: World, page, visit, live_server):
    steering, _chair = bodies_of(world)
    url = reverse("governance:body_member_create", args=[world.chain.slug, steering.pk])
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "manager")
    visit(page, url)
    # Into the form from the top of its heading, then field by field in the order they are read.
    page.get_by_role("heading", name="Add a member to Landelijke Stuurgroep ZSM").click()
    page.keyboard.press("Tab")
    while focused_id(page) != "id_person":
        page.keyboard.press("Tab")
    page.keyboard.type("Contributor")  # a select picks the option whose text starts with what is typed
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_partnership"
    page.keyboard.type("Politie")
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_position_2"  # the radio group, at its chosen position (member)
    page.keyboard.press("ArrowUp")  # vice-chair
    assert focused_id(page) == "id_position_1"
    page.keyboard.press("Tab")
    assert focused_id(page) == "id_alternate"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Add member"
    visit.follow(page, lambda: page.keyboard.press("Enter"))
    assert page.url.endswith(reverse("governance:body_detail", args=[world.chain.slug, steering.pk]))
    new = BodyMember.objects.get(body=steering, person=world.contributor_a)
    assert (new.partnership, new.position, new.alternate) == (world.partner_a, MemberPosition.VICE_CHAIR, None)
    assert "Contributor" in page.locator("#members").inner_text()


def test_it_adds_and_removes_a_member_without_javascript(world: World, open_page, visit, live_server):
    steering, chair = bodies_of(world)
    page = open_page(java_script_enabled=False)
    use_english(page, live_server)
    sign_in_context(page, live_server, world, "manager")
    visit(page, reverse("governance:body_member_create", args=[world.chain.slug, steering.pk]))
    page.get_by_label("Person").select_option(label="Contributor (Politie)")
    page.get_by_label("Represents").select_option(label="Politie (Core partner)")
    page.get_by_label("Advisor").check()
    visit.follow(page, lambda: page.get_by_role("button", name="Add member").click())
    assert BodyMember.objects.filter(body=steering, person=world.contributor_a, position="advisor").exists()
    visit(page, reverse("governance:body_member_remove", args=[world.chain.slug, chair.pk]))
    visit.follow(page, lambda: page.get_by_role("button", name="Remove seat").click())
    assert not BodyMember.objects.filter(pk=chair.pk).exists()
    assert "Politie is not represented." in page.locator("#unrepresented").inner_text()
