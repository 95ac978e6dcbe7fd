"""Everything under /api/: the REST endpoints of every app plus the OpenAPI schema and docs.

The schema and the docs page are public: they describe the endpoints, not data, and every
endpoint still requires a signed-in person or a token. The docs use the split Swagger view
(its start-up script is a separate same-origin file) so they run under our strict CSP.
"""

import json

from django.urls import include, path, re_path
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from ketenportaal import api


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI under our CSP, with our template (lang, nonce, contrast: templates/api/swagger_ui.html)."""

    template_name = "api/swagger_ui.html"
    url_name = "api_schema"

    # Overriding get() drops the parent's exclusion, so restate it: the docs page is not an API endpoint.
    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if "settings" in response.data:
            # Deep links put a link inside each operation's button: nested interactive
            # controls, which screen readers and keyboards handle badly (WCAG 4.1.2).
            response.data["settings"] = json.dumps({**spectacular_settings.SWAGGER_UI_SETTINGS, "deepLinking": False})
        return response


urlpatterns = [
    path("", include("stakeholders.api.urls")),
    path("", include("ambitions.api.urls")),
    path("", include("governance.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", ApiDocsView.as_view(), name="api_docs"),
    # Last: any other address under /api/ ending in a slash is the API's 404, in JSON. (Without the
    # slash, CommonMiddleware's APPEND_SLASH first redirects to it, as for every other URL.)
    re_path(r"^(?P<path>[\s\S]*/)?$", api.not_found, name="api_not_found"),
]
