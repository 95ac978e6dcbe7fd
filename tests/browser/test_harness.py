"""The harness itself: it must fail on a CSP violation, a script error and an axe violation,
or every green browser test would prove nothing."""

import pytest

pytestmark = pytest.mark.browser

BAD_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Bad</title></head><body><main>
<h1>Bad</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<script>window.inlineRan = true;</script>
<div id="styled" style="color: red">inline style</div>
</main></body></html>"""


def serve_bad_page(page) -> None:
    """A page with our CSP and what it forbids, served by the browser itself (no Django)."""
    page.route(
        "**/harness-selftest/",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'; img-src 'self' data:"},
            body=BAD_PAGE,
        ),
    )
    page.goto("/harness-selftest/")
    # Both violations, each through both channels (Chromium's console message and our listener),
    # have arrived before the test looks: they are reported after goto returns, at their own pace.
    page.watcher.wait_for(page, *BAD_PAGE_REPORTS)


# What Chromium's console says, and what the securitypolicyviolation listener reports.
BAD_PAGE_REPORTS = (
    "Executing inline script violates",
    "Applying inline style violates",
    "CSP violation: script-src-elem blocked inline",
    "CSP violation: style-src-attr blocked inline",
)


def test_it_reports_csp_violations(page):
    serve_bad_page(page)
    assert page.evaluate("() => window.inlineRan") is None, "the CSP blocked the inline script"
    with pytest.raises(pytest.fail.Exception) as failure:
        page.watcher.assert_clean()
    assert "script-src" in str(failure.value) or "script-src-elem" in str(failure.value)
    assert "style-src" in str(failure.value) or "style-src-attr" in str(failure.value)


def test_it_reports_javascript_errors(page):
    page.route(
        "**/harness-selftest/",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            body='<!DOCTYPE html><html lang="en"><title>x</title><script>undefinedFunction()</script></html>',
        ),
    )
    page.goto("/harness-selftest/")
    page.watcher.wait_for(page, "undefinedFunction")  # the page error arrives after goto returns
    with pytest.raises(pytest.fail.Exception) as failure:
        page.watcher.assert_clean()
    assert "undefinedFunction" in str(failure.value)


def test_it_fails_on_axe_violations_listing_each(page, axe_check):
    serve_bad_page(page)
    page.watcher.problems.clear()  # the CSP problems (all in: serve_bad_page waits) are the other test's subject
    with pytest.raises(pytest.fail.Exception) as failure:
        axe_check(page)
    message = str(failure.value)
    assert "image-alt (critical)" in message
    assert "<img" in message


def test_it_waits_for_a_report_that_comes_late(page):
    """A violation half a second after the page loaded: assert_clean right after goto would
    miss it (the race the CSP tests above once had); wait_for holds until it is in."""
    csp = {"Content-Security-Policy": "default-src 'self'"}
    page.route(
        "**/harness-selftest/late.js",
        lambda route: route.fulfill(
            status=200,
            content_type="text/javascript",
            headers=csp,
            body="setTimeout(() => document.querySelector('main').setAttribute('style', 'color: red'), 500);",
        ),
    )
    page.route(
        "**/harness-selftest/",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html",
            headers=csp,
            body='<!DOCTYPE html><html lang="en"><title>x</title><main>Late</main><script src="late.js"></script>',
        ),
    )
    page.goto("/harness-selftest/")
    page.watcher.wait_for(page, "CSP violation: style-src-attr blocked inline")
    with pytest.raises(pytest.fail.Exception) as failure:
        page.watcher.assert_clean()
    assert "style-src-attr" in str(failure.value)
