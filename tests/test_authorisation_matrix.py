"""The authorisation matrix: every URL of the project × every persona × every kind of target.

Each URL name has a ``Row`` (a page with a form has two: GET and POST). The test requests the
row's URL for each of its targets (an object of partner A, of partner B, of the other chain, …)
as each persona (anonymous, outsider, viewer, contributor_a, lead_a, manager, admin — see
tests/conftest.py — and api_a, an API connection of partner A: a system account that calls
with its token) and checks the status against the row's expectation. A URL name without a row
fails ``test_it_has_a_row_for_every_url``; so does a row whose URL no longer exists, and a page
whose form posts to itself without a POST row fails ``test_it_has_a_post_row_for_every_form``.

How to add a page to the matrix
-------------------------------
1. Give the route a name in its app's ``urls.py``. Until it has a row, the matrix fails with
   "no row for <namespace:name>".
2. Add a ``Row`` to ``ROWS`` below, in the section of its app (a page with a form also a
   ``posting`` row)::

       Row("ambitions:indicator_detail", of("indicator"), READ),
       Row("ambitions:indicator_edit", of("indicator"), PARTNER_WRITE),
       posting("ambitions:indicator_edit", of("indicator"), PARTNER_WRITE, new_name, indicator_name),
       Row("ambitions:figure_approve", of("figure"), PARTNER_WRITE, method="post", state=figure_status),

   - the URL name, with its namespace;
   - how to build its URL, which also decides the targets it is tried against:
     ``plain()`` (no arguments), ``in_chain()`` (``slug``: this chain and the other chain),
     ``of(kind)`` (``slug`` + ``pk`` of an object of partner A, of partner B, of the other
     chain through its own URL, and of the other chain forged into this chain's URL),
     ``of_directory(kind)`` (``of`` plus an organisation or unit shared by both chains),
     ``api_of(kind)`` (``pk`` only) or ``custom(...)`` (tests/matrix/objects.py);
   - the expectation: a policy profile — ``PUBLIC``, ``SIGNED_IN``, ``READ``, ``MANAGE``
     (Action.MANAGE_CHAIN), ``PARTNER_WRITE`` (Action.EDIT_ORGANISATION / MANAGE_MANDATES:
     the partner's own lead may), ``MAINTAIN`` (Action.MAINTAIN_ORGANISATION), ``ENTER``,
     ``API``, ``API_WRITE``, … — or ``table(...)`` for a one-off (tests/matrix/policy.py);
     ``override=`` changes single cells;
   - ``method="post"`` for POST-only actions, with ``state=`` a function returning what the
     action changes: the test asserts it is unchanged when the request is refused and changed
     when it is allowed (tests/matrix/states.py);
   - for a page with a form, ``posting(name, url, profile, form, state)``: ``form`` returns the
     fields to change; the test reads the rest of the form from the page as a browser sends it
     (as the caller when they may open it, else as someone who may: a refused caller posts a
     valid change) and posts it;
   - ``json=True`` for an API write: ``_data`` is sent as a JSON body;
   - ``ok_status=`` when an allowed request does not answer 200 (GET) or 302 (POST).
3. If the page needs a kind of object the matrix does not have yet, add it to ``Objects``
   (one instance per target: partner A, partner B, the other chain) in ``build_objects()``
   (tests/matrix/objects.py).

Allowed GETs expect 200, allowed POSTs 302 (post/redirect/get). Anonymous visitors of a page
expect a redirect to the sign-in page (``LOGIN``); of the API, 403. The API connection's token
works in the API only, where it is the contributor of partner A it is made as (no rule is
specific to tokens); to the pages it is an anonymous visitor. The whole matrix shares one
world per run (``shared_world``): every test runs in a savepoint that is rolled back.

Not in the matrix, tested below on their own: the Django admin (``admin:`` namespace, only its
index) and ``set_language``; static and media files (DEBUG only).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from django.test.client import ClientHandler
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import World
from tests.matrix import api_tokens, closing_loop, governance, imports, partner_health, recognition
from tests.matrix.objects import (
    Objects,
    Url,
    api_of,
    build_objects,
    custom,
    in_chain,
    in_period,
    invitation_tokens,
    of,
    of_directory,
    plain,
    version_of,
)
from tests.matrix.policy import (
    ADMIN,
    ANONYMOUS,
    API,
    API_BULK,
    API_WRITE,
    CALLERS,
    CHAIN,
    ENTER,
    FORGED,
    INVITEE,
    LEAD_A,
    LOGIN,
    MAINTAIN,
    MANAGE,
    MANAGER,
    MANDATED,
    NONE,
    OK,
    OTHER,
    PARTNER_A,
    PARTNER_B,
    PARTNER_PEOPLE,
    PARTNER_WRITE,
    PERSONAS,  # noqa: F401 (tests import the personas from the matrix)
    PUBLIC,
    READ,
    SIGNED_IN,
    VIEWER,
    table,
)
from tests.matrix.rows import READERS, PageForm, Row, client_as, form_data, posting, url_and_data, why_refused
from tests.matrix.states import (
    a_new_ambition,
    a_new_connection,
    a_new_indicator,
    a_new_invitation,
    a_new_mandate,
    a_new_organisation,
    a_new_partner,
    a_new_unit,
    a_reopen_reason,
    ambition_count,
    ambition_interest,
    an_account,
    another_role,
    api_connection_token,
    cell_data,
    cell_saved,
    chain_tagline,
    comment_count,
    commentary_on_the_ambition,
    connection_count,
    consent_count,
    draft_rationale,
    figures_in_bulk,
    indicator_count,
    invitation_a_status,
    invitation_count,
    invitation_status,
    late_waiting,
    mail_preferences,
    mandate_count,
    mandate_note,
    membership_exists,
    membership_role,
    missing_reason,
    new_interests,
    new_mandate_note,
    new_rationale,
    new_short_name,
    new_societal_interest,
    new_tagline,
    new_unit_code,
    no_mail,
    notification_read_at,
    one_figure,
    organisation_count,
    organisation_short_name,
    partnership_count,
    partnership_interests,
    report_commentary,
    report_count,
    report_draft_data,
    report_status,
    submission_status,
    unit_code,
    unit_count,
    unread_notifications,
    version_count,
    version_status,
)

ROWS = [
    # The start page and the project's own views
    Row("stakeholders:my_work", plain(), SIGNED_IN),
    # My notifications: personal pages; someone else's notification is not found.
    Row("stakeholders:notification_list", plain(), SIGNED_IN),
    Row("stakeholders:notification_settings", plain(), SIGNED_IN),
    Row("stakeholders:notification_settings", plain(), SIGNED_IN, method="post", form=no_mail, state=mail_preferences),
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
    posting("stakeholders:chain_settings", in_chain(), MANAGE, new_tagline, chain_tagline),
    Row("stakeholders:chain_logo", in_chain(), READ),
    # Partners
    Row("stakeholders:partnership_list", in_chain(), READ),
    Row("stakeholders:partnership_create", in_chain(), MANAGE),
    posting("stakeholders:partnership_create", in_chain(), MANAGE, a_new_partner, partnership_count),
    Row("stakeholders:partnership_detail", of("partnership"), READ),
    Row("stakeholders:partnership_edit", of("partnership"), MANAGE),
    posting("stakeholders:partnership_edit", of("partnership"), MANAGE, new_interests, partnership_interests),
    # Organisations and units
    Row("stakeholders:organisation_list", in_chain(), READ),
    Row("stakeholders:organisation_create", in_chain(), MANAGE),
    posting("stakeholders:organisation_create", in_chain(), MANAGE, a_new_organisation, organisation_count),
    # An organisation is one directory entry for every chain it is a partner in (SHARED: zsm and
    # the other chain): zsm's members read it, its own leads and administrators maintain it.
    Row("stakeholders:organisation_detail", of_directory("organisation"), READ),
    Row("stakeholders:organisation_edit", of_directory("organisation"), MAINTAIN),
    posting(
        "stakeholders:organisation_edit",
        of_directory("organisation"),
        MAINTAIN,
        new_short_name,
        organisation_short_name,
    ),
    Row("stakeholders:unit_create", of_directory("organisation"), MAINTAIN),
    posting("stakeholders:unit_create", of_directory("organisation"), MAINTAIN, a_new_unit, unit_count),
    Row("stakeholders:unit_edit", of_directory("unit"), MAINTAIN),
    posting("stakeholders:unit_edit", of_directory("unit"), MAINTAIN, new_unit_code, unit_code),
    # People and roles, invitations
    Row("stakeholders:membership_list", in_chain(), READ),
    Row("stakeholders:membership_edit", of("membership"), MANAGE),
    posting("stakeholders:membership_edit", of("membership"), MANAGE, another_role, membership_role),
    Row("stakeholders:membership_revoke", of("membership"), MANAGE, method="post", state=membership_exists),
    Row("stakeholders:invitation_create", in_chain(), MANAGE),
    posting("stakeholders:invitation_create", in_chain(), MANAGE, a_new_invitation, invitation_count),
    Row("stakeholders:invitation_revoke", of("invitation"), MANAGE, method="post", state=invitation_status),
    # The invitee's page is public: the token is the credential (INVITEE).
    Row("stakeholders:invitation_accept", invitation_tokens(), INVITEE),
    posting("stakeholders:invitation_accept", invitation_tokens(), INVITEE, an_account, invitation_a_status),
    # Mandates
    Row("stakeholders:mandate_list", in_chain(), READ),
    # Creating a mandate: the form offers a lead only their own partner, so the lead may open it.
    Row("stakeholders:mandate_create", in_chain(), MANAGE, override={(LEAD_A, CHAIN): OK}),
    posting(
        "stakeholders:mandate_create", in_chain(), MANAGE, a_new_mandate, mandate_count, override={(LEAD_A, CHAIN): OK}
    ),
    Row("stakeholders:mandate_edit", of("mandate"), PARTNER_WRITE),
    posting("stakeholders:mandate_edit", of("mandate"), PARTNER_WRITE, new_mandate_note, mandate_note),
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
    # Without JavaScript the grid is one form; its fields are the cells' (as the cell endpoint's).
    Row("ambitions:entry_grid", in_period(0, cell_data), ENTER, method="post", state=cell_saved),
    Row("ambitions:entry_cell", in_period(0, cell_data), ENTER, method="post", state=cell_saved),
    # With a reason: the matrix's periods have figures missing (services/submissions.py).
    Row("ambitions:period_submit", in_period(0, missing_reason), ENTER, method="post", state=submission_status(0)),
    Row("ambitions:period_approve", in_period(1, missing_reason), MANDATED, method="post", state=submission_status(1)),
    # Each approved period (two back) has a figure delivered late, waiting for approval.
    Row("ambitions:period_approve_late", in_period(2), MANDATED, method="post", state=late_waiting),
    Row("ambitions:period_reopen", in_period(2), MANAGE),
    posting("ambitions:period_reopen", in_period(2), MANAGE, a_reopen_reason, submission_status(2)),
    Row("ambitions:figure_history", of("figure"), READ),
    # Figures from a file: the template, upload, preview and steps (tests/matrix/imports.py).
    *imports.ROWS,
    # Ambitions and indicators (views/setup.py), indicator versions by consensus (views/versions.py)
    # Progress reports (ambitions/views/reports.py): members read them, programme managers take the steps.
    Row("ambitions:report_list", in_chain(), READ),
    Row("ambitions:report_detail", of("report"), READ),
    Row("ambitions:report_pdf", of("report"), READ),
    Row("ambitions:report_draft", custom((CHAIN, OTHER), report_draft_data), MANAGE, method="post", state=report_count),
    Row("ambitions:report_regenerate", of("report"), MANAGE, method="post", state=report_count),
    Row("ambitions:report_commentary", of("report"), MANAGE),
    posting("ambitions:report_commentary", of("report"), MANAGE, commentary_on_the_ambition, report_commentary),
    Row("ambitions:report_publish", of("report"), MANAGE, method="post", state=report_status),
    Row("ambitions:ambition_list", in_chain(), READ),
    Row("ambitions:ambition_create", in_chain(), MANAGE),
    Row("ambitions:ambition_create", in_chain(), MANAGE, method="post", form=a_new_ambition, state=ambition_count),
    Row("ambitions:ambition_edit", of("ambition"), MANAGE),
    posting("ambitions:ambition_edit", of("ambition"), MANAGE, new_societal_interest, ambition_interest),
    Row("ambitions:indicator_create", of("ambition"), MANAGE),
    posting("ambitions:indicator_create", of("ambition"), MANAGE, a_new_indicator, indicator_count),
    Row("ambitions:version_detail", version_of("draft"), READ),
    Row("ambitions:version_edit", version_of("draft"), MANAGE),
    posting("ambitions:version_edit", version_of("draft"), MANAGE, new_rationale, draft_rationale),
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
    # The answer to a new connection shows its token, once (200).
    posting(
        "stakeholders:api_connection_create",
        in_chain(),
        MANAGE,
        a_new_connection,
        connection_count,
        override={(LEAD_A, CHAIN): OK},
        ok_status=200,
    ),
    Row(
        "stakeholders:api_connection_revoke",
        of("api_connection"),
        PARTNER_WRITE,
        method="post",
        state=api_connection_token,
    ),
    # A connection's tokens: history, rotation, revoking one (tests/matrix/api_tokens.py).
    *api_tokens.ROWS,
    # Ambitions API (ambitions/api/urls.py). Writing figures: one (POST on the list) or in bulk, as JSON, for
    # each target's cell; the rules of a write beyond who may are in tests/api/test_ambitions_api.py and
    # tests/api/test_bulk.py (also that the bulk endpoint takes JSON only).
    Row("ambitions-api:indicator-list", plain(), API),
    Row("ambitions-api:indicator-detail", api_of("indicator"), API),
    Row("ambitions-api:indicator-version-list", plain(), API),
    Row("ambitions-api:indicator-version-detail", api_of("indicator_version"), API),
    Row("ambitions-api:figure-list", plain(), API),
    Row(
        "ambitions-api:figure-list",
        custom((PARTNER_A, PARTNER_B, OTHER), one_figure),
        API_WRITE,
        method="post",
        json=True,
        state=cell_saved,
        ok_status=201,
    ),
    Row("ambitions-api:figure-detail", api_of("figure"), API),
    Row(
        "ambitions-api:figure-bulk",
        custom((PARTNER_A, PARTNER_B, OTHER), figures_in_bulk),
        API_BULK,
        method="post",
        json=True,
        state=cell_saved,
        ok_status=200,
    ),
    Row("ambitions-api:chain-aggregate-list", plain(), API),
    Row("ambitions-api:chain-aggregate-detail", api_of("chain_aggregate"), API),
    Row("ambitions-api:organisation-aggregate-list", plain(), API),
    Row("ambitions-api:organisation-aggregate-detail", api_of("organisation_aggregate"), API),
    # The schema and its docs describe endpoints, not data: public.
    Row("api_schema", plain(), PUBLIC),
    Row("api_docs", plain(), PUBLIC),
    # Any other address under /api/: the API's 404 in JSON, for everyone (ketenportaal/api.py).
    Row("api_not_found", Url((NONE,), lambda o, t: {"path": "nothing-here/"}), table(404)),
    # Governance: bodies, meetings, agenda and minutes, calendars, decisions, actions and their API.
    *governance.ROWS,
    # Keeping every partner on board: register, capacity, contributions, benefits, course checks, participation.
    *partner_health.ROWS,
    # A recognisable chain: stories, newsletters, relationship events, the public page, the chain map.
    *recognition.ROWS,
    # Closing the loop: consent deadlines, stand-ins, proposals on the agenda, early warning, delivery.
    *closing_loop.ROWS,
]
ROWS_BY_KEY = {(row.name, row.method): row for row in ROWS}
assert len(ROWS_BY_KEY) == len(ROWS), "two rows for one URL name and method"

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
    rows = {row.name for row in ROWS}
    missing = sorted(names - rows)
    stale = sorted(rows - names)
    assert not missing, f"no row in tests/test_authorisation_matrix.py for: {', '.join(missing)}"
    assert not stale, f"rows for URL names that do not exist (any more): {', '.join(stale)}"


# --- The matrix ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    """Uploaded files (chain logos) go to a temporary folder for the whole module."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(scope="module")
def objects(shared_world: World, django_db_blocker, media_root) -> Objects:
    """The objects the rows point at, one per target; inside shared_world's transaction."""
    with django_db_blocker.unblock():
        return build_objects(shared_world)


def label(row: Row) -> str:
    """The row's name in test ids; a form page's POST row is ``<name>-post``."""
    return f"{row.name}-post" if row.method == "post" and (row.name, "get") in ROWS_BY_KEY else row.name


CASES = [
    pytest.param(row, target, persona, id=f"{label(row)}-{target}-{persona}")
    for row in ROWS
    for target in row.url.targets
    for persona in CALLERS
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
    url, data = url_and_data(row, objects, target)
    if row.form is not None:
        data = form_data(row, ROWS_BY_KEY[(row.name, "get")], target, persona, objects, client_for, handler)
    client = client_as(persona, objects, client_for, handler)
    before = row.state(objects, target) if row.state else None

    if row.json:
        response = client.post(url, data, content_type="application/json")
    else:
        response = getattr(client, row.method)(url, data)

    expected = row.expected(persona, target)
    where = f"{row.method.upper()} {url} as {persona}"
    if expected == LOGIN:
        assert response.status_code == 302, f"{where}: {response.status_code}, expected a redirect to sign in"
        assert response["Location"].startswith(reverse("login")), f"{where}: redirects to {response['Location']}"
    else:
        status = (row.ok_status or (200 if row.method == "get" else 302)) if expected == OK else expected
        assert response.status_code == status, (
            f"{where}: {response.status_code}, expected {status}{why_refused(response)}"
        )
    if row.state:
        after = row.state(objects, target)
        if expected == OK:
            assert after != before, f"{where} was allowed but changed nothing"
        else:
            assert after == before, f"{where} was refused but changed {before!r} into {after!r}"


# Forms that are no question of the chain's policy, tested on their own: signing in and a password
# reset, which anyone may ask for any address (tests/stakeholders/test_auth.py), and a person's
# own second factor (tests/stakeholders/test_two_factor.py).
FORMS_OUTSIDE_MATRIX = {"login", "otp_setup", "otp_verify", "password_reset"}


def test_it_has_a_post_row_for_every_form(objects: Objects, client_for, handler, db):
    """Every page whose form posts to the page itself has a POST row (or is named above): the
    GET row alone would never notice a POST that skips the permission check."""
    without: list[str] = []
    for page in (row for row in ROWS if row.method == "get" and row.name not in FORMS_OUTSIDE_MATRIX):
        if (page.name, "post") in ROWS_BY_KEY:
            continue
        for target in page.url.targets:
            reader = next((p for p in READERS if page.expected(p, target) == OK), None)
            if reader is None:
                continue
            url, _ = url_and_data(page, objects, target)
            response = client_as(reader, objects, client_for, handler).get(url)
            if not response.streaming and "html" in response.get("Content-Type", ""):
                form = PageForm(urlsplit(url).path)
                form.feed(response.text)
                if form.found:
                    without.append(page.name)
            break
    assert not without, f"forms without a POST row in the matrix: {', '.join(without)}"


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
