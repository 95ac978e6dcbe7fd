"""What an error report to the operators holds: enough to find the fault, no secrets, no personal data.

A server error is mailed to ADMINS (settings.LOGGING) and, when SENTRY_DSN is set, sent to Sentry
(ketenportaal/sentry.py). Both leave the portal, so neither carries what a person typed or is:
form fields, query values, uploaded file names, cookies, local variables, the signed-in person's
name, their IP address, or a URL's own values (an invitation link holds its secret token) — only
the route that matched (``/uitnodiging/<str:token>/``), the person's id, the traceback and a few
harmless request headers. Django's own filter hides only what *looks* secret and only where a view
says so; here everything is hidden unless it is known to be harmless.
"""

from __future__ import annotations

import logging
from copy import copy
from types import SimpleNamespace

from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# Request headers that say how a request came in, not who sent it.
HARMLESS_META = frozenset(
    {
        "REQUEST_METHOD",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "SCRIPT_NAME",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "HTTP_HOST",
        "HTTP_ACCEPT",
        "HTTP_ACCEPT_LANGUAGE",
        "HTTP_HX_REQUEST",
        "HTTP_X_FORWARDED_PROTO",
        "wsgi.url_scheme",
    }
)


def route_of(path: str) -> str:
    """The URL pattern a path matched, without its values: what a report may name."""
    try:
        match = resolve(path)
    except Resolver404:
        return "(a path that matches no page)"
    return "/" + match.route


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """settings.DEFAULT_EXCEPTION_REPORTER_FILTER: hides every value a person sent, not only those
    whose names look secret. Inactive while DEBUG is on (a developer's own machine)."""

    def get_post_parameters(self, request: HttpRequest | None):
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        return {name: self.cleansed_substitute for name in request.POST}

    def get_safe_cookies(self, request: HttpRequest | None) -> dict:
        if request is None or not self.is_active(request):
            return super().get_safe_cookies(request)
        return {name: self.cleansed_substitute for name in request.COOKIES}

    def get_safe_request_meta(self, request: HttpRequest | None) -> dict:
        if request is None or not self.is_active(request):
            return super().get_safe_request_meta(request)
        return {name: value for name, value in request.META.items() if name in HARMLESS_META}

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame):
        # Local variables hold whatever the code was working on: figures, addresses, names.
        if request is None or self.is_active(request):
            return []
        return super().get_traceback_frame_variables(request, tb_frame)


class PrivateExceptionReporter(ExceptionReporter):
    """settings.DEFAULT_EXCEPTION_REPORTER: the route instead of the URL, the person's id instead
    of their name, and the names of query parameters and uploads without their values."""

    def _private(self) -> bool:
        return self.request is not None and self.filter.is_active(self.request)

    def _get_raw_insecure_uri(self) -> str:
        if not self._private():
            return super()._get_raw_insecure_uri()
        return f"{self.request.scheme}://{self.request._get_raw_host()}{route_of(self.request.path_info)}"

    def get_traceback_data(self) -> dict:
        data = super().get_traceback_data()
        if self._private():
            hidden = self.filter.cleansed_substitute
            # The report's text names request.path_info and the method: hand it only those two.
            data["request"] = SimpleNamespace(
                path_info=route_of(self.request.path_info),
                META={"REQUEST_METHOD": self.request.META.get("REQUEST_METHOD", "")},
            )
            data["user_str"] = _person(self.request)
            data["request_GET_items"] = [(name, hidden) for name in self.request.GET]
            data["request_FILES_items"] = [(name, hidden) for name in self.request.FILES]
        return data


def _person(request: HttpRequest) -> str:
    try:
        user = request.user
        return f"person {user.pk}" if user.is_authenticated else "not signed in"
    except Exception:  # the database may be what failed
        return "unknown"


class HideRequestPath(logging.Filter):
    """On the mail_admins handler: the subject and first line name the route, not the path
    ("Internal Server Error: /uitnodiging/<str:token>/"). Returns a changed copy (Python 3.12), so
    the console log keeps the real path."""

    def filter(self, record: logging.LogRecord) -> logging.LogRecord | bool:
        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest) or not isinstance(record.args, tuple):
            return True
        private = copy(record)
        private.args = tuple(route_of(request.path_info) if arg == request.path else arg for arg in record.args)
        return private
