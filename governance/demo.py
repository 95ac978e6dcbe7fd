"""Demo governance for the ZSM chain: its bodies on three levels, a year of meetings, decisions by
consent (one with recorded dissent, one in a written round) and actions (some overdue).

Loaded by ``manage.py load_demo`` after the stakeholders' and ambitions' demos (settings.DEMO_LOADERS).
Safe to run again: bodies, seats, decisions and actions are matched by their natural keys, and a
meeting that is already there keeps its agenda, attendance and minutes (approved minutes are locked,
so they are never rewritten). Meetings, agenda items and attendance are written in bulk — trusted
demo data, as the ambitions demo writes its figures — and decisions, positions and actions through
the models, so their history (Geschiedenis) starts here.

The dates follow today: the past twelve meetings of every body were held, the next one is
announced and the one after that is a draft. Only organisational data — no citizens or cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil import rrule
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Least
from django.utils import timezone

from ambitions.models import Indicator
from stakeholders.demo import DEMO_PASSWORD, REGIONS
from stakeholders.models import (
    Chain,
    Mandate,
    MandateScope,
    Membership,
    Partnership,
    PartnershipStatus,
    Person,
    Role,
)

from .demo_actions import demo_actions, secretary_or_chair
from .demo_agreements import load_agreements
from .demo_bottlenecks import load_bottlenecks
from .demo_decisions import regional_decisions, stuurgroep_decisions
from .demo_names import CORE, LOCATIEOVERLEG, PAST_MEETINGS, SLUG, STUURGROEP
from .models import (
    AgendaItem,
    AgendaItemStatus,
    Attendance,
    AttendanceStatus,
    Body,
    BodyLevel,
    BodyMember,
    DecisionRule,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MemberPosition,
    SeriesFrequency,
)
from .services import meetings as meetings_service
from .services import series as series_rules

# Names for the regional and location representatives (first and last names combined by index;
# 25 × 23 names give 575 different combinations).
FIRST_NAMES = [
    "Anouk", "Bas", "Carlijn", "Daan", "Eva", "Floor", "Gijs", "Hanna", "Ivo", "Jasmijn", "Kees", "Lieke",
    "Maarten", "Noor", "Olaf", "Priya", "Quinten", "Roos", "Stijn", "Tess", "Umar", "Vera", "Wouter",
    "Yara", "Zoë",
]  # fmt: skip
LAST_NAMES = [
    "Bos", "Dekker", "van Dijk", "Hoekstra", "Jacobs", "de Jong", "Kok", "Lammers", "Meijer", "Nijholt",
    "Oosterhuis", "Postma", "de Ruiter", "Schouten", "Timmermans", "Veenstra", "Wijnands", "van der Zee",
    "Brouwer", "Claassen", "El Idrissi", "Kaya", "Öztürk",
]  # fmt: skip

# The steering group's alternates (the leads are its members; stakeholders/demo.py).
STUURGROEP_ALTERNATES = {
    "OM": ("plv.om@zsm.demo", "Ingrid Peters"),
    "Politie": ("plv.politie@zsm.demo", "Dennis de Boer"),
    "RN": ("stuurgroep@zsm.demo", "Hans Smit"),
    "SHN": ("plv.slachtofferhulp@zsm.demo", "Lotte Willems"),
    "RvdK": ("plv.rvdk@zsm.demo", "Mehmet Yilmaz"),
}
LEADS = {
    "OM": "lead.om@zsm.demo",
    "Politie": "lead.politie@zsm.demo",
    "RN": "lead.reclassering@zsm.demo",
    "SHN": "lead.slachtofferhulp@zsm.demo",
    "RvdK": "lead.rvdk@zsm.demo",
}

TOPICS = [
    ("Instroom en doorlooptijden ZSM", "De instroom lag iets boven de verwachting; de doorlooptijd bleef stabiel."),
    ("Informatievoorziening aan slachtoffers", "Slachtofferhulp licht toe waar berichten nog te laat komen."),
    ("Capaciteit reclasseringsadvies", "Reclassering meldt dat vacatures de adviescapaciteit onder druk zetten."),
    ("Gegevensdeling in de keten (convenant)", "Het concept-convenant ligt bij de privacyfunctionarissen."),
    ("Escalaties uit de regio's", "Twee regio's vragen om landelijke afspraken over piketdiensten."),
    ("Evaluatie snelrecht", "De evaluatie laat zien dat snelrecht vooral in de grote regio's wordt ingezet."),
    ("Jaarplan van het ketenoverleg", "De hoofdlijnen zijn besproken; de secretaris werkt ze uit."),
    ("Werkdruk op de ZSM-locaties", "Alle partners herkennen de piek op maandag; er komt een voorstel."),
]


@dataclass(frozen=True)
class Rhythm:
    """When a body meets: the n-th weekday of every month, at a time, for a length."""

    weekday: rrule.weekday
    at: time
    minutes: int
    place: str = ""
    online_link: str = ""


@dataclass
class Seat:
    person: Person
    partner: str | None  # short name of the core partner represented; None for a secretary or advisor
    position: str = MemberPosition.MEMBER
    alternate: Person | None = None


@dataclass
class DemoBody:
    name: str
    level: str
    purpose: str
    rhythm: Rhythm
    seats: list[Seat] = field(default_factory=list)
    escalates_to: str | None = None
    rule: str = DecisionRule.CONSENT


@transaction.atomic
def load_demo() -> None:
    zsm = Chain.objects.get(slug="zsm")
    partners = {
        p.organisation.short_name: p
        for p in Partnership.objects.filter(chain=zsm).select_related("organisation")
        if p.status == PartnershipStatus.CORE or p.organisation.short_name == "Rechtspraak"
    }
    people = _People(zsm, partners)
    now = timezone.now()
    bodies, held = {}, {}
    for spec in _bodies(people):
        body = bodies[spec.name] = _body(zsm, spec, bodies)
        _seats(body, spec, partners)
        held[body] = _meetings(body, spec, now)
    indicators = {i.name: i for i in Indicator.objects.filter(ambition__chain=zsm)}
    stuurgroep_decisions(bodies[STUURGROEP], partners, people, now, indicators)
    regional_decisions(bodies, partners)
    demo_actions(bodies, people, now)
    load_agreements(zsm)
    load_bottlenecks(zsm, bodies, now)
    # The chairs approve the minutes once the decisions and actions are in them (then they lock);
    # the steering group's last minutes are still waiting for the chair (My work).
    for body, meetings in held.items():
        _approve(body, meetings[:-1] if body.name == STUURGROEP else meetings, now)


# ---------------------------------------------------------------------------------------------
# People


class _People:
    """The demo's people by e-mail: those of stakeholders/demo.py and the representatives made here,
    each with the role that can use a mandate to vote in a body and that mandate."""

    def __init__(self, zsm: Chain, partners: dict[str, Partnership]) -> None:
        self.zsm = zsm
        self.partners = partners
        self._password = None
        self.by_email = {p.email: p for p in Person.objects.filter(email__endswith="@zsm.demo")}
        # What is there already, read once, so that loading the demo again costs a few queries.
        self._members = set(Membership.objects.filter(chain=zsm).values_list("person_id", flat=True))
        self._mandates = set(
            Mandate.objects.filter(partnership__chain=zsm, scope=MandateScope.VOTE_IN_BODY).values_list(
                "person_id", "partnership_id"
            )
        )

    def get(self, email: str) -> Person:
        return self.by_email[email]

    def prepare(self, wanted: list[tuple[str, str, str]]) -> None:
        """Make the representatives (e-mail, name, partner short name) that are missing, each a
        steering group member of the chain with a mandate to vote in a body for their partner: the
        least role that can use such a mandate (MandateScope.roles_for). In bulk: one hash, four
        statements, whatever their number."""
        missing = [(email, name, partner) for email, name, partner in wanted if email not in self.by_email]
        if missing:
            password = make_password(DEMO_PASSWORD)  # hashed once: each hash costs about a second
            for person in Person.objects.bulk_create(
                [
                    Person(
                        email=email, full_name=name, organisation=self.partners[partner].organisation, password=password
                    )
                    for email, name, partner in missing
                ]
            ):
                self.by_email[person.email] = person
        people = [(self.by_email[email], self.partners[partner]) for email, _name, partner in wanted]
        Membership.objects.bulk_create(
            [
                Membership(person=person, chain=self.zsm, role=Role.STEERING_MEMBER)
                for person in {person for person, _partnership in people if person.pk not in self._members}
            ]
        )
        mandates = [
            Mandate(
                person=person, partnership=partnership, scope=MandateScope.VOTE_IN_BODY, valid_from=date(2025, 1, 1)
            )
            for person, partnership in people
            if (person.pk, partnership.pk) not in self._mandates
        ]
        for mandate in mandates:
            mandate.clean()  # the role rule: a mandate its holder's role could never use is refused
        Mandate.objects.bulk_create(mandates)


def _email(partner: str, place: str, alternate: bool) -> str:
    return f"{SLUG[partner]}.{place}{'.plv' if alternate else ''}@zsm.demo"


def _places() -> list[str]:
    """The tactical bodies' regions, then the location of the operational body."""
    return [region.lower().replace(" ", "-") for region in REGIONS] + ["locatie-amsterdam"]


def _representatives() -> list[tuple[str, str, str]]:
    """(e-mail, name, partner) of the steering group's alternates, and of each region's and the
    location's member and alternate per core partner (made-up names)."""
    wanted = [(email, name, partner) for partner, (email, name) in STUURGROEP_ALTERNATES.items()]
    for number, place in enumerate(_places()):
        for p, partner in enumerate(CORE):
            for alternate in (0, 1):
                index = (number * len(CORE) + p) * 2 + alternate
                name = f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[index % len(LAST_NAMES)]}"
                wanted.append((_email(partner, place, bool(alternate)), name, partner))
    return wanted


def _bodies(people: _People) -> list[DemoBody]:
    people.prepare(_representatives())
    alternates = {partner: people.get(email) for partner, (email, _name) in STUURGROEP_ALTERNATES.items()}
    stuurgroep = DemoBody(
        STUURGROEP,
        BodyLevel.STRATEGIC,
        "Stelt de kaders van ZSM vast: ambities, normen en de verdeling van capaciteit tussen de partners. "
        "Besluit bij consent van alle kernpartners.",
        Rhythm(rrule.TU(+2), time(14, 0), 120, place="Ministerie van Justitie en Veiligheid, Den Haag"),
        seats=[
            Seat(people.get(LEADS[partner]), partner, position, alternates[partner])
            for partner, position in zip(
                CORE,
                [MemberPosition.CHAIR, MemberPosition.VICE_CHAIR] + [MemberPosition.MEMBER] * 3,
                strict=True,
            )
        ]
        + [
            Seat(people.get("ketenregisseur@zsm.demo"), None, MemberPosition.SECRETARY),
            Seat(people.get("meelezer@zsm.demo"), None, MemberPosition.ADVISOR),
        ],
    )
    bodies = [stuurgroep]
    for region, place in zip(REGIONS, _places(), strict=False):
        seats = [
            Seat(
                people.get(_email(partner, place, False)),
                partner,
                MemberPosition.CHAIR if partner == "OM" else MemberPosition.MEMBER,
                people.get(_email(partner, place, True)),
            )
            for partner in CORE
        ]
        bodies.append(
            DemoBody(
                f"Tactisch ketenoverleg {region}",
                BodyLevel.TACTICAL,
                f"Lost knelpunten in de ZSM-samenwerking in de regio {region} op en brengt wat de regio niet "
                "zelf kan oplossen naar de Landelijke Stuurgroep.",
                Rhythm(rrule.TH(+1), time(10, 0), 90, place=f"ZSM-locatie {region}"),
                seats=seats,
                escalates_to=STUURGROEP,
            )
        )
    location_seats = [
        Seat(
            people.get(_email(partner, "locatie-amsterdam", False)),
            partner,
            MemberPosition.CHAIR if partner == "Politie" else MemberPosition.MEMBER,
            people.get(_email(partner, "locatie-amsterdam", True)),
        )
        for partner in CORE
    ]
    location_seats.append(Seat(people.get("rapporteur.om@zsm.demo"), None, MemberPosition.SECRETARY))
    bodies.append(
        DemoBody(
            LOCATIEOVERLEG,
            BodyLevel.OPERATIONAL,
            "Dagelijkse samenwerking op de ZSM-locatie: bezetting, werkvoorraad en afstemming per zaak-type. "
            "Besluit met gekwalificeerde meerderheid.",
            Rhythm(rrule.MO(+3), time(9, 0), 60, online_link="https://vergaderen.example.nl/zsm-amsterdam"),
            seats=location_seats,
            escalates_to="Tactisch ketenoverleg Amsterdam",
            rule=DecisionRule.QUALIFIED_MAJORITY,
        )
    )
    return bodies


# ---------------------------------------------------------------------------------------------
# Bodies and seats


def _body(zsm: Chain, spec: DemoBody, bodies: dict[str, Body]) -> Body:
    body = Body.objects.filter(chain=zsm, name=spec.name).first() or Body(chain=zsm, name=spec.name)
    wanted = {
        "level": spec.level,
        "purpose": spec.purpose,
        "decision_rule": spec.rule,
        "meeting_minutes": spec.rhythm.minutes,
        "escalates_to_id": bodies[spec.escalates_to].pk if spec.escalates_to else None,
    }
    return _save_if_changed(body, wanted)


def _seats(body: Body, spec: DemoBody, partners: dict[str, Partnership]) -> None:
    seats = {m.person_id: m for m in BodyMember.objects.filter(body=body)}
    for seat in spec.seats:
        partner = "Rechtspraak" if seat.position == MemberPosition.ADVISOR else seat.partner  # advises, no vote
        wanted = {
            "partnership_id": partners[partner].pk if partner else None,
            "position": seat.position,
            "alternate_id": seat.alternate.pk if seat.alternate else None,
        }
        _save_if_changed(seats.get(seat.person.pk) or BodyMember(body=body, person=seat.person), wanted)


def _save_if_changed(instance, wanted: dict):
    """Set ``wanted`` on a new or stored row and save it through the model's rules (full_clean),
    unless nothing changed: loading the demo again then writes nothing and adds no history."""
    if instance.pk and all(getattr(instance, name) == value for name, value in wanted.items()):
        return instance
    for name, value in wanted.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


# ---------------------------------------------------------------------------------------------
# Meetings: agenda, attendance and minutes


def _first_start(rhythm: Rhythm, now: datetime) -> datetime:
    """The first of the body's last PAST_MEETINGS meetings before now, in Amsterdam wall-clock time."""
    local_now = series_rules.wall_clock(now)
    rule = rrule.rrule(rrule.MONTHLY, byweekday=rhythm.weekday, dtstart=datetime.combine(date(2020, 1, 1), rhythm.at))
    return series_rules.aware(rule.between(local_now - timedelta(days=400), local_now)[-PAST_MEETINGS])


def _meetings(body: Body, spec: DemoBody, now: datetime) -> list[Meeting]:
    """The body's series, a year back and two meetings ahead, by the series rule and the host
    rotation of governance/services/ (in bulk); the past ones held, with agenda, attendance and
    minutes, the next one announced. Returns the held meetings."""
    if body.series.exists():
        return []  # planned before: its meetings keep what they have (approved minutes are locked)
    members = list(body.members.select_related("person").order_by("pk"))
    first = _first_start(spec.rhythm, now)
    found = series_rules.occurrences(SeriesFrequency.MONTHLY_WEEKDAY, 1, first, count=PAST_MEETINGS + 2)
    series = MeetingSeries.objects.create(
        body=body,
        frequency=SeriesFrequency.MONTHLY_WEEKDAY,
        first_start=first,
        duration_minutes=spec.rhythm.minutes,
        count=PAST_MEETINGS + 2,
        rrule=found.rrule_text,
        created_by=secretary_or_chair(body),
    )
    turns = meetings_service.rotation(body.chain_id)
    host = meetings_service.next_host(body, first)
    meetings = []
    for start in found.starts:
        meeting = Meeting(
            body=body,
            series=series,
            starts_at=start,
            ends_at=series_rules.aware(series_rules.wall_clock(start) + timedelta(minutes=spec.rhythm.minutes)),
            place=spec.rhythm.place,
            online_link=spec.rhythm.online_link,
            host=host,
            status=MeetingStatus.HELD if start < now else MeetingStatus.DRAFT,
        )
        if start >= now and all(m.starts_at < now for m in meetings):
            # Announced three weeks ahead; its invitations go out with the next sweep of the notices
            # (governance/services/notices.py), as for an announcement whose mail task was lost.
            meeting.status, meeting.announced_at = MeetingStatus.ANNOUNCED, min(start - timedelta(days=21), now)
        meetings.append(meeting)
        host = meetings_service.host_after(turns, host)
    Meeting.objects.bulk_create(meetings)
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    AgendaItem.objects.bulk_create(
        [item for meeting in meetings for item in _agenda(body, meeting, members, last=meeting == held[-1])]
    )
    Attendance.objects.bulk_create([row for meeting in held for row in _attendance(meeting, members)])
    return held


def _approve(body: Body, held: list[Meeting], now: datetime) -> None:
    """The chair approves the minutes of ``held`` (every item marked finished or not, as
    governance/services/minutes.approve requires), nine days after each meeting."""
    assert not AgendaItem.objects.filter(meeting__in=held, status=AgendaItemStatus.OPEN).exists()
    Meeting.objects.filter(pk__in=[m.pk for m in held]).update(
        status=MeetingStatus.MINUTES_APPROVED,
        minutes_approved_by=body.members.get(position=MemberPosition.CHAIR).person,
        minutes_approved_at=Least(F("ends_at") + timedelta(days=9), Value(now)),
    )


def _agenda(body: Body, meeting: Meeting, members: list[BodyMember], last: bool) -> list[AgendaItem]:
    held = meeting.status == MeetingStatus.HELD
    secretary = next((m.person for m in members if m.position == MemberPosition.SECRETARY), None)
    chair = next(m.person for m in members if m.position == MemberPosition.CHAIR)
    month = meeting.starts_at.year * 12 + meeting.starts_at.month
    topic, conclusion = TOPICS[month % len(TOPICS)]
    presenter = members[month % len(members)].person

    def item(order, title, minutes, by, notes="", status=AgendaItemStatus.FINISHED) -> AgendaItem:
        return AgendaItem(
            meeting=meeting,
            order=order,
            title=title,
            duration_minutes=minutes,
            presenter=by,
            notes=notes if held else "",
            status=status if held else AgendaItemStatus.OPEN,
        )

    items = [
        item(1, "Opening, mededelingen en vaststellen agenda", 10, chair, "De agenda wordt ongewijzigd vastgesteld."),
        item(
            2,
            "Verslag en actielijst vorige vergadering",
            10,
            secretary or chair,
            "Het verslag wordt zonder wijzigingen vastgesteld; de actielijst is doorgenomen.",
        ),
    ]
    if held:
        unfinished = last and body.name == STUURGROEP
        items.append(
            item(
                3,
                topic,
                40 if body.level == BodyLevel.STRATEGIC else 25,
                presenter,
                conclusion
                + (" Het punt is niet afgerond en komt terug op de volgende vergadering." if unfinished else ""),
                AgendaItemStatus.UNFINISHED if unfinished else AgendaItemStatus.FINISHED,
            )
        )
    items.append(item(9, "Rondvraag en sluiting", 5, chair, "Geen vragen; de voorzitter sluit de vergadering."))
    return items


def _attendance(meeting: Meeting, members: list[BodyMember]) -> list[Attendance]:
    """Mostly present; now and then a member sends notice and the alternate comes instead."""
    month = meeting.starts_at.year * 12 + meeting.starts_at.month
    rows = []
    for number, member in enumerate(members):
        status = AttendanceStatus.PRESENT
        if (month + number) % 5 == 0:
            status = AttendanceStatus.REPRESENTED if member.alternate_id else AttendanceStatus.EXCUSED
        elif (month + 2 * number) % 11 == 0:
            status = AttendanceStatus.ABSENT
        rows.append(Attendance(meeting=meeting, member=member, status=status))
    return rows
