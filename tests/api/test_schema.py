import re

import yaml
from django.urls import reverse

from tests.conftest import World


def test_it_serves_a_valid_openapi_3_schema_with_every_endpoint(world: World, client_for):
    response = client_for(world.viewer).get(reverse("api_schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Ketenportaal API"
    for path in (
        "/api/chains/",
        "/api/chains/{slug}/",
        "/api/organisations/",
        "/api/organisations/{id}/",
        "/api/units/",
        "/api/units/{id}/",
        "/api/partnerships/",
        "/api/partnerships/{id}/",
        "/api/memberships/",
        "/api/memberships/{id}/",
    ):
        assert set(schema["paths"][path]) == {"get"}, path
    assert {"cookieAuth", "tokenAuth"} <= set(schema["components"]["securitySchemes"])
    filters = {p["name"] for p in schema["paths"]["/api/partnerships/"]["get"]["parameters"]}
    assert {"chain", "organisation", "status"} <= filters


def test_it_validates_the_schema_with_the_openapi_validator(world: World):
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    validate_schema(SchemaGenerator().get_schema(request=None, public=True))


def test_it_serves_the_api_docs_under_the_strict_csp(world: World, client_for):
    response = client_for(world.viewer).get(reverse("api_docs"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    html = response.text
    assert '<html lang="en">' in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert len(scripts) == 3
    for attributes, body in scripts:
        assert body.strip() == "", "inline script would be blocked by the CSP"
        src = re.search(r'src="([^"]+)"', attributes).group(1)
        assert src.startswith("/"), f"{src} is not same-origin"
        assert not src.startswith("//")
    assert 'src="/api/docs/?script="' in html
    # The one <style> block carries this response's nonce.
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert re.findall(r"<style([^>]*)>", html) == [f' nonce="{nonce}"']


def test_it_serves_the_docs_start_up_script_as_a_same_origin_file(world: World, client_for):
    response = client_for(world.viewer).get(reverse("api_docs") + "?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert 'url: "/api/schema/"' in response.text
    # No deep links: they would nest a link inside each operation's button (axe: nested-interactive).
    assert '"deepLinking": false' in response.text


def test_it_serves_the_swagger_ui_files_from_our_own_static_files(world: World, client_for):
    from django.contrib.staticfiles import finders

    html = client_for(world.viewer).get(reverse("api_docs")).text
    for src in re.findall(r'(?:src|href)="/static/([^"?]+)"', html):
        assert finders.find(src), f"{src} is referenced but not among the static files"
