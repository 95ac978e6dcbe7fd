"""Delivery terms (models/delivery.py): checking and saving them, the terms that apply to a
partner's figures, and the reopening rule they set.

Refused, at the field and with nothing saved: a delivery day that falls after the entry window of
one of the indicators' versions closes (checked for every period ending in the first year of the
terms' validity, so Easter and Christmas count), and a second set of terms for the same partner and
an indicator while another is valid (draft or in force) at the same time. The second check runs
under a lock on the partner's row, so two saves at once cannot both pass it.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from ambitions.models import DeliveryTerms, Indicator, IndicatorVersion, ReopenBy, TermsState, VersionStatus
from ambitions.periods import Period
from stakeholders.models import Chain, Organisation, Partnership, Person, Role
from stakeholders.permissions import Action, _is_admin, allows, role_in

CHECKED_SPAN = timedelta(days=366)  # the periods whose delivery day is checked against the window


def _versions_to_check(indicators: list[Indicator]) -> list[IndicatorVersion]:
    """The versions whose calendar the terms must fit: those in force, else the indicator's latest
    draft or proposal (one query)."""
    versions = list(
        IndicatorVersion.objects.filter(indicator__in=indicators)
        .exclude(status__in=[VersionStatus.STOPPED, VersionStatus.WITHDRAWN])
        .select_related("indicator")
    )
    in_force = {VersionStatus.ADOPTED, VersionStatus.SUPERSEDED}
    chosen = [v for v in versions if v.status in in_force]
    covered = {v.indicator_id for v in chosen}
    for version in sorted(versions, key=lambda v: v.number, reverse=True):
        if version.indicator_id not in covered:
            chosen.append(version)
            covered.add(version.indicator_id)
    return chosen


def window_refusal(terms: DeliveryTerms, indicators: list[Indicator]) -> str | None:
    """Why the agreed working day falls outside an entry window, or None."""
    if not terms.delivery_working_day or not terms.valid_from:
        return None
    for version in _versions_to_check(indicators):
        start = max(terms.valid_from, version.effective_from)
        end = start + CHECKED_SPAN
        if terms.valid_until and terms.valid_until < end:
            end = terms.valid_until
        period = Period.containing(start, version.frequency)
        while period.start <= end:
            due = version.deadline_of(period, terms.delivery_working_day)
            closes = version.entry_window_of(period)[1]
            if due > closes:
                return _(
                    "Working day %(day)s after %(period)s is %(due)s, but entry for %(indicator)s closes on "
                    "%(closes)s (%(window)s days after the period ends). Choose an earlier working day."
                ) % {
                    "day": terms.delivery_working_day,
                    "period": period.label(),
                    "due": formats.date_format(due),
                    "indicator": version.indicator.name,
                    "closes": formats.date_format(closes),
                    "window": version.entry_window_days,
                }
            period = period.next
    return None


def overlap_refusal(terms: DeliveryTerms, indicators: list[Indicator]) -> str | None:
    """Which other terms of the same partner cover one of these indicators at the same time, or None."""
    others = DeliveryTerms.objects.filter(partnership_id=terms.partnership_id, indicators__in=indicators).exclude(
        state=TermsState.ENDED
    )
    if terms.pk:
        others = others.exclude(pk=terms.pk)
    if terms.valid_until:
        others = others.filter(valid_from__lte=terms.valid_until)
    others = others.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=terms.valid_from))
    clash = others.values_list("indicators__name", flat=True).filter(indicators__in=indicators).first()
    if clash is None:
        return None
    return _(
        "%(org)s already has delivery terms for %(indicator)s in this period. End those first, or leave the "
        "indicator out."
    ) % {"org": terms.partnership.organisation, "indicator": clash}


def check(terms: DeliveryTerms, indicators: list[Indicator]) -> dict[str, str]:
    """The field errors of these terms (the form shows them; save refuses them)."""
    errors = {}
    if not indicators:
        errors["indicators"] = _("Choose at least one indicator.")
        return errors
    if any(i.ambition.chain_id != terms.chain_id for i in indicators):
        errors["indicators"] = _("Choose indicators of this chain.")
        return errors
    if refusal := window_refusal(terms, indicators):
        errors["delivery_working_day"] = refusal
    if terms.partnership_id and (refusal := overlap_refusal(terms, indicators)):
        errors["indicators"] = refusal
    return errors


@transaction.atomic
def save(terms: DeliveryTerms, indicators: list[Indicator]) -> DeliveryTerms:
    """Save the terms and their indicators, or raise ValidationError (per field) and save nothing."""
    # The partner's row is the lock: a concurrent save of its terms waits here and then sees these.
    Partnership.objects.select_for_update().filter(pk=terms.partnership_id).first()
    terms.full_clean(exclude=["indicators"])
    errors = check(terms, indicators)
    if errors:
        raise ValidationError(errors)
    terms.save()
    terms.indicators.set(indicators)
    return terms


# --- The terms that apply --------------------------------------------------------------------


def applying(chain: Chain, organisation: Organisation, period: Period) -> list[DeliveryTerms]:
    """The terms in force for the partner's figures of ``period`` (one query, with the indicators)."""
    return list(
        DeliveryTerms.objects.in_force_on(period.end)
        .filter(chain=chain, partnership__organisation=organisation)
        .select_related("deliverer", "agreement")
        .prefetch_related("indicators")
    )


def agreement_url(chain: Chain, terms: DeliveryTerms) -> str:
    """The page of the service agreement the terms belong to (governance's, read through the
    one-to-one it holds; no import of governance)."""
    agreement_id = getattr(getattr(terms, "agreement", None), "pk", None)
    return reverse("governance:agreement_detail", args=[chain.slug, agreement_id]) if agreement_id else ""


def shown(chain: Chain, organisation: Organisation, period: Period) -> list[dict]:
    """The applying terms as the entry page shows them: with this period's delivery day and last
    day to reopen, and the agreement's page."""
    return [
        {
            "terms": one,
            "due": one.deadline_of(period),
            "reopen_until": one.reopen_until(period),
            "link": agreement_url(chain, one),
        }
        for one in applying(chain, organisation, period)
    ]


def _role_may_reopen(terms: DeliveryTerms, person: Person, role: str | None, organisation: Organisation) -> bool:
    if _is_admin(person):
        return True
    if role == Role.PROGRAMME_MANAGER:
        return terms.reopen_by in (ReopenBy.PROGRAMME_MANAGER, ReopenBy.BOTH)
    if role == Role.PARTNER_LEAD and person.organisation_id == organisation.pk:
        return terms.reopen_by in (ReopenBy.PARTNER_LEAD, ReopenBy.BOTH)
    return False


def reopen_refusal(
    person: Person, chain: Chain, organisation: Organisation, period: Period, today: date, terms=None
) -> str | None:
    """Under delivery terms, who may reopen the partner's approved figures and until when (the
    strictest of the terms that apply); None when allowed or when no terms apply (then the
    chain's own rule, Action.REOPEN_FIGURES, decides alone)."""
    terms = applying(chain, organisation, period) if terms is None else terms
    role = role_in(person, chain)
    for one in terms:
        if not _role_may_reopen(one, person, role, organisation):
            return _("The delivery agreement says only %(who)s may reopen these figures.") % {
                "who": one.reopen_by_label
            }
        until = one.reopen_until(period)
        if today > until:
            return _("The delivery agreement allowed reopening these figures until %(date)s.") % {
                "date": formats.date_format(until)
            }
    return None


def may_reopen(person: Person, chain: Chain, organisation: Organisation, period: Period, today: date) -> bool:
    """Whether to offer reopening at all: the agreed role until the agreed day under terms, else
    the chain's rule."""
    terms = applying(chain, organisation, period)
    if not terms:
        return allows(person, Action.REOPEN_FIGURES, chain)
    return reopen_refusal(person, chain, organisation, period, today, terms) is None


def agreed_reopener(person: Person, chain: Chain, organisation: Organisation, period: Period) -> bool:
    """Whether delivery terms make ``person`` one who may reopen (whatever the day): a partner
    lead the terms name may open the reopening page, which the chain's rule alone would refuse."""
    terms = applying(chain, organisation, period)
    role = role_in(person, chain)
    return bool(terms) and all(_role_may_reopen(one, person, role, organisation) for one in terms)
