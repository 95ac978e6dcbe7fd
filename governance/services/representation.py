"""Who a body's seats speak for, and what is missing: the body page's flags.

Two things stop a body from deciding by consent, and the page says both in words:

- a current core partner of the chain with no chair, vice-chair or member speaking for it
  (``Representation.unrepresented``);
- a member speaking for a partner — or that member's alternate — who cannot record the
  partner's position because their mandate "vote in a body" has lapsed, has not started, cannot
  be used in their role, or was never granted (``Representation.mandate_flags``).

The mandate rule is ``Mandate.objects.usable_on`` (the one governance/policy.py's
``speakers_for`` asks too); this module only explains, per person, why it says no. A fixed
number of queries, whatever the number of seats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from stakeholders.models import Mandate, MandateScope, Partnership, Person

from ..models import Body, BodyMember, MemberPosition


@dataclass(frozen=True)
class MandateFlag:
    """A representing member or alternate who cannot vote for their partner, and why."""

    seat: BodyMember
    person: Person
    as_alternate: bool
    reason: str  # "lapsed", "not_started", "role", "missing"
    since: date | None = None  # when it lapsed, or when it starts

    @property
    def partnership(self) -> Partnership:
        return self.seat.partnership

    @property
    def short(self) -> str:
        """The flag in a few words, for the members table (``text`` says it in full)."""
        day = date_format(self.since) if self.since else ""
        texts = {
            "lapsed": _("Ended on %(day)s"),
            "not_started": _("Starts on %(day)s"),
            "role": _("Not usable in their role"),
            "missing": _("No mandate"),
        }
        words = texts[self.reason] % {"day": day}
        if self.as_alternate:
            return _("Alternate: %(words)s") % {"words": words}
        return words

    @property
    def text(self) -> str:
        about = {
            "person": self.person,
            "org": self.partnership.organisation.name,
            "scope": MandateScope.VOTE_IN_BODY.label,
            "day": date_format(self.since) if self.since else "",
        }
        if self.as_alternate:
            about["member"] = self.seat.person
            texts = {
                "lapsed": _(
                    "%(person)s, alternate of %(member)s, cannot vote for %(org)s: "
                    "the mandate to “%(scope)s” ended on %(day)s."
                ),
                "not_started": _(
                    "%(person)s, alternate of %(member)s, cannot vote for %(org)s yet: "
                    "the mandate to “%(scope)s” starts on %(day)s."
                ),
                "role": _(
                    "%(person)s, alternate of %(member)s, holds a mandate to “%(scope)s” for %(org)s "
                    "but cannot use it in their role in this chain."
                ),
                "missing": _("%(person)s, alternate of %(member)s, has no mandate to “%(scope)s” for %(org)s."),
            }
        else:
            texts = {
                "lapsed": _("%(person)s cannot vote for %(org)s: the mandate to “%(scope)s” ended on %(day)s."),
                "not_started": _(
                    "%(person)s cannot vote for %(org)s yet: the mandate to “%(scope)s” starts on %(day)s."
                ),
                "role": _(
                    "%(person)s holds a mandate to “%(scope)s” for %(org)s but cannot use it in their role in "
                    "this chain."
                ),
                "missing": _("%(person)s has no mandate to “%(scope)s” for %(org)s."),
            }
        return texts[self.reason] % about


@dataclass(frozen=True)
class Representation:
    members: list[BodyMember]
    unrepresented: list[Partnership] = field(default_factory=list)
    mandate_flags: list[MandateFlag] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.unrepresented or self.mandate_flags)

    def flags_of(self, seat: BodyMember) -> list[MandateFlag]:
        return [flag for flag in self.mandate_flags if flag.seat.pk == seat.pk]


def _why_not(mandates: list[Mandate], today: date) -> tuple[str, date | None]:
    """Why none of these mandates (one person, one partner, scope vote) is usable today."""
    if any(m.valid_from <= today and (m.valid_until is None or m.valid_until >= today) for m in mandates):
        return "role", None  # valid, yet not usable: the holder's role (or account) cannot use it
    upcoming = [m.valid_from for m in mandates if m.valid_from > today]
    if upcoming:
        return "not_started", min(upcoming)
    ended = [m.valid_until for m in mandates if m.valid_until is not None and m.valid_until < today]
    if ended:
        return "lapsed", max(ended)
    return "missing", None


def representation_of(body: Body, on: date | None = None) -> Representation:
    """The body's seats (people, partner, alternate loaded) with the unrepresented core partners and
    the mandate flags, on ``on`` (today); four queries."""
    today = on or timezone.localdate()
    members = sorted(
        BodyMember.all_seats.current_on(today)
        .filter(body=body)
        .select_related("person__organisation", "alternate__organisation", "partnership__organisation"),
        key=lambda seat: (position_order(seat), seat.partnership.organisation.name if seat.partnership else ""),
    )
    represented = {m.partnership_id for m in members if m.represents_a_partner}
    unrepresented = [
        partnership
        for partnership in Partnership.objects.filter(chain_id=body.chain_id)
        .bound()
        .current()
        .select_related("organisation")
        .order_by("organisation__name")
        if partnership.pk not in represented
    ]
    speaking = [m for m in members if m.represents_a_partner]
    people = {m.person_id for m in speaking} | {m.alternate_id for m in speaking if m.alternate_id}
    partner_ids = {m.partnership_id for m in speaking}
    mandates = Mandate.objects.filter(
        scope=MandateScope.VOTE_IN_BODY, person_id__in=people, partnership_id__in=partner_ids
    )
    usable = set(mandates.usable_on(today).values_list("person_id", "partnership_id")) if people else set()
    held: dict[tuple[int, int], list[Mandate]] = {}
    if people:
        for mandate in mandates.only("person_id", "partnership_id", "valid_from", "valid_until"):
            held.setdefault((mandate.person_id, mandate.partnership_id), []).append(mandate)
    flags = []
    for seat in speaking:
        for person, as_alternate in ((seat.person, False), (seat.alternate, True)):
            if person is None or (person.pk, seat.partnership_id) in usable:
                continue
            reason, since = _why_not(held.get((person.pk, seat.partnership_id), []), today)
            flags.append(MandateFlag(seat, person, as_alternate, reason, since))
    return Representation(members=members, unrepresented=unrepresented, mandate_flags=flags)


def position_order(seat: BodyMember) -> int:
    """Seats listed chair first, then vice-chair, members, secretary, advisors."""
    return list(MemberPosition.values).index(seat.position)
