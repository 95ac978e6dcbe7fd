"""The API's edge, shared by every app's endpoints: how a body is read, how an error looks, and
how the OpenAPI schema documents both.

No request, however odd, gets a server error (docs/architecture.md, "Trust before features"):

- ``JSONParser`` reads a body up to a byte limit (413 beyond it, decided before reading when the
  request says its length), refuses what is not JSON, nested too deeply or a NaN (400), and reads
  decimals as ``Decimal`` so no figure passes through a float.
- ``exception_handler`` answers every refusal in one shape, ``ERROR_SCHEMA``: RFC 9457 problem
  details as ``application/problem+json`` — ``type``, ``title``, ``status``, ``detail`` (a sentence
  for a person), ``code`` (for a program) and, for bad input, ``errors``: each message with a JSON
  pointer into the body (``/3/value``) or the query parameter it is about. Django's own refusals of
  a request (too large, too many fields) get that shape too; a refused token is a 401 that says why.
- ``WriteThrottle`` limits writes per token (per person for a session) in the shared cache.
- ``IdFilter``, ``MomentFilter`` and ``ApiFilterSet`` bound what a query string can ask for to what
  the database can compare with, and refuse a filter given without a value.
- ``document_errors`` (a drf-spectacular postprocessing hook) adds the statuses every operation can
  answer to the schema, each with the error shape and examples, so the schema lists every status.
"""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from decimal import Decimal
from http import HTTPStatus

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.fields import IsoDateTimeField
from drf_spectacular.drainage import set_override
from rest_framework import exceptions, pagination, status, throttling
from rest_framework.parsers import BaseParser
from rest_framework.response import Response

# The columns behind ids and revisions (PostgreSQL bigint keys, integer revisions), and the page numbers.
MAX_ID = 2**63 - 1
MAX_INTEGER = 2**31 - 1
# Real offsets run from -12:00 to +14:00; PostgreSQL refuses anything past ±15:59.
MAX_UTC_OFFSET = timedelta(hours=14)
NON_FIELD_ERRORS = "non_field_errors"
BOOLEANS = frozenset({"true", "false", "1", "0"})


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request is too large.")
    default_code = "too_large"


def _refuse_constant(name: str):
    raise ValueError(_("%(name)s is not a number in JSON.") % {"name": name})


class JSONParser(BaseParser):
    """JSON bodies up to ``max_bytes`` (DATA_UPLOAD_MAX_MEMORY_SIZE unless a view needs more).

    Not DRF's JSONParser on purpose: DRF reads those through ``request.body``, whose limit raises
    Django's RequestDataTooBig instead of an API error; this one reads the stream itself.
    """

    media_type = "application/json"
    max_bytes: int | None = None

    def limit(self) -> int:
        return self.max_bytes or settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def parse(self, stream, media_type=None, parser_context=None):
        limit = self.limit()
        request = (parser_context or {}).get("request")
        if request is not None:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                raise self._too_large(limit)  # before reading a byte of it
        content = stream.read(limit + 1) if stream is not None else b""
        if len(content) > limit:
            raise self._too_large(limit)
        try:
            return json.loads(content, parse_float=Decimal, parse_constant=_refuse_constant)
        except RecursionError as exc:
            # The decoder recurses per nesting level: "[[[[…" 100,000 deep exhausts the stack.
            raise exceptions.ParseError(_("The JSON is nested too deeply.")) from exc
        except ValueError as exc:  # also UnicodeDecodeError: not UTF-8
            raise exceptions.ParseError(_("JSON parse error: %(error)s") % {"error": exc}) from exc

    def _too_large(self, limit: int) -> TooLarge:
        return TooLarge(_("The request is too large: send at most %(megabytes)s MB.") % {"megabytes": limit >> 20})


# --- One error shape: RFC 9457 problem details ---------------------------------------------------

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "tag:ketenportaal.nl,2026:problem:{code}"  # RFC 9457 3.1.1: a tag URI names a type it need not resolve


class Unauthorized(exceptions.AuthenticationFailed):
    """Credentials given but refused (an expired or revoked token): 401 with WWW-Authenticate, even
    where REST framework would say 403 because the first authentication class is the session's."""

    www_authenticate = "Token"


def error_body(detail: str, code: str, status_code: int = 400, **extra) -> dict:
    """A problem details object (RFC 9457): type, title, status, detail, plus ``code`` for a program
    and, for bad input, ``errors`` with a JSON pointer (body) or a parameter name (query) each."""
    return {
        "type": PROBLEM_TYPE.format(code=code),
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": str(detail),
        "code": code,
        **extra,
    }


def problem(detail: str, code: str, status_code: int, **extra) -> Response:
    """A refusal a view returns itself (not raised), in the same shape and media type."""
    return Response(error_body(detail, code, status_code, **extra), status=status_code, content_type=PROBLEM_JSON)


def pointer(*parts) -> str:
    """A JSON pointer (RFC 6901) to ``parts``; a whole-object message points at the object itself."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts if part != NON_FIELD_ERRORS)


def invalid_entries(errors, path: tuple = (), *, where: str = "pointer") -> list[dict]:
    """REST framework's nested errors (dicts by field, lists by index) as ``[{pointer, detail}]``."""
    if isinstance(errors, dict):
        return [entry for name, value in errors.items() for entry in invalid_entries(value, (*path, name), where=where)]
    if isinstance(errors, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in errors):
            return [_entry(path, str(item), where) for item in errors]
        return [
            entry for index, item in enumerate(errors) for entry in invalid_entries(item, (*path, index), where=where)
        ]
    return [_entry(path, str(errors), where)]


# Request headers a view checks itself: their messages name the header, not a place in the body.
HEADERS = frozenset({"If-Match", "Idempotency-Key"})


def _entry(path: tuple, message: str, where: str) -> dict:
    if path and path[0] in HEADERS:
        return {"header": str(path[0]), "detail": message}
    if where == "parameter" and path and path[0] != NON_FIELD_ERRORS:
        return {"parameter": str(path[0]), "detail": message}
    return {"pointer": pointer(*path), "detail": message}


def _code_of(detail, default: str) -> str:
    while isinstance(detail, list | dict) and detail:
        detail = detail[0] if isinstance(detail, list) else next(iter(detail.values()))
    return getattr(detail, "code", None) or default


def _shaped(exc: exceptions.APIException, data, status_code: int, request) -> dict:
    if isinstance(data, dict) and set(data) == {"detail"}:
        return error_body(data["detail"], _code_of(exc.detail, exc.default_code), status_code)
    # Bad input: in a query string (reads, and headers such as If-Match) or in the body.
    where = "parameter" if request is None or request.method in ("GET", "HEAD") else "pointer"
    errors = invalid_entries(data, where=where)
    if isinstance(data, dict):
        detail = _("Some fields are not valid: see the message per field.")
        return error_body(detail, "invalid", status_code, errors=errors)
    detail = " ".join(entry["detail"] for entry in errors)
    return error_body(detail, _code_of(exc.detail, exc.default_code), status_code, errors=errors)


def _as_api_exception(exc: Exception) -> Exception:
    """Django's refusals, raised in a view or while DRF reads the request, as API errors."""
    if isinstance(exc, Http404):
        return exceptions.NotFound()  # not get_object_or_404's "No Figure matches the given query."
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return TooLarge()
    if isinstance(exc, SuspiciousOperation):  # too many fields, a bad multipart boundary, …
        return exceptions.ParseError(_("The request could not be read."))
    return exc


def exception_handler(exc: Exception, context: dict):
    """The one place every refusal gets its shape (REST_FRAMEWORK's EXCEPTION_HANDLER): DRF's
    handler, then a problem details body as application/problem+json."""
    from rest_framework.views import exception_handler as drf_exception_handler  # imports these settings

    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # not a refusal but a fault: let it be a logged 500
    if isinstance(exc, Unauthorized):
        # DRF turned it into a 403 (the session class, first, names no scheme); a refused token is a 401.
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = exc.www_authenticate
    request = context.get("request")
    if isinstance(exc, exceptions.APIException):
        response.data = _shaped(exc, response.data, response.status_code, request)
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is None or renderer.format == "json":  # not the browsable API's HTML page
        response.content_type = PROBLEM_JSON
    return response


@login_not_required  # a signed-out client gets the same JSON 404, not the sign-in page
def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any other URL under /api/: the API's 404, as problem details, not the site's page."""
    body = error_body(_("Not found."), "not_found", status.HTTP_404_NOT_FOUND)
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND, content_type=PROBLEM_JSON)


# --- Write throttling ------------------------------------------------------------------------------


class WriteThrottle(throttling.SimpleRateThrottle):
    """Writes (anything but GET, HEAD, OPTIONS) per token — each token of a connection counts on its
    own, so a rotated token starts afresh — or per person for a session; in the default cache,
    which is Redis whenever REDIS_URL is set, so every process counts together. Beyond the rate:
    429 with Retry-After (REST framework adds the header)."""

    scope = "write"

    def get_cache_key(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS") or not request.user.is_authenticated:
            return None
        token_pk = getattr(request.auth, "pk", None)
        ident = f"token-{token_pk}" if token_pk is not None else f"person-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def wait(self) -> float:
        # REST framework gives no wait (and so no Retry-After) when the history already holds more
        # requests than the rate allows — after the rate was lowered, or with a rate of 0. A 429
        # always says when to try again: when the oldest request in the window has left it.
        waited = super().wait()
        if waited is None:
            oldest = self.history[-1] if self.history else self.now
            waited = max(self.duration - (self.now - oldest), 1)
        return waited


# --- Query strings -----------------------------------------------------------------------------


class ApiFilterSet(django_filters.FilterSet):
    """A filter named without a value (``?status=``) or a yes/no filter with neither (``?follow_up=7``)
    is refused, not silently ignored: the client meant something, and an unfiltered list is not what
    it asked for."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if name not in self.data:
                continue
            value = str(self.data.get(name, "")).strip()
            if not value:
                self.form.add_error(name, _("Give a value, or leave this filter out."))
                valid = False
            elif isinstance(filter_, django_filters.BooleanFilter) and value.lower() not in BOOLEANS:
                self.form.add_error(name, _("Give true or false."))
                valid = False
        return valid


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class DocumentedFilter(django_filters.Filter):
    """A filter whose parameter the schema describes as ``schema`` says, with its help text.

    (drf-spectacular's ``extend_schema_field`` on a filter class drops the help text.)
    """

    schema: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        help_text = self.extra.get("help_text")
        set_override(self, "field", {**self.schema, **({"description": str(help_text)} if help_text else {})})


class IdFilter(DocumentedFilter, django_filters.NumberFilter):
    """An id: a whole number within its column, else 400 (a decimal or 10**30 is never an id)."""

    field_class = IdField
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


class MomentField(IsoDateTimeField):
    """An ISO 8601 moment with an offset the world uses (±14:00), in UTC: PostgreSQL refuses offsets
    past ±15:59, and a moment near year 1 or 9999 may not exist in UTC."""

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        offset = moment.utcoffset()
        if offset is None or abs(offset) > MAX_UTC_OFFSET:
            raise forms.ValidationError(_("Give a time zone offset between -14:00 and +14:00."), code="invalid")
        try:
            return moment.astimezone(UTC)
        except OverflowError as exc:
            raise forms.ValidationError(_("Give a moment between the years 1 and 9999."), code="invalid") from exc


class MomentFilter(DocumentedFilter):
    field_class = MomentField
    schema = {"type": "string", "format": "date-time"}


# --- Pagination ----------------------------------------------------------------------------------


def _whole_number(value: str, name: str, minimum: int, maximum: int) -> int:
    text = value.strip()
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 19 else None
    if number is None or not minimum <= number <= maximum:
        message = _("Give a whole number from %(minimum)s to %(maximum)s.") % {"minimum": minimum, "maximum": maximum}
        raise exceptions.ValidationError({name: [message]})
    return number


class PageNumberPagination(pagination.PageNumberPagination):
    """Numbered pages from 1: ``page=0`` or ``page=x`` is a 400 with a message, a page past the last
    a 404 (both in the schema)."""

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value is None or value in self.last_page_strings:
            return super().get_page_number(request, paginator)
        return _whole_number(value, self.page_query_param, 1, MAX_INTEGER)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER}
        return parameters


class CursorPagination(pagination.CursorPagination):
    """Cursor pages whose ``page_size`` is refused (400) outside 1 to ``max_page_size``, not
    silently replaced by the default."""

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param) if self.page_size_query_param else None
        if value is None:
            return self.page_size
        return _whole_number(value, self.page_size_query_param, 1, self.max_page_size)

    def decode_cursor(self, request):
        # An empty cursor is refused as an empty filter is (the schema says minLength 1), rather than
        # silently read as the first page.
        if request.query_params.get(self.cursor_query_param) == "":
            message = _("Give the cursor of a next or previous link, or leave it out.")
            raise exceptions.ValidationError({self.cursor_query_param: [message]})
        return super().decode_cursor(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
            if parameter["name"] == self.cursor_query_param:
                parameter["schema"] = {"type": "string", "minLength": 1}
        return parameters


# --- The schema --------------------------------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Every refusal is an RFC 9457 problem details object (application/problem+json): `type` (a URI "
        "naming the problem), `title` (the status in words), `status`, `detail` for a person, `code` for a "
        "program (e.g. `invalid`, `parse_error`, `not_found`, `permission_denied`, `not_authenticated`, "
        "`token_invalid`, `token_expired`, `token_revoked`, `too_large`, `throttled`, "
        "`idempotency_key_reused`), and for bad input `errors`: one entry per message, with a JSON "
        "pointer into the body (`/3/value`: row 3's value in a bulk request; `` for the whole body), the "
        "query parameter or the header it is about. A bulk request also says `error_count`, the number of refused rows."
    ),
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "error_count": {"type": "integer", "description": "How many rows were refused."},
        "errors": {
            "type": "array",
            "description": "The messages, each with where it applies (at most the first 1,000 rows' messages).",
            "items": {
                "type": "object",
                "properties": {
                    "pointer": {"type": "string", "description": "A JSON pointer (RFC 6901) into the body."},
                    "parameter": {"type": "string", "description": "The query parameter."},
                    "header": {"type": "string", "description": "The request header (If-Match, Idempotency-Key)."},
                    "detail": {"type": "string"},
                },
                "required": ["detail"],
            },
        },
    },
    "required": ["type", "title", "status", "detail", "code"],
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _example(code: str, status_code: int, detail: str, **extra) -> dict:
    return {"value": error_body(detail, code, status_code, **extra)}


# One example per status (the schema's "examples", shown by the docs page).
EXAMPLES = {
    400: {
        "invalid": _example(
            "invalid",
            400,
            "Some fields are not valid: see the message per field.",
            errors=[{"pointer": "/value", "detail": "Give a number."}],
        ),
        "invalid_rows": _example(
            "invalid",
            400,
            "2 rows were refused; nothing was saved.",
            error_count=2,
            errors=[
                {"pointer": "/3/value", "detail": "Give a number."},
                {"pointer": "/7", "detail": "This unit does not report this indicator."},
            ],
        ),
        "invalid_parameter": _example(
            "invalid",
            400,
            "Some fields are not valid: see the message per field.",
            errors=[{"parameter": "page", "detail": "Give a whole number from 1 to 2147483647."}],
        ),
    },
    401: {
        "token_expired": _example(
            "token_expired", 401, "The token has expired: ask the connection's manager for a new token (rotate it)."
        ),
        "token_revoked": _example(
            "token_revoked", 401, "The token has been revoked: ask the connection's manager for a new token."
        ),
        "token_invalid": _example(
            "token_invalid", 401, "The token is not valid: check the key, or ask for a new API connection."
        ),
    },
    403: {
        "permission_denied": _example("permission_denied", 403, "You do not have permission to perform this action.")
    },
    404: {"not_found": _example("not_found", 404, "Not found.")},
    405: {"method_not_allowed": _example("method_not_allowed", 405, 'Method "PUT" not allowed.')},
    406: {"not_acceptable": _example("not_acceptable", 406, "Could not satisfy the request Accept header.")},
    409: {"conflict": _example("conflict", 409, "1 rows were refused; nothing was saved.", error_count=1)},
    412: {"precondition_failed": _example("precondition_failed", 412, "There is no figure to match.")},
    413: {"too_large": _example("too_large", 413, "The request is too large: send at most 64 MB.")},
    415: {"unsupported_media_type": _example("unsupported_media_type", 415, 'Unsupported media type "text/plain".')},
    422: {
        "idempotency_key_reused": _example(
            "idempotency_key_reused",
            422,
            "This Idempotency-Key was used for a different request: use a new key for a new request.",
        )
    },
    429: {"throttled": _example("throttled", 429, "Request was throttled. Expected available in 42 seconds.")},
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}}

_ALWAYS = {
    401: "Not signed in, or the token is not valid.",
    403: "Not signed in, or you may not do this.",
    404: "Not found among what you may see (also: a page or cursor past the end).",
    405: "This method is not allowed here.",
    406: "The Accept header asks for a format the API does not give.",
    429: "Too many requests: wait and try again.",
}
_WITH_INPUT = {400: "Bad input: the message per field or for the request."}
_WITH_BODY = {
    413: "The request body is too large.",
    415: "Send the body as application/json.",
}


def document_errors(result: dict, generator, request, public) -> dict:
    """Every operation lists every status it can answer, each refusal as problem details with examples."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            has_body = "requestBody" in operation
            has_input = has_body or any(p.get("in") in {"query", "header"} for p in operation.get("parameters", []))
            common = {**_ALWAYS, **(_WITH_INPUT if has_input else {}), **(_WITH_BODY if has_body else {})}
            responses = operation.setdefault("responses", {})
            for code, description in common.items():
                responses.setdefault(str(code), {"description": description})
            for code, response in responses.items():
                if not code.startswith("4"):
                    continue
                content = response.setdefault("content", {})
                resource = content.pop("application/json", {}).get("schema")
                if resource and resource != ERROR_REF:
                    # A status that answers either a resource or a refusal (409/412: the current figure).
                    content["application/json"] = {"schema": resource}
                examples = EXAMPLES.get(int(code))
                content[PROBLEM_JSON] = {"schema": ERROR_REF, **({"examples": examples} if examples else {})}
                if code == "429":
                    response["headers"] = {**response.get("headers", {}), **RETRY_AFTER}
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "string" and "enum" not in schema:
                    schema.setdefault("minLength", 1)  # ?chain= is refused (ApiFilterSet)
    return result
