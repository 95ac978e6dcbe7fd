"""The API docs (Swagger UI, /api/docs/) really run under our strict CSP, in a real Chromium.

Owned by the API work (ketenportaal/api_urls.py, templates/api/swagger_ui.html); it lives here
to share this directory's one Chromium per session.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_it_renders_the_api_docs_without_csp_violations_or_script_errors(page, live_server, transactional_db):
    response = page.goto("/api/docs/")
    assert response is not None and response.status == 200
    # Rendering the title and the operations means the bundle, the start-up script and the
    # schema all loaded and ran; the page's watcher fails the test on any CSP violation.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Ketenportaal API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.locator(".opblock-summary-path", has_text="/api/memberships/").count() >= 1
    page.watcher.assert_clean()
