"""The authorisation matrix: every URL of the project × every persona × every kind of target.

Each URL name has one ``Row``. The test requests the row's URL for each of its targets (an
object of partner A, of partner B, of the other chain, …) as each persona (anonymous,
outsider, viewer, contributor_a, lead_a, manager, admin — see tests/conftest.py) and checks
the status against the row's expectation. A URL name without a row fails
``test_it_has_a_row_for_every_url``; so does a row whose URL no longer exists.

How to add a page to the matrix
-------------------------------
1. Give the route a name in its app's ``urls.py``. Until it has a row, the matrix fails with
   "no row for <namespace:name>".
2. Add a ``Row`` to ``ROWS`` below, in the section of its app::

       Row("ambitions:indicator_detail", of("indicator"), READ),
       Row("ambitions:indicator_edit", of("indicator"), PARTNER_WRITE),
       Row("ambitions:figure_approve", of("figure"), PARTNER_WRITE, method="post", state=figure_status),

   - the URL name, with its namespace;
   - how to build its URL, which also decides the targets it is tried against:
     ``plain()`` (no arguments), ``in_chain()`` (``slug``: this chain and the other chain),
     ``of(kind)`` (``slug`` + ``pk`` of an object of partner A, of partner B, of the other
     chain through its own URL, and of the other chain forged into this chain's URL),
     ``of_directory(kind)`` (``of`` plus an organisation or unit shared by both chains),
     ``api_of(kind)`` (``pk`` only) or ``custom(...)``;
   - the expectation: a policy profile — ``PUBLIC``, ``SIGNED_IN``, ``READ``, ``MANAGE``
     (Action.MANAGE_CHAIN), ``PARTNER_WRITE`` (Action.EDIT_ORGANISATION / MANAGE_MANDATES:
     the partner's own lead may), ``MAINTAIN`` (Action.MAINTAIN_ORGANISATION), ``API`` — or
     ``table(...)`` for a one-off; ``override=`` changes single cells;
   - ``method="post"`` for POST-only actions, with ``state=`` a function returning what the
     action changes: the test asserts it is unchanged when the request is refused and changed
     when it is allowed.
3. If the page needs a kind of object the matrix does not have yet, add it to ``Objects``
   (one instance per target: partner A, partner B, the other chain) in ``objects()``.

Allowed GETs expect 200, allowed POSTs 302 (post/redirect/get). Anonymous visitors of a page
expect a redirect to the sign-in page (``LOGIN``); of the API, 403. The whole matrix shares one
world per run (``shared_world``): every test runs in a savepoint that is rolled back.

Not in the matrix, tested below on their own: the Django admin (``admin:`` namespace, only its
index) and ``set_language``; static and media files (DEBUG only).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.test.client import ClientHandler
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image
from rest_framework.authtoken.models import Token

from ambitions.models import (
    ChainAggregate,
    Consent,
    Figure,
    Indicator,
    IndicatorVersion,
    OrganisationAggregate,
    PeriodSubmission,
    ProgressReport,
    SubmissionStatus,
    VersionComment,
    VersionStatus,
)
from ambitions.periods import Period
from ambitions.services import aggregates, reports
from stakeholders.models import Invitation, Mandate, MandateScope, Membership, Notification, Role
from stakeholders.views.api_tokens import create_connection
from tests.conftest import World
from tests.factories import MandateFactory, OrganisationFactory, PartnershipFactory, PersonFactory, UnitFactory
from tests.measures import adopted_version, build_measures

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


def table(default: int | str, **per_persona: int | str) -> Profile:
    """A one-off expectation: the same for every target."""
    return lambda persona, target: per_persona.get(persona, default)


# --- Objects and URLs -----------------------------------------------------------------------


@dataclass
class Objects:
    """The world plus one object of every kind per target, and the slug per target."""

    world: World
    by_kind: dict[str, dict[str, object]] = field(default_factory=dict)
    invitation_token: str = ""
    period: Period | None = None  # last month; entry rows use it and the months before

    def slug(self, target: str) -> str:
        return self.world.other_chain.slug if target == OTHER else self.world.chain.slug

    def get(self, kind: str, target: str):
        # A forged URL carries the other chain's object.
        return self.by_kind[kind][OTHER if target == FORGED else target]


@dataclass(frozen=True)
class Url:
    targets: tuple[str, ...]
    kwargs: Callable[[Objects, str], dict]


def plain() -> Url:
    return Url((NONE,), lambda o, t: {})


def in_chain() -> Url:
    return Url((CHAIN, OTHER), lambda o, t: {"slug": o.slug(t)})


def of(kind: str) -> Url:
    return Url((PARTNER_A, PARTNER_B, OTHER, FORGED), lambda o, t: {"slug": o.slug(t), "pk": o.get(kind, t).pk})


def of_directory(kind: str) -> Url:
    """``of(kind)`` plus the organisation (or unit) that zsm shares with the other chain."""
    return Url((PARTNER_A, PARTNER_B, SHARED, OTHER, FORGED), of(kind).kwargs)


def api_of(kind: str, lookup: str = "pk") -> Url:
    targets = (CHAIN, OTHER) if kind == "chain" else (PARTNER_A, PARTNER_B, OTHER)
    return Url(targets, lambda o, t: {lookup: getattr(o.get(kind, t), lookup)})


def custom(targets: tuple[str, ...], kwargs: Callable[[Objects, str], dict]) -> Url:
    """Any URL; besides the URL's own arguments, ``kwargs`` may return ``_query`` (a dict for the
    query string) and ``_data`` (the request's form data)."""
    return Url(targets, kwargs)


ORGANISATION_OF = {PARTNER_A: "org_a", PARTNER_B: "org_b", OTHER: "org_c", FORGED: "org_c"}


def in_period(steps_back: int, data: Callable[[Objects, str], dict] | None = None) -> Url:
    """An entry URL (ambitions/views/entry.py) for the period ``steps_back`` before last month and
    the target's organisation (``?organisatie=``); the forged target names the other chain's."""

    def kwargs(o: Objects, target: str) -> dict:
        organisation = getattr(o.world, ORGANISATION_OF[target])
        found = {
            "slug": o.slug(target),
            "period": o.period.shifted(-steps_back).slug,
            "_query": {"organisatie": organisation.pk},
        }
        if data is not None:
            found["_data"] = data(o, target)
        return found

    return Url((PARTNER_A, PARTNER_B, OTHER, FORGED), kwargs)


# --- Rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    url: Url
    expect: Profile
    method: str = "get"
    state: Callable[[Objects, str], object] | None = None
    override: dict[tuple[str, str], int | str] = field(default_factory=dict)

    def expected(self, persona: str, target: str) -> int | str:
        return self.override.get((persona, target), self.expect(persona, target))


def membership_exists(o: Objects, target: str) -> bool:
    return Membership.objects.filter(pk=o.get("membership", target).pk).exists()


def invitation_status(o: Objects, target: str) -> str:
    return Invitation.objects.values_list("status", flat=True).get(pk=o.get("invitation", target).pk)


def _cell_of(o: Objects, target: str) -> tuple:
    """Entry: the indicator and unit of the target's cell (the forged one is the other chain's)."""
    w, other = o.world, target in (OTHER, FORGED)
    indicator = o.get("indicator", OTHER if other else PARTNER_A)
    unit = w.unit_c if other else (w.unit_a if target == PARTNER_A else w.unit_b)
    return indicator, unit


def cell_data(o: Objects, target: str) -> dict:
    indicator, unit = _cell_of(o, target)
    prefix = f"cell-{indicator.pk}-{unit.pk}"
    numbers = {"value": "3"} if target in (OTHER, FORGED) else {"numerator": "1", "denominator": "2"}
    return {
        "indicator": indicator.pk,
        "unit": unit.pk,
        f"{prefix}-revision": "0",
        **{f"{prefix}-{name}": value for name, value in numbers.items()},
    }


def cell_saved(o: Objects, target: str) -> bool:
    indicator, unit = _cell_of(o, target)
    return Figure.objects.filter(indicator=indicator, unit=unit, period=o.period.start).exists()


def api_connection_token(o: Objects, target: str) -> bool:
    return Token.objects.filter(user=o.get("api_connection", target)).exists()


def figure_count(o: Objects, target: str) -> int:
    return Figure.objects.count()


def version_of(kind: str, data: dict | None = None) -> Url:
    """An indicator version's URL (``pk`` is its indicator, ``number`` its number), with POST data."""

    def kwargs(o: Objects, target: str) -> dict:
        version = o.get(kind, target)
        found = {"slug": o.slug(target), "pk": version.indicator_id, "number": version.number}
        return {**found, "_data": data} if data is not None else found

    return Url((PARTNER_A, PARTNER_B, OTHER, FORGED), kwargs)


def version_status(o: Objects, target: str) -> str:
    return IndicatorVersion.objects.values_list("status", flat=True).get(pk=o.get("draft", target).pk)


def consent_count(o: Objects, target: str) -> int:
    return Consent.objects.filter(version=o.get("proposed", target)).count()


def comment_count(o: Objects, target: str) -> int:
    return VersionComment.objects.filter(version=o.get("proposed", target)).count()


def version_count(o: Objects, target: str) -> int:
    return IndicatorVersion.objects.filter(indicator=o.get("indicator", target)).count()


def submission_status(steps_back: int) -> Callable[[Objects, str], str]:
    def state(o: Objects, target: str) -> str:
        chain = o.world.other_chain if target == OTHER else o.world.chain
        organisation = getattr(o.world, ORGANISATION_OF[target])
        submission = PeriodSubmission.objects.filter(
            chain=chain, organisation=organisation, period=o.period.shifted(-steps_back).start
        ).first()
        return submission.status if submission else SubmissionStatus.OPEN

    return state


def missing_reason(o: Objects, target: str) -> dict:
    return {"missing_reason": "Nog niet alle eenheden hebben geleverd"}


def late_waiting(o: Objects, target: str) -> int:
    """How many figures delivered late wait for approval in the target's approved period."""
    organisation = getattr(o.world, ORGANISATION_OF[target])
    return Figure.objects.filter(organisation=organisation, awaiting_approval=True).count()


def notification_read_at(o: Objects, target: str) -> object:
    return Notification.objects.values_list("read_at", flat=True).get(pk=o.by_kind["notification"][target].pk)


def unread_notifications(o: Objects, target: str) -> int:
    return Notification.objects.unread().count()


def report_count(o: Objects, target: str) -> int:
    return ProgressReport.objects.count()


def report_status(o: Objects, target: str) -> str:
    return ProgressReport.objects.values_list("status", flat=True).get(pk=o.get("report", target).pk)


def report_draft_data(o: Objects, target: str) -> dict:
    return {"slug": o.slug(target), "_data": {"period": o.period.shifted(-6).slug}}


ROWS = [
    # The start page and the project's own views
    Row("stakeholders:my_work", plain(), SIGNED_IN),
    # My notifications: personal pages; someone else's notification is not found.
    Row("stakeholders:notification_list", plain(), SIGNED_IN),
    Row("stakeholders:notification_settings", plain(), SIGNED_IN),
    Row(
        "stakeholders:notification_read",
        custom(("lead_a", "lead_b"), lambda o, t: {"pk": o.by_kind["notification"][t].pk}),
        lambda persona, target: LOGIN if persona == ANONYMOUS else (OK if persona == target else 404),
        method="post",
        state=notification_read_at,
    ),
    Row("stakeholders:notifications_read_all", plain(), SIGNED_IN, method="post", state=unread_notifications),
    Row("health", plain(), PUBLIC),
    # Chain home and settings
    Row("stakeholders:chain_detail", in_chain(), READ),
    Row("stakeholders:chain_settings", in_chain(), MANAGE),
    Row("stakeholders:chain_logo", in_chain(), READ),
    # Partners
    Row("stakeholders:partnership_list", in_chain(), READ),
    Row("stakeholders:partnership_create", in_chain(), MANAGE),
    Row("stakeholders:partnership_detail", of("partnership"), READ),
    Row("stakeholders:partnership_edit", of("partnership"), MANAGE),
    # Organisations and units
    Row("stakeholders:organisation_list", in_chain(), READ),
    Row("stakeholders:organisation_create", in_chain(), MANAGE),
    # An organisation is one directory entry for every chain it is a partner in (SHARED: zsm and
    # the other chain): zsm's members read it, its own leads and administrators maintain it.
    Row("stakeholders:organisation_detail", of_directory("organisation"), READ),
    Row("stakeholders:organisation_edit", of_directory("organisation"), MAINTAIN),
    Row("stakeholders:unit_create", of_directory("organisation"), MAINTAIN),
    Row("stakeholders:unit_edit", of_directory("unit"), MAINTAIN),
    # People and roles, invitations
    Row("stakeholders:membership_list", in_chain(), READ),
    Row("stakeholders:membership_edit", of("membership"), MANAGE),
    Row("stakeholders:membership_revoke", of("membership"), MANAGE, method="post", state=membership_exists),
    Row("stakeholders:invitation_create", in_chain(), MANAGE),
    Row("stakeholders:invitation_revoke", of("invitation"), MANAGE, method="post", state=invitation_status),
    # The invitee's page is public: the token is the credential. Whoever is signed in cannot
    # take someone else's invitation (403); an unknown token is not found.
    Row(
        "stakeholders:invitation_accept",
        custom(
            ("valid_token", "unknown_token"),
            lambda o, t: {"token": o.invitation_token if t == "valid_token" else "no-such-token"},
        ),
        lambda persona, target: 404 if target == "unknown_token" else (OK if persona == ANONYMOUS else 403),
    ),
    # Mandates
    Row("stakeholders:mandate_list", in_chain(), READ),
    # Creating a mandate: the form offers a lead only their own partner, so the lead may open it.
    Row("stakeholders:mandate_create", in_chain(), MANAGE, override={(LEAD_A, CHAIN): OK}),
    Row("stakeholders:mandate_edit", of("mandate"), PARTNER_WRITE),
    # Signing in and out (stakeholders/auth_urls.py)
    Row("login", plain(), table(302, anonymous=OK)),  # signed in: straight on to My work
    Row("logout", plain(), table(302), method="post"),
    Row("password_reset", plain(), PUBLIC),
    Row("password_reset_done", plain(), PUBLIC),
    Row(
        "password_reset_confirm",
        custom((NONE,), lambda o, t: {"uidb64": "MQ", "token": "not-a-valid-token"}),
        PUBLIC,  # an invalid link shows "this link is no longer valid"
    ),
    Row("password_reset_complete", plain(), PUBLIC),
    # Signed in without a device: set one up (200). Managers and admins in the matrix have
    # completed their second factor already, so both pages send them on (302).
    Row("otp_setup", plain(), table(OK, anonymous=LOGIN, manager=302, admin=302)),
    Row("otp_verify", plain(), table(302, anonymous=LOGIN)),
    # Ambitions: the dashboard, the indicator page and its export
    Row("ambitions:chain_dashboard", in_chain(), READ),
    Row("ambitions:indicator_detail", of("indicator"), READ),
    Row(
        "ambitions:indicator_export",
        custom(
            (PARTNER_A, PARTNER_B, OTHER, FORGED),
            lambda o, t: {"slug": o.slug(t), "pk": o.get("indicator", t).pk, "fmt": "csv"},
        ),
        READ,
    ),
    # Entering figures (ambitions/views/entry.py)
    Row("ambitions:entry_index", in_chain(), ENTER),
    Row("ambitions:entry_grid", in_period(0), ENTER),
    Row("ambitions:entry_cell", in_period(0, cell_data), ENTER, method="post", state=cell_saved),
    # With a reason: the matrix's periods have figures missing (services/submissions.py).
    Row("ambitions:period_submit", in_period(0, missing_reason), ENTER, method="post", state=submission_status(0)),
    Row("ambitions:period_approve", in_period(1, missing_reason), MANDATED, method="post", state=submission_status(1)),
    # Each approved period (two back) has a figure delivered late, waiting for approval.
    Row("ambitions:period_approve_late", in_period(2), MANDATED, method="post", state=late_waiting),
    Row("ambitions:period_reopen", in_period(2), MANAGE),
    Row("ambitions:figure_history", of("figure"), READ),
    # Ambitions and indicators (views/setup.py), indicator versions by consensus (views/versions.py)
    # Progress reports (ambitions/views/reports.py): members read them, programme managers take the steps.
    Row("ambitions:report_list", in_chain(), READ),
    Row("ambitions:report_detail", of("report"), READ),
    Row("ambitions:report_pdf", of("report"), READ),
    Row("ambitions:report_draft", custom((CHAIN, OTHER), report_draft_data), MANAGE, method="post", state=report_count),
    Row("ambitions:report_regenerate", of("report"), MANAGE, method="post", state=report_count),
    Row("ambitions:report_commentary", of("report"), MANAGE),
    Row("ambitions:report_publish", of("report"), MANAGE, method="post", state=report_status),
    Row("ambitions:ambition_list", in_chain(), READ),
    Row("ambitions:ambition_create", in_chain(), MANAGE),
    Row("ambitions:ambition_edit", of("ambition"), MANAGE),
    Row("ambitions:indicator_create", of("ambition"), MANAGE),
    Row("ambitions:version_detail", version_of("draft"), READ),
    Row("ambitions:version_edit", version_of("draft"), MANAGE),
    Row("ambitions:version_propose", version_of("draft"), MANAGE, method="post", state=version_status),
    # Lead A answers for partner A, on any of zsm's proposals (the objects of "partner B" too).
    Row(
        "ambitions:version_respond",
        version_of("proposed", {"position": "consent"}),
        MANDATED,
        method="post",
        state=consent_count,
        override={(LEAD_A, PARTNER_B): OK},
    ),
    Row(
        "ambitions:version_comment",
        version_of("proposed", {"text": "Graag ook per parket."}),
        PARTNER_PEOPLE,
        method="post",
        state=comment_count,
    ),
    Row("ambitions:version_create", of("indicator"), MANAGE, method="post", state=version_count),
    # API (stakeholders/api/urls.py, ketenportaal/api_urls.py)
    Row("stakeholders-api:api-root", plain(), API),
    Row("stakeholders-api:chain-list", plain(), API),
    Row("stakeholders-api:chain-detail", api_of("chain", lookup="slug"), API),
    Row("stakeholders-api:organisation-list", plain(), API),
    Row("stakeholders-api:organisation-detail", api_of("organisation"), API),
    Row("stakeholders-api:unit-list", plain(), API),
    Row("stakeholders-api:unit-detail", api_of("unit"), API),
    Row("stakeholders-api:partnership-list", plain(), API),
    Row("stakeholders-api:partnership-detail", api_of("partnership"), API),
    Row("stakeholders-api:membership-list", plain(), API),
    Row("stakeholders-api:membership-detail", api_of("membership"), API),
    # API connections (stakeholders/views/api_tokens.py): a lead for their own organisation, or the manager.
    Row("stakeholders:api_connection_list", in_chain(), MANAGE, override={(LEAD_A, CHAIN): OK}),
    Row("stakeholders:api_connection_create", in_chain(), MANAGE, override={(LEAD_A, CHAIN): OK}),
    Row(
        "stakeholders:api_connection_revoke",
        of("api_connection"),
        PARTNER_WRITE,
        method="post",
        state=api_connection_token,
    ),
    # Ambitions API (ambitions/api/urls.py). Writing figures is checked per cell (tests/api/test_ambitions_api.py,
    # tests/api/test_bulk.py); here the bulk endpoint only shows it is closed to anonymous callers and that an
    # empty form post (not JSON) changes nothing.
    Row("ambitions-api:indicator-list", plain(), API),
    Row("ambitions-api:indicator-detail", api_of("indicator"), API),
    Row("ambitions-api:indicator-version-list", plain(), API),
    Row("ambitions-api:indicator-version-detail", api_of("indicator_version"), API),
    Row("ambitions-api:figure-list", plain(), API),
    Row("ambitions-api:figure-detail", api_of("figure"), API),
    Row("ambitions-api:figure-bulk", plain(), table(415, anonymous=403), method="post", state=figure_count),
    Row("ambitions-api:chain-aggregate-list", plain(), API),
    Row("ambitions-api:chain-aggregate-detail", api_of("chain_aggregate"), API),
    Row("ambitions-api:organisation-aggregate-list", plain(), API),
    Row("ambitions-api:organisation-aggregate-detail", api_of("organisation_aggregate"), API),
    # The schema and its docs describe endpoints, not data: public.
    Row("api_schema", plain(), PUBLIC),
    Row("api_docs", plain(), PUBLIC),
    # Any other address under /api/: the API's 404 in JSON, for everyone (ketenportaal/api.py).
    Row("api_not_found", Url((NONE,), lambda o, t: {"path": "nothing-here/"}), table(404)),
]
ROWS_BY_NAME = {row.name: row for row in ROWS}
assert len(ROWS_BY_NAME) == len(ROWS), "two rows for one URL name"

# Tested on their own below; static/media are served by DEBUG-only patterns.
NOT_IN_MATRIX = {"set_language"}
NOT_IN_MATRIX_NAMESPACES = {"admin"}


def url_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    """Every URL name of the project, with namespaces; unnamed patterns by their route."""
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in NOT_IN_MATRIX_NAMESPACES:
                continue
            names |= url_names(pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
        elif isinstance(pattern, URLPattern):
            if pattern.lookup_str == "django.views.static.serve":
                continue
            names.add(prefix + pattern.name if pattern.name else f"<unnamed {prefix}{pattern.pattern}>")
    return names - NOT_IN_MATRIX


def test_it_has_a_row_for_every_url():
    names = url_names()
    missing = sorted(names - set(ROWS_BY_NAME))
    stale = sorted(set(ROWS_BY_NAME) - names)
    assert not missing, f"no row in tests/test_authorisation_matrix.py for: {', '.join(missing)}"
    assert not stale, f"rows for URL names that do not exist (any more): {', '.join(stale)}"


# --- The matrix ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    """Uploaded files (chain logos) go to a temporary folder for the whole module."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


def _png() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "#154273").save(buffer, format="PNG")
    return ContentFile(buffer.getvalue())


@pytest.fixture(scope="module")
def objects(shared_world: World, django_db_blocker, media_root) -> Objects:
    """The objects the rows point at, one per target; inside shared_world's transaction."""
    w = shared_world
    with django_db_blocker.unblock():
        found = Objects(world=w)
        for chain in (w.chain, w.other_chain):
            chain.logo.save("logo.png", _png())
        invitation_a, found.invitation_token = Invitation.issue(
            chain=w.chain, email="new-a@example.nl", role=Role.CONTRIBUTOR, by=w.manager, organisation=w.org_a
        )
        invitation_b, _ = Invitation.issue(
            chain=w.chain, email="new-b@example.nl", role=Role.CONTRIBUTOR, by=w.manager, organisation=w.org_b
        )
        invitation_c, _ = Invitation.issue(
            chain=w.other_chain, email="new-c@example.nl", role=Role.VIEWER, by=w.admin, organisation=w.org_c
        )
        holder_c = PersonFactory(email="holder-c@example.nl", organisation=w.org_c, password=None)
        found.by_kind = {
            "chain": {CHAIN: w.chain, OTHER: w.other_chain},
            "organisation": {PARTNER_A: w.org_a, PARTNER_B: w.org_b, OTHER: w.org_c},
            "unit": {PARTNER_A: w.unit_a, PARTNER_B: w.unit_b, OTHER: w.unit_c},
            "partnership": {PARTNER_A: w.partner_a, PARTNER_B: w.partner_b, OTHER: w.partner_c},
            "membership": {
                PARTNER_A: Membership.objects.get(person=w.contributor_a),
                PARTNER_B: Membership.objects.get(person=w.lead_b),
                OTHER: Membership.objects.get(person=w.outsider),
            },
            "invitation": {PARTNER_A: invitation_a, PARTNER_B: invitation_b, OTHER: invitation_c},
            "mandate": {
                PARTNER_A: MandateFactory(person=w.lead_a, partnership=w.partner_a),
                PARTNER_B: MandateFactory(person=w.lead_b, partnership=w.partner_b),
                OTHER: MandateFactory(person=holder_c, partnership=w.partner_c, scope=MandateScope.SIGN_AGREEMENTS),
            },
        }
        assert Mandate.objects.count() == 3
        m = build_measures(w)
        found.by_kind["indicator"] = {PARTNER_A: m.share, PARTNER_B: m.count, OTHER: m.other_indicator}
        found.period = m.period
        # Entry (ambitions/views/entry.py): figures four months back (for their history), each
        # organisation's period two months back submitted (to approve), three back approved (to reopen).
        figure_of = {
            PARTNER_A: (m.share, w.unit_a),
            PARTNER_B: (m.share, w.unit_b),
            OTHER: (m.other_indicator, w.unit_c),
        }
        found.by_kind["figure"] = {
            target: Figure.objects.create(
                indicator=indicator,
                version=indicator.versions.get(),
                unit=unit,
                organisation=unit.organisation,
                period=m.period.shifted(-3).start,
                value=1,
                numerator=1 if indicator == m.share else None,
                denominator=2 if indicator == m.share else None,
            )
            for target, (indicator, unit) in figure_of.items()
        }
        # The API's roll-ups of those figures, and the indicators' adopted versions.
        aggregates.recompute({(f.indicator_id, f.period, f.organisation_id) for f in found.by_kind["figure"].values()})
        found.by_kind["chain_aggregate"] = {
            target: ChainAggregate.objects.get(indicator=f.indicator, period=f.period)
            for target, f in found.by_kind["figure"].items()
        }
        found.by_kind["organisation_aggregate"] = {
            target: OrganisationAggregate.objects.get(
                indicator=f.indicator, period=f.period, organisation=f.organisation
            )
            for target, f in found.by_kind["figure"].items()
        }
        found.by_kind["api_connection"] = {
            target: create_connection(chain, organisation, "Systeem")[0]
            for target, chain, organisation in (
                (PARTNER_A, w.chain, w.org_a),
                (PARTNER_B, w.chain, w.org_b),
                (OTHER, w.other_chain, w.org_c),
            )
        }
        found.by_kind["indicator_version"] = {
            target: indicator.versions.get() for target, indicator in found.by_kind["indicator"].items()
        }
        for chain, organisation in ((w.chain, w.org_a), (w.chain, w.org_b), (w.other_chain, w.org_c)):
            for steps, status in ((1, SubmissionStatus.SUBMITTED), (2, SubmissionStatus.APPROVED)):
                PeriodSubmission.objects.create(
                    chain=chain,
                    organisation=organisation,
                    frequency=m.period.frequency,
                    period=m.period.shifted(-steps).start,
                    status=status,
                )
        # In each approved period, a figure delivered late that waits for the lead's approval.
        for indicator, unit in figure_of.values():
            Figure.objects.create(
                indicator=indicator,
                version=indicator.versions.get(),
                unit=unit,
                organisation=unit.organisation,
                period=m.period.shifted(-2).start,
                value=1,
                numerator=1 if indicator == m.share else None,
                denominator=2 if indicator == m.share else None,
                awaiting_approval=True,
            )
        # Indicator versions waiting for a step, each on an indicator of its own, so that a new
        # version of m's indicators always starts from an adopted one.
        found.by_kind["ambition"] = {PARTNER_A: m.ambition, PARTNER_B: m.ambition, OTHER: m.other_ambition}
        for status in (VersionStatus.DRAFT, VersionStatus.PROPOSED):
            found.by_kind[str(status)] = {
                target: adopted_version(
                    Indicator.objects.create(ambition=ambition, name=f"{status} {target}"),
                    [unit],
                    status=status,
                    effective_from=m.period.start,
                )
                for target, ambition, unit in (
                    (PARTNER_A, m.ambition, w.unit_a),
                    (PARTNER_B, m.ambition, w.unit_b),
                    (OTHER, m.other_ambition, w.unit_c),
                )
            }
        # Draft progress reports: two in this chain (targets A and B), one in the other chain.
        found.by_kind["report"] = {
            target: reports.draft_report(chain, m.period.shifted(-steps))[0]
            for target, chain, steps in ((PARTNER_A, w.chain, 1), (PARTNER_B, w.chain, 2), (OTHER, w.other_chain, 1))
        }
        # An organisation that is a partner in both chains, with a unit.
        shared = OrganisationFactory(name="Reclassering Nederland")
        for chain in (w.chain, w.other_chain):
            PartnershipFactory(chain=chain, organisation=shared)
        found.by_kind["organisation"][SHARED] = shared
        found.by_kind["unit"][SHARED] = UnitFactory(organisation=shared, name="Regio Noord")
        # One unread notification for every signed-in persona, and for lead B (not a persona).
        found.by_kind["notification"] = {
            name: Notification.objects.create(person=getattr(w, name), text="Melding", url="/", key="matrix")
            for name in [*PERSONAS[1:], "lead_b"]
        }
    return found


CASES = [
    pytest.param(row, target, persona, id=f"{row.name}-{target}-{persona}")
    for row in ROWS
    for target in row.url.targets
    for persona in PERSONAS
]


@pytest.fixture(scope="module")
def handler() -> ClientHandler:
    """One request handler for all the matrix's clients: building the middleware chain again
    for every new Client costs more than the request (WhiteNoise scans its static files)."""
    return ClientHandler(enforce_csrf_checks=False)


@pytest.mark.parametrize(("row", "target", "persona"), CASES)
def test_it_answers_each_persona_as_the_policy_says(
    row: Row, target: str, persona: str, objects: Objects, client_for, handler, db
):
    kwargs = dict(row.url.kwargs(objects, target))
    query, data = kwargs.pop("_query", None), kwargs.pop("_data", None)
    url = reverse(row.name, kwargs=kwargs, query=query)
    client = client_for(None if persona == ANONYMOUS else getattr(objects.world, persona))
    client.handler = handler
    before = row.state(objects, target) if row.state else None

    response = getattr(client, row.method)(url, data)

    expected = row.expected(persona, target)
    where = f"{row.method.upper()} {url} as {persona}"
    if expected == LOGIN:
        assert response.status_code == 302, f"{where}: {response.status_code}, expected a redirect to sign in"
        assert response["Location"].startswith(reverse("login")), f"{where}: redirects to {response['Location']}"
    else:
        status = (200 if row.method == "get" else 302) if expected == OK else expected
        assert response.status_code == status, f"{where}: {response.status_code}, expected {status}"
    if row.state:
        after = row.state(objects, target)
        if expected == OK:
            assert after != before, f"{where} was allowed but changed nothing"
        else:
            assert after == before, f"{where} was refused but changed {before!r} into {after!r}"


# --- Outside the matrix ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [(ANONYMOUS, 302), (VIEWER, 302), (MANAGER, 302), (ADMIN, 200)],
)
def test_it_opens_the_admin_only_to_platform_administrators(shared_world: World, db, client_for, persona, status):
    client = client_for(None if persona == ANONYMOUS else getattr(shared_world, persona))
    response = client.get(reverse("admin:index"))
    assert response.status_code == status
    if status == 302:
        assert "login" in response["Location"] or response["Location"].startswith(reverse("login"))
    else:
        assert "Admin" in response.text


@pytest.mark.parametrize("persona", [ANONYMOUS, VIEWER, MANAGER])
def test_it_switches_the_language_for_everyone(shared_world: World, db, client_for, persona):
    client = client_for(None if persona == ANONYMOUS else getattr(shared_world, persona))
    response = client.post(reverse("set_language"), {"language": "en", "next": "/inloggen/"})
    assert response.status_code == 302
    assert response["Location"] == "/inloggen/"
    assert response.cookies["django_language"].value == "en"
