"""What the matrix's POST rows send and the state they change: read before and after each
request, it must change when the request is allowed and stay when it is refused
(tests/test_authorisation_matrix.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from ambitions.models import (
    Ambition,
    Consent,
    Figure,
    Indicator,
    IndicatorVersion,
    PeriodSubmission,
    ProgressReport,
    ReportCommentary,
    SubmissionStatus,
    VersionComment,
)
from stakeholders.models import (
    ApiToken,
    Chain,
    Invitation,
    MailPreference,
    Mandate,
    MandateScope,
    Membership,
    Notification,
    Organisation,
    Partnership,
    Person,
    Role,
    Unit,
)
from tests.conftest import PASSWORD
from tests.matrix.objects import ORGANISATION_OF, Objects
from tests.matrix.policy import CHAIN, FORGED, OTHER, PARTNER_A


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
    return ApiToken.objects.usable().filter(person=o.get("api_connection", target)).exists()


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


# --- What form pages change (their POST rows) -------------------------------------------------


def chain_of(o: Objects, target: str):
    return o.world.other_chain if target in (OTHER, FORGED) else o.world.chain


def mail_preferences(o: Objects, target: str) -> list[str]:
    """Everyone's choice: whoever posts the form changes their own."""
    return list(Person.objects.order_by("pk").values_list("mail_preference", flat=True))


def chain_tagline(o: Objects, target: str) -> str:
    return Chain.objects.values_list("tagline", flat=True).get(pk=chain_of(o, target).pk)


def partnership_count(o: Objects, target: str) -> int:
    return Partnership.objects.count()


def partnership_interests(o: Objects, target: str) -> str:
    return Partnership.objects.values_list("interests", flat=True).get(pk=o.get("partnership", target).pk)


def organisation_count(o: Objects, target: str) -> int:
    return Organisation.objects.count()


def organisation_short_name(o: Objects, target: str) -> str:
    return Organisation.objects.values_list("short_name", flat=True).get(pk=o.get("organisation", target).pk)


def unit_count(o: Objects, target: str) -> int:
    return Unit.objects.count()


def unit_code(o: Objects, target: str) -> str:
    return Unit.objects.values_list("code", flat=True).get(pk=o.get("unit", target).pk)


def membership_role(o: Objects, target: str) -> str:
    return Membership.objects.values_list("role", flat=True).get(pk=o.get("membership", target).pk)


def another_role(o: Objects, target: str) -> dict:
    """A role the membership does not have yet: viewer, or contributor for a viewer."""
    current = o.get("membership", target).role
    return {"role": Role.CONTRIBUTOR if current == Role.VIEWER else Role.VIEWER}


def invitation_count(o: Objects, target: str) -> int:
    return Invitation.objects.count()


def invitation_a_status(o: Objects, target: str) -> str:
    return Invitation.objects.values_list("status", flat=True).get(pk=o.by_kind["invitation"][PARTNER_A].pk)


def mandate_count(o: Objects, target: str) -> int:
    return Mandate.objects.count()


def a_new_mandate(o: Objects, target: str) -> dict:
    """Lead A to vote for partner A (a scope they hold no mandate for yet); in the other chain,
    its partner lead for partner C."""
    w = o.world
    if target == CHAIN:
        return {"partnership": w.partner_a.pk, "person": w.lead_a.pk, "scope": MandateScope.VOTE_IN_BODY}
    return {"partnership": w.partner_c.pk, "person": o.lead_c.pk, "scope": MandateScope.VOTE_IN_BODY}


def mandate_note(o: Objects, target: str) -> str:
    return Mandate.objects.values_list("note", flat=True).get(pk=o.get("mandate", target).pk)


def ambition_count(o: Objects, target: str) -> int:
    return Ambition.objects.count()


def ambition_interest(o: Objects, target: str) -> str:
    return Ambition.objects.values_list("societal_interest", flat=True).get(pk=o.get("ambition", target).pk)


def indicator_count(o: Objects, target: str) -> int:
    return Indicator.objects.count()


def a_new_indicator(o: Objects, target: str) -> dict:
    unit = o.world.unit_c if target in (OTHER, FORGED) else o.world.unit_a
    return {
        "name": "Doorlooptijd",
        "kind": "sum",
        "unit_label": "dagen",
        "reporting_units": [unit.pk],
        "baseline_period": "2025-01",
        "baseline_value": "40",
        "target_period": "2027-12",
        "target_value": "20",
    }


def draft_rationale(o: Objects, target: str) -> str:
    return IndicatorVersion.objects.values_list("rationale", flat=True).get(pk=o.get("draft", target).pk)


def commentary_on_the_ambition(o: Objects, target: str) -> dict:
    return {f"ambition-{o.get('ambition', target).pk}": "Op koers, met een zorg over de instroom."}


def report_commentary(o: Objects, target: str) -> list[str]:
    return list(ReportCommentary.objects.filter(report=o.get("report", target)).values_list("text", flat=True))


def connection_count(o: Objects, target: str) -> int:
    return ApiToken.objects.count()


def a_new_connection(o: Objects, target: str) -> dict:
    organisation = o.world.org_c if target in (OTHER, FORGED) else o.world.org_a
    valid_until = date.today() + timedelta(days=90)
    return {"organisation": organisation.pk, "name": "Zaaksysteem", "expires_on": valid_until.isoformat()}


def figure_json(o: Objects, target: str) -> dict:
    """The API's form of the target's cell (see cell_data): one figure for last month."""
    indicator, unit = _cell_of(o, target)
    numbers = {"value": 3} if target in (OTHER, FORGED) else {"numerator": 1, "denominator": 2}
    return {"indicator": indicator.pk, "unit": unit.pk, "period": o.period.slug, **numbers}


def one_figure(o: Objects, target: str) -> dict:
    return {"_data": figure_json(o, target)}


def figures_in_bulk(o: Objects, target: str) -> dict:
    return {"_data": [figure_json(o, target)]}


# --- What the form pages' POST rows change in the form they read ----------------------------------


def no_mail(o: Objects, target: str) -> dict:
    return {"mail_preference": MailPreference.NONE}


def new_tagline(o: Objects, target: str) -> dict:
    return {"tagline": "Samen sneller recht"}


def a_new_partner(o: Objects, target: str) -> dict:
    return {"organisation": (o.world.org_c if target == CHAIN else o.world.org_a).pk}


def new_interests(o: Objects, target: str) -> dict:
    return {"interests": "Minder recidive"}


def a_new_organisation(o: Objects, target: str) -> dict:
    return {"name": "Slachtofferhulp Nederland"}


def new_short_name(o: Objects, target: str) -> dict:
    return {"short_name": "AFK"}


def a_new_unit(o: Objects, target: str) -> dict:
    return {"name": "Regio Oost"}


def new_unit_code(o: Objects, target: str) -> dict:
    return {"code": "RO-1"}


def a_new_invitation(o: Objects, target: str) -> dict:
    return {"email": "nieuw@example.nl", "full_name": "Nieuwe Collega", "role": Role.VIEWER}


def an_account(o: Objects, target: str) -> dict:
    return {"full_name": "Nieuwe Collega", "password1": PASSWORD, "password2": PASSWORD}


def new_mandate_note(o: Objects, target: str) -> dict:
    return {"note": "Tot de volgende stuurgroep"}


def a_reopen_reason(o: Objects, target: str) -> dict:
    return {"reason": "Een correctie van de politie"}


def a_new_ambition(o: Objects, target: str) -> dict:
    return {"statement": "Minder jongeren in de cel", "horizon": "2030-12-31"}


def new_societal_interest(o: Objects, target: str) -> dict:
    return {"societal_interest": "Een veilige samenleving"}


def new_rationale(o: Objects, target: str) -> dict:
    return {"rationale": "Zo telt elk parket hetzelfde."}
