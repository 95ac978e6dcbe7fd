"""Read-only representations of the stakeholder models for the REST API.

What is never exposed: passwords, API tokens, invitation tokens, logos' storage paths
beyond their URL. E-mail addresses of people are shown only to those who already have
a reason to know them (see ``MembershipSerializer``).
"""

from rest_framework import serializers

from stakeholders import permissions
from stakeholders.models import Chain, Membership, Organisation, Partnership, Person, Role, Unit


class ChainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chain
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "societal_question",
            "mission",
            "shared_values",
            "tagline",
            "colour",
            "reporting_frequency",
            "report_working_day",
        ]


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "website"]


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "organisation", "parent", "name", "code"]


class PartnershipSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation = OrganisationSerializer(read_only=True)

    class Meta:
        model = Partnership
        fields = ["id", "chain", "organisation", "status", "role", "joined_on", "left_on", "interests"]


class PersonSerializer(serializers.ModelSerializer):
    """A person as seen by another member of the chain: name and organisation, never credentials."""

    email = serializers.EmailField(
        allow_null=True, help_text="Only shown to colleagues, the chain's programme manager and administrators."
    )

    class Meta:
        model = Person
        fields = ["id", "full_name", "email", "organisation"]


def can_see_email_of(user, person: Person, chain: Chain) -> bool:
    """E-mail addresses are personal data: the API shows one only to the person themself,
    colleagues of the same organisation, the chain's programme manager (who invites and
    manages people) and platform administrators. Other members see the name and organisation.

    ``role_in`` caches the user's roles for the request, so this costs no query per row.
    """
    if user.is_platform_admin or user.pk == person.pk:
        return True
    if person.organisation_id is not None and person.organisation_id == user.organisation_id:
        return True
    return permissions.role_in(user, chain) == Role.PROGRAMME_MANAGER


class MembershipSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    person = PersonSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "chain", "person", "role", "created_at"]

    def to_representation(self, membership: Membership) -> dict:
        data = super().to_representation(membership)
        if not can_see_email_of(self.context["request"].user, membership.person, membership.chain):
            data["person"]["email"] = None
        return data
