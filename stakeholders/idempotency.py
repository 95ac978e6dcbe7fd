"""``Idempotency-Key`` for the API's bulk writes: a client that retries after a lost answer gets
the first answer again instead of writing twice.

- The same key with the same request (method, path and JSON body) replays the stored answer:
  status and body, with ``Idempotent-Replayed: true``.
- The same key with a different request is refused (422 problem details): the client has a bug,
  and guessing which request it meant would lose one.
- Keys are kept 24 hours per account (an API connection's account, or a person with a session).

The claim is a row with a unique (account, key), written in the request's own transaction
(ATOMIC_REQUESTS) before the write and completed with the answer after it. A concurrent duplicate's
insert waits on the unique index until the first request commits, then finds its answer: two
requests with one key never both write. If the first request fails, its transaction (the claim
with it) rolls back and a retry runs afresh. A refusal the view raises (bad JSON) is not stored
either; a refusal it answers (rows refused) is, as REST clients expect.
"""

from __future__ import annotations

import hashlib
import json
from functools import wraps

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from ketenportaal import api
from stakeholders.models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_KEY = 255

PARAMETER = OpenApiParameter(
    HEADER,
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY, "pattern": "^[\\x20-\\x7E]+$"},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Optional, recommended: a unique key per request (e.g. a UUID), 1 to 255 printable ASCII characters. "
        "Sent again with the same body within 24 hours, the stored answer is replayed (status and body, with "
        "`Idempotent-Replayed: true`) and nothing is written twice; with a different body it is refused (422)."
    ),
)

REUSED = OpenApiResponse(description="The Idempotency-Key was used for a different request: nothing was written.")


def _key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY or not key.isascii() or not key.isprintable():
        message = _("Give a key of 1 to 255 printable ASCII characters, e.g. a UUID.")
        raise ValidationError({HEADER: [message]})
    return key


def fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(stored: IdempotentRequest) -> Response:
    response = Response(json.loads(stored.body), status=stored.status_code, content_type=stored.content_type or None)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(view_method):
    """Decorate a viewset's write (``def bulk(self, request)``) to honour ``Idempotency-Key``."""

    @wraps(view_method)
    def wrapper(self, request: Request, *args, **kwargs) -> Response:
        key = _key(request)
        if key is None or not request.user.is_authenticated:
            return view_method(self, request, *args, **kwargs)
        print_ = fingerprint(request)
        IdempotentRequest.expired().filter(person=request.user).delete()
        try:
            with transaction.atomic():  # a savepoint: the IntegrityError leaves the request's transaction usable
                claim = IdempotentRequest.objects.create(person=request.user, key=key, fingerprint=print_)
        except IntegrityError:
            stored = IdempotentRequest.objects.get(person=request.user, key=key)
            if stored.fingerprint != print_:
                detail = _("This Idempotency-Key was used for a different request: use a new key for a new request.")
                return api.problem(detail, "idempotency_key_reused", status.HTTP_422_UNPROCESSABLE_ENTITY)
            return _replay(stored)
        response = view_method(self, request, *args, **kwargs)
        claim.status_code = response.status_code
        # Kept as JSON text (a string in the jsonb column): jsonb refuses a NUL character (\u0000) in a
        # string, which a refusal may quote back from the request; escaped once more, it is plain text.
        claim.body = json.dumps(response.data, cls=DjangoJSONEncoder)
        claim.content_type = response.content_type or ""
        claim.save(update_fields=["status_code", "body", "content_type"])
        return response

    return wrapper
