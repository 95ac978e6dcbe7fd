"""The project's URLs plus views that fail on purpose, for the error page tests
(tests/test_error_pages.py, tests/browser/test_pages_axe.py). The handlers come from the
project's own urls module, so the tests see the error pages the portal really serves."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from ketenportaal.urls import *  # noqa: F403 (the handlers too)
from ketenportaal.urls import urlpatterns as project_urlpatterns


@login_not_required
def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a fault the portal did not foresee")


@login_not_required
def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a request the portal refuses to read")


def broken(request: HttpRequest) -> dict:
    """A context processor that fails, as one that needs a database that is down would."""
    raise RuntimeError("the database is down")


urlpatterns = [
    path("test-fout/500/", fail),
    path("test-fout/400/", suspicious),
    *project_urlpatterns,
]
