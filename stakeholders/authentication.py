"""The API's token authentication: ``Authorization: Token <key>`` for an API connection's token.

Replaces REST framework's TokenAuthentication (plain keys in the database, no expiry): the key is
looked up by its SHA-256 hash (one indexed query, with the account), and a token that is expired,
revoked or whose account was deactivated is refused with a 401 that says which — a partner's system
(and its administrator) must be able to tell "rotate the token" from "the key is wrong".
"""

from __future__ import annotations

import functools

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication

from ketenportaal.api import Unauthorized
from stakeholders.models import ApiToken, TokenState
from stakeholders.models.api_tokens import hash_key

KEYWORD = "Token"


class TokenRefused(Unauthorized):
    """A token given but not accepted: always 401 (ketenportaal.api.exception_handler), with its reason as ``code``."""


REFUSALS = {
    "token_invalid": _("The token is not valid: check the key, or ask for a new API connection."),
    "token_expired": _("The token has expired: ask the connection's manager for a new token (rotate it)."),
    "token_revoked": _("The token has been revoked: ask the connection's manager for a new token."),
    "account_inactive": _("The API connection of this token has been revoked."),
}


def refuse(code: str) -> TokenRefused:
    return TokenRefused(REFUSALS[code], code=code)


@functools.cache
def _lookup() -> tuple[str, list[str], list[str]]:
    """The token with its account in one statement, written once from the models' own metadata."""
    token_fields = [f.attname for f in ApiToken._meta.concrete_fields]
    person_model = ApiToken._meta.get_field("person").related_model
    person_fields = [f.attname for f in person_model._meta.concrete_fields]
    columns = [f"t.{connection.ops.quote_name(f.column)}" for f in ApiToken._meta.concrete_fields] + [
        f"p.{connection.ops.quote_name(f.column)}" for f in person_model._meta.concrete_fields
    ]
    # Identifiers from the models' metadata; the key's hash is a parameter.
    tokens = connection.ops.quote_name(ApiToken._meta.db_table)
    people = connection.ops.quote_name(person_model._meta.db_table)
    select = ", ".join(columns)
    sql = f"SELECT {select} FROM {tokens} t JOIN {people} p ON p.id = t.person_id WHERE t.key_hash = %s"  # noqa: S608
    return sql, token_fields, person_fields


def find_token(key_hash: str) -> ApiToken | None:
    """``ApiToken.objects.select_related("person").filter(key_hash=…).first()`` without compiling that
    query on every request (a third of the authentication's time): the statement is built once.
    On PostgreSQL only: psycopg returns the columns as the fields hold them, while other backends
    (SQLite: naive date-times, integers for booleans) need the ORM's converters."""
    if connection.vendor != "postgresql":
        return ApiToken.objects.select_related("person").filter(key_hash=key_hash).first()
    sql, token_fields, person_fields = _lookup()
    with connection.cursor() as cursor:
        cursor.execute(sql, [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    token = ApiToken.from_db(connection.alias, token_fields, row[: len(token_fields)])
    person_model = ApiToken._meta.get_field("person").related_model
    token.person = person_model.from_db(connection.alias, person_fields, row[len(token_fields) :])
    return token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None  # not ours: a session, or nobody
        if len(header) != 2:
            raise refuse("token_invalid")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise refuse("token_invalid") from None
        token = find_token(hash_key(key))
        if token is None:
            raise refuse("token_invalid")
        state = token.state(timezone.now())
        if state is TokenState.REVOKED:
            raise refuse("token_revoked")
        if state is TokenState.EXPIRED:
            raise refuse("token_expired")
        if not token.person.is_active:
            raise refuse("account_inactive")
        token.touch()
        return token.person, token

    def authenticate_header(self, request) -> str:
        return KEYWORD


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme for these tokens (as drf-spectacular names REST framework's)."""

    target_class = "stakeholders.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix=KEYWORD)
