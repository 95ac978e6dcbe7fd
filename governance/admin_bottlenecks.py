"""Django admin for bottlenecks (imported by governance/admin.py). The level changes by escalating
only (the page, the sweep), so the admin shows it read-only, and the escalations as their record:
never added, changed or deleted here."""

from django.contrib import admin

from .models import Bottleneck, BottleneckComment, Escalation

ESCALATION_FIELDS = [
    "from_body",
    "to_body",
    "at",
    "by",
    "automatic",
    "reason",
    "due_on",
    "response",
    "responded_at",
    "responded_by",
]


class EscalationInline(admin.TabularInline):
    model = Escalation
    fk_name = "bottleneck"
    extra = 0
    can_delete = False
    fields = ESCALATION_FIELDS
    readonly_fields = ESCALATION_FIELDS

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CommentInline(admin.TabularInline):
    model = BottleneckComment
    extra = 0
    fields = ["author", "text", "created_at"]
    readonly_fields = ["author", "created_at"]


@admin.register(Bottleneck)
class BottleneckAdmin(admin.ModelAdmin):
    list_display = ["title", "chain", "body", "status", "due_on"]
    list_filter = ["status", "chain"]
    search_fields = ["title"]
    raw_id_fields = ["owner", "partners", "indicators"]
    readonly_fields = ["chain", "body", "level_since", "due_on", "responded_at", "response", "reported_at"]
    inlines = [EscalationInline, CommentInline]
