"""The demo's bottlenecks (issue 11, point 8): advice from probation escalated from the locatieoverleg
to the tactical body, and one overdue at the tactical level that the demo's scheduled task escalates
to the steering group (mailing its chair and secretary once); loading twice changes nothing."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from governance import tasks
from governance.demo_bottlenecks import ADVICE, STATEMENTS, TACTICAL
from governance.demo_names import LOCATIEOVERLEG, STUURGROEP
from governance.models import BodyMember, Bottleneck, BottleneckStatus, Escalation


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def test_the_advice_of_probation_went_up_to_the_tactical_body(demo):
    advice = Bottleneck.objects.select_related("body").get(title=ADVICE)
    assert advice.body.name == TACTICAL and not advice.is_overdue()
    (step,) = advice.escalations.select_related("from_body", "to_body")
    assert (step.from_body.name, step.to_body.name, step.automatic) == (LOCATIEOVERLEG, TACTICAL, False)
    assert step.reason and advice.partners.count() == 2 and advice.indicators.count() == 1


def test_the_scheduled_task_takes_the_overdue_one_to_the_steering_group_once(demo):
    statements = Bottleneck.objects.get(title=STATEMENTS)
    assert statements.is_overdue() and statements.body.name == TACTICAL
    # The steering group's chair and secretary, and the tactical body's chair (it has no secretary),
    # whom the demo's escalation by hand had not told yet.
    assert tasks.escalate_overdue_bottlenecks() == {"escalated": 1, "notified": 3}
    statements.refresh_from_db()
    assert statements.body.name == STUURGROEP
    assert Escalation.objects.filter(bottleneck=statements, automatic=True).count() == 2
    steering = BodyMember.objects.filter(body=statements.body, position__in=["chair", "secretary"])
    told = {message.to[0] for message in mail.outbox}
    assert len(mail.outbox) == 3 and {seat.person.email for seat in steering} <= told
    assert tasks.escalate_overdue_bottlenecks() == {"escalated": 0, "notified": 0}
    call_command("load_demo", stdout=io.StringIO())
    assert Bottleneck.objects.filter(title=STATEMENTS).count() == 1
    assert Bottleneck.objects.filter(status=BottleneckStatus.RESOLVED).count() == 1
