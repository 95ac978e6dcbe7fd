"""The ZSM demo's newsletters (issue 14): the last three quarters' editions, drafted by the same
service as the beat task (governance/services/newsletters.py) from the demo's stories, figures,
decisions, agreements, partners and meetups. The two older ones are sent, the latest quarter's is
the programme manager's draft. Runs after the stories' and meetups' demo (DEMO_LOADERS); safe to
run again (one edition per chain and quarter)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from governance.models.newsletters import Newsletter, NewsletterStatus, previous_quarter, quarter_end
from governance.services import newsletters as service
from stakeholders.models import Chain

INTRODUCTIONS = [
    "Beste lezer,\n\nHet eerste kwartaal stond in het teken van snelheid: meer zaken binnen 24 uur "
    "afgedaan, en een nieuw convenant over het delen van informatie.",
    "Beste lezer,\n\nIn het tweede kwartaal werkten politie, OM, reclassering en slachtofferhulp "
    "nauwer samen dan ooit. Lees hieronder wat dat opleverde.",
]


def load_demo() -> None:
    zsm = Chain.objects.filter(slug="zsm").first()
    if zsm is None:
        return
    today = timezone.localdate()
    latest = previous_quarter(today)
    older = previous_quarter(latest)
    oldest = previous_quarter(older)
    for quarter, introduction in zip((oldest, older), INTRODUCTIONS, strict=True):
        # Drafted the day after its quarter, as the beat task did then: "coming up" is from that day.
        newsletter, made = service.draft(zsm, quarter, quarter_end(quarter) + timedelta(days=1))
        if made:
            sent_on = quarter_end(quarter) + timedelta(days=8)
            sent_at = timezone.make_aware(datetime.combine(sent_on, time(9)))
            Newsletter.objects.filter(pk=newsletter.pk).update(
                introduction=introduction, status=NewsletterStatus.SENT, sent_at=sent_at
            )
    service.draft(zsm, latest, today)
