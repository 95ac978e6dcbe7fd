"""The invite flow in a real browser: a programme manager signs in (with the TOTP step), goes
from chain home to People and roles, invites someone; the invitee opens the mailed link in
their own browser, chooses a password and lands on My work. Every page is scanned with axe.

The live server runs in a thread of this process, so Django's locmem outbox is shared with
the test: the mail the server sends is in ``mail.outbox``.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from stakeholders.models import Invitation, Membership, Person, Role
from stakeholders.models.people import InvitationStatus
from tests.conftest import World

from .conftest import use_english

pytestmark = pytest.mark.browser

INVITEE_EMAIL = "nieuwe.collega@example.nl"
INVITEE_PASSWORD = "a long and unguessable passphrase 42"


def mailed_link(email: str, portal: str) -> str:
    """The path of the accept link in the one invitation mailed to ``email``, checking that the link
    leads to ``portal``, where the invitation was sent from (SITE_URL is not set in the tests)."""
    messages = [m for m in mail.outbox if m.to == [email]]
    assert len(messages) == 1, f"expected one mail to {email}, outbox has {[m.to for m in mail.outbox]}"
    match = re.search(r"(\S+)(/uitnodiging/[^/\s]+/)", messages[0].body)
    assert match, messages[0].body
    assert match.group(1) == portal
    return match.group(2)


def assert_invitee_joined(world: World, full_name: str) -> None:
    person = Person.objects.get(email=INVITEE_EMAIL)
    assert person.full_name == full_name
    assert person.check_password(INVITEE_PASSWORD)
    assert person.organisation == world.org_a
    assert Membership.objects.filter(person=person, chain=world.chain, role=Role.CONTRIBUTOR).exists()
    assert Invitation.objects.get(email=INVITEE_EMAIL).status == InvitationStatus.ACCEPTED


def test_it_invites_someone_who_sets_a_password_and_lands_on_my_work(
    world: World, page, open_page, visit, sign_in, live_server
):
    use_english(page, live_server)
    sign_in(page, world.manager)
    # After signing in (password, then the TOTP code): My work, which lists the chain.
    assert page.url == live_server.url + "/"
    visit.scan(page)

    visit.follow(page, page.get_by_role("main").get_by_role("link", name="ZSM", exact=True).click)
    assert page.url.endswith("/ketens/zsm/")

    chain_menu = page.get_by_role("navigation", name="Chain menu")
    visit.follow(page, chain_menu.get_by_role("link", name="People and roles").click)
    assert page.url.endswith("/ketens/zsm/mensen/"), page.url

    visit.follow(page, page.get_by_role("main").get_by_role("link", name=re.compile("Invite someone", re.I)).click)
    assert page.url.endswith("/ketens/zsm/mensen/uitnodigen/"), page.url

    page.get_by_label("E-mail address").fill(INVITEE_EMAIL)
    page.get_by_label("Full name").fill("Nieuwe Collega")
    page.get_by_label("Role in this chain").select_option(label="Contributor")
    page.get_by_label(re.compile("^Organisation")).select_option(label="Politie")
    visit.follow(page, page.get_by_role("button", name="Send the invitation").click)
    # Post/redirect/get back to People and roles, with the confirmation.
    assert page.url.endswith("/ketens/zsm/mensen/"), page.url
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {INVITEE_EMAIL}")

    # The invitee, in a browser of their own.
    invitee = open_page()
    use_english(invitee, live_server)
    visit(invitee, mailed_link(INVITEE_EMAIL, live_server.url))
    expect(invitee.get_by_role("heading", level=1)).to_contain_text("ZSM")
    expect(invitee.get_by_label("Full name")).to_have_value("Nieuwe Collega")
    invitee.get_by_label("Full name").fill("Nieuwe Collega-Jansen")
    invitee.get_by_label("Choose a password").fill(INVITEE_PASSWORD)
    invitee.get_by_label("Repeat the password").fill(INVITEE_PASSWORD)
    visit.follow(invitee, invitee.get_by_role("button", name="Accept and create my account").click)

    assert invitee.url == live_server.url + "/"
    expect(invitee.get_by_role("heading", level=1)).to_have_text("My work")
    expect(invitee.get_by_role("main").get_by_role("link", name="ZSM", exact=True)).to_be_visible()
    assert_invitee_joined(world, "Nieuwe Collega-Jansen")

    # The link works once: opened again it explains why it no longer works.
    visit(invitee, mailed_link(INVITEE_EMAIL, live_server.url), status=410)


# ---------------------------------------------------------------------------------------------
# The same flow by keyboard alone: Tab, typing, Enter and Space. No clicks, no fill().

_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
  return {tag: el.tagName.toLowerCase(), name: el.getAttribute('name') || '', type: el.type || '',
          text: (el.innerText || el.value || '').trim(), label: label.trim(),
          href: el.getAttribute('href') || '', id: el.id || ''};
}"""


def focused(page) -> dict | None:
    return page.evaluate(_FOCUSED)


def tab_to(page, matches, *, limit: int = 60, shift: bool = False) -> dict:
    """Press Tab until the focused element matches; fail if it is never reached (not focusable)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        element = focused(page)
        if element and matches(element):
            return element
        seen.append(element and (element["tag"], element["text"][:30] or element["name"] or element["href"]))
    pytest.fail(f"Tab never reached the element on {page.url}; focus went through: {seen}")


def skip_to_main(page) -> None:
    """First Tab on every page: the skip link; Enter moves focus to <main>."""
    page.keyboard.press("Tab")
    element = focused(page)
    assert element and element["tag"] == "a" and element["href"] == "#main", f"first Tab focused {element}"
    assert element["text"] in {"Skip to main content", "Naar de hoofdinhoud"}, element
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def press_and_wait(page, key: str, status: int = 200) -> None:
    """Press a key that submits or follows a link; the page it leads to must answer ``status``."""
    with page.expect_navigation() as navigation:
        page.keyboard.press(key)
    response = navigation.value
    assert response is not None and response.status == status, f"{page.url} answered {response and response.status}"


def type_into(page, matches, text: str) -> None:
    tab_to(page, matches)
    page.keyboard.type(text)


def choose_option(page, matches, option_label: str) -> None:
    """Pick an option of a closed <select> with the arrow keys, as a keyboard user does."""
    tab_to(page, matches)
    for key in ("ArrowDown", "ArrowUp"):  # down from the chosen option, then up: a select does not wrap
        for _ in range(30):
            current = page.evaluate("() => document.activeElement.selectedOptions[0]?.text.trim()")
            if current == option_label:
                return
            page.keyboard.press(key)
    pytest.fail(f"option {option_label!r} not reachable with the arrow keys")


def label_is(text: str):
    return lambda el: el["label"].startswith(text)


def test_it_completes_the_invite_flow_by_keyboard_alone(world: World, page, open_page, visit, live_server):
    from .conftest import confirmed_device, current_code

    use_english(page, live_server)
    device = confirmed_device(world.manager)

    visit(page, "/inloggen/")
    skip_to_main(page)
    type_into(page, label_is("E-mail address"), world.manager.email)
    type_into(page, lambda el: el["name"] == "password", "correct horse battery staple")
    press_and_wait(page, "Enter")

    assert "/tweestaps/controleren/" in page.url, page.url
    visit.scan(page)
    skip_to_main(page)
    type_into(page, lambda el: el["name"] == "token", current_code(device))
    press_and_wait(page, "Enter")

    assert page.url == live_server.url + "/", page.url
    visit.scan(page)
    skip_to_main(page)
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "ZSM")
    press_and_wait(page, "Enter")

    assert page.url.endswith("/ketens/zsm/"), page.url
    visit.scan(page)
    skip_to_main(page)
    # The chain menu comes before <main>: Shift+Tab back into it from the top of the content.
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "People and roles", shift=True)
    press_and_wait(page, "Enter")

    assert page.url.endswith("/ketens/zsm/mensen/"), page.url
    visit.scan(page)
    skip_to_main(page)
    tab_to(page, lambda el: el["tag"] == "a" and "invite someone" in el["text"].lower())
    press_and_wait(page, "Enter")

    assert page.url.endswith("/ketens/zsm/mensen/uitnodigen/"), page.url
    visit.scan(page)
    skip_to_main(page)
    type_into(page, label_is("E-mail address"), INVITEE_EMAIL)
    type_into(page, label_is("Full name"), "Nieuwe Collega")
    choose_option(page, label_is("Role in this chain"), "Contributor")
    choose_option(page, label_is("Organisation"), "Politie")
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Send the invitation")
    press_and_wait(page, "Space")

    assert page.url.endswith("/ketens/zsm/mensen/"), page.url
    visit.scan(page)

    invitee = open_page()
    use_english(invitee, live_server)
    visit(invitee, mailed_link(INVITEE_EMAIL, live_server.url))
    skip_to_main(invitee)
    # The name is filled in from the invitation; the invitee keeps it and chooses a password.
    tab_to(invitee, label_is("Full name"))
    assert invitee.evaluate("() => document.activeElement.value") == "Nieuwe Collega"
    type_into(invitee, label_is("Choose a password"), INVITEE_PASSWORD)
    type_into(invitee, label_is("Repeat the password"), INVITEE_PASSWORD)
    press_and_wait(invitee, "Enter")

    # (The form posts to its own URL, which still carries the skip link's #main.)
    assert invitee.url.split("#")[0] == live_server.url + "/", invitee.url
    visit.scan(invitee)
    reached = tab_to(invitee, lambda el: el["tag"] == "a" and el["text"] == "ZSM")
    assert reached["href"] == "/ketens/zsm/"
    assert_invitee_joined(world, "Nieuwe Collega")
