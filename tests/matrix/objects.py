"""What the matrix's rows point at: the objects per target and the URL builders
(tests/test_authorisation_matrix.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from PIL import Image

from ambitions.models import (
    ChainAggregate,
    Figure,
    Indicator,
    OrganisationAggregate,
    PeriodSubmission,
    SubmissionStatus,
    VersionStatus,
)
from ambitions.periods import Period
from ambitions.services import aggregates, reports
from stakeholders.models import (
    Invitation,
    Mandate,
    MandateScope,
    Membership,
    Notification,
    Person,
    Role,
)
from stakeholders.views.api_tokens import create_connection
from tests.conftest import World
from tests.factories import (
    MandateFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)
from tests.matrix.policy import CHAIN, FORGED, NONE, OTHER, PARTNER_A, PARTNER_B, PERSONAS, SHARED
from tests.measures import adopted_version, build_measures

# --- Objects and URLs -----------------------------------------------------------------------


@dataclass
class Objects:
    """The world plus one object of every kind per target, and the slug per target."""

    world: World
    by_kind: dict[str, dict[str, object]] = field(default_factory=dict)
    invitation_token: str = ""
    api_key: str = ""  # the token of partner A's API connection (the API_A caller)
    lead_c: Person | None = None  # partner C's lead in the other chain (not a persona)
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


def invitation_tokens() -> Url:
    """An invitation's token: a valid one (invitation A's) and one nobody was sent."""
    return Url(
        ("valid_token", "unknown_token"),
        lambda o, t: {"token": o.invitation_token if t == "valid_token" else "no-such-token"},
    )


def version_of(kind: str, data: dict | None = None) -> Url:
    """An indicator version's URL (``pk`` is its indicator, ``number`` its number), with POST data."""

    def kwargs(o: Objects, target: str) -> dict:
        version = o.get(kind, target)
        found = {"slug": o.slug(target), "pk": version.indicator_id, "number": version.number}
        return {**found, "_data": data} if data is not None else found

    return Url((PARTNER_A, PARTNER_B, OTHER, FORGED), kwargs)


def _png() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "#154273").save(buffer, format="PNG")
    return ContentFile(buffer.getvalue())


def build_objects(w: World) -> Objects:
    """The objects the rows point at, one per target (the caller lets it use the database: the
    matrix's fixture, inside shared_world's transaction)."""
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
    MembershipFactory(person=holder_c, chain=w.other_chain, role=Role.PARTNER_LEAD)
    found.lead_c = holder_c
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
        target: OrganisationAggregate.objects.get(indicator=f.indicator, period=f.period, organisation=f.organisation)
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
    # The API_A caller: partner A's connection, made the way the page makes one.
    found.api_key = create_connection(w.chain, w.org_a, "Matrix")[1]
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
    # Governance's objects build on these (tests/matrix/governance/, whose rows use this module).
    from tests.matrix import governance

    governance.add_objects(w, found)
    # The import of figures from a file (tests/matrix/imports.py).
    from tests.matrix import imports

    imports.add_objects(w, found)
    # Keeping every partner on board (tests/matrix/partner_health/).
    from tests.matrix import partner_health

    partner_health.add_objects(w, found)
    # A recognisable chain (tests/matrix/recognition/).
    from tests.matrix import recognition

    recognition.add_objects(w, found)
    # Closing the loop (tests/matrix/closing_loop/).
    from tests.matrix import closing_loop

    closing_loop.add_objects(w, found)
    return found
