"""Matrix rows of an API connection's own pages (stakeholders/views/api_tokens.py): its tokens'
history, rotating its token and revoking one token. Everything follows Action.EDIT_ORGANISATION
for the connection's organisation (PARTNER_WRITE), as revoking the connection does.

Objects: ``api_connection`` (partner A's, partner B's and the other chain's, each with one token).
"""

from __future__ import annotations

from datetime import date, timedelta

from stakeholders.models import ApiToken
from tests.matrix.objects import Objects, Url, of
from tests.matrix.policy import FORGED, OTHER, PARTNER_A, PARTNER_B, PARTNER_WRITE
from tests.matrix.rows import Row, posting


def _token_of(o: Objects, target: str) -> Url:
    connection = o.get("api_connection", target)
    token = ApiToken.objects.filter(person=connection).order_by("pk").first()
    return {"slug": o.slug(target), "pk": connection.pk, "token_pk": token.pk}


def usable_tokens(o: Objects, target: str) -> int:
    return ApiToken.objects.usable().filter(person=o.get("api_connection", target)).count()


def token_count(o: Objects, target: str) -> int:
    return ApiToken.objects.filter(person=o.get("api_connection", target)).count()


def a_rotation(o: Objects, target: str) -> dict:
    return {"grace_days": "2", "expires_on": (date.today() + timedelta(days=90)).isoformat()}


ROWS = [
    Row("stakeholders:api_connection_detail", of("api_connection"), PARTNER_WRITE),
    Row("stakeholders:api_connection_rotate", of("api_connection"), PARTNER_WRITE),
    # The answer to a rotation shows the new token, once (200).
    posting(
        "stakeholders:api_connection_rotate",
        of("api_connection"),
        PARTNER_WRITE,
        a_rotation,
        token_count,
        ok_status=200,
    ),
    Row(
        "stakeholders:api_token_revoke",
        Url((PARTNER_A, PARTNER_B, OTHER, FORGED), _token_of),
        PARTNER_WRITE,
        method="post",
        state=usable_tokens,
    ),
]
