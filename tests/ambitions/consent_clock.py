"""Shared by the consent-deadline tests: a clock set to a day, and a draft to propose."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time
from unittest import mock

from django.utils import timezone

from ambitions.models import Indicator, IndicatorVersion, VersionStatus
from ambitions.services import consensus
from tests.measures import Measures, adopted_version

# A Monday well after the test world's mandates start (they start on the day the tests run).
MONDAY = date(2027, 3, 1)


@contextmanager
def on(day: date):
    """Everything that asks the time (timezone.now, localdate, auto_now_add) sees noon of ``day``."""
    noon = timezone.make_aware(datetime.combine(day, time(12)))
    with mock.patch("django.utils.timezone.now", return_value=noon):
        yield


def draft(m: Measures, name: str = "Binnen 48 uur afgedaan", **fields) -> IndicatorVersion:
    """A new indicator of the zsm ambition with a draft version 1, reported by units A and B."""
    indicator = Indicator.objects.create(ambition=m.ambition, name=name)
    fields = {"status": VersionStatus.DRAFT, "effective_from": date(2027, 1, 1), **fields}
    return adopted_version(indicator, [m.world.unit_a, m.world.unit_b], **fields)


def proposed(m: Measures, day: date = MONDAY, answer_by: date | None = None, **fields) -> IndicatorVersion:
    with on(day):
        return consensus.propose(m.world.manager, draft(m, **fields), answer_by)


def stopped(m: Measures, day: date = MONDAY, reason: str = "De noemer telt sepots mee.") -> IndicatorVersion:
    version = proposed(m, day)
    with on(day):
        consensus.respond(m.world.lead_b, version, m.world.partner_b, "objection", reason)
    version.refresh_from_db()
    return version
