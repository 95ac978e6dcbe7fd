"""factory_boy factories for the test world (no fixture files)."""

from datetime import datetime, time, timedelta

import factory
from django.utils import timezone

from stakeholders.models import (
    Chain,
    Mandate,
    MandateScope,
    Membership,
    Organisation,
    Partnership,
    PartnershipStatus,
    Person,
    Role,
    Unit,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Onderdeel {n}")


class ChainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chain

    name = factory.Sequence(lambda n: f"Keten {n}")
    slug = factory.Sequence(lambda n: f"keten-{n}")
    mission = "Samen sneller recht doen."


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    chain = factory.SubFactory(ChainFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    status = PartnershipStatus.CORE


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.nl")
    full_name = factory.Sequence(lambda n: f"Persoon {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    chain = factory.SubFactory(ChainFactory)
    role = Role.VIEWER


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    person = factory.SubFactory(PersonFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    scope = MandateScope.CONSENT_INDICATORS
    valid_from = factory.LazyFunction(timezone.localdate)


def morning(days: int) -> datetime:
    """Ten in the morning (local time) ``days`` from today. Meetings and meetups have one date with a
    start and an end time on their forms, so one made at "now + n days" late in the evening would end
    after midnight, and posting its own form back would be refused (its end before its start)."""
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(10)))
