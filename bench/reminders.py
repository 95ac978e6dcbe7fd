"""The reminder sweep over the whole data set (every chain, 2,000 people): ``reminder_sweep`` s.

The sweep runs as the hourly beat task would, from a state without notifications, so it does the
most work: reading every open period of every organisation and inserting each reminder. It runs in
a transaction that is rolled back, so the data set stays as it was and the figure can be repeated.
"""

from __future__ import annotations

import time

from django.db import transaction

from bench.timing import Result


def reminder_sweep(chain=None) -> list[Result]:
    from django.urls import reverse

    from ambitions import reminders
    from stakeholders.models import Notification

    reverse("stakeholders:my_work")  # a worker has its URL configuration loaded already
    with transaction.atomic():
        Notification.objects.all().delete()
        start = time.perf_counter()
        counts = reminders.sweep()
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return [Result("reminder_sweep", seconds, "s"), Result("reminder_sweep_notifications", counts["created"], "count")]
