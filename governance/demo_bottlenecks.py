"""The governance demo's bottlenecks (governance/demo.py): the escalation ladder of ZSM Amsterdam
(locatieoverleg → tactisch ketenoverleg → landelijke stuurgroep) with its response times, and

- "advice from probation not available within 24 hours", reported at the locatieoverleg and
  escalated by its owner to the tactical body, where the response is not yet due;
- a second one escalated automatically to the tactical body whose response time there has passed:
  the demo's scheduled task (beat ``escalate-overdue-bottlenecks``) takes it to the steering group
  and mails the steering group's chair and secretary;
- one resolved at the locatieoverleg, with its cause and resolution.

Loading it again changes nothing: each bottleneck is found by its title.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ambitions.models import Indicator
from stakeholders.models import Chain, Partnership, Person

from .demo_names import LOCATIEOVERLEG, STUURGROEP
from .models import Body, Bottleneck, BottleneckComment, BottleneckStatus, Escalation, Severity
from .models.bottlenecks import due_after

TACTICAL = "Tactisch ketenoverleg Amsterdam"
# Response times per level, in working days.
RESPONSE_DAYS = {LOCATIEOVERLEG: 1, TACTICAL: 5, STUURGROEP: 10}

ADVICE = "Advies van de reclassering niet binnen 24 uur beschikbaar"
STATEMENTS = "Processen-verbaal komen onvolledig binnen bij het OM"
INTERPRETERS = "Tolk niet op tijd beschikbaar voor verhoren"


def load_bottlenecks(zsm: Chain, bodies: dict[str, Body], now: datetime) -> None:
    for name, days in RESPONSE_DAYS.items():
        Body.objects.filter(pk=bodies[name].pk).update(response_days=days)
        bodies[name].response_days = days
    partners = {
        p.organisation.short_name: p for p in Partnership.objects.filter(chain=zsm).select_related("organisation")
    }
    people = {p.email: p for p in Person.objects.filter(email__endswith="@zsm.demo")}
    local, tactical = bodies[LOCATIEOVERLEG], bodies[TACTICAL]

    advice = _bottleneck(
        zsm,
        ADVICE,
        "Bij ZSM-zaken met een kwetsbare verdachte ontbreekt het reclasseringsadvies vaak binnen de 24 uur die "
        "de officier nodig heeft om te beslissen. Zaken worden daardoor aangehouden.",
        local,
        now - timedelta(days=9),
        people.get("lead.reclassering@zsm.demo"),
        Severity.HIGH,
        Severity.HIGH,
        [partners.get("RN"), partners.get("OM")],
        Indicator.objects.filter(ambition__chain=zsm, name="Reclasseringsadviezen binnen 24 uur"),
    )
    if advice is not None:
        _escalate(
            advice,
            tactical,
            now - timedelta(days=1),
            advice.owner,
            "Vacatures bij de reclassering: de locatie kan dit zelf niet oplossen.",
        )
        BottleneckComment.objects.create(
            bottleneck=advice,
            author=people.get("lead.om@zsm.demo"),
            text="Het OM herkent dit: vooral op maandag lopen de aanhoudingen op.",
        )

    statements = _bottleneck(
        zsm,
        STATEMENTS,
        "Processen-verbaal missen regelmatig de verklaring van de benadeelde, zodat de officier niet kan "
        "beslissen op de ZSM-locatie.",
        local,
        now - timedelta(days=30),
        people.get("lead.politie@zsm.demo"),
        Severity.MEDIUM,
        Severity.HIGH,
        [partners.get("Politie"), partners.get("OM")],
        Indicator.objects.filter(ambition__chain=zsm, name="Zaken binnen 24 uur afgedaan"),
    )
    if statements is not None:
        # Escalated automatically three weeks ago; the tactical body's response time has passed.
        _escalate(statements, tactical, now - timedelta(days=21), None, "")

    interpreters = _bottleneck(
        zsm,
        INTERPRETERS,
        "Voor verhoren in de nacht is niet altijd op tijd een tolk beschikbaar.",
        local,
        now - timedelta(days=40),
        people.get("lead.politie@zsm.demo"),
        Severity.LOW,
        Severity.MEDIUM,
        [partners.get("Politie")],
        Indicator.objects.none(),
    )
    if interpreters is not None:
        interpreters.status = BottleneckStatus.RESOLVED
        interpreters.cause = "Het raamcontract met het tolkenbureau kende geen nachtdienst."
        interpreters.resolution = "Het contract is aangevuld met een piketdienst voor tolken."
        interpreters.responded_at = now - timedelta(days=38)
        interpreters.response = "De politie vraagt het tolkenbureau om een nachtdienst."
        interpreters.save()


def _bottleneck(zsm, title, description, body, since, owner, impact, urgency, partners, indicators):
    """The bottleneck reported at ``body`` on ``since``, unless it exists (then None)."""
    if owner is None or Bottleneck.objects.filter(chain=zsm, title=title).exists():
        return None
    bottleneck = Bottleneck.objects.create(
        chain=zsm,
        title=title,
        description=description,
        body=body,
        level_since=since,
        reported_at=since,
        reported_by=owner,
        owner=owner,
        impact=impact,
        urgency=urgency,
    )
    bottleneck.partners.set([partner for partner in partners if partner is not None])
    bottleneck.indicators.set(indicators)
    return bottleneck


def _escalate(bottleneck: Bottleneck, to: Body, at: datetime, by: Person | None, reason: str) -> None:
    """The step as the service writes it (services/bottlenecks.py), dated in the past. Loading mails
    nobody; the scheduled task tells the receiving body of what it was not told yet."""
    Escalation.objects.create(
        bottleneck=bottleneck,
        from_body=bottleneck.body,
        to_body=to,
        at=at,
        by=by,
        automatic=by is None,
        reason=reason,
        due_on=due_after(to, at),
    )
    bottleneck.start_clock(to, at)
    bottleneck.save()
