"""Browser test harness: a real Chromium (Debian's, not Playwright's download) driven by Playwright.

- ``browser``: one Chromium per test session.
- ``page``: a fresh context and page per test, with a watcher that records JavaScript errors,
  Content-Security-Policy violations and failed sub-resources; every ``visit``/``axe_check``
  and the end of the test fail when it has seen one. That proves the pages work under our
  strict nonce-based CSP.
- ``axe_check(page)``: runs axe-core (installed from npm) with the WCAG 2.0/2.1 A and AA rules
  and fails listing every violation.
- ``visit(page, url)``: navigates and scans, so every page a test opens is checked.
- ``sign_in(page, person)``: signs in through the real login form, and the TOTP step when
  the person's role needs a second factor.

axe is injected with ``page.evaluate`` (CDP evaluation is not subject to the page's CSP);
the CSP is never bypassed, so what the browser enforces here is what users get.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from stakeholders import permissions
from stakeholders.models import Person
from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CI = os.environ.get("CI", "").lower() == "true"
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 900}


def _missing_browser_reason() -> str | None:
    if not Path(CHROMIUM).exists() and shutil.which(CHROMIUM) is None:
        return f"Chromium not found at {CHROMIUM} (install Debian's `chromium` or set CHROMIUM_PATH)"
    if not AXE_PATH.exists():
        return f"axe-core not found at {AXE_PATH} (run `npm ci`)"
    return None


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Browser tests build the world for every test (the live server needs committed rows):
    the production hasher would spend seconds per test hashing the personas' passwords.
    Runs before ``world`` because autouse fixtures come first."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session; tests get their own context."""
    reason = _missing_browser_reason()
    if reason:
        if CI:
            pytest.fail(f"CI=true but the browser tests cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# ---------------------------------------------------------------------------------------------
# Watching the browser for CSP violations and script errors


# Runs before any page script, via CDP (so not subject to the CSP). Reports each
# securitypolicyviolation event to the test through an exposed binding.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  const where = `${e.sourceFile || document.location.href}:${e.lineNumber}`;
  const what = `${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`;
  window.__kpReportCsp && window.__kpReportCsp(`${what} at ${where}`);
});
"""


@dataclass
class Watcher:
    """What went wrong in the browser while the test ran."""

    problems: list[str] = field(default_factory=list)
    checked: int = 0

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def assert_clean(self) -> None:
        new = self.problems[self.checked :]
        self.checked = len(self.problems)
        if new:
            pytest.fail("The browser reported problems:\n  " + "\n  ".join(new), pytrace=False)

    def wait_for(self, page, *expected: str, timeout: float = 10.0) -> None:
        """Wait until, for each text in ``expected``, a problem containing it has been reported.

        Reports arrive as events (console messages, the CSP listener's calls, page errors) some
        time after the navigation that caused them has returned, and the sync API handles events
        only while it waits on the browser: so wait on the browser, briefly and repeatedly, until
        they are all in (or fail, naming what never came)."""
        deadline = time.monotonic() + timeout
        while missing := [text for text in expected if not any(text in problem for problem in self.problems)]:
            if time.monotonic() > deadline:
                pytest.fail(f"the browser never reported {missing} (it reported {self.problems})", pytrace=False)
            page.wait_for_timeout(25)


_STATIC = {"stylesheet", "script", "image", "font", "media"}


def watch(page, watcher: Watcher) -> None:
    def on_console(message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            watcher.add(f"CSP violation (console) on {page.url}: {text}")
        elif message.type == "error" and not text.startswith("Failed to load resource"):
            # "Failed to load resource" also fires for our deliberate 4xx pages (422, 410);
            # broken sub-resources are caught in on_response instead.
            watcher.add(f"console error on {page.url}: {text}")

    def on_response(response) -> None:
        request = response.request
        kind = request.resource_type
        # A missing stylesheet, script, image or font is a broken page. htmx requests may answer
        # 4xx on purpose (422 for a form with errors); only a server error is wrong there.
        if (kind in _STATIC and response.status >= 400) or (kind in {"xhr", "fetch"} and response.status >= 500):
            watcher.add(f"{kind} {response.url} answered {response.status} (on {page.url})")

    def on_request_failed(request) -> None:
        # Requests the browser drops because the page navigated on are not failures of the page.
        if "ERR_ABORTED" not in (request.failure or ""):
            watcher.add(f"request failed: {request.url} ({request.failure}) on {page.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: watcher.add(f"JavaScript error on {page.url}: {error}"))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)


def new_page(browser, live_server, watchers: list[Watcher], **context_options):
    """A fresh context + page with the watcher attached; base_url is the live server."""
    options = {"base_url": live_server.url, "viewport": DESKTOP, **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    watcher = Watcher()
    watchers.append(watcher)
    if options.get("java_script_enabled", True):
        context.expose_binding("__kpReportCsp", lambda source, text: watcher.add(f"CSP violation: {text}"))
        context.add_init_script(_CSP_LISTENER)
    page = context.new_page()
    page.watcher = watcher
    page.js_enabled = options.get("java_script_enabled", True)
    watch(page, watcher)
    return page


@pytest.fixture
def open_page(browser, live_server) -> Iterator:
    """``open_page(**context_options)`` → a page in a NEW context (another person, no JS, …).

    Contexts are closed and their watchers checked at the end of the test.
    """
    watchers: list[Watcher] = []
    pages = []

    def make(**context_options):
        page = new_page(browser, live_server, watchers, **context_options)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.context.close()
    for watcher in watchers:
        watcher.assert_clean()


@pytest.fixture
def page(open_page):
    """A fresh browser context and page for this test, watched for CSP violations and JS errors."""
    return open_page()


# ---------------------------------------------------------------------------------------------
# axe-core


def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe found {len(violations)} WCAG 2.1 A/AA violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {node['html'][:160]}  [{summary}]")
    return "\n".join(lines)


@pytest.fixture
def axe_check(axe_source):
    """``axe_check(page)``: scan the page as it is now; fail listing every violation."""

    def check(page) -> list[dict]:
        page.watcher.assert_clean()
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source)
        options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
        result = page.evaluate("async (options) => await axe.run(document, options)", options)
        violations = result["violations"]
        if violations:
            pytest.fail(_format_violations(page.url, violations), pytrace=False)
        return violations

    return check


@pytest.fixture
def visit(axe_check):
    """``visit(page, url, status=200, ready=None)``: navigate, check the status, scan with axe, check the watcher."""

    def go(page, url: str, *, status: int | None = 200, ready: str | None = None):
        """``ready``: a selector to wait for first, on pages that render with JavaScript after load."""
        response = page.goto(url)
        if status is not None:
            assert response is not None and response.status == status, (
                f"{url} answered {response.status if response else None}, expected {status}"
            )
        if ready:
            page.locator(ready).first.wait_for()
        scan(page)
        return response

    def scan(page) -> None:
        # axe.run never settles in a context without JavaScript (its timers do not run there);
        # those pages are the same templates the JavaScript contexts scan.
        if page.js_enabled:
            axe_check(page)
        page.watcher.assert_clean()

    def follow(page, action, *, status: int = 200):
        """Do ``action()`` (a click or a key press), wait for the page it leads to, check and scan it."""
        with page.expect_navigation() as navigation:
            action()
        response = navigation.value
        assert response is not None and response.status == status, (
            f"{page.url} answered {response.status if response else None}, expected {status}"
        )
        scan(page)
        return response

    go.scan = scan
    go.follow = follow
    return go


# ---------------------------------------------------------------------------------------------
# Signing in


def confirmed_device(person: Person) -> TOTPDevice:
    device, _ = TOTPDevice.objects.get_or_create(user=person, confirmed=True, defaults={"name": "phone"})
    return device


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator app would show; a step later if the current one was used already
    (django-otp refuses a code twice, and the device's tolerance accepts the next step)."""
    device.refresh_from_db()
    now_step = int((time.time() - device.t0) // device.step)
    drift = 1 if device.last_t is not None and device.last_t >= now_step else 0
    return (
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):0{device.digits}d}"
    )


@dataclass
class SignIn:
    visit: object

    def __call__(self, page, person: Person, password: str = PASSWORD, *, next_url: str = "") -> None:
        """Sign in through the login form (scanning each page), then the TOTP step if required."""
        device = confirmed_device(person) if permissions.requires_two_factor(person) else None
        self.visit(page, "/inloggen/" + (f"?next={next_url}" if next_url else ""))
        page.locator("input[name=username]").fill(person.email)
        page.locator("input[name=password]").fill(password)
        page.locator("form.kp-form button[type=submit]").click()
        page.wait_for_load_state()
        if device is not None:
            assert "/tweestaps/controleren/" in page.url, f"expected the TOTP step, got {page.url}"
            self.visit.scan(page)
            page.locator("input[name=token]").fill(current_code(device))
            page.locator("form.kp-form button[type=submit]").click()
            page.wait_for_load_state()
        assert "/inloggen/" not in page.url and "/tweestaps/" not in page.url, f"sign-in failed, at {page.url}"


@pytest.fixture
def sign_in(visit) -> SignIn:
    return SignIn(visit)


def use_english(page, live_server) -> None:
    """Show the portal in English (as if the language switch had been used), for readable locators."""
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
