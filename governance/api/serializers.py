"""Read-only representations of governance for the REST API: bodies with their members, meetings
with their agenda, minutes and attendance, decisions with the positions per partner and round, and
actions. People appear by id and name only (never an e-mail address: the memberships endpoint
decides who may see those)."""

from __future__ import annotations

from rest_framework import serializers

from governance.models import ActionItem, AgendaItem, Attendance, Body, BodyMember, Decision, DecisionPosition, Meeting
from stakeholders.models import Person


class PersonRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "full_name"]


class BodyMemberSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)
    alternate = PersonRefSerializer(read_only=True, allow_null=True)
    organisation = serializers.IntegerField(
        source="partnership.organisation_id",
        read_only=True,
        allow_null=True,
        help_text="The organisation the member represents (null for secretaries and advisors who represent none).",
    )

    class Meta:
        model = BodyMember
        fields = ["id", "person", "partnership", "organisation", "position", "alternate"]


class BodySerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    members = BodyMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Body
        fields = [
            "id",
            "chain",
            "name",
            "level",
            "purpose",
            "decision_rule",
            "majority_percent",
            "quorum_percent",
            "escalates_to",
            "meeting_minutes",
            "is_active",
            "members",
        ]


class AgendaItemSerializer(serializers.ModelSerializer):
    presenter = PersonRefSerializer(read_only=True, allow_null=True)
    minutes = serializers.CharField(source="notes", read_only=True, help_text="The minutes of this item.")

    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "order",
            "title",
            "presenter",
            "duration_minutes",
            "description",
            "indicator",
            "indicator_version",
            "decision",
            "action",
            "report",
            "carried_from",
            "status",
            "minutes",
        ]


class AttendanceSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(source="member.person", read_only=True)
    partnership = serializers.IntegerField(source="member.partnership_id", read_only=True, allow_null=True)

    class Meta:
        model = Attendance
        fields = ["member", "person", "partnership", "status"]


class MeetingSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(source="body.chain", slug_field="slug", read_only=True)
    minutes_locked = serializers.BooleanField(
        read_only=True, help_text="Approved by the chair: the agenda, minutes and attendance no longer change."
    )
    agenda_items = AgendaItemSerializer(many=True, read_only=True)
    attendance = AttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "chain",
            "body",
            "series",
            "starts_at",
            "ends_at",
            "place",
            "online_link",
            "host",
            "status",
            "sequence",
            "announced_at",
            "minutes_approved_at",
            "minutes_locked",
            "agenda_items",
            "attendance",
        ]


class PositionSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="partnership.organisation_id", read_only=True)
    recorded_by = PersonRefSerializer(read_only=True)
    for_person = PersonRefSerializer(
        read_only=True,
        allow_null=True,
        help_text="The absent member a stand-in recorded the position for (“by recorded_by for for_person”).",
    )
    by_silence = serializers.BooleanField(
        read_only=True,
        help_text="Consent by silence: the partner did not answer a written round by its closing date, in a chain "
        "where silence is consent (recorded at closing by recorded_by; never an active yes).",
    )

    class Meta:
        model = DecisionPosition
        fields = [
            "round",
            "partnership",
            "organisation",
            "kind",
            "reason",
            "recorded_by",
            "for_person",
            "as_alternate",
            "by_silence",
            "recorded_at",
        ]


class DecisionSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(source="body.chain", slug_field="slug", read_only=True)
    proposed_by = PersonRefSerializer(read_only=True)
    positions = PositionSerializer(
        many=True,
        read_only=True,
        help_text="Every partner's position in every round (earlier rounds answered an earlier text).",
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "chain",
            "body",
            "meeting",
            "title",
            "text",
            "way",
            "closes_on",
            "round",
            "status",
            "outcome_statement",
            "decided_on",
            "review_on",
            "proposed_by",
            "created_at",
            "indicator",
            "indicator_version",
            "positions",
        ]


class ActionSerializer(serializers.ModelSerializer):
    chain = serializers.SlugRelatedField(source="body.chain", slug_field="slug", read_only=True)
    owner = PersonRefSerializer(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True, help_text="Not closed, and the due date has passed.")
    carried_over = serializers.BooleanField(
        read_only=True, help_text="Went on to a later meeting's agenda: it can be closed, never deleted."
    )

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "chain",
            "body",
            "meeting",
            "agenda_item",
            "decision",
            "description",
            "owner",
            "due_on",
            "status",
            "closing_note",
            "is_overdue",
            "carried_over",
            "created_at",
            "closed_at",
        ]
