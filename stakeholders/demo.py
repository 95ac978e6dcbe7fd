"""Demo data: the ZSM criminal-justice chain and a youth-care network that shares organisations.

Idempotent: running it again updates what is there and never duplicates. Only aggregate,
organisational data — no personal data about citizens or cases.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from .models import (
    Chain,
    ChainKind,
    Invitation,
    Mandate,
    MandateScope,
    Membership,
    Organisation,
    Partnership,
    PartnershipRole,
    PartnershipStatus,
    Person,
    Role,
    Unit,
)
from .models.people import InvitationStatus

DEMO_PASSWORD = "ketenportaal-demo"

REGIONS = [
    "Amsterdam",
    "Den Haag",
    "Limburg",
    "Midden-Nederland",
    "Noord-Holland",
    "Noord-Nederland",
    "Oost-Brabant",
    "Oost-Nederland",
    "Rotterdam",
    "Zeeland-West-Brabant",
]

# name, short name, unit prefix, status in ZSM, role in ZSM
ZSM_PARTNERS = [
    ("Politie", "Politie", "Eenheid", PartnershipStatus.CORE, PartnershipRole.EXECUTOR),
    ("Openbaar Ministerie", "OM", "Parket", PartnershipStatus.CORE, PartnershipRole.DIRECTOR),
    ("Reclassering Nederland", "RN", "Regio", PartnershipStatus.CORE, PartnershipRole.EXECUTOR),
    ("Slachtofferhulp Nederland", "SHN", "Regio", PartnershipStatus.CORE, PartnershipRole.FACILITATOR),
    ("Raad voor de Kinderbescherming", "RvdK", "Regio", PartnershipStatus.CORE, PartnershipRole.EXECUTOR),
    ("Rechtspraak", "Rechtspraak", "Rechtbank", PartnershipStatus.PARTNER_OF_CHAIN, PartnershipRole.ENFORCER),
    ("Ministerie van Justitie en Veiligheid", "JenV", "Directie", PartnershipStatus.OBSERVER, PartnershipRole.FUNDER),
]

JEUGD_PARTNERS = [
    ("Gemeente Utrecht", "Utrecht", PartnershipStatus.CORE, PartnershipRole.DIRECTOR),
    ("Samen Veilig Midden-Nederland", "SVMN", PartnershipStatus.CORE, PartnershipRole.EXECUTOR),
    ("Raad voor de Kinderbescherming", "RvdK", PartnershipStatus.CORE, PartnershipRole.EXECUTOR),
    ("Politie", "Politie", PartnershipStatus.PARTNER_OF_CHAIN, PartnershipRole.ENFORCER),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    organisation: str
    roles: str


def _organisation(name: str, short_name: str) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(name=name, defaults={"short_name": short_name})
    return organisation


def _unit(organisation: Organisation, name: str, parent: Unit | None = None, code: str = "") -> Unit:
    unit, _ = Unit.objects.update_or_create(
        organisation=organisation, parent=parent, name=name, defaults={"code": code}
    )
    return unit


def _person(email: str, name: str, organisation: Organisation | None, **extra) -> Person:
    person = Person.objects.filter(email=email).first()
    if person is None:
        person = Person.objects.create_user(email, DEMO_PASSWORD, full_name=name, organisation=organisation, **extra)
    else:
        person.full_name, person.organisation = name, organisation
        for key, value in extra.items():
            setattr(person, key, value)
        person.set_password(DEMO_PASSWORD)
        person.save()
    return person


def _member(person: Person, chain: Chain, role: str) -> None:
    Membership.objects.update_or_create(person=person, chain=chain, defaults={"role": role})


def _mandate(person: Person, partnership: Partnership, scope: str, valid_until: date | None = None) -> None:
    Mandate.objects.update_or_create(
        person=person,
        partnership=partnership,
        scope=scope,
        defaults={"valid_from": date(2025, 1, 1), "valid_until": valid_until},
    )


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    """Create or update the demo chains, partners, people, mandates and an invitation (safe to run
    again: everything is updated or created by its natural key); returns the demo logins."""
    zsm, jeugd = _chains()
    organisations, zsm_partners, jeugd_partners = _partners(zsm, jeugd)
    persons, logins = _people(zsm, jeugd, organisations)
    _mandates(persons, zsm_partners, jeugd_partners)
    _invitation(zsm, organisations, persons)
    return logins


def _chains() -> tuple[Chain, Chain]:
    zsm, _ = Chain.objects.update_or_create(
        slug="zsm",
        defaults={
            "name": "ZSM — Zorgvuldig, Snel en op Maat",
            "kind": ChainKind.RELAY,
            "tagline": "Veelvoorkomende criminaliteit snel en zorgvuldig afgedaan",
            "societal_question": (
                "Hoe zorgen we dat verdachten van veelvoorkomende criminaliteit snel een passende, zorgvuldige "
                "reactie krijgen, met oog voor slachtoffer en omgeving?"
            ),
            "mission": (
                "Samen handelen we zaken van veelvoorkomende criminaliteit zorgvuldig, snel en op maat af: "
                "80% van alle zaken binnen 24 uur."
            ),
            "shared_values": "Zorgvuldig\nSnel\nOp maat\nSamen verantwoordelijk",
            "colour": "#154273",
        },
    )
    jeugd, _ = Chain.objects.update_or_create(
        slug="jeugdzorg-utrecht",
        defaults={
            "name": "Jeugdbeschermingsnetwerk Regio Utrecht",
            "kind": ChainKind.NETWORK,
            "tagline": "Eén gezin, één plan, één regisseur",
            "societal_question": (
                "Hoe zorgen we dat kinderen in onveilige situaties binnen twee weken passende hulp krijgen?"
            ),
            "mission": "Met één gezamenlijk plan per gezin brengen we kinderen sneller in veiligheid.",
            "shared_values": "Het kind centraal\nTransparant\nSamen lerend",
            "colour": "#8a1f5c",
        },
    )
    return zsm, jeugd


def _partners(
    zsm: Chain, jeugd: Chain
) -> tuple[dict[str, Organisation], dict[str, Partnership], dict[str, Partnership]]:
    """The organisations (by short name), their partnerships in both chains and their units."""
    organisations: dict[str, Organisation] = {}
    zsm_partners: dict[str, Partnership] = {}
    for name, short, prefix, status, role in ZSM_PARTNERS:
        organisation = organisations[short] = _organisation(name, short)
        zsm_partners[short] = Partnership.objects.update_or_create(
            chain=zsm,
            organisation=organisation,
            defaults={"status": status, "role": role, "joined_on": date(2011, 1, 1)},
        )[0]
        for region in REGIONS if prefix != "Directie" else ["Rechtshandhaving en Criminaliteitsbestrijding"]:
            _unit(organisation, f"{prefix} {region}", code=f"{short}-{region[:3].upper()}")
    amsterdam = Unit.objects.get(organisation=organisations["Politie"], parent=None, name="Eenheid Amsterdam")
    for district in ["District Centrum", "District Noord", "District Zuid-Oost"]:
        _unit(organisations["Politie"], district, parent=amsterdam)

    jeugd_partners: dict[str, Partnership] = {}
    for name, short, status, role in JEUGD_PARTNERS:
        organisation = organisations.get(short) or _organisation(name, short)
        organisations[short] = organisation
        jeugd_partners[short] = Partnership.objects.update_or_create(
            chain=jeugd,
            organisation=organisation,
            defaults={"status": status, "role": role, "joined_on": date(2019, 3, 1)},
        )[0]
    _unit(organisations["Utrecht"], "Buurtteams Jeugd en Gezin")
    _unit(organisations["SVMN"], "Team Utrecht Stad")
    return organisations, zsm_partners, jeugd_partners


def _people(
    zsm: Chain, jeugd: Chain, organisations: dict[str, Organisation]
) -> tuple[dict[str, Person], list[DemoLogin]]:
    people = [
        ("ketenregisseur@zsm.demo", "Karin de Regisseur", "JenV", [(zsm, Role.PROGRAMME_MANAGER)]),
        ("lead.om@zsm.demo", "Omar Bakker", "OM", [(zsm, Role.PARTNER_LEAD)]),
        ("lead.politie@zsm.demo", "Petra Visser", "Politie", [(zsm, Role.PARTNER_LEAD), (jeugd, Role.PARTNER_LEAD)]),
        # The other core partners' leads: every adopted indicator carries their consent (ambitions/demo.py).
        ("lead.reclassering@zsm.demo", "Rik Vermeulen", "RN", [(zsm, Role.PARTNER_LEAD)]),
        ("lead.slachtofferhulp@zsm.demo", "Sara Koster", "SHN", [(zsm, Role.PARTNER_LEAD)]),
        ("lead.rvdk@zsm.demo", "Yusuf Demir", "RvdK", [(zsm, Role.PARTNER_LEAD), (jeugd, Role.PARTNER_LEAD)]),
        ("rapporteur.om@zsm.demo", "Ruben Jansen", "OM", [(zsm, Role.CONTRIBUTOR)]),
        ("rapporteur.politie@zsm.demo", "Sanne de Vries", "Politie", [(zsm, Role.CONTRIBUTOR)]),
        ("stuurgroep@zsm.demo", "Hans Smit", "RN", [(zsm, Role.STEERING_MEMBER)]),
        ("meelezer@zsm.demo", "Mila Mulder", "Rechtspraak", [(zsm, Role.VIEWER)]),
        ("regisseur@jeugd.demo", "Jan Hendriks", "Utrecht", [(jeugd, Role.PROGRAMME_MANAGER)]),
        ("lead.svmn@jeugd.demo", "Fatima El Amrani", "SVMN", [(jeugd, Role.PARTNER_LEAD)]),
    ]
    logins = []
    persons: dict[str, Person] = {}
    for email, name, org_short, roles in people:
        person = persons[email] = _person(email, name, organisations[org_short])
        for chain, role in roles:
            _member(person, chain, role)
        logins.append(
            DemoLogin(email, name, organisations[org_short].name, ", ".join(f"{r.label} ({c.slug})" for c, r in roles))
        )
    admin = _person("beheer@ketenportaal.demo", "Beheerder Platform", None, is_staff=True, is_superuser=True)
    logins.append(DemoLogin(admin.email, admin.full_name, "—", "Platform administrator"))
    return persons, logins


def _mandates(
    persons: dict[str, Person], zsm_partners: dict[str, Partnership], jeugd_partners: dict[str, Partnership]
) -> None:
    today = timezone.localdate()
    # Every core partner has someone who can act for it in each scope it needs (consent, approve
    # figures, vote, sign: MandateScope.needed); without one its part of the chain's work stalls.
    for email, partnership in (
        ("lead.om@zsm.demo", zsm_partners["OM"]),
        ("lead.politie@zsm.demo", zsm_partners["Politie"]),
        ("lead.reclassering@zsm.demo", zsm_partners["RN"]),
        ("lead.slachtofferhulp@zsm.demo", zsm_partners["SHN"]),
        ("lead.rvdk@zsm.demo", zsm_partners["RvdK"]),
        ("regisseur@jeugd.demo", jeugd_partners["Utrecht"]),
        ("lead.svmn@jeugd.demo", jeugd_partners["SVMN"]),
        ("lead.rvdk@zsm.demo", jeugd_partners["RvdK"]),
    ):
        for scope in MandateScope.needed():
            _mandate(persons[email], partnership, scope)
    # One mandate that ends soon, so My work has something to show.
    _mandate(
        persons["lead.politie@zsm.demo"], zsm_partners["Politie"], MandateScope.VOTE_IN_BODY, today + timedelta(days=20)
    )


def _invitation(zsm: Chain, organisations: dict[str, Organisation], persons: dict[str, Person]) -> None:
    if not Invitation.objects.filter(
        chain=zsm, email="nieuwe.collega@zsm.demo", status=InvitationStatus.PENDING
    ).exists():
        Invitation.issue(
            chain=zsm,
            email="nieuwe.collega@zsm.demo",
            full_name="Nieuwe Collega",
            role=Role.CONTRIBUTOR,
            organisation=organisations["RN"],
            by=persons["ketenregisseur@zsm.demo"],
        )
