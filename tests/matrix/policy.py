"""The matrix's callers, targets and policy profiles: who may do what to which target
(tests/test_authorisation_matrix.py).
"""

from __future__ import annotations

from collections.abc import Callable

# Personas (attributes of World, except anonymous).
ANONYMOUS = "anonymous"
OUTSIDER = "outsider"
VIEWER = "viewer"
CONTRIBUTOR_A = "contributor_a"
LEAD_A = "lead_a"
MANAGER = "manager"
ADMIN = "admin"
PERSONAS = [ANONYMOUS, OUTSIDER, VIEWER, CONTRIBUTOR_A, LEAD_A, MANAGER, ADMIN]
MEMBERS = {VIEWER, CONTRIBUTOR_A, LEAD_A, MANAGER}  # of zsm; admin has no membership
# Not a person of World: partner A's API connection (stakeholders/views/api_tokens.py), made in
# objects() and calling with its token. The matrix asks every row of it too.
API_A = "api_a"
CALLERS = [*PERSONAS, API_A]

# Targets.
NONE = "no_object"  # a URL without chain or object
CHAIN = "chain"  # this chain (zsm), no object
PARTNER_A = "partner_a"  # an object of partner A in zsm
PARTNER_B = "partner_b"  # an object of partner B in zsm
OTHER = "other_chain"  # the other chain (jeugd) or its object, through its own URL
FORGED = "forged"  # the other chain's object, its id forged into a zsm URL
SHARED = "shared"  # an organisation (or its unit) that is a partner in zsm and in the other chain

LOGIN = "login"  # expected: 302 to the sign-in page
OK = "ok"  # expected: 200 for a GET, 302 for a POST


# --- Expectations ------------------------------------------------------------------------

Profile = Callable[[str, str], "int | str"]


def PUBLIC(persona: str, target: str) -> int | str:
    return OK


def SIGNED_IN(persona: str, target: str) -> int | str:
    return LOGIN if persona == ANONYMOUS else OK


def _other_chain(persona: str, allowed_outsider: int | str) -> int | str:
    # The outsider is a viewer in the other chain; zsm's members cannot tell it exists.
    return {OUTSIDER: allowed_outsider, ADMIN: OK}.get(persona, 404)


def READ(persona: str, target: str) -> int | str:
    """Pages every member of the chain may read (Action.VIEW)."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404
    if target == OTHER:
        return _other_chain(persona, OK)
    return 404 if persona == OUTSIDER else OK


def MANAGE(persona: str, target: str) -> int | str:
    """Programme managers and administrators only (Action.MANAGE_CHAIN)."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == OTHER:
        return _other_chain(persona, 403)
    if persona == OUTSIDER:
        return 404
    allowed = persona in (MANAGER, ADMIN)
    if target == FORGED:
        # The permission is checked on the chain before the object is looked up.
        return 404 if allowed else 403
    return OK if allowed else 403


def PARTNER_WRITE(persona: str, target: str) -> int | str:
    """Action.EDIT_ORGANISATION / MANAGE_MANDATES: also the lead of the object's own partner."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404  # the object decides the organisation, so it is looked up first
    if target == OTHER:
        return _other_chain(persona, 403)
    if persona == OUTSIDER:
        return 404
    if persona in (MANAGER, ADMIN) or (persona == LEAD_A and target == PARTNER_A):
        return OK
    return 403


def MAINTAIN(persona: str, target: str) -> int | str:
    """Action.MAINTAIN_ORGANISATION: an organisation's details and units. As PARTNER_WRITE for an
    organisation that only zsm has; one that another chain shares is not zsm's programme manager's
    to change (its own partner leads' and the administrators')."""
    if target != SHARED:
        return PARTNER_WRITE(persona, target)
    if persona == ANONYMOUS:
        return LOGIN
    if persona == OUTSIDER:
        return 404
    return OK if persona == ADMIN else 403


def ENTER(persona: str, target: str) -> int | str:
    """Action.ENTER_FIGURES: the organisation's own contributors and lead, managers and admins."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404  # the organisation (or the cell) is looked up in the chain first
    if target == OTHER:
        return _other_chain(persona, 403)
    if persona == OUTSIDER:
        return 404
    if persona in (MANAGER, ADMIN) or (persona in (LEAD_A, CONTRIBUTOR_A) and target in (PARTNER_A, CHAIN)):
        return OK
    return 403


def MANDATED(persona: str, target: str) -> int | str:
    """Acting for an organisation with a mandate (approving figures): only lead A, for partner A;
    managers and administrators hold no mandate of their own."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404
    if target == OTHER:
        return 403 if persona in (OUTSIDER, ADMIN) else 404
    if persona == OUTSIDER:
        return 404
    return OK if persona == LEAD_A and target == PARTNER_A else 403


def PARTNER_PEOPLE(persona: str, target: str) -> int | str:
    """Commenting on a proposed indicator version: anyone of a partner organisation in the chain
    (the outsider is one, in the other chain), programme managers and administrators; not a reader
    without an organisation (the viewer)."""
    if persona == ANONYMOUS:
        return LOGIN
    if target == FORGED:
        return 404
    if target == OTHER:
        return _other_chain(persona, OK)
    if persona == OUTSIDER:
        return 404
    return 403 if persona == VIEWER else OK


def API(persona: str, target: str) -> int | str:
    """Read-only API: signed-in people see what ``visible_to`` gives them, others 404."""
    if persona == ANONYMOUS:
        return 403  # session auth first: no WWW-Authenticate challenge, so 403 rather than 401
    if target == NONE:
        return OK
    if target == OTHER:
        return _other_chain(persona, OK)
    return 404 if persona == OUTSIDER else OK


def API_WRITE(persona: str, target: str) -> int | str:
    """Saving one figure through the API (POST /api/figures/): who may enter figures for the unit's
    organisation, as on the entry pages (ENTER); the API says 403 where a page asks to sign in."""
    return 403 if persona == ANONYMOUS else ENTER(persona, target)


def API_BULK(persona: str, target: str) -> int | str:
    """The bulk write: the same rule per row, but all or nothing, so a row the caller may not write
    (another partner's unit, an indicator they cannot see) refuses the request with 400."""
    if persona == ANONYMOUS:
        return 403
    return OK if ENTER(persona, target) == OK else 400


def INVITEE(persona: str, target: str) -> int | str:
    """The invitee's page is public: the token is the credential. Whoever is signed in cannot take
    someone else's invitation (403); an unknown token is not found."""
    return 404 if target == "unknown_token" else (OK if persona == ANONYMOUS else 403)


def table(default: int | str, **per_persona: int | str) -> Profile:
    """A one-off expectation: the same for every target."""
    return lambda persona, target: per_persona.get(persona, default)
