"""Django admin for platform administrators. Approved minutes stay locked here too: the models'
clean() refuses the change with a message (governance/models/meetings.py)."""

from django.contrib import admin

from .models import ActionItem, AgendaItem, Attendance, Body, BodyMember, Decision, DecisionPosition, Meeting


class BodyMemberInline(admin.TabularInline):
    model = BodyMember
    fk_name = "body"
    extra = 0
    autocomplete_fields = ["person", "alternate"]


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "chain", "level", "decision_rule", "is_active"]
    list_filter = ["level", "chain"]
    search_fields = ["name"]
    inlines = [BodyMemberInline]


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "title", "presenter", "duration_minutes", "status", "notes"]
    raw_id_fields = ["presenter"]


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["member"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["body", "starts_at", "status"]
    list_filter = ["status", "body__chain"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["series", "host"]
    inlines = [AgendaItemInline, AttendanceInline]


class PositionInline(admin.TabularInline):
    model = DecisionPosition
    extra = 0
    raw_id_fields = ["partnership", "recorded_by"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["title", "body", "status", "closes_on", "review_on"]
    list_filter = ["status", "way", "body__chain"]
    search_fields = ["title"]
    raw_id_fields = ["meeting", "proposed_by", "indicator", "indicator_version"]
    inlines = [PositionInline]


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["description", "body", "owner", "due_on", "status"]
    list_filter = ["status", "body__chain"]
    raw_id_fields = ["meeting", "agenda_item", "decision", "owner"]
