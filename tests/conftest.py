"""The test world every test can use.

Two chains: ``zsm`` with partners A (Politie) and B (Openbaar Ministerie), and
``jeugd`` with partner C. Personas, one per row of the authorisation matrix:

- ``outsider``: viewer in the other chain only
- ``viewer``, ``contributor_a``, ``lead_a``, ``lead_b``: members of zsm
- ``manager``: programme manager of zsm
- ``admin``: platform administrator
"""

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from stakeholders import permissions
from stakeholders.models import Chain, Organisation, Partnership, PartnershipStatus, Person, Role, Unit

from .factories import (
    ChainFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)

PASSWORD = "correct horse battery staple"


def pytest_configure(config: pytest.Config) -> None:
    # PBKDF2 costs about a second per password on this machine; tests need none of its strength.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database.get("TEST", {}).get("NAME"):
        # On SQLite the test database is a file, as the embedded default runs (WAL, a busy timeout,
        # IMMEDIATE transactions: ketenportaal/settings.py). Django's in-memory default is one
        # connection the live server's threads share, which answers a browser's parallel cell
        # saves with "database table is locked". One file per run (pid), deleted after it.
        import tempfile
        from pathlib import Path

        name = Path(tempfile.gettempdir()) / f"ketenportaal-test-{os.getpid()}.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


@dataclass
class World:
    chain: Chain
    other_chain: Chain
    org_a: Organisation
    org_b: Organisation
    org_c: Organisation
    partner_a: Partnership
    partner_b: Partnership
    partner_c: Partnership
    unit_a: Unit
    unit_b: Unit
    unit_c: Unit
    outsider: Person
    viewer: Person
    contributor_a: Person
    lead_a: Person
    lead_b: Person
    manager: Person
    admin: Person


def build_world() -> World:
    """The world's rows; the ``world`` fixture wraps this, and module-scoped fixtures
    (tests/test_authorisation_matrix.py) call it once to share one world between many tests."""
    chain = ChainFactory(name="ZSM", slug="zsm")
    other_chain = ChainFactory(name="Jeugdzorg Regio Noord", slug="jeugd")
    org_a = OrganisationFactory(name="Politie")
    org_b = OrganisationFactory(name="Openbaar Ministerie", short_name="OM")
    org_c = OrganisationFactory(name="Gemeente Groningen")
    partner_a = PartnershipFactory(chain=chain, organisation=org_a)
    partner_b = PartnershipFactory(chain=chain, organisation=org_b)
    partner_c = PartnershipFactory(chain=other_chain, organisation=org_c)

    def member(name: str, role: str, chain: Chain, organisation=None) -> Person:
        person = PersonFactory(email=f"{name}@example.nl", full_name=name.title(), organisation=organisation)
        MembershipFactory(person=person, chain=chain, role=role)
        return person

    return World(
        chain=chain,
        other_chain=other_chain,
        org_a=org_a,
        org_b=org_b,
        org_c=org_c,
        partner_a=partner_a,
        partner_b=partner_b,
        partner_c=partner_c,
        unit_a=UnitFactory(organisation=org_a, name="Eenheid Amsterdam"),
        unit_b=UnitFactory(organisation=org_b, name="Parket Amsterdam"),
        unit_c=UnitFactory(organisation=org_c, name="Wijkteam Centrum"),
        outsider=member("outsider", Role.VIEWER, other_chain, org_c),
        viewer=member("viewer", Role.VIEWER, chain),
        contributor_a=member("contributor", Role.CONTRIBUTOR, chain, org_a),
        lead_a=member("lead-a", Role.PARTNER_LEAD, chain, org_a),
        lead_b=member("lead-b", Role.PARTNER_LEAD, chain, org_b),
        manager=member("manager", Role.PROGRAMME_MANAGER, chain),
        admin=PersonFactory(email="admin@example.nl", full_name="Admin", is_staff=True, is_superuser=True),
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def measures(world):
    """Ambitions and adopted indicators on top of ``world`` (see tests/measures.py)."""
    from tests.measures import build_measures

    return build_measures(world)


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """One world for a whole test module, for tests that only read or roll back.

    Like TestCase.setUpTestData: the rows live in an outer transaction that is rolled back
    after the module; each test (which must also request ``db``) runs in a savepoint inside
    it, so whatever a test changes is undone before the next one. Not for tests that need
    ``transactional_db`` or ``live_server`` (they cannot run inside the outer transaction).
    """
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            shared = build_world()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield shared
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def sign_in(client: Client, person: Person) -> Client:
    """Log the person in, completing the second factor when their role requires it."""
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    if permissions.requires_two_factor(person):
        device, _ = TOTPDevice.objects.get_or_create(user=person, name="test", defaults={"confirmed": True})
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the portal's default language (Dutch). The test client's requests
    activate a language in the test's own thread and leave it active, so without this a test's
    messages would be in whatever language the previous test's last request used."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def client_for(db):
    """``client_for(person)`` → a Django test client signed in as that person."""

    def make(person: Person | None) -> Client:
        client = Client()
        return sign_in(client, person) if person is not None else client

    return make


def enqueued(callbacks: list) -> list:
    """A transaction's on-commit callbacks but the cache's revision renewals
    (ketenportaal/revisions.py): the tasks and mails a step sends once it commits."""
    return [callback for callback in callbacks if not getattr(callback, "revision_renewal", False)]


def without_session_reads(queries: list[dict]) -> list[dict]:
    """The queries minus the reads of the session. Whether a request reads its session from the
    database (the embedded default, without Redis: one query per request) or from the cache
    (``cached_db`` with Redis: none once loaded) is configuration, not the cost of the page, so
    query budgets leave those reads out. Writes to the session still count."""
    return [q for q in queries if not q["sql"].startswith('SELECT "django_session".')]


def recount_unread() -> None:
    """Every person's unread count is counted again on their next page (renews their tokens, as a
    new notification does): for tests that compare two pages' queries, the header's count kept
    for one and not for the other is not a difference of the page."""
    from stakeholders.models import Person
    from stakeholders.models.notifications import UNREAD_TOKENS

    UNREAD_TOKENS.bump(Person.objects.values_list("pk", flat=True))


@pytest.fixture
def max_page_queries(db) -> Callable[[int], AbstractContextManager[CaptureQueriesContext]]:
    """``with max_page_queries(n):`` fails when the block runs more than n queries besides the
    session's reads (see without_session_reads): the same budget on every configuration."""

    @contextmanager
    def check(limit: int) -> Iterator[CaptureQueriesContext]:
        with CaptureQueriesContext(connection) as captured:
            yield captured
        counted = without_session_reads(captured.captured_queries)
        if len(counted) > limit:
            listing = "\n".join(f"{n}. {q['sql']}" for n, q in enumerate(counted, 1))
            pytest.fail(f"Expected at most {limit} queries besides the session's reads, {len(counted)} ran:\n{listing}")

    return check


def in_english(client: Client) -> Client:
    """The client reads the English interface (the language switch's cookie), so that assertions
    on UI text use the msgids whatever the Dutch catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def english_client_for(client_for):
    """``client_for`` in English (see in_english). A test module that checks English text
    throughout names it its ``client_for``."""
    return lambda person: in_english(client_for(person))


__all__ = [
    "PASSWORD",
    "World",
    "build_world",
    "in_english",
    "sign_in",
    "enqueued",
    "without_session_reads",
    "PartnershipStatus",
]
