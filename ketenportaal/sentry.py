"""Optional error reports to Sentry, through its official SDK; off unless SENTRY_DSN is set.

Called from settings.py, so this module imports nothing of Django's at import time. What an
event may carry follows ketenportaal/errors.py: no personal data (``send_default_pii=False``), no
request bodies, cookies, query values or local variables, and the matched route instead of the
URL (an invitation link holds its token).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

import sentry_sdk

# Headers that say how a request came in, not who sent it (the SDK already drops cookies and
# authorisation without send_default_pii; this keeps the rest out too).
HARMLESS_HEADERS = frozenset({"Host", "Accept", "Accept-Language", "Content-Type", "Content-Length", "Hx-Request"})


def init(dsn: str, *, environment: str, release: str | None, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=traces_sample_rate,
        before_send=scrub,
        before_send_transaction=scrub,
        before_breadcrumb=scrub_breadcrumb,
    )


def scrub(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    from ketenportaal.errors import route_of

    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("query_string", "data", "cookies", "env"):
            request.pop(key, None)
        if request.get("url"):
            scheme, host, path, _query, _fragment = urlsplit(request["url"])
            request["url"] = urlunsplit((scheme, host, route_of(path), "", ""))
        if isinstance(request.get("headers"), dict):
            request["headers"] = {k: v for k, v in request["headers"].items() if k in HARMLESS_HEADERS}
    return event


def scrub_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    # SQL breadcrumbs may carry their parameters (names, addresses, figures); keep the statement.
    if crumb.get("category") == "query":
        crumb.pop("data", None)
    return crumb
