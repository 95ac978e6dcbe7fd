"""Measurement of the quarterly newsletter's drafting (issue 14), on the 1m national set with the
governance data set (the benchmark chain: 200 units, 20 indicators over 50 months of roll-ups,
thousands of decisions and agreements).

- ``newsletter_draft``: ``governance.services.newsletters.draft`` for the benchmark chain's latest
  quarter with figures, as the beat task runs it (gathering the stories, the indicators that
  improved most and the milestones from the roll-ups, decisions, agreements, new partners and
  events, and storing the edition with its items); 200 success stories published in that quarter
  are added first. Each run is rolled back, so every run drafts afresh; the median of five runs,
  in seconds (goal ≤ 2 s). ``newsletter_draft_queries``: its query count, which does not grow
  with the chain. ``newsletter_draft_first_in_process``: the first draft of a fresh process, which
  also pays for loading the URLconf (importing every view module) on its first ``reverse()``: a
  worker pays that once, not once per chain.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock

from django.db import connection, transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ambitions.models import ChainAggregate
from bench.timing import Result
from governance.models.newsletters import Newsletter, quarter_start
from governance.models.stories import Story, StoryStatus
from governance.services import newsletters as services
from stakeholders.models import Chain

RUNS = 5
STORIES = 200


def _quarter(chain: Chain):
    last = ChainAggregate.objects.filter(indicator__ambition__chain=chain).aggregate(last=Max("period"))["last"]
    if last is None:
        raise SystemExit("No figures: run manage.py build_national_dataset (bench/run.py does).")
    return quarter_start(last)


def _draft_once(chain: Chain, quarter) -> float:
    point = transaction.savepoint()
    start = time.perf_counter()
    newsletter, made = services.draft(chain, quarter)
    elapsed = time.perf_counter() - start
    assert made, "an edition for this quarter exists already"
    items = newsletter.items.count()
    transaction.savepoint_rollback(point)
    print(f"# newsletter_draft: {elapsed:.3f} s, {items} items", file=sys.stderr, flush=True)
    return elapsed


def newsletter_draft(chain: Chain) -> list[Result]:
    quarter = _quarter(chain)
    with transaction.atomic():
        Newsletter.objects.filter(chain=chain, quarter=quarter).delete()  # rolled back below
        published = timezone.make_aware(datetime.combine(quarter, clock(10)))
        Story.objects.bulk_create(
            Story(
                chain=chain,
                title=f"Succes {n}",
                body="Samen **sneller**: " + "het werkte. " * 40,
                status=StoryStatus.PUBLISHED,
                published_at=published + timedelta(hours=n),
            )
            for n in range(STORIES)
        )
        first = _draft_once(chain, quarter)  # the process's first: loads the URLconf (every view module)
        samples = [_draft_once(chain, quarter) for _ in range(RUNS)]
        with CaptureQueriesContext(connection) as captured:
            point = transaction.savepoint()
            services.draft(chain, quarter)
            transaction.savepoint_rollback(point)
        transaction.set_rollback(True)
    return [
        Result("newsletter_draft", statistics.median(samples), "s"),
        Result("newsletter_draft_queries", len(captured.captured_queries), "count"),
        Result("newsletter_draft_first_in_process", first, "s"),
    ]
