"""The demo's contributions and benefits for ZSM (ambitions/demo_partner_health.py): one delivery
overdue, every core partner but one with its start and end picture, and loading twice changes nothing."""

from django.utils import timezone

from ambitions import demo as ambitions_demo
from ambitions import demo_partner_health
from ambitions.models.benefits import Benefit, BenefitAssessment
from stakeholders import demo as stakeholders_demo
from stakeholders.models import Person
from stakeholders.models.contributions import Contribution, Delivery


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Contribution, Delivery, Benefit, BenefitAssessment))


def test_the_demo_has_one_delivery_overdue_and_each_partners_pictures_and_loads_twice_alike(db):
    stakeholders_demo.load_demo()
    ambitions_demo.load_demo()
    demo_partner_health.load_demo()
    first = _counts()
    demo_partner_health.load_demo()
    assert _counts() == first
    overdue = list(Delivery.objects.overdue(timezone.localdate()))
    assert len(overdue) == 1
    assert overdue[0].contribution.partnership.organisation.short_name == "Politie"
    assert overdue[0].contribution.kind == "data"
    titles = dict(Benefit.objects.values_list("partnership__organisation__short_name", "title"))
    assert titles["Politie"] == "Minder uren per zaak"
    assert titles["OM"] == "Meer zaken binnen 24 uur afgedaan"
    assert titles["SHN"] == "Slachtoffers dezelfde dag geïnformeerd"
    assert "RvdK" not in titles  # the page warns that this core partner gains nothing yet
    om = Benefit.objects.get(partnership__organisation__short_name="OM")
    assert om.start_indicator.name == "Zaken binnen 24 uur afgedaan" and om.status == "partly_realised"
    assert om.owner == Person.objects.get(email="lead.om@zsm.demo")
